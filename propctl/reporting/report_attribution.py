"""Who turned each criterion green: the tool or an engineer.

A verify run may record who made the change it verifies (`propctl verify --changed-by
generator|engineer --label TEXT`). A criterion that is not `pass` in one run and `pass` in the
next is credited to the later run's `by`; a run recorded without it is `unlabelled` (propctl
does not guess). A criterion passing now is credited to its last turn to green; one passing
since the first run to `first run`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from propctl.reporting.report_history import Run

ROLES = ("generator", "engineer", "unlabelled")
FIRST_RUN = "first run"
ROLE_NAMES = {
    "generator": "what the tool did",
    "engineer": "what engineers did",
    "unlabelled": "unlabelled runs",
    FIRST_RUN: "passing at the first run",
}


@dataclass
class Step:
    time: datetime
    commit: str | None
    by: str  # generator | engineer | unlabelled
    label: str | None
    turned_green: list[str]
    turned_red: list[str]
    score_change: float


@dataclass
class RoleTotal:
    role: str
    name: str
    criteria: list[str] = field(default_factory=list)  # passing now, last turned green by role
    score_change: float = 0.0  # the net change of the role's runs


@dataclass
class Attribution:
    steps: list[Step] = field(default_factory=list)
    roles: list[RoleTotal] = field(default_factory=list)


def attribute(runs: list[Run], overall: list[float], criteria: list[str]) -> Attribution:
    """`overall`: each run's score; `criteria`: the roadmap's criterion ids in order (subtasks
    are not credited: they do not move the score)."""
    if not runs:
        return Attribution()
    order = {c: i for i, c in enumerate(criteria)}
    credit = {c: FIRST_RUN for c in criteria if runs[0].statuses.get(c) == "pass"}
    totals = {role: RoleTotal(role, ROLE_NAMES[role]) for role in (*ROLES, FIRST_RUN)}
    steps = []
    for i in range(1, len(runs)):
        before, after = runs[i - 1].statuses, runs[i].statuses
        by = runs[i].by or "unlabelled"
        green = [c for c in criteria if after.get(c) == "pass" and before.get(c) != "pass"]
        red = [c for c in criteria if before.get(c) == "pass" and after.get(c) != "pass"]
        change = round(overall[i] - overall[i - 1], 4)
        credit.update(dict.fromkeys(green, by))
        for c in red:
            credit.pop(c, None)
        totals[by].score_change = round(totals[by].score_change + change, 4)
        if green or red or runs[i].by or runs[i].label:
            steps.append(
                Step(
                    runs[i].time,
                    runs[i].commit,
                    by,
                    runs[i].label,
                    green,
                    red,
                    round(change, 2),
                )
            )
    for c, role in sorted(credit.items(), key=lambda kv: order[kv[0]]):
        totals[role].criteria.append(c)
    roles = [t for t in totals.values() if t.criteria or t.score_change or t.role in ROLES[:2]]
    return Attribution(steps, [_rounded(t) for t in roles])


def _rounded(total: RoleTotal) -> RoleTotal:
    total.score_change = round(total.score_change, 2)
    return total
