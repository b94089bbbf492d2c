"""`doctor(DoctorRequest) -> DoctorResult`: which optional tools are present
(`api/doctor_tools.py`) and, with a repo, which of the roadmap's checks will end as `error` in
that repository, and why, before verify runs them. Each finding names the checks it blocks
and the command that fixes it. The probes are the ones the checks themselves depend on: the
target's Python (its version against the repo's requires-python, whether it imports the app,
fastapi and httpx for asgi checks), redis-server for asgi checks that need Redis, and the
programs command checks run (node tools in the repo's node_modules, black, ruff...)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.api.doctor_tools import Finding, probe_tools

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap


@dataclass
class TargetFinding:
    name: str
    ok: bool
    detail: str
    blocks: list[str] = field(default_factory=list)  # criterion / subtask ids
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "blocks": self.blocks,
            "fix": None if self.ok else self.fix,
        }


@dataclass(frozen=True)
class DoctorRequest:
    repo: Path | None = None  # with a repo (and its roadmap), the checks that will error there
    roadmap: Roadmap | None = None
    python: Path | None = None  # the target's Python, as verify's --python


@dataclass(frozen=True)
class DoctorTarget:
    repo: Path
    python: str
    findings: list[TargetFinding]


@dataclass(frozen=True)
class DoctorResult:
    tools: list[Finding]
    target: DoctorTarget | None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.target is not None:
            out["target"] = {
                "repo": str(self.target.repo),
                "python": self.target.python,
                "findings": [f.to_json() for f in self.target.findings],
            }
        out["tools"] = [f.to_json() for f in self.tools]
        return out


def doctor(request: DoctorRequest) -> DoctorResult:
    """Probe the optional tools and, given a repo and its roadmap, the target's needs."""
    tools = probe_tools()
    if request.repo is None or request.roadmap is None:
        return DoctorResult(tools, None)
    from propctl.checks.support.target_python import chosen_because, target_python

    repo = request.repo
    chosen = target_python(repo, request.python)
    why = chosen_because(repo, request.python, chosen)
    return DoctorResult(
        tools, DoctorTarget(repo, chosen, diagnose(repo, request.roadmap, chosen, why))
    )


