"""`.propctl/` state files: a damaged history is a located exit 2, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.errors import UserError
from propctl.state import RepoState, parse_history

GOOD = json.dumps(
    {"time": "2026-01-01T00:00:00Z", "statuses": {"1.a1": "pass"}, "score": {"overall": 5.0}}
)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param('{"statuses": {}, "time": 5}', id="time-not-a-string"),
        pytest.param('{"statuses": [1], "time": "2026-01-02"}', id="statuses-a-list"),
        pytest.param(
            '{"statuses": {}, "time": "2026-01-02", "score": "high"}', id="score-a-string"
        ),
        pytest.param('{"time": "2026-01-02"}', id="no-statuses"),
        pytest.param("[1, 2]", id="not-an-object"),
        pytest.param('{"statuses": {', id="not-json"),
    ],
)
def test_a_bad_history_line_is_located(line: str) -> None:
    with pytest.raises(UserError, match=r"history.jsonl:2: not a"):
        parse_history(f"{GOOD}\n{line}\n", "history.jsonl")


def test_good_history_is_sorted_by_time() -> None:
    older = json.dumps({"time": "2025-01-01T00:00:00Z", "statuses": {}})
    runs = parse_history(f"{GOOD}\n\n{older}\n", "h")
    assert [r["time"] for r in runs] == ["2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"]


def test_a_history_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    state = RepoState(tmp_path)
    state.dir.mkdir()
    state.history_path.write_bytes(GOOD.encode() + b"\n\xff\xfe garbage\n")
    with pytest.raises(UserError, match="history.jsonl: binary, not UTF-8"):
        state.history()


@pytest.mark.parametrize("command", [["status"], ["score"]])
@pytest.mark.parametrize("line", [b'{"statuses": {}, "time": 5}\n', b"\xff\xfe\n"])
def test_status_and_score_exit_2_on_a_damaged_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], line: bytes
) -> None:
    (tmp_path / ".propctl").mkdir()
    (tmp_path / ".propctl/history.jsonl").write_bytes(GOOD.encode() + b"\n" + line)
    assert main([*command, "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "history.jsonl" in err and "bug" not in err


@pytest.mark.parametrize("body", ["[1, 2]", '{"passing": "4.2"}', '{"passing": [1, [2]]}'])
def test_a_baseline_of_the_wrong_shape_is_an_error(tmp_path: Path, body: str) -> None:
    state = RepoState(tmp_path)
    state.dir.mkdir()
    state.baseline_path.write_text(body)
    with pytest.raises(UserError, match="baseline.json: not a baseline"):
        state.baseline()


def test_a_baseline_reads_its_ids(tmp_path: Path) -> None:
    state = RepoState(tmp_path)
    state.write_baseline({"4.2", "4.a5"}, None)
    assert state.baseline() == {"4.2", "4.a5"}


@pytest.mark.parametrize(
    "body", ["[]", '{"files": []}', '{"files": {"a.py": "x"}}', '{"files": "x"}']
)
def test_a_generated_record_of_the_wrong_shape_is_an_error(tmp_path: Path, body: str) -> None:
    """`files: []` read as an empty record (the next apply would have overwritten it), a string
    entry crashed every scaffold command (exit 3)."""
    state = RepoState(tmp_path)
    state.dir.mkdir()
    state.generated_path.write_text(body)
    with pytest.raises(UserError, match="generated.json: not propctl's record"):
        state.generated()


def test_a_generated_record_reads_its_files(tmp_path: Path) -> None:
    state = RepoState(tmp_path)
    assert state.generated() == {}
    state.write_generated({"a.py": {"generator": "x", "sha256": "0"}})
    assert state.generated() == {"a.py": {"generator": "x", "sha256": "0"}}


@pytest.mark.parametrize("name", ["generated.json", "baseline.json", "history.jsonl"])
def test_a_binary_state_file_is_an_error_naming_it(tmp_path: Path, name: str) -> None:
    state = RepoState(tmp_path)
    state.dir.mkdir()
    state.path(name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    read = {"generated.json": state.generated, "baseline.json": state.baseline}.get(
        name, state.history
    )
    with pytest.raises(UserError, match=f"{name}: binary, not UTF-8"):
        read()


def test_a_folder_where_a_state_file_belongs_is_an_error(tmp_path: Path) -> None:
    state = RepoState(tmp_path)
    state.path("baseline.json").mkdir(parents=True)
    with pytest.raises(UserError, match="baseline.json: a folder"):
        state.baseline()  # was an empty baseline, silently


def test_writes_never_follow_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("keep\n")
    repo = tmp_path / "repo"
    state = RepoState(repo)
    state.dir.mkdir(parents=True)
    state.baseline_path.symlink_to(outside)
    with pytest.raises(UserError, match="baseline.json: a symlink"):
        state.write_baseline({"1.a1"}, None)
    state.history_path.symlink_to(tmp_path / "history-outside.jsonl")
    with pytest.raises(UserError, match="history.jsonl: a symlink"):
        state.append_history({"statuses": {}})
    assert outside.read_text() == "keep\n" and not (tmp_path / "history-outside.jsonl").exists()


def test_a_symlinked_state_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".propctl").symlink_to(elsewhere)
    with pytest.raises(UserError, match=r"\.propctl: a symlink"):
        RepoState(repo).write_generated({})
    with pytest.raises(UserError, match=r"\.propctl: a symlink"):
        RepoState(repo).check_layout()
    assert list(elsewhere.iterdir()) == []


def test_state_at_a_git_ref_is_what_was_committed(tmp_path: Path) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e", "-C", str(tmp_path), *args],
            check=True,
            capture_output=True,
        )

    state = RepoState(tmp_path)
    state.write_baseline({"1.a1"}, None)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    state.write_baseline(set(), None)
    at_head = RepoState(tmp_path, ref="HEAD")
    assert at_head.baseline() == {"1.a1"} and state.baseline() == set()
    assert at_head.read("waivers.yaml") is None
    assert at_head.source("baseline.json") == "HEAD:.propctl/baseline.json"
    with pytest.raises(UserError, match="no such git ref"):
        RepoState(tmp_path, ref="nope").baseline()


@pytest.mark.parametrize("link", [".propctl", ".propctl/generated.json", ".propctl/snapshots"])
def test_scaffold_never_writes_through_a_symlinked_state_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    """`.propctl` (or a file or folder in it) linked outside made the generators write there."""
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    (repo / ".propctl").mkdir(parents=True)
    if link == ".propctl":
        (repo / ".propctl").rmdir()
    target = outside / ("generated.json" if link.endswith(".json") else "")
    (repo / link).symlink_to(target)
    assert main(["scaffold", "lint", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert link.split("/")[-1] in err and "Traceback" not in err
    assert list(outside.iterdir()) == []
    assert not (repo / "pyproject.toml").exists() and not (repo / "ruff.toml").exists()
