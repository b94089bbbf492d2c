"""Every figure of the report model against numbers worked out by hand for the small roadmap in
roadmap.yaml: dimensions security 4, testing 5, devops 3 (mean 4.00); task 2 (32h, 4 criteria
of 8h, security +2), task 4 (8h, 2 of 4h, testing +0.4), task 10 (40h, 4 of 10h, testing +2),
task 15 (60h, 3 of 20h, devops +5, testing +0.5); start 2026-01-12, tiers end in weeks 4, 8, 24
(2026-02-08, 2026-03-08, 2026-06-28)."""

from __future__ import annotations

from datetime import date

import pytest
from report_fixtures import THREE_WEEKS, run

from propctl.errors import UserError
from propctl.reporting.report_model import NO_HISTORY_HINT, build_report
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.models import Roadmap


def test_headline_three_weekly_runs(roadmap: Roadmap) -> None:
    h = build_report(roadmap, THREE_WEEKS).headline
    # latest: task 2 at 3/4 -> security 5.5; task 4 complete -> testing 5.4; (5.5+5.4+3)/3
    assert h.overall == 4.63
    assert h.since_previous == 0.23  # previous: (5.0 + 5.2 + 3) / 3 = 4.40
    assert h.per_week == 0.317  # (4.6333 - 4.0) over 2 weeks
    assert h.plan_now == 4.41  # 4.0 + 0.8 * 14/27 days into tier1's line
    assert h.vs_plan == 0.22
    assert (h.final_modelled, h.final_declared) == (7.3, 9.0)  # (6 + 7.9 + 8) / 3


def test_plan_line_modelled_and_declared(roadmap: Roadmap) -> None:
    plan = build_report(roadmap, THREE_WEEKS).plan
    assert [(p.label, p.week, p.date, p.modelled, p.declared) for p in plan] == [
        ("baseline", 0, date(2026, 1, 12), 4.0, 4.0),
        ("tier1", 4, date(2026, 2, 8), 4.8, 4.7),  # (6 + 5.4 + 3) / 3
        ("tier2", 8, date(2026, 3, 8), 5.47, 5.5),  # (6 + 7.4 + 3) / 3
        ("tier3", 24, date(2026, 6, 28), 7.3, 9.0),
    ]


def test_forecast_known_by_hand(roadmap: Roadmap) -> None:
    fc = build_report(roadmap, THREE_WEEKS).forecast
    # 32h turned green in 14 days -> 16h/week; left: tier1 8h (2.a4), tier2 40h, tier3 60h.
    assert fc.status == "ok"
    assert fc.hours_per_week == 16.0
    rows = [(t.tier, t.hours_left, t.projected_end, t.days_late, t.status) for t in fc.tiers]
    assert rows == [
        ("tier1", 8.0, date(2026, 1, 30), -9, "on track"),  # 8h / 16h a week = 3.5 -> 4 days
        ("tier2", 40.0, date(2026, 2, 16), -20, "on track"),  # 48h -> 21 days
        ("tier3", 60.0, date(2026, 3, 15), -105, "on track"),  # 108h -> 47.25 -> 48 days
    ]
    assert fc.finish == date(2026, 3, 15)
    assert fc.planned_finish == date(2026, 6, 28)


def test_forecast_uses_the_last_four_weeks(roadmap: Roadmap) -> None:
    history = [
        run("2026-01-01T00:00:00Z", "a", set()),
        run("2026-01-05T00:00:00Z", "b", {"2.a1"}),  # 8h; the last run 28+ days before the end
        run("2026-02-04T00:00:00Z", "c", {"2.a1", "2.a2", "2.a3"}),
        run("2026-02-14T00:00:00Z", "d", {"2.a1", "2.a2", "2.a3", "4.a1", "4.a2"}),  # 32h
    ]
    fc = build_report(roadmap, history).forecast
    assert fc.window_from.date() == date(2026, 1, 5)
    assert fc.hours_per_week == 4.2  # 24h in 40 days
    rows = [(t.projected_end, t.days_late, t.status) for t in fc.tiers]
    assert rows == [
        (date(2026, 2, 28), 20, "late"),  # 8h -> 13.3 -> 14 days after Feb 14
        (date(2026, 5, 5), 58, "late"),  # 48h -> 80 days
        (date(2026, 8, 13), 46, "late"),  # 108h -> exactly 180 days
    ]


