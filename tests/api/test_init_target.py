"""`propctl init`: the explicit declaration that lets the bundled roadmap run programs in a repo
and verify keep its history there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.state import RepoState


def test_dry_run_shows_the_declaration_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--repo", str(tmp_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert 'roadmap: "IMPLEMENTATION CHECKLIST' in out
    assert not (tmp_path / ".propctl").exists()


def test_init_declares_once_and_verify_then_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--repo", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["action"] == "create"
    assert RepoState(tmp_path).target() is not None
    assert main(["init", "--repo", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["action"] == "identical"
    main(["verify", "--repo", str(tmp_path), "--criterion", "4.a5", "--format", "json"])
    assert (tmp_path / ".propctl/history.jsonl").is_file()


def test_init_refuses_a_symlinked_state_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".propctl").symlink_to(outside)
    assert main(["init", "--repo", str(repo)]) == 2
    assert ".propctl: a symlink" in capsys.readouterr().err
    assert list(outside.iterdir()) == []
