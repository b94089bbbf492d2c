"""Where the bundled data lives: inside the wheel (`propctl/_data/...`) once installed, at the
repository root in a source checkout or editable install."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`templates`, `checklists` or `infra`, wherever this propctl finds them."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"propctl's bundled {name!r} folder is missing from this installation")


def bundled_roadmap() -> Path:
    return data_dir("checklists") / "roadmap.yaml"


def templates_dir() -> Path:
    return data_dir("templates")


def infra_dir() -> Path:
    return data_dir("infra")