@pytest.mark.parametrize(
    "history",
    [
        [],
        [THREE_WEEKS[0]],
        [run("2026-01-12T09:00:00Z", "a", set()), run("2026-01-12T09:00:00Z", "b", {"2.a1"})],
        [run("2026-01-12T09:00:00Z", "a", set()), run("2026-01-13T08:59:00Z", "b", {"2.a1"})],
    ],
    ids=["none", "one run", "two runs at one moment", "under a day apart"],
)
def test_not_enough_history(roadmap: Roadmap, history: list[dict[str, object]]) -> None:
    fc = build_report(roadmap, history).forecast
    assert fc.status == "not enough history"
    assert fc.hours_per_week is None and fc.finish is None
    assert {t.status for t in fc.tiers} == {"not enough history"}


def test_no_progress_gives_no_date(roadmap: Roadmap) -> None:
    history = [run("2026-01-12T00:00:00Z", "a", {"2.a1"}), run("2026-01-19T00:00:00Z", "b", set())]
    fc = build_report(roadmap, history).forecast
    assert fc.hours_per_week == -8.0
    assert fc.finish is None
    assert {t.status for t in fc.tiers} == {"no progress"}


def test_done_tiers_need_no_forecast(roadmap: Roadmap) -> None:
    tier1 = {"2.a1", "2.a2", "2.a3", "2.a4", "4.a1", "4.a2"}
    history = [run("2026-01-12T00:00:00Z", "a", set()), run("2026-01-26T00:00:00Z", "b", tier1)]
    report = build_report(roadmap, history)
    assert [t.status for t in report.forecast.tiers][0] == "done"
    # 40h in 2 weeks -> 20h/week; tier2's 40h take 14 days from Jan 26
    assert report.forecast.tiers[1].projected_end == date(2026, 2, 9)
    assert {d.next_tier for d in report.dimensions} == {"tier2"}
    assert report.tiers[0].tasks_complete == 2


def test_ranking_by_gain_per_hour(roadmap: Roadmap) -> None:
    actions = build_report(roadmap, THREE_WEEKS).actions
    # 15: +5.5/3 = 1.833 for 60h; 2: +0.5/3 = 0.167 for 8h; 10: +2/3 = 0.667 for 40h
    assert [(a.task, a.gain, a.hours_left, a.gain_per_hour) for a in actions] == [
        (15, 1.833, 60.0, 0.03056),
        (2, 0.167, 8.0, 0.02083),
        (10, 0.667, 40.0, 0.01667),
    ]
    assert [a.rank for a in actions] == [1, 2, 3]
    assert [c.id for c in actions[1].open_criteria] == ["2.a4"]
    assert actions[1].open_criteria[0].status == "manual"
    assert actions[0].commands == ["propctl scaffold workflow --all"]
    assert actions[1].commands == ["propctl scaffold add security --service api"]


def test_ranking_ties_go_to_priority_and_waived_criteria_are_not_open(roadmap: Roadmap) -> None:
    latest = run(
        "2026-01-12T00:00:00Z", "a", set(), s15_a1="waived", s15_a2="waived", s15_a3="waived"
    )
    actions = build_report(roadmap, [latest]).actions
    assert 15 not in [a.task for a in actions]
    # 2: 0.667/32h = 0.0208 first; then a tie, 4: 0.133/8h = 10: 0.667/40h = 0.0167 -> P1, P2
    assert [a.task for a in actions] == [2, 4, 10]


def test_flips_between_the_last_two_runs(roadmap: Roadmap) -> None:
    changes = build_report(roadmap, THREE_WEEKS).changes
    assert (changes.previous.commit, changes.current.commit) == ("b" * 40, "c" * 40)
    assert [(f.id, f.kind, f.task, f.before, f.after) for f in changes.flips] == [
        ("2.6", "subtask", 2, "pass", "fail"),
        ("2.a3", "criterion", 2, "fail", "pass"),
        ("4.a2", "criterion", 4, "fail", "pass"),
    ]


def test_flips_name_ids_that_appear_or_are_unknown(roadmap: Roadmap) -> None:
    history = [
        run("2026-01-12T00:00:00Z", None, set()),
        run("2026-01-13T00:00:00Z", None, set(), s2_13="pass", s99_a1="fail"),
    ]
    flips = build_report(roadmap, history).changes.flips
    assert [(f.id, f.kind, f.before, f.after) for f in flips] == [
        ("2.13", "subtask", "not run", "pass"),
        ("99.a1", "unknown", "not run", "fail"),
    ]


