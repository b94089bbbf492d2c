"""Next best actions: open tasks ranked by the score they would still add per effort hour left,
with what is failing and the generator that helps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from propctl.reporting.report_history import Run
from propctl.roadmap.models import Roadmap, Task
from propctl.roadmap.score import compute_score

# Generators that `propctl scaffold add CONCERN --service api` puts into an existing app.
_ADD_CONCERNS = {"security", "errors", "logging", "cache", "versioning", "health"}
# Generators whose scaffold command takes more than their name (DESIGN.md's command table).
_COMMANDS = {
    "service": "propctl scaffold services --all",
    "services": "propctl scaffold services --all",
    "database": "propctl scaffold database --service api",
    "repository": "propctl scaffold repository ENTITY --service api",
    "workflow": "propctl scaffold workflow --all",
    "migrations": "propctl migrations init --service api",
}
_PRIORITY = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}


def scaffold_command(generator: str) -> str:
    if generator in _ADD_CONCERNS:
        return f"propctl scaffold add {generator} --service api"
    return _COMMANDS.get(generator, f"propctl scaffold {generator}")


def applied_generators(manifest: dict[str, dict[str, Any]]) -> set[str]:
    """The roadmap's generator names that `.propctl/generated.json` shows were applied: a
    concern of `scaffold add` by its name, `scaffold service` as `services`."""
    applied: set[str] = set()
    for entry in manifest.values():
        generator = str(entry.get("generator", ""))
        params = entry.get("params") or {}
        if generator == "add":
            applied |= {str(c) for c in params.get("concerns") or []}
        elif generator == "service":
            applied |= {"service", "services"}
        else:
            applied.add(generator)
    return applied


def applied_note(applied: list[str]) -> str:
    return f"generator already applied ({', '.join(applied)}): what is left is an engineer's work"


@dataclass
class OpenCriterion:
    id: str
    text: str
    status: str  # the latest run's status, or "not run"


@dataclass
class Action:
    rank: int
    task: int
    title: str
    tier: str
    priority: str
    gain: float
    hours_left: float
    gain_per_hour: float
    open_criteria: list[OpenCriterion] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # the task's generators already run


def rank_actions(
    roadmap: Roadmap, latest: Run | None, now: float, applied: set[str] | None = None
) -> list[Action]:
    """Open tasks by score gained per effort hour left; a generator already applied is not
    recommended again (what is left of its task is an engineer's work)."""
    statuses = latest.statuses if latest else {}
    holding = {k for k, v in statuses.items() if v == "pass"}
    candidates = [
        a
        for task in roadmap.tasks()
        if (a := _action(roadmap, task, statuses, holding, now, applied or set())) is not None
    ]
    candidates.sort(key=lambda a: (-a.gain_per_hour, _PRIORITY[a.priority], a.task))
    for rank, action in enumerate(candidates, 1):
        action.rank = rank
    return candidates


def _action(
    roadmap: Roadmap,
    task: Task,
    statuses: dict[str, str],
    holding: set[str],
    now: float,
    applied: set[str],
) -> Action | None:
    open_ = [
        OpenCriterion(c.id, c.text, statuses.get(c.id, "not run"))
        for c in task.acceptance
        if statuses.get(c.id) not in ("pass", "waived")
    ]
    if not open_:
        return None
    hours = task.effort_hours * len(open_) / len(task.acceptance)
    after = compute_score(roadmap, holding | {c.id for c in open_}).overall
    gain = after - now
    return Action(
        rank=0,
        task=task.id,
        title=task.title,
        tier=roadmap.tier_of(task.id).id,
        priority=task.priority,
        gain=round(gain, 3),
        hours_left=round(hours, 2),
        gain_per_hour=round(gain / hours, 5),
        open_criteria=open_,
        commands=[scaffold_command(g) for g in task.generators if g not in applied],
        applied=[g for g in task.generators if g in applied],
    )
