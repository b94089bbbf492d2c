"""All-or-nothing file writes: every new content is staged in a temporary file beside its target,
then renamed into place; if anything fails part-way, every target is restored (or removed if it
did not exist), staged files are deleted and folders created for the write are removed, so the
tree is exactly as it was. A `check` run after every file is in place (and before the backups go)
can still undo the whole write by raising: `scaffold add` imports the app there."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from propctl.state import current_umask


@dataclass(frozen=True)
class Write:
    path: Path
    data: bytes
    executable: bool = False


def _replace(src: Path, dst: Path) -> None:
    """The one rename every write goes through (tests inject failures here)."""
    os.replace(src, dst)


def commit(writes: list[Write], check: Callable[[], None] | None = None) -> None:
    created: list[Path] = []
    staged: list[tuple[Write, Path]] = []
    done: list[tuple[Path, Path | None]] = []
    umask = current_umask()
    try:
        for write in writes:
            created.extend(_make_parents(write.path.parent))
            staged.append((write, _stage(write, umask)))
        for write, temp in staged:
            backup = _backup(write.path) if write.path.exists() else None
            done.append((write.path, backup))
            _replace(temp, write.path)
        if check is not None:
            check()
    except BaseException:
        _rollback(done, [t for _, t in staged], created)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _make_parents(folder: Path) -> list[Path]:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _stage(write: Write, umask: int) -> Path:
    fd, name = tempfile.mkstemp(
        prefix=f".{write.path.name}.", suffix=".propctl-new", dir=write.path.parent
    )
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(write.data)
        mode = _mode_for(write, umask)
        os.chmod(temp, mode)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _mode_for(write: Write, umask: int) -> int:
    if write.path.exists():
        mode = write.path.stat().st_mode & 0o777
        return mode | 0o111 if write.executable else mode
    return (0o777 if write.executable else 0o666) & ~umask


def _backup(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".propctl-old", dir=path.parent)
    os.close(fd)
    backup = Path(name)
    backup.unlink()
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)
    return backup


def _rollback(done: list[tuple[Path, Path | None]], temps: list[Path], created: list[Path]) -> None:
    for path, backup in reversed(done):
        if backup is not None and path.exists() and os.path.samefile(backup, path):
            backup.unlink()  # never replaced: rename() between two links of one file is a no-op
        elif backup is not None:
            os.replace(backup, path)
        else:
            path.unlink(missing_ok=True)
    for temp in temps:
        temp.unlink(missing_ok=True)
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            pass
