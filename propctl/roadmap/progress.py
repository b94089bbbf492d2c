"""Where the roadmap stands, from the statuses of one verify record: per tier and task, what is
done, and the score against the targets. The data behind `status`, `score` and `render`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from propctl.roadmap.models import Roadmap, Task
from propctl.roadmap.score import Score, compute_score, modelled_tier_targets

NO_RESULTS_HINT = "no verify results yet: run `propctl verify` to check every criterion"


@dataclass
class TaskProgress:
    id: int
    title: str
    priority: str
    criteria_passing: int
    criteria: int
    subtasks_done: int
    subtasks: int
    completion: float

    @property
    def complete(self) -> bool:
        return self.criteria > 0 and self.criteria_passing == self.criteria


@dataclass
class TierProgress:
    id: str
    number: int
    name: str
    weeks: tuple[int, int]
    target_declared: float | None
    target_modelled: float
    tasks: list[TaskProgress] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(t, attr) for t in self.tasks)

    @property
    def tasks_complete(self) -> int:
        return sum(t.complete for t in self.tasks)

    @property
    def completion(self) -> float:
        criteria = self.total("criteria")
        return self.total("criteria_passing") / criteria if criteria else 0.0


@dataclass
class Progress:
    roadmap: Roadmap
    statuses: dict[str, str]
    record: dict[str, Any] | None
    score: Score
    tiers: list[TierProgress]

    @property
    def has_results(self) -> bool:
        return self.record is not None

    def as_json(self) -> dict[str, Any]:
        tiers = [_tier_json(t) for t in self.tiers]
        keys = (
            "tasks",
            "tasks_complete",
            "subtasks",
            "subtasks_done",
            "criteria",
            "criteria_passing",
        )
        return {
            "source": _source(self.record),
            "hint": None if self.has_results else NO_RESULTS_HINT,
            "totals": {k: sum(t[k] for t in tiers) for k in keys},
            "score": {
                **self.score.as_json(),
                "targets": dict(self.roadmap.overall_targets),
                "modelled_targets": {
                    k: round(v, 2) for k, v in modelled_tier_targets(self.roadmap).items()
                },
            },
            "tiers": tiers,
        }


def passing_ids(statuses: Mapping[str, str]) -> set[str]:
    """Ids that count: passed (attested manual criteria are recorded as passing)."""
    return {key for key, value in statuses.items() if value == "pass"}


def compute_progress(roadmap: Roadmap, record: dict[str, Any] | None) -> Progress:
    statuses = _statuses(record)
    held = passing_ids(statuses)
    modelled = modelled_tier_targets(roadmap)
    tiers = [
        TierProgress(
            tier.id,
            tier.number,
            tier.name,
            tier.weeks,
            roadmap.overall_targets.get(tier.id),
            modelled[tier.id],
            [_task(task, held) for task in tier.tasks],
        )
        for tier in roadmap.tiers
    ]
    return Progress(roadmap, statuses, record, compute_score(roadmap, held), tiers)


def _statuses(record: dict[str, Any] | None) -> dict[str, str]:
    raw = (record or {}).get("statuses") or {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def _task(task: Task, held: set[str]) -> TaskProgress:
    passing = sum(c.id in held for c in task.acceptance)
    return TaskProgress(
        id=task.id,
        title=task.title,
        priority=task.priority,
        criteria_passing=passing,
        criteria=len(task.acceptance),
        subtasks_done=sum(s.id in held for s in task.subtasks),
        subtasks=len(task.subtasks),
        completion=passing / len(task.acceptance) if task.acceptance else 0.0,
    )


def _tier_json(tier: TierProgress) -> dict[str, Any]:
    return {
        "id": tier.id,
        "number": tier.number,
        "name": tier.name,
        "weeks": list(tier.weeks),
        "tasks": len(tier.tasks),
        "tasks_complete": tier.tasks_complete,
        "subtasks": tier.total("subtasks"),
        "subtasks_done": tier.total("subtasks_done"),
        "criteria": tier.total("criteria"),
        "criteria_passing": tier.total("criteria_passing"),
        "completion": round(tier.completion, 4),
        "target_declared": tier.target_declared,
        "target_modelled": round(tier.target_modelled, 2),
        "task_list": [
            {
                "id": t.id,
                "title": t.title,
                "priority": t.priority,
                "complete": t.complete,
                "completion": round(t.completion, 4),
                "criteria": t.criteria,
                "criteria_passing": t.criteria_passing,
                "subtasks": t.subtasks,
                "subtasks_done": t.subtasks_done,
            }
            for t in tier.tasks
        ],
    }


def _source(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {"time": record.get("time"), "commit": record.get("commit")}
