"""Which roadmap file a command uses, and whether it is trusted to run commands. The standard
library only: commands that answer from a cache (scaffold's roadmap facts, a replayed verify)
find the file without loading pydantic."""

from __future__ import annotations

from pathlib import Path


def find_roadmap(repo: Path, explicit: Path | None) -> tuple[Path, bool]:
    """The roadmap to use: `--roadmap`, else the repo's `checklists/roadmap.yaml`, else the
    bundled one; and whether it is trusted to run commands (it is the bundled roadmap, byte for
    byte — anything else needs `--trust`)."""
    from propctl.resources import bundled_roadmap

    bundled = bundled_roadmap()
    path = explicit if explicit is not None else repo / "checklists" / "roadmap.yaml"
    if explicit is None and not path.is_file():
        path = bundled
    try:
        trusted = path.read_bytes() == bundled.read_bytes()
    except OSError:
        trusted = False
    return path, trusted
