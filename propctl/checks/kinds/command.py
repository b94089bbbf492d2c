"""`command`: run a program in the repo (ruff, black --check, pytest, alembic) with a timeout.

Only trusted roadmaps may run commands (the engine refuses untrusted ones before anything
runs). Programs are looked up in the target's virtualenv, then beside the target's Python,
then on PATH. The output's tail becomes evidence only after secrets are redacted.

The program is the repository's code (or runs it): it gets a minimal environment (PATH, HOME,
LANG, LC_ALL, TMPDIR, XDG_CACHE_HOME, then the check's `env`), never verify's credentials, and
its whole process group is killed when it ends, so a daemon it forked does not outlive it."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from pydantic import Field, field_validator

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.engine.redact import known_secrets, redact
from propctl.checks.engine.shared_runs import SharedRuns
from propctl.checks.support.target_python import see_doctor
from propctl.checks.support.untrusted import kill_group, minimal_env

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
        if os.sep in args[0] and not _inside(ctx.repo, ctx.repo / args[0]):
            return Result.errored(
                f"program {args[0]!r} is outside the repo: refused (name a program on PATH, "
                "or one of the repository's own by a relative path)"
            )
        # `python` is the target's interpreter (--python, <repo>/.venv, else propctl's own)
        program = ctx.python if args[0] == "python" else find_program(args[0], ctx)
        if program is None:
            return Result.errored(
                f"{args[0]} is not installed (looked in the target's .venv, "
                f"beside {ctx.python}, and on PATH)" + see_doctor(ctx.repo)
            )
        cwd = ctx.repo / ctx.expand(self.params.cwd)
        if not _inside(ctx.repo, cwd):
            return Result.errored(
                f"cwd {self.params.cwd!r} resolves outside the repo: refused "
                "(a command check runs in a folder of the repository)"
            )
        if not cwd.is_dir():
            return Result.failed(f"{self.params.cwd}: no such folder in the repo")
        env = minimal_env({**ctx.env, **self.params.env})
        shown = shlex.join(args)
        argv = [program, *args[1:]]
        timeout = self.params.timeout
        shared = ctx.services.get("command_runs")
        try:
            if isinstance(shared, SharedRuns):  # the same command in this verify run: once
                key = (tuple(argv), str(cwd), tuple(sorted(env.items())), timeout)
                code, output = shared.run(key, lambda: run_bounded(argv, cwd, env, timeout))
            else:
                code, output = run_bounded(argv, cwd, env, timeout)
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
    """Run in a session of its own; the whole process group is killed when the program ends
    or times out (what it forked included)."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                out, _ = proc.communicate(timeout=max(0.0, min(0.5, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                if proc.poll() is not None:
                    # the program is done; what it forked still holds the output pipe open
                    kill_group(proc.pid)
                elif time.monotonic() >= deadline:
                    kill_group(proc.pid)
                    out, _ = proc.communicate()
                    raise subprocess.TimeoutExpired(argv, timeout, output=out) from None
    finally:
        kill_group(proc.pid)
    return proc.returncode, out.decode("utf-8", "replace")


def find_program(name: str, ctx: CheckContext) -> str | None:
    if os.sep in name:  # a program of the repo's own (node_modules/.bin/eslint), never outside
        path = ctx.repo / name
        return str(path) if _inside(ctx.repo, path) and path.is_file() else None
    for folder in (ctx.repo / ".venv" / "bin", Path(ctx.python).parent):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _inside(repo: Path, path: Path) -> bool:
    root = repo.resolve()
    target = path.resolve()
    return target == root or target.is_relative_to(root)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _tail(output: str, env: dict[str, str]) -> list[Evidence]:
    lines = [line for line in output.strip().splitlines() if line.strip()][-TAIL_LINES:]
    if not lines:
        return []
    # verify's own secrets too: a program may print what it found on disk
    secrets = known_secrets({**os.environ, **env})
    return [Evidence("output (last lines):\n" + redact("\n".join(lines), secrets))]
