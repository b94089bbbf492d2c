"""Errors first with their fix, and who turned each criterion green (generator or engineer):
the history fields verify writes (`errors`, `change`), how the report reads them, and that the
HTML, Markdown and table reports all show them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from report_fixtures import run
from rich.console import Console

from propctl.checks.error_fixes import fix_for
from propctl.checks.gate import rules
from propctl.errors import UserError
from propctl.reporting import report_html, report_markdown, report_table
from propctl.reporting.report_errors import NO_MESSAGE, UNKNOWN
from propctl.reporting.report_model import build_report
from propctl.roadmap.models import Roadmap

REDIS = (
    "needs Redis: no redis-server to start here and no REDIS_URL; see `propctl doctor --repo /r`"
)
PRETTIER = (
    "node_modules/.bin/prettier is not installed (looked in the target's .venv, beside "
    "/r/.venv/bin/python, and on PATH); see `propctl doctor --repo /r`"
)


def with_errors(record: dict[str, Any], **messages: str) -> dict[str, Any]:
    errors = {k[1:].replace("_", "."): v for k, v in messages.items()}
    record["statuses"].update(dict.fromkeys(errors, "error"))
    return {**record, "errors": errors}


def labelled(record: dict[str, Any], by: str | None, label: str | None = None) -> dict[str, Any]:
    change = {k: v for k, v in (("by", by), ("label", label)) if v}
    return {**record, "change": change} if change else record


# ---- the fixes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "message,line",
    [
        (REDIS, "install redis-server: `apt-get install redis-server` (or set REDIS_URL"),
        (PRETTIER, "install prettier (npm): `npm --prefix /r install --save-dev prettier`"),
        (
            "node_modules/.bin/tsc is not installed (looked in the target's .venv, beside py, "
            "and on PATH)",
            "`npm --prefix . install --save-dev typescript`",
        ),
        (
            "black is not installed (looked in the target's .venv, beside /v/bin/python, and "
            "on PATH)",
            "install black: `/v/bin/python -m pip install black`",
        ),
        (
            "promtool is not installed (looked in the target's .venv, beside p, and on PATH)",
            "`apt-get install prometheus`",
        ),
        ("cannot run the target's Python /x/python: [Errno 2]", "`python3 -m venv .venv`"),
        ("cannot import main:app from apps/api: ModuleNotFoundError", "`propctl doctor`"),
        ("timed out after 30s (the check was stopped)", "give the check more than 30s"),
        ("no AWS region: set AWS_REGION (or the check's `region`)", "export AWS_REGION"),
    ],
)
def test_propctl_knows_the_fix_of_its_own_errors(message: str, line: str) -> None:
    fix = fix_for(message)
    assert fix is not None and line in fix.line(), fix


@pytest.mark.parametrize(
    "message", ["the k8s check crashed: KeyError('apiVersion')", "syntax error", ""]
)
def test_an_error_it_does_not_know_gets_no_invented_fix(message: str) -> None:
    assert fix_for(message) is None


# ---- the history line --------------------------------------------------------------------------
def test_the_history_line_keeps_each_errors_message_bounded() -> None:
    long = "Traceback: " + "x" * 5000
    line = rules.history_line(
        {"2.a1": "error", "2.a2": "error", "2.a3": "fail"},
        {"4.a1": "error"},
        {},
        "r",
        None,
        errors={"2.a1": REDIS, "2.a2": long, "4.a1": "carried: not this run's"},
        change={"by": "engineer", "label": "routers on repositories"},
    )
    assert line["errors"]["2.a1"] == REDIS
    assert len(line["errors"]["2.a2"]) == rules.MAX_ERROR_CHARS
    assert line["errors"]["2.a2"].endswith("…")
    assert "4.a1" not in line["errors"]  # only what this run checked
    assert line["change"] == {"by": "engineer", "label": "routers on repositories"}
    plain = rules.history_line({"2.a1": "pass"}, {}, {}, "r", None)
    assert "errors" not in plain and "change" not in plain


# ---- errors first ------------------------------------------------------------------------------
def test_errors_are_grouped_by_their_fix_known_fixes_first(roadmap: Roadmap) -> None:
    latest = with_errors(
        run("2026-01-19T09:00:00Z", "b" * 40, {"2.a1"}),
        s10_a1=REDIS,
        s2_a3=REDIS,
        s4_a2="the k8s check crashed: KeyError('apiVersion')",
        s4_a1=PRETTIER,
        s10_a2=REDIS,
    )
    groups = build_report(roadmap, [latest]).errors
    assert [g.ids for g in groups] == [["2.a3", "10.a1", "10.a2"], ["4.a1"], ["4.a2"]]
    assert groups[0].fix.startswith("install redis-server: `apt-get install redis-server`")
    assert groups[0].command == "apt-get install redis-server" and groups[0].known
    assert not groups[2].known and groups[2].fix == UNKNOWN
    assert "KeyError" in groups[2].message


def test_an_error_without_a_recorded_message_says_so(roadmap: Roadmap) -> None:
    old = run("2026-01-19T09:00:00Z", "b" * 40, set(), s2_a3="error")  # an older propctl's line
    (group,) = build_report(roadmap, [old]).errors
    assert group.fix == NO_MESSAGE and group.ids == ["2.a3"]


def test_a_carried_error_keeps_its_message_a_rerun_one_drops_it(roadmap: Roadmap) -> None:
    first = with_errors(run("2026-01-19T09:00:00Z", "b" * 40, set()), s2_a3=REDIS, s4_a1=PRETTIER)
    partial = {  # verify --task 4: 2.a3 carried, 4.a1 now passes
        "time": "2026-01-20T09:00:00Z",
        "statuses": {"4.a1": "pass"},
    }
    groups = build_report(roadmap, [first, partial]).errors
    assert [(g.ids, g.known) for g in groups] == [(["2.a3"], True)]
    fixed = {"time": "2026-01-21T09:00:00Z", "statuses": {"2.a3": "pass"}}
    assert build_report(roadmap, [first, partial, fixed]).errors == []


# ---- attribution -------------------------------------------------------------------------------
def test_each_criterion_turned_green_is_credited_to_the_run_that_turned_it(
    roadmap: Roadmap,
) -> None:
    history = [
        run("2026-03-02T10:00:00Z", "a" * 40, {"15.a1"}),
        labelled(run("2026-03-02T10:04:00Z", "b" * 40, {"15.a1", "4.a1", "4.a2"}), "generator"),
        labelled(
            run("2026-03-02T10:09:00Z", "c" * 40, {"15.a1", "4.a1", "2.a1"}),
            "engineer",
            "routers on the repositories",
        ),
        run("2026-03-02T10:12:00Z", "d" * 40, {"15.a1", "4.a1", "2.a1", "10.a1"}),
        labelled(
            run("2026-03-02T10:15:00Z", "e" * 40, {"15.a1", "4.a1", "2.a1", "10.a1", "4.a2"}),
            "engineer",
        ),
    ]
    report = build_report(roadmap, history)
    a = report.attribution
    roles = {t.role: t.criteria for t in a.roles}
    # 4.a2: green by the generator, red, green again by an engineer: the last turn counts
    assert roles == {
        "generator": ["4.a1"],
        "engineer": ["2.a1", "4.a2"],
        "unlabelled": ["10.a1"],
        "first run": ["15.a1"],
    }
    assert [(s.by, s.label, s.turned_green, s.turned_red) for s in a.steps] == [
        ("generator", None, ["4.a1", "4.a2"], []),
        ("engineer", "routers on the repositories", ["2.a1"], ["4.a2"]),
        ("unlabelled", None, ["10.a1"], []),
        ("engineer", None, ["4.a2"], []),
    ]
    total = sum(t.score_change for t in a.roles)
    first, last = (build_report(roadmap, history[:1]), report)
    assert round(total, 2) == round(last.headline.overall - first.headline.overall, 2)
    assert [fl.by for fl in report.changes.flips] == ["engineer"]


def test_no_labels_means_no_guess(roadmap: Roadmap) -> None:
    history = [run("2026-03-02T10:00:00Z", "a", set()), run("2026-03-02T10:04:00Z", "b", {"2.a1"})]
    roles = {t.role: t.criteria for t in build_report(roadmap, history).attribution.roles}
    assert roles == {"generator": [], "engineer": [], "unlabelled": ["2.a1"]}


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("errors", ["2.a1"], "`errors` must be a mapping"),
        ("errors", {"2.a1": 3}, "`errors` must be a mapping"),
        ("change", {"by": "robot"}, "`change` must be"),
        ("change", "generator", "`change` must be"),
        ("change", {"by": "engineer", "label": 7}, "`change` must be"),
    ],
)
def test_a_broken_errors_or_change_field_is_refused(
    roadmap: Roadmap, field: str, value: object, message: str
) -> None:
    record = {**run("2026-03-02T10:00:00Z", "a", set()), field: value}
    with pytest.raises(UserError, match=message):
        build_report(roadmap, [record])


# ---- every format shows them -------------------------------------------------------------------
def _table_text(report: Any) -> str:
    buffer = io.StringIO()
    report_table.render(report, Console(file=buffer, width=200, no_color=True))
    return buffer.getvalue()


@pytest.mark.parametrize("render", [report_html.render, report_markdown.render, _table_text])
def test_every_format_lists_errors_first_and_who_did_what(roadmap: Roadmap, render: Any) -> None:
    history = [
        run("2026-03-02T10:00:00Z", "a" * 40, set()),
        labelled(
            with_errors(run("2026-03-02T10:04:00Z", "b" * 40, {"4.a1"}), s2_a3=REDIS),
            "generator",
            "scaffold lint",
        ),
    ]
    text = render(build_report(roadmap, history)).replace("<code>", "`").replace("</code>", "`")
    errors_at = text.index("Errors first: 1 could not be judged")
    assert errors_at < text.index("Dimensions")  # first, before the figures
    assert "install redis-server: `apt-get install redis-server`" in text
    assert "What the tool did, what engineers did" in text
    assert "scaffold lint" in text and "what the tool did" in text
