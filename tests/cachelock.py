"""One installer at a time for the tools the tests install once into the user's cache (checkov's
virtual environment, npm packages): `make test` runs the suite in several pytest-xdist workers,
and two of them finding the same tool missing would otherwise build it into the same folder at
once. The lock is a file beside the folder, held with flock(2), so it is released when its
holder exits, however it exits."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def installing(home: Path) -> Iterator[None]:
    """Hold the lock of `home` (a folder in the cache): check what is installed and install it
    inside this block; a second worker waits here, then finds it installed."""
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f".{home.name}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def copy_atomically(source: Path, dest: Path) -> None:
    """Copy `source` to `dest` unless it is already there byte for byte; a reader in another
    worker sees the old file or the new one, never a half-written one."""
    data = source.read_bytes()
    if dest.is_file() and dest.read_bytes() == data:
        return
    fd, temp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        shutil.copymode(source, temp)
        os.replace(temp, dest)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
