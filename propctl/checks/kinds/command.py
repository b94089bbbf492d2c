"""`command`: run a program in the repo (ruff, black --check, pytest, alembic) with a timeout.

Only trusted roadmaps may run commands (the engine refuses untrusted ones before anything
runs). Programs are looked up in the target's virtualenv, then beside the target's Python,
then on PATH. The output's tail becomes evidence only after secrets are redacted."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

from pydantic import Field, field_validator

from propctl.checks import paths
from propctl.checks.base import CheckContext, CheckKind, CheckParams, Evidence, Result, register
from propctl.checks.redact import known_secrets, redact

TAIL_LINES = 20


class CommandParams(CheckParams):
    run: str | list[str] = Field(
        description="The command: a string (split like a shell, no "
        "shell features) or a list of arguments; {api} etc. expanded; "
        "`python` is the target's interpreter."
    )
    cwd: str = Field(default=".", description="Repo-relative folder to run in.")
    timeout: float = Field(default=300.0, gt=0)
    expect_exit: int = 0
    output_matches: str | None = Field(default=None, description="Regex the output must match.")
    env: dict[str, str] = Field(default_factory=dict)

    @field_validator("run")
    @classmethod
    def _not_empty(cls, value: str | list[str]) -> str | list[str]:
        if not (shlex.split(value) if isinstance(value, str) else value):
            raise ValueError("the command is empty")
        return value


@register("command")
class Command(CheckKind):
    """Runs a command in the repo; passes on the expected exit code (and output)."""

    Params = CommandParams
    params: CommandParams

    def argv(self, ctx: CheckContext) -> list[str]:
        raw = self.params.run
        args = shlex.split(raw) if isinstance(raw, str) else list(raw)
        return [ctx.expand(a) for a in args]

    def run(self, ctx: CheckContext) -> Result:
        args = self.argv(ctx)
        # `python` is the target's interpreter (--python, <repo>/.venv, else propctl's own)
        program = ctx.python if args[0] == "python" else find_program(args[0], ctx)
        if program is None:
            return Result.errored(
                f"{args[0]} is not installed (looked in the target's .venv, "
                f"beside {ctx.python}, and on PATH)"
            )
        cwd = ctx.repo / ctx.expand(self.params.cwd)
        if paths.inside(ctx.repo, ctx.expand(self.params.cwd)) is None:
            return Result.failed(f"{self.params.cwd}: leads out of the repository: not run")
        if not cwd.is_dir():
            return Result.failed(f"{self.params.cwd}: no such folder in the repo")
        # no __pycache__ left behind in the target by a check
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **ctx.env, **self.params.env}
        shown = shlex.join(args)
        try:
            code, output = run_bounded([program, *args[1:]], cwd, env, self.params.timeout)
        except subprocess.TimeoutExpired as exc:
            return Result.errored(
                f"`{shown}` timed out after {self.params.timeout:g}s", _tail(_text(exc.output), env)
            )
        except OSError as exc:
            return Result.errored(f"`{shown}` could not start: {exc}")
        evidence = _tail(output, env)
        if code != self.params.expect_exit:
            return Result.failed(
                f"`{shown}` exited {code} (expected {self.params.expect_exit})", evidence
            )
        if self.params.output_matches and not re.search(
            self.params.output_matches, output, re.MULTILINE
        ):
            return Result.failed(
                f"`{shown}` output does not match /{self.params.output_matches}/", evidence
            )
        return Result.passed(f"`{shown}` exited {code}", evidence)


def run_bounded(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run in a session of its own so a timeout kills the whole process group."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise subprocess.TimeoutExpired(argv, timeout, output=out) from None
    return proc.returncode, out.decode("utf-8", "replace")


def find_program(name: str, ctx: CheckContext) -> str | None:
    if os.sep in name:
        path = ctx.repo / name
        return str(path) if path.is_file() else None
    for folder in (ctx.repo / ".venv" / "bin", Path(ctx.python).parent):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _tail(output: str, env: dict[str, str]) -> list[Evidence]:
    lines = [line for line in output.strip().splitlines() if line.strip()][-TAIL_LINES:]
    if not lines:
        return []
    return [Evidence("output (last lines):\n" + redact("\n".join(lines), known_secrets(env)))]
