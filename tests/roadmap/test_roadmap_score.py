"""The bundled roadmap's impacts reproduce the document's dimension columns exactly."""

from __future__ import annotations

import json

import pytest

from propctl.api.schema import roadmap_schema, roadmap_schema_text
from propctl.resources import bundled_roadmap, data_dir
from propctl.roadmap.consistency import warnings
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.models import Roadmap
from propctl.roadmap.progress import compute_progress
from propctl.roadmap.score import compute_score

# The FINAL SCORE PROJECTION table of the source document.
COLUMNS = {
    "architecture": (6.0, 6.5, 7.5, 9.5),
    "code_quality": (7.0, 7.3, 8.0, 8.5),
    "testing": (5.0, 5.0, 7.5, 9.0),
    "security": (4.0, 6.5, 6.5, 8.5),
    "scalability": (4.0, 4.0, 6.5, 9.5),
    "devops": (3.0, 3.0, 3.0, 9.0),
    "observability": (2.0, 4.0, 5.5, 9.5),
    "documentation": (9.0, 9.0, 9.0, 9.0),
    "database": (5.0, 7.0, 7.0, 8.5),
    "api_design": (6.0, 6.3, 8.0, 9.0),
}


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return load_roadmap(bundled_roadmap())


def criteria_through(roadmap: Roadmap, tiers: int) -> set[str]:
    return {c.id for tier in roadmap.tiers[:tiers] for t in tier.tasks for c in t.acceptance}


def test_nothing_passing_is_the_baseline(roadmap: Roadmap) -> None:
    score = compute_score(roadmap, [])
    assert round(score.overall, 2) == 5.1
    assert {k: d.score for k, d in score.dimensions.items()} == {
        k: v[0] for k, v in COLUMNS.items()
    }


@pytest.mark.parametrize(("tiers", "overall"), [(1, 5.86), (2, 6.85), (3, 9.0)])
def test_each_tier_reaches_its_column(roadmap: Roadmap, tiers: int, overall: float) -> None:
    score = compute_score(roadmap, criteria_through(roadmap, tiers))
    for dim, column in COLUMNS.items():
        assert score.dimensions[dim].score == pytest.approx(column[tiers], abs=1e-9), dim
    assert score.overall == pytest.approx(overall, abs=1e-9)


def test_a_half_done_task_counts_half(roadmap: Roadmap) -> None:
    two = roadmap.task(2).acceptance  # six criteria, security +2.5
    score = compute_score(roadmap, [c.id for c in two[:3]])
    assert score.dimensions["security"].score == pytest.approx(4.0 + 1.25)


def test_every_task_moves_some_dimension(roadmap: Roadmap) -> None:
    for task in roadmap.tasks():
        assert task.impacts and all(v > 0 for v in task.impacts.values()), task.id


def test_validate_reports_where_the_document_disagrees(roadmap: Roadmap) -> None:
    found = "\n".join(warnings(roadmap))
    for declared, mean in (("6.5", "5.86"), ("7.8", "6.85"), ("9.2", "9.00")):
        assert f"declares {declared}, but the mean of its own dimension column is {mean}" in found
    assert "declares 960 h, the tasks add up to 772 h" in found
    assert "services.trust.port 3006 equals the port of CORS origin http://localhost:3006" in found
    assert "dimensions." not in found  # every column is reproduced: no per-dimension warning
    for retired in ("11.100", "11.a5"):  # the monolith retired, while 2.6, 3.3 and 5.3 need it
        assert f"{retired} (tiers.2.tasks.0." in found
        assert f"\n{retired} " in found or found.startswith(retired)
    assert found.count("cannot hold together with them") == 2
    assert len(warnings(roadmap)) == 7


def test_progress_counts_and_json(roadmap: Roadmap) -> None:
    record = {
        "time": "2026-02-01T10:00:00",
        "commit": "abc",
        "statuses": {
            **{c: "pass" for c in criteria_through(roadmap, 1)},
            "1.1": "pass",
            "6.a1": "fail",
            "6.a2": "manual",
        },
    }
    data = compute_progress(roadmap, record).as_json()
    assert data["totals"] == {
        "tasks": 15,
        "tasks_complete": 5,
        "subtasks": 199,
        "subtasks_done": 1,
        "criteria": 73,
        "criteria_passing": 24,
    }
    assert data["score"]["overall"] == 5.86 and data["score"]["targets"]["tier1"] == 6.5
    assert data["tiers"][0]["tasks_complete"] == 5 and data["tiers"][1]["completion"] == 0
    assert data["source"] == {"time": "2026-02-01T10:00:00", "commit": "abc"}
    assert compute_progress(roadmap, None).as_json()["hint"].startswith("no verify results")


def test_the_committed_schema_is_in_sync() -> None:
    committed = (data_dir("checklists") / "roadmap.schema.json").read_text("utf-8")
    assert committed == roadmap_schema_text(), (
        "run: propctl checklist schema -o checklists/roadmap.schema.json"
    )


def test_the_bundled_roadmap_satisfies_its_schema() -> None:
    import jsonschema
    import yaml

    data = json.loads(json.dumps(yaml.safe_load(bundled_roadmap().read_text("utf-8")), default=str))
    jsonschema.Draft202012Validator(roadmap_schema()).validate(data)
    first = bundled_roadmap().read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=roadmap.schema.json"
