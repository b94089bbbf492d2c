"""docs/architecture.md is a newcomer's map: every module or folder it names exists in the tree,
so a file move that forgets the map fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "docs" / "architecture.md"


def _named_paths() -> list[str]:
    """Code spans naming a Python module or a folder: `checks/engine/runner.py`, `kinds/asgi/`."""
    spans = re.findall(r"`([^`\s]+)`", MAP.read_text("utf-8"))
    return sorted(
        {s for s in spans if re.fullmatch(r"[\w./-]+(\.py|/)", s) and not s.startswith(".")}
    )


def _exists(name: str) -> bool:
    if "*" in name:
        return True
    if (ROOT / name).exists() or (ROOT / "propctl" / name).exists():
        return True
    # a name given beside its package (`pool.py` after `checks/kinds/asgi/runner.py`)
    return any(p.as_posix().endswith("/" + name.rstrip("/")) for p in (ROOT / "propctl").rglob("*"))


def test_the_map_names_enough_to_be_a_map() -> None:
    assert len(_named_paths()) > 40


def test_every_module_the_map_names_exists() -> None:
    missing = [name for name in _named_paths() if not _exists(name)]
    assert not missing, f"docs/architecture.md names what the tree does not hold: {missing}"
