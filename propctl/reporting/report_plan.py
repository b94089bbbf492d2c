"""The plan a report measures against, and the forecast from the pace seen in the history.

Plan: the baseline at the roadmap's start (week 0) and each tier's target at the last day of its
`weeks[1]`. Pace: effort hours of criteria turned green per week, net of regressions, over the
last `WINDOW_DAYS` of history (or the whole history when it is shorter). A criterion is worth
`task.effort_hours / len(task.acceptance)`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from propctl.reporting.report_history import Run
from propctl.roadmap.models import Roadmap, Tier

WINDOW_DAYS = 28
MIN_SPAN_DAYS = 1.0  # a pace measured over minutes would project nonsense


def week_end(start: date, week: int) -> date:
    """The last day of week `week` (week 1 begins on `start`); week 0 is `start` itself."""
    return start if week == 0 else start + timedelta(days=7 * week - 1)


def criterion_hours(roadmap: Roadmap) -> dict[str, float]:
    return {c.id: task.effort_hours / len(task.acceptance) for task, c in roadmap.criteria()}


def hours_done(worth: dict[str, float], run: Run) -> float:
    return sum(worth.get(key, 0.0) for key in run.passing())


def interpolate(points: list[tuple[date, float]], when: date) -> float:
    """The value of a piecewise-linear line at `when` (flat before the first and after the last
    point)."""
    if when <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if when <= d1:
            span = (d1 - d0).days
            return v1 if span == 0 else v0 + (v1 - v0) * (when - d0).days / span
    return points[-1][1]


@dataclass(frozen=True)
class Pace:
    """Velocity and score trend measured between `base` and `latest`."""

    base: Run
    latest: Run
    days: float
    hours_per_week: float
    score_per_week: float


def measure_pace(
    runs: list[Run], worth: dict[str, float], overall: dict[int, float]
) -> Pace | None:
    """`overall`: the score of each run by its index in `runs`. None: not enough history (fewer
    than two runs, or less than a day between the first run of the window and the latest)."""
    if len(runs) < 2:
        return None
    latest = runs[-1]
    cutoff = latest.time - timedelta(days=WINDOW_DAYS)
    before = [i for i, run in enumerate(runs) if run.time <= cutoff]
    base_index = before[-1] if before else 0
    base = runs[base_index]
    days = (latest.time - base.time).total_seconds() / 86400
    if days < MIN_SPAN_DAYS:
        return None
    weeks = days / 7
    return Pace(
        base=base,
        latest=latest,
        days=days,
        hours_per_week=(hours_done(worth, latest) - hours_done(worth, base)) / weeks,
        score_per_week=(overall[len(runs) - 1] - overall[base_index]) / weeks,
    )


@dataclass(frozen=True)
class TierForecast:
    tier: str
    planned_end: date
    hours_left: float
    projected_end: date | None
    days_late: int | None
    status: str  # done | on track | late | no progress | not enough history


def forecast(
    roadmap: Roadmap,
    hours_left: dict[str, float],
    pace: Pace | None,
) -> list[TierForecast]:
    """Tiers are worked in order: a tier's finish is when the hours left in it and in every tier
    before it are burnt at the measured pace, counted from the latest run."""
    out: list[TierForecast] = []
    cumulative = 0.0
    for tier in roadmap.tiers:
        left = hours_left[tier.id]
        cumulative += left
        out.append(_tier_forecast(roadmap, tier, left, cumulative, pace))
    return out


def _tier_forecast(
    roadmap: Roadmap, tier: Tier, left: float, cumulative: float, pace: Pace | None
) -> TierForecast:
    planned = week_end(roadmap.start, tier.weeks[1])
    if left <= 1e-9:
        return TierForecast(tier.id, planned, 0.0, None, None, "done")
    if pace is None:
        return TierForecast(tier.id, planned, left, None, None, "not enough history")
    if pace.hours_per_week <= 1e-9:
        return TierForecast(tier.id, planned, left, None, None, "no progress")
    days = math.ceil(cumulative * 7 / pace.hours_per_week - 1e-9)  # whole days, no float fuzz
    projected = pace.latest.time.date() + timedelta(days=days)
    late = (projected - planned).days
    return TierForecast(tier.id, planned, left, projected, late, "late" if late > 0 else "on track")
