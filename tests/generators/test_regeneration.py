"""Regenerating a service after user edits (a rerun, a conflict, --force, a deleted file, a
failed write, --merge), through the command line, on a real generated service."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.generators import service as service_generator
from propctl.generators.engine import transaction

MAIN = "apps/auth-service/app/main.py"


def scaffold(repo: Path, *extra: str) -> int:
    return main(["scaffold", "service", "auth", "--port", "3001", "--repo", str(repo), *extra])


def files(repo: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(repo).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(repo.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    assert scaffold(tmp_path) == 0  # first run
    return tmp_path


def test_rerun_with_nothing_changed_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(repo)
    capsys.readouterr()
    assert scaffold(repo) == 0
    assert re.search(r"^plan: \d+ identical\b", capsys.readouterr().out, re.M)
    assert files(repo) == before  # bytes and mtimes


def test_user_edit_is_a_conflict_and_stays(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = (repo / MAIN).read_text() + "\n# my edit\n"
    (repo / MAIN).write_text(edited)
    before = files(repo)
    capsys.readouterr()
    assert scaffold(repo) == 1
    err = capsys.readouterr().err
    assert f"conflict: {MAIN} (edited since propctl generated it)" in err
    assert "nothing was written" in err and "--merge" in err and "--force" in err
    assert (repo / MAIN).read_text() == edited
    assert files(repo) == before


def test_force_keeps_the_edit_as_orig(repo: Path) -> None:
    (repo / MAIN).write_text("# mine\n")
    assert scaffold(repo, "--force") == 0
    assert (repo / f"{MAIN}.orig").read_text() == "# mine\n"
    assert "def create_app" in (repo / MAIN).read_text()
    assert scaffold(repo) == 0


def test_deleted_file_is_reported_not_recreated(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "apps/auth-service/Dockerfile").unlink()
    capsys.readouterr()
    assert scaffold(repo) == 0
    out = capsys.readouterr().out
    assert "deleted" in out and "apps/auth-service/Dockerfile" in out
    assert not (repo / "apps/auth-service/Dockerfile").exists()
    assert scaffold(repo, "--force") == 0
    assert (repo / "apps/auth-service/Dockerfile").exists()


def test_write_failure_mid_apply_leaves_the_tree_unchanged(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_generator, "VERSION", "0.2.0")  # a template change
    before = files(repo)
    real, calls = transaction._replace, []

    def failing(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 4:
            raise OSError("No space left on device (injected)")
        real(src, dst)

    monkeypatch.setattr(transaction, "_replace", failing)
    assert scaffold(repo) == 3  # an I/O error, not ours
    assert len(calls) == 4
    assert files(repo) == before
    leftovers = [p for p in repo.rglob("*") if p.name.endswith((".propctl-new", ".propctl-old"))]
    assert leftovers == []


def test_merge_keeps_edits_and_takes_template_changes(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init = repo / "apps/auth-service/app/__init__.py"
    init.write_text(init.read_text().replace("of the Propmubi platform", "(owner: team-auth)"))
    monkeypatch.setattr(service_generator, "VERSION", "0.2.0")
    assert scaffold(repo) == 1
    assert scaffold(repo, "--merge") == 0
    text = init.read_text()
    assert '__version__ = "0.2.0"' in text and "(owner: team-auth)" in text
    assert scaffold(repo) == 0  # merged edits kept


def test_merge_conflict_leaves_markers_and_exit_1(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    init = repo / "apps/auth-service/app/__init__.py"
    init.write_text(init.read_text().replace('"0.1.0"', '"0.1.0-mine"'))
    monkeypatch.setattr(service_generator, "VERSION", "0.2.0")
    assert scaffold(repo, "--merge") == 1
    assert "<<<<<<< yours" in init.read_text()
    assert "merged with conflict markers" in capsys.readouterr().err
