"""The library face, called as a Python user calls it: typed requests in, typed results out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from propctl.api.generate import GenerateRequest, GenerateResult, generate
from propctl.api.report import ReportRequest, report
from propctl.api.score import ScoreRequest, score
from propctl.api.status import StatusRequest, status
from propctl.errors import UserError
from propctl.generators.engine.specs import Conflict, FileSpec, Generation
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.models import Roadmap


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return load_roadmap(bundled_roadmap())


def history_line(statuses: dict[str, str], overall: float) -> str:
    return json.dumps(
        {
            "time": "2026-03-02T10:00:00Z",
            "commit": "abc",
            "statuses": statuses,
            "score": {"overall": overall, "dimensions": {}},
        }
    )


def test_score_without_history_is_the_baseline(tmp_path: Path, roadmap: Roadmap) -> None:
    result = score(ScoreRequest(tmp_path, roadmap))
    assert round(result.progress.score.overall, 2) == 5.1
    assert result.explained is None and result.as_json()["overall"] == 5.1


def test_score_explains_a_dimension_by_name_or_id(tmp_path: Path, roadmap: Roadmap) -> None:
    by_name = score(ScoreRequest(tmp_path, roadmap, explain="Security"))
    assert by_name.explained is not None and by_name.explained.id == "security"
    assert by_name.as_json()["explain"]["dimension"] == "security"
    with pytest.raises(UserError, match="did you mean 'security'"):
        score(ScoreRequest(tmp_path, roadmap, explain="securty"))


def test_status_counts_what_the_latest_run_passed(tmp_path: Path, roadmap: Roadmap) -> None:
    (tmp_path / ".propctl").mkdir()
    (tmp_path / ".propctl" / "history.jsonl").write_text(
        history_line({"2.a2": "pass", "2.a1": "fail"}, 5.2) + "\n"
    )
    progress = status(StatusRequest(tmp_path, roadmap))
    assert progress.as_json()["totals"]["criteria_passing"] == 1


def test_report_reads_the_history_at_a_fixed_time(tmp_path: Path, roadmap: Roadmap) -> None:
    (tmp_path / ".propctl").mkdir()
    (tmp_path / ".propctl" / "history.jsonl").write_text(history_line({"2.a2": "pass"}, 5.2) + "\n")
    at = datetime(2026, 3, 3, tzinfo=UTC)
    built = report(ReportRequest(tmp_path, roadmap, generated_at=at))
    assert built.as_json() == report(ReportRequest(tmp_path, roadmap, generated_at=at)).as_json()
    assert built.runs == 1


def _generation(text: str) -> Generation:
    return Generation("example", {"n": 1}, [FileSpec(path="out/a.txt", content=text)])


def test_generate_plans_without_writing_on_a_dry_run(tmp_path: Path) -> None:
    result = generate(GenerateRequest(tmp_path, [_generation("one\n")], dry_run=True))
    assert isinstance(result, GenerateResult) and not result.applied
    assert [a.action for a in result.plans[0].actions] == ["create"]
    assert not (tmp_path / "out" / "a.txt").exists()


def test_generate_applies_then_refuses_to_overwrite_an_edit(tmp_path: Path) -> None:
    assert generate(GenerateRequest(tmp_path, [_generation("one\n")])).applied
    (tmp_path / "out" / "a.txt").write_text("my edit\n")
    blocked = generate(GenerateRequest(tmp_path, [_generation("two\n")]))
    assert not blocked.applied and blocked.blocked
    assert isinstance(blocked.conflict(), Conflict)
    assert (tmp_path / "out" / "a.txt").read_text() == "my edit\n"
    forced = generate(GenerateRequest(tmp_path, [_generation("two\n")], force=True))
    assert forced.applied and (tmp_path / "out" / "a.txt").read_text() == "two\n"
