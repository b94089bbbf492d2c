"""`checklist import` on small checklists, as data: data/import_cases.yaml (format there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from propctl.errors import PropctlError
from propctl.roadmap.loader import validate_document
from propctl.roadmap.markdown import import_markdown
from propctl.roadmap.models import Roadmap
from propctl.roadmap.yamlsrc import LocatedDoc

DATA = yaml.safe_load((Path(__file__).parent / "data" / "import_cases.yaml").read_text("utf-8"))


def markdown_of(case: dict[str, Any]) -> str:
    if "markdown" in case:
        return str(case["markdown"])
    text = str(DATA["minimal"])
    for old, new in (case.get("replace") or {}).items():
        assert old in text, f"{case['name']}: {old!r} is not in the minimal checklist"
        text = text.replace(old, new)
    return text


def imported(text: str, lenient: bool = False) -> tuple[Roadmap, list[str]]:
    result = import_markdown(text, "plan.md", lenient=lenient)
    return validate_document(LocatedDoc(result.data, result.marks, "plan.md")), result.warnings


def assert_located(messages: list[str], wanted: list[dict[str, Any]], name: str) -> None:
    for want in wanted:
        prefix = f"plan.md:{want['line']}:"
        hits = [m for m in messages if m.startswith(prefix) and want["has"] in m]
        assert hits, f"{name}: no message at {prefix} with {want['has']!r}:\n" + "\n".join(messages)


def assert_roadmap(roadmap: Roadmap, expect: dict[str, Any]) -> None:
    if "tasks" in expect:
        got = [[t.id, t.title, t.priority, t.effort_hours, t.score_impact] for t in roadmap.tasks()]
        assert got == expect["tasks"]
    counts = expect.get("counts") or {}
    if "subtasks" in counts:
        assert sum(len(t.subtasks) for t in roadmap.tasks()) == counts["subtasks"]
    if "criteria" in counts:
        assert len(roadmap.criteria()) == counts["criteria"]
    if "dimensions" in expect:
        assert [[d.id, d.baseline, d.targets] for d in roadmap.dimensions] == expect["dimensions"]
    if "weeks" in expect:
        assert [list(t.weeks) for t in roadmap.tiers] == expect["weeks"]


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: c["name"])
def test_import_case(case: dict[str, Any]) -> None:
    assert case.get("why"), f"{case['name']}: say why the case exists"
    text, expect = markdown_of(case), case["expect"]
    if "error" in expect:
        with pytest.raises(PropctlError) as caught:
            imported(text)
        problems = getattr(caught.value, "problems", []) or [caught.value.message]
        assert_located(problems, expect["error"], case["name"])
        assert "Traceback" not in str(caught.value)
        if "lenient" not in expect:
            with pytest.raises(PropctlError):
                imported(text, lenient=True)
            return
    if "lenient" in expect:
        roadmap, warnings = imported(text, lenient=True)
        assert_located(warnings, expect["lenient"], case["name"])
    else:
        roadmap, warnings = imported(text)
        assert warnings == [], warnings
    assert_roadmap(roadmap, expect)
