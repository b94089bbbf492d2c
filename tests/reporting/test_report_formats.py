"""The HTML, Markdown and table reports show the JSON's figures, and the HTML page stands alone
(no scripts, nothing fetched from the network, dark and light schemes, print styles)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from report_fixtures import THREE_WEEKS, run
from rich.console import Console

from propctl.reporting import report_format as f
from propctl.reporting import report_html, report_json, report_markdown, report_table
from propctl.reporting.report_model import Report, build_report
from propctl.roadmap.models import Roadmap


def _table_text(report: Report) -> str:
    buffer = io.StringIO()
    report_table.render(report, Console(file=buffer, width=160, no_color=True))
    return buffer.getvalue()


RENDERERS = {"html": report_html.render, "markdown": report_markdown.render, "table": _table_text}


def _figures(data: dict[str, Any]) -> list[str]:
    """The text each renderer must show for the JSON's figures."""
    h = data["headline"]
    out = [
        f.score(h["overall"]),
        f.score(h["plan_now"]),
        f.hours(data["effort"]["done"]),
        f.hours(data["effort"]["left"]),
        f.hours(data["effort"]["total"]),
    ]
    for p in data["plan"]:
        out += [p["date"], f.score(p["modelled"]), f.score(p["declared"])]
    for d in data["dimensions"]:
        out += [d["name"], f.score(d["baseline"]), f.score(d["now"]), f.score(d["final_target"])]
    for tier in data["tiers"]:
        out += [f.hours(tier["effort_done"]), f.hours(tier["effort_left"])]
        for t in tier["tasks"]:
            out += [t["title"], f.hours(t["effort_done"]), f.hours(t["effort_left"])]
    fc = data["forecast"]
    out.append(f.hours(fc["hours_per_week"]))
    for t in fc["tiers"]:
        out += [t["planned_end"], t["projected_end"], f.vs_plan(t["days_late"])]
    for a in data["actions"][:5]:
        out += [
            f.signed(a["gain"]),
            f.hours(a["hours_left"]),
            f.rate(a["gain_per_hour"]),
            *a["commands"],
            *(c["id"] for c in a["open_criteria"]),
        ]
    out += [flip["id"] for flip in data["changes"]["flips"]]
    return out


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_figures_match_the_json(roadmap: Roadmap, fmt: str) -> None:
    report = build_report(roadmap, THREE_WEEKS)
    data = __import__("json").loads(report_json.render(report))
    text = RENDERERS[fmt](report).replace("&amp;", "&")
    missing = [figure for figure in _figures(data) if figure not in text]
    assert not missing, f"{fmt} lacks {missing}"


def test_the_figure_check_can_fail(roadmap: Roadmap) -> None:
    data = build_report(roadmap, THREE_WEEKS).as_json()
    data["headline"]["overall"] = 7.77
    text = report_markdown.render(build_report(roadmap, THREE_WEEKS))
    assert "7.77" in _figures(data) and "7.77" not in text


@pytest.mark.parametrize("history", [THREE_WEEKS, []], ids=["history", "empty"])
def test_html_is_self_contained(roadmap: Roadmap, history: list[dict[str, Any]]) -> None:
    page = report_html.render(build_report(roadmap, history))
    assert "<script" not in page.lower() and "@import" not in page and "@font-face" not in page
    links = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert links <= {"http://www.w3.org/2000/svg"}, links
    assert set(re.findall(r"url\((.)", page)) <= {"#"}  # only the charts' own clip paths
    assert "prefers-color-scheme:dark" in page and "@media print" in page
    assert page.count("<svg") == 4


def test_empty_history_html_says_how_to_get_some(roadmap: Roadmap) -> None:
    page = report_html.render(build_report(roadmap, []))
    assert "No history yet" in page and "run `propctl verify`" in page


def test_markdown_escapes_table_pipes(roadmap: Roadmap) -> None:
    changed = roadmap.model_copy(deep=True)
    changed.tiers[0].tasks[0].title = "Security | Hardening"
    text = report_markdown.render(build_report(changed, THREE_WEEKS))
    assert "Security \\| Hardening" in text


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_status_count_is_in_each_task_row(roadmap: Roadmap, fmt: str) -> None:
    """skip and not-run counts too: a row's counts add up to its task's criteria."""
    from report_fixtures import run

    from propctl.reporting.report_model import COUNTED

    history = [
        *THREE_WEEKS,
        run(
            "2026-01-27T09:00:00Z",
            "d" * 40,
            {"2.a1"},
            s10_a1="skip",
            s10_a2="error",
            s15_a1="waived",
        ),
    ]
    report = build_report(roadmap, history)
    text = RENDERERS[fmt](report).replace("&amp;", "&")
    for tier in report.tiers:
        for task in tier.tasks:
            counts = [task.criteria[s] for s in COUNTED]
            rows = [line for line in re.split(r"\n|</tr>", text) if task.title in line]
            assert rows, f"{fmt}: no row for {task.title}"
            # after "subtasks done" (n/m) come the counts in COUNTED order, then hours (8.0h)
            after = re.split(r"\d+/\d+", rows[0].split(task.title, 1)[1], maxsplit=1)[1]
            cells = re.findall(r"(?<![\w.])\d+(?![\w.])", after)
            assert [int(c) for c in cells[: len(counts)]] == counts, (fmt, rows[0])
    assert sum(t.criteria["skip"] for tier in report.tiers for t in tier.tasks) == 1


MINUTES_APART = [
    run("2026-03-02T10:00:00Z", "a" * 40, set()),
    run("2026-03-02T10:04:00Z", "b" * 40, {"2.a1"}),
    run("2026-03-02T10:09:00Z", "c" * 40, {"2.a1", "2.a2", "4.a1"}),
]


def test_runs_minutes_apart_get_a_chart_per_run(roadmap: Roadmap) -> None:
    from propctl.reporting.report_html import render as html

    page = html(build_report(roadmap, MINUTES_APART, generated_at=datetime(2026, 3, 3, tzinfo=UTC)))
    assert '<p class="note">The score at each verify run (runs are close' in page
    assert '<p class="note">The effort hours left at each verify run' in page
    # one dot per run, at distinct x positions, labelled by the time of day
    assert "10:04" in page and "10:09" in page


def test_runs_weeks_apart_keep_the_calendar_chart_only(roadmap: Roadmap) -> None:
    from propctl.reporting.report_html import render as html

    page = html(build_report(roadmap, THREE_WEEKS, generated_at=datetime(2026, 3, 3, tzinfo=UTC)))
    assert "runs are close together" not in page
