"""The result cache cannot lie: a key is the content hash of every input, read this run (an
edit that keeps the size and restores the mtime is a miss), the cache lives outside the judged
tree, and an entry edited without the user's key is dropped with a note."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from checkkit import make_repo, roadmap

from propctl.checks.engine import runner
from propctl.checks.engine.base import CheckContext
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.status import Status
from propctl.roadmap.models import Check

ITEM = runner.Item(
    "2.a1",
    2,
    "criterion",
    "secure",
    Check.model_validate({"kind": "text", "files": "config.env", "pattern": "^SECURE=yes$"}),
)


def _run(repo: Path) -> runner.ItemResult:
    ctx = CheckContext(repo=repo, roadmap=roadmap(), files=FileIndex(repo), python=sys.executable)
    cache = runner.ResultCache.load(repo)
    [done] = runner.run_items([ITEM], ctx, cache=cache)
    cache.save()
    return done


def test_an_edit_that_keeps_size_inode_and_mtime_is_seen(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"config.env": "SECURE=yes\n"})
    path = repo / "config.env"
    assert _run(repo).status is Status.PASS
    assert _run(repo).cached
    before = path.stat()
    with path.open("r+") as handle:  # in place: same inode, same size
        handle.write("SECURE=no!\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    again = _run(repo)
    assert not again.cached and again.status is Status.FAIL


def test_an_entry_edited_without_the_key_is_dropped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"config.env": "SECURE=no\n"})
    assert _run(repo).status is Status.FAIL
    path = runner.ResultCache.load(repo).path
    assert path is not None
    head, _, body = path.read_bytes().partition(b"\n")
    data = json.loads(body)
    data["results"]["2.a1"]["result"]["status"] = "pass"
    path.write_bytes(head + b"\n" + json.dumps(data, separators=(",", ":")).encode())
    cache = runner.ResultCache.load(repo)
    assert cache.entries == {} and "integrity check" in cache.note
    again = _run(repo)
    assert not again.cached and again.status is Status.FAIL


def test_nothing_is_written_in_the_judged_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"config.env": "SECURE=yes\n"})
    _run(repo)
    assert sorted(p.name for p in repo.iterdir()) == ["config.env"]
