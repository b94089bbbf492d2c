"""One apply at a time per repository: the lock in `.propctl/`, and no `.propctl/` left behind by
an apply that was undone in a repo that had none."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from propctl.state import LOCK, STATE_DIR, RepoState


@contextmanager
def locked(repo: Path) -> Iterator[None]:
    folder = repo / STATE_DIR
    created = not folder.exists()
    try:
        with RepoState(repo).lock():
            yield
    except BaseException:
        if created:  # an apply that was undone leaves no .propctl/ behind either
            (folder / LOCK).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