def test_tiers_tasks_and_effort(roadmap: Roadmap) -> None:
    report = build_report(roadmap, THREE_WEEKS)
    tier1 = report.tiers[0]
    assert tier1.criteria["pass"] == 5 and tier1.criteria["manual"] == 1
    assert (tier1.effort_done, tier1.effort_left) == (32.0, 8.0)
    task2 = tier1.tasks[0]
    assert (task2.subtasks_total, task2.subtasks_checked, task2.subtasks_done) == (2, 1, 0)
    assert task2.completion == 0.75
    e = report.effort
    assert (e.total, e.done, e.waived, e.left) == (140.0, 32.0, 0.0, 108.0)
    assert [(p.date, p.hours_left) for p in e.planned] == [
        (date(2026, 1, 12), 140.0),
        (date(2026, 2, 8), 100.0),
        (date(2026, 3, 8), 60.0),
        (date(2026, 6, 28), 0.0),
    ]
    assert [p.hours_left for p in report.series] == [140.0, 120.0, 108.0]


def test_waived_hours_are_neither_done_nor_left(roadmap: Roadmap) -> None:
    report = build_report(roadmap, [run("2026-01-12T00:00:00Z", "a", {"2.a1"}, s2_a4="waived")])
    assert (report.effort.done, report.effort.waived, report.effort.left) == (8.0, 8.0, 124.0)
    assert report.headline.overall == 4.17  # waived does not count: security 4.5


def test_dimensions(roadmap: Roadmap) -> None:
    dims = {d.id: d for d in build_report(roadmap, THREE_WEEKS).dimensions}
    sec = dims["security"]
    assert (sec.baseline, sec.now, sec.next_tier, sec.next_target, sec.final_target) == (
        4.0,
        5.5,
        "tier1",
        6.0,
        8.0,
    )
    assert (dims["testing"].now, dims["testing"].final_modelled) == (5.4, 7.9)


def test_empty_history_says_how_to_get_some(roadmap: Roadmap) -> None:
    report = build_report(roadmap, [])
    assert report.hint == NO_HISTORY_HINT and "propctl verify" in report.hint
    assert report.runs == 0 and report.series == []
    assert report.headline.overall == 4.0 and report.headline.as_of is None
    assert report.changes.flips == [] and report.changes.current is None


@pytest.mark.parametrize(
    "record,message",
    [
        ({"time": "yesterday", "statuses": {}}, "not ISO 8601"),
        ({"time": "2026-01-12T00:00:00Z", "statuses": ["2.a1"]}, "must be a mapping"),
        (
            {"time": "2026-01-12T00:00:00Z", "statuses": {"2.a1": "green"}},
            "unknown status for 2.a1",
        ),
    ],
)
def test_bad_records_are_refused(roadmap: Roadmap, record: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        build_report(roadmap, [THREE_WEEKS[0], record])


def test_json_has_every_section(roadmap: Roadmap) -> None:
    data = build_report(roadmap, THREE_WEEKS).as_json()
    assert data["schema_version"] == 1
    assert set(data) >= {
        "headline",
        "plan",
        "series",
        "dimensions",
        "tiers",
        "effort",
        "forecast",
        "actions",
        "changes",
    }
    assert data["forecast"]["tiers"][0]["projected_end"] == "2026-01-30"
    assert data["series"][0]["time"] == "2026-01-12T09:00:00Z"


def test_a_partial_run_carries_the_other_statuses_forward(roadmap: Roadmap) -> None:
    partial = {"time": "2026-01-27T09:00:00Z", "commit": "d" * 40, "statuses": {"2.a4": "pass"}}
    report = build_report(roadmap, [*THREE_WEEKS, partial])
    assert [(f.id, f.before, f.after) for f in report.changes.flips] == [("2.a4", "manual", "pass")]
    assert report.headline.overall == 4.8  # tier 1 complete: the earlier passes still count
    assert report.tiers[0].criteria["pass"] == 6


def test_a_generator_already_applied_is_not_recommended_again() -> None:
    from propctl.reporting.report_actions import applied_generators

    roadmap = load_roadmap(bundled_roadmap())
    manifest = {
        ".pre-commit-config.yaml": {"generator": "lint", "params": {}},
        "apps/api/security/otp.py": {
            "generator": "add",
            "params": {"service": "api", "concerns": ["security", "errors"]},
        },
    }
    applied = applied_generators(manifest)
    assert applied == {"lint", "security", "errors"}
    fresh = {a.task: a for a in build_report(roadmap, [], applied=set()).actions}
    after = {a.task: a for a in build_report(roadmap, [], applied=applied).actions}
    assert fresh[4].commands == ["propctl scaffold lint"] and after[4].commands == []
    assert after[4].applied == ["lint"] and after[2].applied == ["security"]
    assert after[1].commands == fresh[1].commands  # nothing of task 1 was applied
