"""Does the app still import? `scaffold add` asks the target's own Python before and after it
writes (issue 18.7): a change that breaks an app which imported is undone; an app that did not
import before cannot be judged, and the user is told why and where to look (`propctl doctor`).

The import runs the way the app is started: from its import root (`backend/` for the package
`app`, the app's folder for a flat one), so relative `.env` files and `sys.path` match, in a
subprocess with a deadline that writes no `__pycache__` into the repo."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from propctl.errors import FailureFound
from propctl.generators.target.app_layout import AppLayout

TIMEOUT_S = 120.0
_MARK = "__PROPCTL_IMPORT__"
# argv: module, attribute ('' for none); on failure the traceback on stderr, one marked line
_CODE = f"""
import importlib, sys, traceback
try:
    module = importlib.import_module(sys.argv[1])
    if sys.argv[2]:
        getattr(module, sys.argv[2])
except BaseException as exc:
    traceback.print_exc()
    text = str(exc).splitlines()
    print({_MARK!r} + type(exc).__name__ + (": " + text[0][:400] if text else ""))
    sys.exit(1)
"""


@dataclass(frozen=True)
class ImportOutcome:
    ok: bool
    error: str = ""  # `ModuleNotFoundError: No module named 'sentry_sdk'`
    traceback: str = ""

    def summary(self) -> str:
        return "imports" if self.ok else self.error


def try_import(repo: Path, layout: AppLayout, python: str, app: str = "app") -> ImportOutcome:
    return import_at(python, repo / layout.root, [], layout.app_module, app)


def import_at(
    python: str, cwd: Path, paths: list[Path], module: str, attribute: str
) -> ImportOutcome:
    """Import `module` (and read `attribute`) under `python`, from `cwd`, with `paths` first on
    sys.path after it (the asgi runner's [app_dir, repo root])."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)  # the target's own path, not the caller's (propctl's tree)
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    try:
        done = subprocess.run(
            [python, "-c", _CODE, module, attribute],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ImportOutcome(False, f"importing {module} took over {TIMEOUT_S:g}s")
    except OSError as exc:
        return ImportOutcome(False, f"cannot run {python}: {exc}")
    if done.returncode == 0:
        return ImportOutcome(True)
    marked = [line for line in done.stdout.splitlines() if line.startswith(_MARK)]
    error = marked[-1].removeprefix(_MARK) if marked else f"exit {done.returncode}"
    return ImportOutcome(False, error, done.stderr[-3000:])


class ImportBroken(FailureFound):
    """The app imported before the change and not after: the change was undone (exit 1)."""

    def __init__(self, where: str, outcome: ImportOutcome) -> None:
        tail = "\n".join(outcome.traceback.strip().splitlines()[-12:])
        super().__init__(
            f"the change breaks the app: {where} no longer imports ({outcome.error}); "
            "every file was put back as it was\n" + tail,
            hint="--dry-run shows what would be written; fix the clash above (a module of "
            "yours where propctl writes a package, a name both define), then run again",
        )


def not_judged(where: str, outcome: ImportOutcome, repo: Path) -> str:
    return (
        f"{where} did not import before the change either ({outcome.error}), so propctl "
        "cannot tell whether the change keeps it working; install the app's dependencies "
        f"in its Python (see `propctl doctor --repo {repo}`), or pass --python"
    )