def roadmap_checks(roadmap: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, check as a dict) for every acceptance criterion and subtask check, nested ones
    (`all`, `any`) included."""
    for task in roadmap.tasks():
        items = [*task.acceptance, *task.subtasks]
        for item in items:
            check = getattr(item, "check", None)
            if check is not None:
                yield from ((item.id, c) for c in _flatten(check.model_dump()))


def _flatten(check: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield check
    for inner in check.get("checks") or []:
        if isinstance(inner, dict):
            yield from _flatten(inner)


def _program(check: dict[str, Any]) -> str | None:
    run = check.get("run")
    try:
        args = shlex.split(run) if isinstance(run, str) else list(run or [])
    except ValueError:
        return None
    return str(args[0]) if args else None


def diagnose(repo: Path, roadmap: Any, python: str, why: str) -> list[TargetFinding]:
    from propctl.generators.concerns import app_target
    from propctl.generators.target.import_check import try_import

    checks = list(roadmap_checks(roadmap))
    asgi = sorted({cid for cid, c in checks if c.get("kind") == "asgi"})
    redis = sorted(
        {cid for cid, c in checks if c.get("kind") == "asgi" and c.get("redis") in ("up", "down")}
    )
    runs_python = sorted(
        {cid for cid, c in checks if c.get("kind") == "command" and _program(c) == "python"}
    )
    findings = [_python_runs(repo, python, why, sorted({*asgi, *runs_python}))]
    if not findings[0].ok:
        return findings + [_redis(redis)]
    # an app for a newer Python cannot be imported or tested by an older one
    tests = {cid for cid, c in checks if c.get("kind") == "command" and "pytest" in str(c["run"])}
    findings.append(_version(repo, roadmap, python, sorted({*asgi, *(tests & set(runs_python))})))
    findings += [_module(python, name, asgi) for name in ("fastapi", "httpx")]
    layout, attribute = app_target(repo, roadmap)
    runs = _asgi_imports(repo, roadmap, checks)
    if (repo / layout.api / "main.py").is_file():
        outcome = try_import(repo, layout, python, attribute)
        same = runs.pop((layout.root, f"{layout.app_module}:{attribute or 'app'}"), [])
        findings.append(
            TargetFinding(
                f"the app imports ({layout.app_module}, from {layout.root})",
                outcome.ok,
                "imports" if outcome.ok else outcome.error,
                [] if outcome.ok else same,
                _install_fix(repo, layout.api, python),
            )
        )
    for (app_dir, app), ids in sorted(runs.items()):
        if (repo / app_dir).is_dir():  # a missing folder fails the check; nothing to install
            findings.append(_asgi_import(repo, python, app_dir, app, ids, layout))
    findings.append(_redis(redis))
    findings += _programs(repo, python, checks)
    return findings


def _asgi_imports(
    repo: Path, roadmap: Any, checks: list[tuple[str, dict[str, Any]]]
) -> dict[tuple[str, str], list[str]]:
    """(app_dir, module:attribute) -> the asgi checks that import the app that way."""
    paths = _Paths(roadmap.paths)
    runs: dict[tuple[str, str], set[str]] = {}
    for cid, check in checks:
        if check.get("kind") == "asgi":
            app_dir = str(check.get("app_dir") or "{api}").format_map(paths).strip("/") or "."
            runs.setdefault((app_dir, str(check.get("app") or "main:app")), set()).add(cid)
    return {key: sorted(ids) for key, ids in runs.items()}


class _Paths(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _asgi_import(
    repo: Path, python: str, app_dir: str, app: str, ids: list[str], layout: Any
) -> TargetFinding:
    """Imported the way the asgi runner does: from app_dir, with [app_dir, repo] on sys.path."""
    from propctl.generators.target.import_check import import_at

    module, _, attribute = app.partition(":")
    folder = repo / app_dir
    outcome = import_at(python, folder, [folder, repo], module, attribute or "app")
    outcome_ok, detail = outcome.ok, "imports" if outcome.ok else outcome.error
    fix = _install_fix(repo, app_dir, python)
    if not outcome_ok and layout.package and app_dir == layout.api:
        fix = (
            f"this app is the package {layout.app_module}, run from {layout.root}: give these "
            f"checks app: {layout.app_module}:app and app_dir: {layout.root} in the roadmap; "
            f"and {fix}"
        )
    return TargetFinding(
        f"asgi checks import {app} from {app_dir}",
        outcome_ok,
        detail,
        [] if outcome_ok else ids,
        fix,
    )


def _python_runs(repo: Path, python: str, why: str, blocks: list[str]) -> TargetFinding:
    version = _ask(python, "import sys; print('%d.%d' % sys.version_info[:2])")
    ok = version is not None
    detail = f"{python} ({why}): Python {version}" if ok else f"{python} ({why}) does not run"
    return TargetFinding(
        "the target's Python",
        ok,
        detail,
        [] if ok else blocks,
        f"python3 -m venv {repo}/.venv, or --python PATH",
    )


def _version(repo: Path, roadmap: Any, python: str, blocks: list[str]) -> TargetFinding:
    from propctl.errors import UserError
    from propctl.generators.target.repo_python import repo_python

    api = roadmap.paths.get("api", "apps/api").strip("/")
    try:
        wanted = repo_python(repo, (api, api.rpartition("/")[0]))
    except UserError as exc:
        return TargetFinding(
            "the repo's Python version", False, exc.message, blocks, exc.hint or ""
        )
    have = _ask(python, "import sys; print('%d.%d' % sys.version_info[:2])") or "?"
    ok = _tuple(have) >= _tuple(wanted.version)
    detail = f"the repo asks for {wanted.version} ({wanted.source}); {python} is {have}"
    fix = f"python{wanted.version} -m venv {repo}/.venv (then install the app's dependencies)"
    return TargetFinding("the repo's Python version", ok, detail, [] if ok else blocks, fix)


def _tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)


def _module(python: str, name: str, blocks: list[str]) -> TargetFinding:
    found = _ask(python, f"import {name}; print(getattr({name}, '__version__', 'present'))")
    return TargetFinding(
        f"{name} in the target's Python",
        found is not None,
        found or "not importable",
        [] if found else blocks,
        f"{python} -m pip install {name}",
    )


def _install_fix(repo: Path, api: str, python: str) -> str:
    for folder in (api, api.rpartition("/")[0], ""):
        base = repo / folder if folder else repo
        if (base / "requirements.txt").is_file():
            return f"{python} -m pip install -r {base / 'requirements.txt'}"
        if (base / "pyproject.toml").is_file():
            return f"{python} -m pip install -e {base}"
    return f"{python} -m pip install <the app's dependencies>"


def _redis(blocks: list[str]) -> TargetFinding:
    from propctl.checks import error_fixes

    found = shutil.which("redis-server")
    if os.environ.get("REDIS_URL") and not found:
        return TargetFinding("redis-server", True, "REDIS_URL is set", [], "")
    return TargetFinding(
        "redis-server",
        bool(found),
        found or "not on PATH and no REDIS_URL",
        [] if found else blocks,
        f"{error_fixes.REDIS_FIX} ({error_fixes.REDIS_ALTERNATIVE})",
    )


def _programs(
    repo: Path, python: str, checks: list[tuple[str, dict[str, Any]]]
) -> list[TargetFinding]:
    by_program: dict[str, list[str]] = {}
    for cid, check in checks:
        program = _program(check) if check.get("kind") == "command" else None
        if program and program != "python":
            by_program.setdefault(program, []).append(cid)
    out = []
    for program, ids in sorted(by_program.items()):
        found = _find(repo, python, program)
        out.append(
            TargetFinding(
                program,
                found is not None,
                found or "not found",
                [] if found else sorted(set(ids)),
                _program_fix(repo, program, python),
            )
        )
    return out


def _find(repo: Path, python: str, program: str) -> str | None:
    if "/" in program:
        path = repo / program
        return str(path) if path.is_file() else None
    for folder in (repo / ".venv" / "bin", Path(python).parent):
        if (folder / program).is_file():
            return str(folder / program)
    return shutil.which(program)


def _program_fix(repo: Path, program: str, python: str) -> str:
    from propctl.checks.error_fixes import program_fix

    fix = program_fix(program, str(repo), python)
    return f"{fix.command} ({fix.note})" if fix.command and fix.note else fix.command or fix.line()


def _ask(python: str, code: str) -> str | None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    try:
        done = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, timeout=60, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
