"""`atomic_write`: never half a file, the usual modes, and devices left alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from propctl.state import atomic_write


def test_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "report.html", "<p>hi</p>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o644


def test_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_text("old")
    target.chmod(0o750)
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o750


def test_a_fifo_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    """Stands for /dev/null and /dev/stdout too (`-o /dev/null` once replaced the device with a
    regular file; not tested on the real /dev/null, which a regression would destroy)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "baseline.json"
    target.write_text("before")

    def fail(*_: object) -> None:
        raise OSError("disk full (injected)")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write(target, "after")
    assert target.read_text() == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]
