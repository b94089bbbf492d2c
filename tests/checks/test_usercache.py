"""verify's cache folder: outside the judged tree, one folder per repo, every record sealed with
an HMAC under a private per-user key; a record that fails the seal is dropped, never read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from propctl.checks.engine.usercache import RepoCache, SealError, cache_root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "work" / "repo"
    path.mkdir(parents=True)
    return path


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROPCTL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "propctl" / "verify"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "propctl" / "verify"


def test_each_repo_has_its_own_folder_keyed_by_its_resolved_path(
    repo: Path, tmp_path: Path
) -> None:
    other = tmp_path / "work" / "other" / "repo"
    other.mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(repo)
    assert RepoCache.of(repo).folder != RepoCache.of(other).folder
    assert RepoCache.of(link).folder == RepoCache.of(repo).folder


def test_a_sealed_record_reads_back_and_is_private(repo: Path) -> None:
    store = RepoCache.of(repo)
    store.write("results.json", {"answer": 42})
    assert store.read("results.json") == {"answer": 42}
    path = store.path("results.json")
    assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.parent.parent / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not any(repo.iterdir())  # nothing in the judged tree


@pytest.mark.parametrize(
    "tamper",
    [
        lambda raw: raw.replace(b"42", b"43"),
        lambda raw: raw.partition(b"\n")[2],  # the seal removed
        lambda raw: raw[:20] + b"0" * 44 + raw[64:],  # another seal
        lambda raw: raw + b" ",
    ],
    ids=["body edited", "seal removed", "seal replaced", "byte appended"],
)
def test_an_edited_record_fails_its_seal(repo: Path, tamper: object) -> None:
    store = RepoCache.of(repo)
    store.write("replay.json", {"answer": 42})
    path = store.path("replay.json")
    assert path is not None
    path.write_bytes(tamper(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(SealError, match="dropped"):
        store.read("replay.json")


def test_a_record_copied_from_another_repo_or_name_fails(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    theirs, ours = RepoCache.of(other), RepoCache.of(repo)
    theirs.write("replay.json", {"score": 10})
    source, target = theirs.path("replay.json"), ours.path("replay.json")
    assert source is not None and target is not None
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes())
    with pytest.raises(SealError, match="integrity"):
        ours.read("replay.json")
    ours.write("results.json", {"score": 10})
    renamed = ours.path("results.json")
    assert renamed is not None
    target.write_bytes(renamed.read_bytes())
    with pytest.raises(SealError, match="integrity"):
        ours.read("replay.json")


def test_a_key_others_can_read_is_replaced(repo: Path) -> None:
    store = RepoCache.of(repo)
    store.write("results.json", {"answer": 42})
    assert store.folder is not None
    key = store.folder.parent / "key"
    key.chmod(0o644)
    with pytest.raises(SealError):
        store.read("results.json")  # sealed under a key that is no secret: not believed
    store.write("results.json", {"answer": 43})
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert store.read("results.json") == {"answer": 43}


def test_a_symlinked_key_is_not_used(repo: Path, tmp_path: Path) -> None:
    store = RepoCache.of(repo)
    store.write("results.json", {"answer": 42})
    assert store.folder is not None
    key = store.folder.parent / "key"
    planted = tmp_path / "planted-key"
    planted.write_bytes(key.read_bytes())
    planted.chmod(0o600)
    key.unlink()
    key.symlink_to(planted)
    with pytest.raises(SealError):
        store.read("results.json")


def test_a_cache_folder_inside_the_judged_repo_is_never_used(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROPCTL_CACHE_DIR", str(repo / ".cache"))
    store = RepoCache.of(repo)
    assert store.folder is None and "inside the repository" in store.why
    store.write("results.json", {"answer": 42})
    assert not (repo / ".cache").exists()
    with pytest.raises(SealError, match="inside the repository"):
        store.read("results.json")


def test_a_missing_record_says_so(repo: Path) -> None:
    with pytest.raises(SealError, match="no replay.json record"):
        RepoCache.of(repo).read("replay.json")


def test_records_are_written_whole(repo: Path) -> None:
    store = RepoCache.of(repo)
    store.write("results.json", {"n": 1})
    assert store.folder is not None
    assert sorted(os.listdir(store.folder)) == ["results.json"]  # no temporary left behind
