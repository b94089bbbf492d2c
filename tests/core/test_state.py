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
