"""Which interpreter runs the target's code (asgi and command checks, `scaffold add`'s import
check, `doctor --repo`): `--python PATH`, else `<repo>/.venv/bin/python`, else propctl's own."""

from __future__ import annotations

import sys
from pathlib import Path

from propctl.errors import UserError


def target_python(repo: Path, python: Path | None = None) -> str:
    if python is not None and not python.is_file():
        raise UserError(
            f"--python {python}: no such file",
            hint="point it at the target's interpreter, e.g. .venv/bin/python",
        )
    own = repo / ".venv" / "bin" / "python"
    return str(python) if python else (str(own) if own.is_file() else sys.executable)


def chosen_because(repo: Path, python: Path | None, chosen: str) -> str:
    """Why this interpreter: for messages that say which Python was asked."""
    if python is not None:
        return "--python"
    if chosen == str(repo / ".venv" / "bin" / "python"):
        return "the repo's .venv"
    return "propctl's own: no --python, no .venv in the repo"


def see_doctor(repo: Path) -> str:
    """The pointer verify's `error` messages end with when the target lacks something."""
    return f"; see `propctl doctor --repo {repo}`"
