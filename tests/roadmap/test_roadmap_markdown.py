"""Markdown import and render: the source document, a different checklist, and round trips."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from propctl.errors import RoadmapError
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap, parse_roadmap, validate_document
from propctl.roadmap.markdown import fix_mojibake, import_markdown, render_markdown
from propctl.roadmap.models import Check, Roadmap
from propctl.roadmap.yamlout import dump_roadmap
from propctl.roadmap.yamlsrc import LocatedDoc

# A verbatim copy of ../shared/roadmap-source/IMPLEMENTATION_CHECKLIST.md (mojibake included),
# so that a fresh clone tests against it.
SOURCE = Path(__file__).parent / "data" / "IMPLEMENTATION_CHECKLIST.md"
OTHER = Path(__file__).parent / "data" / "other_checklist.md"


def source_text() -> str:
    return SOURCE.read_text("utf-8")


def imported(text: str, name: str = "doc.md") -> Roadmap:
    result = import_markdown(text, name)
    return validate_document(LocatedDoc(result.data, result.marks, name))


def comparable(roadmap: Roadmap) -> dict:
    return roadmap.model_dump(mode="json")


@pytest.fixture(scope="module")
def bundled() -> Roadmap:
    return load_roadmap(bundled_roadmap())


def test_source_counts() -> None:
    roadmap = imported(source_text(), "IMPLEMENTATION_CHECKLIST.md")
    tasks = roadmap.tasks()
    assert (len(roadmap.tiers), len(tasks)) == (3, 15)
    assert sum(len(t.subtasks) for t in tasks) == 199
    assert len(roadmap.criteria()) == 73
    assert len(roadmap.dimensions) == 10
    assert [s.port for s in roadmap.services] == [
        3001,
        3002,
        3006,
        3015,
        3016,
        3017,
        3007,
        3012,
        3014,
    ]
    assert roadmap.cors_origins == ["http://localhost:3005", "http://localhost:3006"]
    assert roadmap.start == date(2026, 1, 12)  # the Monday after "Last Updated: 2026-01-10"
    assert roadmap.total_effort_hours == 960 and roadmap.total_weeks == 24


def test_source_matches_the_bundled_file(bundled: Roadmap) -> None:
    roadmap = imported(source_text())
    assert roadmap.name == bundled.name and roadmap.purpose == bundled.purpose
    for mine, theirs in zip(roadmap.tiers, bundled.tiers, strict=True):
        assert (mine.id, mine.name, mine.label, mine.summary, mine.weeks, mine.target_score) == (
            theirs.id,
            theirs.name,
            theirs.label,
            theirs.summary,
            theirs.weeks,
            theirs.target_score,
        )
    for mine, theirs in zip(roadmap.tasks(), bundled.tasks(), strict=True):
        assert (mine.id, mine.title, mine.priority, mine.effort_hours, mine.score_impact) == (
            theirs.id,
            theirs.title,
            theirs.priority,
            theirs.effort_hours,
            theirs.score_impact,
        )
        assert [(s.id, s.text, s.section) for s in mine.subtasks] == [
            (s.id, s.text, s.section) for s in theirs.subtasks
        ]
        assert [(c.id, c.text) for c in mine.acceptance] == [
            (c.id, c.text) for c in theirs.acceptance
        ]
        assert mine.files == theirs.files
    assert [d.model_dump() for d in roadmap.dimensions] == [
        d.model_dump() for d in bundled.dimensions
    ]
    assert roadmap.overall_targets == bundled.overall_targets
    assert roadmap.services == bundled.services


def test_range_lines_and_sections_keep_their_ids(bundled: Roadmap) -> None:
    task = bundled.task(11)
    by_id = {s.id: s for s in task.subtasks}
    assert by_id["11.10-19"].text == "property-service (port 3002)"
    assert by_id["11.10-19"].section == "Repeat for"
    assert by_id["11.90"].section == "API Gateway"
    assert by_id["11.100"].section == "Service Communication"
    assert by_id["11.1"].section is None
    assert task.subtasks_heading == "Sub-tasks (Auth Service Example - Repeat for 9 services)"


def test_text_is_clean_utf8(bundled: Roadmap) -> None:
    raw = bundled_roadmap().read_text("utf-8")
    assert "‚" not in raw and "üìä" not in raw
    assert fix_mojibake("# ‚úÖ Done\nplain ascii\ncafé\n") == "# ✅ Done\nplain ascii\ncafé\n"


def test_render_of_the_source_is_the_source() -> None:
    """Rendering the import of the (repaired) source reproduces it line for line."""
    text = fix_mojibake(source_text())
    assert render_markdown(imported(text)) == text


@pytest.mark.parametrize("statuses", [None, {}, {"1.a1": "pass", "1.1": "pass", "2.a1": "fail"}])
def test_round_trip_of_the_bundled_roadmap(bundled: Roadmap, statuses: dict | None) -> None:
    again = imported(render_markdown(bundled, statuses))
    assert comparable(again) == comparable(bundled)


def test_checks_notes_and_impacts_ride_in_comments(bundled: Roadmap) -> None:
    changed = bundled.model_copy(deep=True)
    criterion = changed.task(2).acceptance[0]
    criterion.check = Check.model_validate(
        {"kind": "secrets", "paths": ["apps/", "docker-compose.yml"], "note": "a --> b"}
    )
    changed.task(2).subtasks[5].check = Check.model_validate(
        {"kind": "text", "file": "{api}/main.py", "pattern": "allow_origins"}
    )
    changed.services[0].title = "Auth"
    changed.paths = {"api": "services/api"}
    rendered = render_markdown(changed)
    assert "<!-- propctl:" in rendered and "a --\\u003e b" in rendered
    assert comparable(imported(rendered)) == comparable(changed)


def test_done_items_are_ticked(bundled: Roadmap) -> None:
    statuses = {c.id: "pass" for c in bundled.task(4).acceptance} | {"4.1": "pass", "5.a1": "error"}
    text = render_markdown(bundled, statuses)
    assert "### ✅ Task 4: Linting & Formatting" in text
    assert "- [x] 4.1 Install Python tools" in text
    assert "- [x] All Python files formatted with Black" in text
    assert "- [ ] All requests logged in JSON format" in text
    assert "- [ ] TIER 1: Immediate Fixes (1/5 tasks) - Weeks 1-4" in text
    assert "**Current Status**: 1/15 tasks completed (7%)" in text


def test_a_different_checklist_imports() -> None:
    roadmap = imported(OTHER.read_text("utf-8"), "other.md")
    assert [t.id for t in roadmap.tiers] == ["tier1", "tier2"]
    assert [t.weeks for t in roadmap.tiers] == [(1, 1), (2, 6)]
    assert [t.summary for t in roadmap.tiers] == ["Stop the Bleeding", "Build the Warehouse"]
    assert [t.id for t in roadmap.tasks()] == [1, 2, 3, 4]
    assert [d.id for d in roadmap.dimensions] == [
        "reliability",
        "cost_control",
        "developer_experience",
    ]
    assert roadmap.overall_targets == {"baseline": 4.0, "tier1": 5.0, "tier2": 7.5}
    assert roadmap.task(2).effort_hours == 14.5 and roadmap.task(4).score_impact == -0.2
    assert roadmap.task(2).subtasks_heading == "Sub-tasks (Nightly)"
    three = {s.id: s.section for s in roadmap.task(3).subtasks}
    assert three == {"3.1": None, "3.2-5": "Per source", "3.6": "Scheduling"}
    files = roadmap.task(1).files
    assert [(f.path, f.action, f.note) for f in files] == [
        ("ops/run-job.sh", "create", None),
        ("crontab", "update", "all entries"),
    ]
    four = roadmap.task(4).files
    assert [(f.path, f.action, f.note) for f in four] == [
        ("dashboards/revenue.json", "create", None),
        ("README.md", "modify", "dashboard links"),
    ]
    assert roadmap.start == date(2026, 3, 9) and roadmap.services == []
    assert comparable(imported(render_markdown(roadmap))) == comparable(roadmap)


def test_the_import_is_valid_yaml_for_the_loader() -> None:
    result = import_markdown(OTHER.read_text("utf-8"), "other.md")
    text = dump_roadmap(result.data)
    assert text.startswith("# yaml-language-server: $schema=roadmap.schema.json\n")
    assert comparable(parse_roadmap(text)) == comparable(imported(OTHER.read_text("utf-8")))


def test_an_explicit_start_wins() -> None:
    result = import_markdown(OTHER.read_text("utf-8"), "other.md", start=date(2026, 4, 6))
    assert result.data["start"] == date(2026, 4, 6)


MINIMAL = """# Plan
## 🔴 TIER 1: NOW (Weeks 1-2) - Target Score: 6.0/10
### ☐ Task 1: One
**Priority**: P0 | **Effort**: 4h | **Score Impact**: +1.0
#### Sub-tasks
- [ ] 1.1 Do it
#### Acceptance Criteria
- [ ] It is done
"""


def test_model_errors_point_at_the_markdown_line() -> None:
    text = MINIMAL.replace("- [ ] 1.1 Do it", "- [ ] 1.1 Do it\n- [ ] 2.1 Belongs elsewhere")
    result = import_markdown(text, "plan.md")
    with pytest.raises(RoadmapError) as caught:
        validate_document(LocatedDoc(result.data, result.marks, "plan.md"))
    assert "plan.md:7:1: tiers.0.tasks.0.subtasks.1.id" in str(caught.value)
    assert "does not belong to task 1" in str(caught.value)


def test_everything_the_markdown_cannot_show_survives(bundled: Roadmap) -> None:
    from propctl.roadmap.models import Waiver

    changed = bundled.model_copy(deep=True)
    changed.tiers[0].summary = None
    changed.tiers[1].label = None
    changed.tiers[2].name = "Scale"
    changed.dimensions[0].weight = 2.0
    changed.dimensions[7].id = "docs"  # no task has an impact on documentation
    changed.coverage_threshold = 90
    changed.start = date(2026, 2, 2)
    changed.services[1].port = 4002
    changed.cors_origins = ["https://app.example.com"]
    changed.waivers = [
        Waiver(
            criterion="2.a4",
            owner="lead",
            reason="no Twilio account yet",
            expires=date(2026, 6, 30),
        )
    ]
    changed.task(3).generators = ["errors"]
    changed.task(1).files[0].note = "new (session factory)"
    changed.task(11).subtasks[0].section = "First"  # a section, then back to none
    again = imported(render_markdown(changed))
    assert comparable(again) == comparable(changed)


def test_a_checklist_without_a_projection_table() -> None:
    from propctl.roadmap.consistency import warnings
    from propctl.roadmap.score import compute_score

    roadmap = imported(MINIMAL, "plan.md")
    assert roadmap.dimensions == [] and roadmap.overall_targets == {"tier1": 6.0}
    assert any("none declared" in w for w in warnings(roadmap))
    assert compute_score(roadmap, ["1.a1"]).overall == 0.0
    assert comparable(imported(render_markdown(roadmap))) == comparable(roadmap)


def through_yaml(roadmap: Roadmap) -> tuple[Roadmap, str]:
    """render -> import -> the YAML `checklist import` writes -> the loader."""
    result = import_markdown(render_markdown(roadmap), "render.md")
    text = dump_roadmap(result.data)
    return parse_roadmap(text, "imported.yaml"), text


def test_render_import_keeps_every_parameter_and_null(bundled: Roadmap) -> None:
    again, text = through_yaml(bundled)
    assert comparable(again) == comparable(bundled)
    # set in the file, though equal to today's default: kept, as the file said
    assert "\ncoverage_threshold: 85" in text
    headers = again.task(2).acceptance[1].check.params["steps"][0]["expect"]["headers"]
    assert headers == {"access-control-allow-origin": None}
    assert "access-control-allow-origin: null" in text
    assert [c.check.model_dump(mode="json") for _, c in again.criteria()] == [
        c.check.model_dump(mode="json") for _, c in bundled.criteria()
    ]
