"""Every figure a progress report shows, computed once from the roadmap and the verify history.
The renderers (json, markdown, html, table) only format what is here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from propctl import clock
from propctl.checks.status import STATUSES
from propctl.reporting.report_actions import Action, rank_actions
from propctl.reporting.report_attribution import Attribution, attribute
from propctl.reporting.report_errors import ErrorGroup, error_groups
from propctl.reporting.report_history import Run, parse_runs
from propctl.reporting.report_plan import (
    WINDOW_DAYS,
    Pace,
    TierForecast,
    criterion_hours,
    forecast,
    hours_done,
    interpolate,
    measure_pace,
    week_end,
)
from propctl.roadmap.models import Roadmap, Task, Tier
from propctl.roadmap.score import (
    Score,
    compute_score,
    modelled_tier_targets,
    score_from_completion,
    tier_completion,
)

SCHEMA_VERSION = 1
NO_HISTORY_HINT = (
    "no verify runs recorded yet: run `propctl verify` in the repository to record "
    "one (each run appends to .propctl/history.jsonl)"
)
COUNTED = (*STATUSES, "not run")


@dataclass
class PlanPoint:
    label: str  # "baseline" or a tier id
    week: int
    date: date
    modelled: float  # what the score model reaches when the tiers so far are complete
    declared: float | None  # the document's declared target


@dataclass
class RunPoint:
    time: datetime
    commit: str | None
    overall: float
    hours_left: float


@dataclass
class Headline:
    overall: float
    baseline: float
    as_of: datetime | None
    commit: str | None
    since_previous: float | None
    per_week: float | None
    plan_now: float  # the modelled plan line at the latest run's date
    vs_plan: float
    final_modelled: float
    final_declared: float | None


@dataclass
class DimensionRow:
    id: str
    name: str
    baseline: float
    now: float
    next_tier: str | None
    next_target: float | None
    next_modelled: float | None
    final_target: float | None
    final_modelled: float


@dataclass
class TaskRow:
    id: int
    title: str
    priority: str
    completion: float
    subtasks_total: int
    subtasks_checked: int
    subtasks_done: int
    criteria: dict[str, int]
    effort_hours: float
    effort_done: float
    effort_waived: float
    effort_left: float


@dataclass
class TierRow:
    id: str
    name: str
    weeks: tuple[int, int]
    planned_end: date
    declared_target: float | None
    modelled_target: float
    tasks_complete: int
    subtasks_done: int
    subtasks_total: int
    criteria: dict[str, int]
    effort_hours: float
    effort_done: float
    effort_left: float
    tasks: list[TaskRow] = field(default_factory=list)


@dataclass
class PlannedLeft:
    date: date
    hours_left: float  # effort hours left if the plan were kept


@dataclass
class Effort:
    total: float
    done: float
    waived: float
    left: float
    planned: list[PlannedLeft]  # at the start and at the end of each tier


@dataclass
class Forecast:
    status: str  # "ok" or "not enough history"
    window_days: int
    window_from: datetime | None
    window_to: datetime | None
    hours_per_week: float | None
    finish: date | None
    planned_finish: date
    tiers: list[TierForecast]


@dataclass
class RunRef:
    time: datetime
    commit: str | None


@dataclass
class Flip:
    id: str
    kind: str  # criterion | subtask
    task: int | None
    text: str
    before: str
    after: str
    by: str | None = None  # the later run's `verify --changed-by`


@dataclass
class Changes:
    previous: RunRef | None
    current: RunRef | None
    flips: list[Flip]


@dataclass
class Report:
    schema_version: int
    generated_at: datetime
    roadmap: str
    start: date
    runs: int
    hint: str | None
    headline: Headline
    errors: list[ErrorGroup]  # errors first, with their fix
    plan: list[PlanPoint]
    series: list[RunPoint]
    dimensions: list[DimensionRow]
    tiers: list[TierRow]
    effort: Effort
    forecast: Forecast
    actions: list[Action]
    changes: Changes
    attribution: Attribution

    def as_json(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(dataclasses.asdict(self))
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _r(value: float, digits: int = 2) -> float:
    return round(value + 0.0, digits)


# ---- building ----------------------------------------------------------------------------------
def build_report(
    roadmap: Roadmap,
    records: list[dict[str, Any]],
    generated_at: datetime | None = None,
    applied: set[str] | None = None,
) -> Report:
    """`applied`: the roadmap's generators already run here (report_actions.applied_generators
    of .propctl/generated.json); they are not recommended again."""
    runs = parse_runs(records)
    latest = runs[-1] if runs else None
    worth = criterion_hours(roadmap)
    scores = [compute_score(roadmap, run.passing()) for run in runs]
    overall = {i: s.overall for i, s in enumerate(scores)}
    now = scores[-1] if scores else compute_score(roadmap, ())
    pace = measure_pace(runs, worth, overall)
    plan = _plan(roadmap)
    tiers = [_tier_row(roadmap, tier, latest, worth) for tier in roadmap.tiers]
    effort = _effort(roadmap, tiers)
    return Report(
        schema_version=SCHEMA_VERSION,
        generated_at=generated_at or clock.now(),
        roadmap=roadmap.name,
        start=roadmap.start,
        runs=len(runs),
        hint=None if runs else NO_HISTORY_HINT,
        headline=_headline(roadmap, plan, scores, latest, pace),
        errors=error_groups(
            latest, {k: i for i, k in enumerate(sorted(_texts(roadmap), key=_id_order))}
        ),
        plan=plan,
        series=[
            RunPoint(
                run.time,
                run.commit,
                _r(s.overall),
                _r(effort.total - hours_done(worth, run) - _waived(worth, run)),
            )
            for run, s in zip(runs, scores, strict=True)
        ],
        dimensions=_dimensions(roadmap, now, tiers),
        tiers=tiers,
        effort=effort,
        forecast=_forecast(roadmap, tiers, pace),
        actions=rank_actions(roadmap, latest, now.overall, applied),
        changes=_changes(roadmap, runs),
        attribution=attribute(
            runs, [s.overall for s in scores], [c.id for _, c in roadmap.criteria()]
        ),
    )


def _plan(roadmap: Roadmap) -> list[PlanPoint]:
    modelled = modelled_tier_targets(roadmap)
    declared = roadmap.overall_targets
    points = [
        PlanPoint("baseline", 0, roadmap.start, _r(modelled["baseline"]), declared.get("baseline"))
    ]
    for tier in roadmap.tiers:
        points.append(
            PlanPoint(
                tier.id,
                tier.weeks[1],
                week_end(roadmap.start, tier.weeks[1]),
                _r(modelled[tier.id]),
                declared.get(tier.id),
            )
        )
    return points


def _headline(
    roadmap: Roadmap,
    plan: list[PlanPoint],
    scores: list[Score],
    latest: Run | None,
    pace: Pace | None,
) -> Headline:
    baseline = plan[0].modelled
    overall = scores[-1].overall if scores else baseline
    when = latest.time.date() if latest else roadmap.start
    plan_now = interpolate([(p.date, p.modelled) for p in plan], when)
    return Headline(
        overall=_r(overall),
        baseline=baseline,
        as_of=latest.time if latest else None,
        commit=latest.commit if latest else None,
        since_previous=_r(scores[-1].overall - scores[-2].overall) if len(scores) > 1 else None,
        per_week=_r(pace.score_per_week, 3) if pace else None,
        plan_now=_r(plan_now),
        vs_plan=_r(overall - plan_now),
        final_modelled=plan[-1].modelled,
        final_declared=plan[-1].declared,
    )


def _dimensions(roadmap: Roadmap, now: Score, tiers: list[TierRow]) -> list[DimensionRow]:
    by_tier = {
        t.id: score_from_completion(roadmap, tier_completion(roadmap, t.id)) for t in roadmap.tiers
    }
    open_tier = next((t.id for t in tiers if t.tasks_complete < len(t.tasks)), None)
    last = roadmap.tiers[-1].id if roadmap.tiers else None
    rows = []
    for dim in roadmap.dimensions:
        rows.append(
            DimensionRow(
                id=dim.id,
                name=dim.name,
                baseline=dim.baseline,
                now=_r(now.dimensions[dim.id].score),
                next_tier=open_tier,
                next_target=dim.targets.get(open_tier) if open_tier else None,
                next_modelled=_r(by_tier[open_tier].dimensions[dim.id].score)
                if open_tier
                else None,
                final_target=dim.targets.get(last) if last else None,
                final_modelled=_r(by_tier[last].dimensions[dim.id].score) if last else dim.baseline,
            )
        )
    return rows


def _waived(worth: dict[str, float], run: Run) -> float:
    return sum(worth.get(k, 0.0) for k, v in run.statuses.items() if v == "waived")


def _task_row(task: Task, statuses: dict[str, str], worth: dict[str, float]) -> TaskRow:
    counts = dict.fromkeys(COUNTED, 0)
    for c in task.acceptance:
        counts[statuses.get(c.id, "not run")] += 1
    each = task.effort_hours / len(task.acceptance) if task.acceptance else 0.0
    done = each * counts["pass"]
    waived = each * counts["waived"]
    return TaskRow(
        id=task.id,
        title=task.title,
        priority=task.priority,
        completion=_r(counts["pass"] / len(task.acceptance), 4) if task.acceptance else 0.0,
        subtasks_total=len(task.subtasks),
        subtasks_checked=sum(1 for s in task.subtasks if s.id in statuses),
        subtasks_done=sum(1 for s in task.subtasks if statuses.get(s.id) == "pass"),
        criteria=counts,
        effort_hours=task.effort_hours,
        effort_done=_r(done),
        effort_waived=_r(waived),
        effort_left=_r(task.effort_hours - done - waived),
    )


def _tier_row(roadmap: Roadmap, tier: Tier, latest: Run | None, worth: dict[str, float]) -> TierRow:
    statuses = latest.statuses if latest else {}
    tasks = [_task_row(task, statuses, worth) for task in tier.tasks]
    totals = {k: sum(t.criteria[k] for t in tasks) for k in COUNTED}
    modelled = modelled_tier_targets(roadmap)
    return TierRow(
        id=tier.id,
        name=tier.name,
        weeks=tier.weeks,
        planned_end=week_end(roadmap.start, tier.weeks[1]),
        declared_target=roadmap.overall_targets.get(tier.id),
        modelled_target=_r(modelled[tier.id]),
        tasks_complete=sum(1 for t in tasks if t.completion >= 1.0),
        subtasks_done=sum(t.subtasks_done for t in tasks),
        subtasks_total=sum(t.subtasks_total for t in tasks),
        criteria=totals,
        effort_hours=_r(sum(t.effort_hours for t in tasks)),
        effort_done=_r(sum(t.effort_done for t in tasks)),
        effort_left=_r(sum(t.effort_left for t in tasks)),
        tasks=tasks,
    )


def _effort(roadmap: Roadmap, tiers: list[TierRow]) -> Effort:
    total = sum(t.effort_hours for t in tiers)
    done = sum(t.effort_done for t in tiers)
    left = sum(t.effort_left for t in tiers)
    planned = [PlannedLeft(roadmap.start, _r(total))]
    remaining = total
    for tier in tiers:
        remaining -= tier.effort_hours
        planned.append(PlannedLeft(tier.planned_end, _r(remaining)))
    return Effort(
        total=_r(total),
        done=_r(done),
        waived=_r(total - done - left),
        left=_r(left),
        planned=planned,
    )


def _forecast(roadmap: Roadmap, tiers: list[TierRow], pace: Pace | None) -> Forecast:
    rows = forecast(roadmap, {t.id: t.effort_left for t in tiers}, pace)
    rows = [dataclasses.replace(r, hours_left=_r(r.hours_left)) for r in rows]
    pending = [r for r in rows if r.status != "done"]
    finish = pending[-1].projected_end if pending else None
    return Forecast(
        status="ok" if pace else "not enough history",
        window_days=WINDOW_DAYS,
        window_from=pace.base.time if pace else None,
        window_to=pace.latest.time if pace else None,
        hours_per_week=_r(pace.hours_per_week) if pace else None,
        finish=finish,
        planned_finish=tiers[-1].planned_end if tiers else roadmap.start,
        tiers=rows,
    )


def _changes(roadmap: Roadmap, runs: list[Run]) -> Changes:
    if not runs:
        return Changes(None, None, [])
    current = RunRef(runs[-1].time, runs[-1].commit)
    if len(runs) < 2:
        return Changes(None, current, [])
    before, after = runs[-2].statuses, runs[-1].statuses
    texts = _texts(roadmap)
    flips = []
    for key in sorted(set(before) | set(after), key=_id_order):
        old, new = before.get(key, "not run"), after.get(key, "not run")
        if old != new:
            kind, task, text = texts.get(key, ("unknown", None, "(not in this roadmap)"))
            flips.append(Flip(key, kind, task, text, old, new, runs[-1].by))
    return Changes(RunRef(runs[-2].time, runs[-2].commit), current, flips)


def _texts(roadmap: Roadmap) -> dict[str, tuple[str, int | None, str]]:
    out: dict[str, tuple[str, int | None, str]] = {}
    for task in roadmap.tasks():
        out.update({s.id: ("subtask", task.id, s.text) for s in task.subtasks})
        out.update({c.id: ("criterion", task.id, c.text) for c in task.acceptance})
    return out


def _id_order(key: str) -> tuple[int, int, int, str]:
    """2.6 before 2.10, subtasks before criteria (2.13 before 2.a1)."""
    head, _, tail = key.partition(".")
    criterion = tail.startswith("a")
    number = tail[1:] if criterion else tail.split("-")[0]
    return (
        int(head) if head.isdigit() else 10**6,
        int(criterion),
        int(number) if number.isdigit() else 10**6,
        key,
    )
