"""Property: render -> import -> the YAML `checklist import` writes -> load gives back an equal
roadmap, for generated roadmaps: any text (newlines, comment markers, Markdown syntax, spaces
at either end), any number, every check parameter and null."""

from __future__ import annotations

import string
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propctl.roadmap.kinds import CHECK_KINDS
from propctl.roadmap.loader import parse_roadmap, validate_document
from propctl.roadmap.markdown import import_markdown, render_markdown
from propctl.roadmap.mdsyntax import slug
from propctl.roadmap.yamlout import dump_roadmap
from propctl.roadmap.yamlsrc import LocatedDoc

TRICKY = [
    "",
    " lead",
    "trail ",
    "two\nlines",
    "<!-- propctl: {} -->",
    "a --> b",
    "**Bold**:",
    "Task 1: inner",
    "# hash",
    "ends with #",
    "| pipe |",
    "1.1 looks like an id",
    "[x] boxed",
    "back\\slash",
    "`tick",
    "(note)",
    "TIER 9: X (Weeks 1-2)",
    "tab\there",
    "line\u2028separator",
    "cors http://localhost:3000",
    "auth-service (port 3001)",
    "\x00nul",
    "Õ® (Mac Roman bytes of valid UTF-8)",
    "üü° (a mojibake mark)",
]
TEXT = st.one_of(st.sampled_from(TRICKY), st.text(max_size=24))
WORD = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
NUMBER = st.floats(allow_nan=False, allow_infinity=False, width=64)
SCORE = st.floats(min_value=0, max_value=10, allow_nan=False)
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | NUMBER | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
CHECK = st.builds(
    lambda kind, params: {"kind": kind, **params},
    st.sampled_from(CHECK_KINDS),
    st.dictionaries(TEXT.filter(lambda k: k != "kind"), JSON, max_size=3),
)


@st.composite
def roadmaps(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(WORD, min_size=1, max_size=3, unique_by=lambda n: slug(n)))
    names = [n for n in names if n.lower() != "overall"] or ["Security"]
    tier_count = draw(st.integers(1, 3))
    tier_ids = [f"tier{n}" for n in range(1, tier_count + 1)]
    dims = [
        {
            "id": draw(st.sampled_from([slug(n), slug(n) + "_x"])),
            "name": n,
            "baseline": draw(SCORE),
            "targets": {t: draw(SCORE) for t in draw(st.lists(st.sampled_from(tier_ids)))},
            **({"weight": draw(st.floats(0.1, 5))} if draw(st.booleans()) else {}),
        }
        for n in names
    ]
    next_task = iter(range(1, 100))
    tiers = [_tier(draw, n, next_task, [d["id"] for d in dims]) for n in range(1, tier_count + 1)]
    data: dict[str, Any] = {
        "version": 1,
        "name": draw(TEXT),
        "start": draw(st.dates(date(2020, 1, 1), date(2030, 1, 1))),
        "dimensions": dims,
        "overall_targets": {"baseline": draw(SCORE), **{t: draw(SCORE) for t in tier_ids}},
        "tiers": tiers,
    }
    optional = {
        "purpose": TEXT,
        "updated": st.dates(date(2020, 1, 1), date(2030, 1, 1)),
        "total_effort_hours": st.floats(0.5, 5000),
        "total_weeks": st.integers(1, 99),
        "coverage_threshold": st.floats(0, 100),
        "paths": st.dictionaries(WORD, TEXT, max_size=2),
        "cors_origins": st.lists(TEXT, max_size=2),
        "services": st.lists(
            st.builds(
                lambda name, port: {"name": name, "port": port},
                st.from_regex(r"[a-z][a-z0-9]{1,6}", fullmatch=True),
                st.integers(1024, 65535),
            ),
            max_size=2,
            unique_by=(lambda s: s["name"], lambda s: s["port"]),
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    return data


def _tier(draw: st.DrawFn, n: int, next_task: Any, dims: list[str]) -> dict[str, Any]:
    first = draw(st.integers(1, 30))
    tier: dict[str, Any] = {
        "id": f"tier{n}",
        "number": n,
        "name": draw(TEXT),
        "weeks": [first, first + draw(st.integers(0, 5))],
        "target_score": draw(SCORE),
        "tasks": [_task(draw, next(next_task), dims) for _ in range(draw(st.integers(0, 2)))],
    }
    for key in ("label", "summary"):
        if draw(st.booleans()):
            tier[key] = draw(st.one_of(TEXT, WORD.map(str.upper)))
    return tier


def _task(draw: st.DrawFn, tid: int, dims: list[str]) -> dict[str, Any]:
    sections = [None, draw(TEXT)]
    task: dict[str, Any] = {
        "id": tid,
        "title": draw(TEXT),
        "priority": draw(st.sampled_from(["P0", "P1", "P2", "P3"])),
        "effort_hours": draw(st.floats(0.001, 1000)),
        "score_impact": draw(NUMBER.filter(lambda x: abs(x) < 1e6)),
        "impacts": {d: draw(st.floats(-5, 5)) for d in draw(st.lists(st.sampled_from(dims)))},
        "subtasks": [
            {
                "id": f"{tid}.{k}" + ("-" + str(k + 5) if draw(st.booleans()) else ""),
                "text": draw(TEXT),
                "section": draw(st.sampled_from(sections)),
                **({"check": draw(CHECK)} if draw(st.booleans()) else {}),
            }
            for k in range(1, draw(st.integers(0, 3)) + 1)
        ],
        "acceptance": [
            {
                "id": f"{tid}.a{k}",
                "text": draw(TEXT),
                "check": draw(CHECK),
                **({"note": draw(TEXT)} if draw(st.booleans()) else {}),
            }
            for k in draw(st.permutations(range(1, draw(st.integers(0, 3)) + 1)))
        ],
        "files": [
            {
                "path": draw(TEXT.filter(bool)),
                "action": draw(st.sampled_from(["modify", "create", "update"])),
                "note": draw(st.one_of(st.none(), TEXT)),
            }
            for _ in range(draw(st.integers(0, 2)))
        ],
    }
    for key in ("subtasks_heading", "files_heading"):
        if draw(st.booleans()):
            task[key] = draw(st.one_of(TEXT, st.just("Sub-tasks (Nightly)")))
    if draw(st.booleans()):
        task["generators"] = draw(st.lists(WORD, max_size=2))
    return task


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=roadmaps())
def test_render_then_import_gives_the_same_roadmap(data: dict[str, Any]) -> None:
    roadmap = validate_document(LocatedDoc(data, {}, "generated"))
    rendered = render_markdown(roadmap, {"1.a1": "pass"})
    result = import_markdown(rendered, "rendered.md")
    assert result.warnings == []
    again = parse_roadmap(dump_roadmap(result.data), "imported.yaml")
    assert again.model_dump(mode="json") == roadmap.model_dump(mode="json")
