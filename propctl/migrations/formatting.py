"""Alembic writes revisions in its own style; a repository that formats its Python with Black
(or Ruff) would then fail its own format check on every new revision. So a fresh revision is run
through the repository's formatter, found the way the `command` check finds programs: the
repo's `.venv/bin`, beside this Python, then PATH. No formatter configured or found: left as
Alembic wrote it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path


def configured_formatter(*pyprojects: Path) -> list[str] | None:
    """`black` when a pyproject configures [tool.black], else `ruff format` for [tool.ruff]."""
    for pyproject in pyprojects:
        try:
            tools = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {})
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if "black" in tools:
            return ["black", "--quiet"]
        if "ruff" in tools:
            return ["ruff", "format", "--quiet"]
    return None


def find_program(name: str, repo: Path) -> str | None:
    for folder in (repo / ".venv" / "bin", Path(sys.executable).parent):
        candidate = folder / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def format_revision(repo: Path, service_dir: Path, revision: Path) -> str | None:
    """Format `revision` with the repository's formatter; the tool's name, or None."""
    command = configured_formatter(service_dir / "pyproject.toml", repo / "pyproject.toml")
    program = find_program(command[0], repo) if command else None
    if command is None or program is None:
        return None
    try:
        done = subprocess.run(
            [program, *command[1:], str(revision)],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (
        " ".join(command[:2] if command[0] == "ruff" else command[:1])
        if done.returncode == 0
        else None
    )
