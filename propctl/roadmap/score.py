"""The score model (DESIGN.md): a task's completion is the share of its acceptance criteria that
hold; a dimension is its baseline plus, for each task, completion x impact, capped at 10; the
overall score is the weighted mean of the dimensions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from propctl.roadmap.models import Roadmap, Task

MAX_SCORE = 10.0


@dataclass(frozen=True)
class Contribution:
    task: int
    title: str
    completion: float
    impact: float

    @property
    def points(self) -> float:
        return self.completion * self.impact


@dataclass
class DimensionScore:
    id: str
    name: str
    baseline: float
    score: float
    weight: float
    contributions: list[Contribution] = field(default_factory=list)
    capped: bool = False


@dataclass
class Score:
    overall: float
    dimensions: dict[str, DimensionScore]
    completion: dict[int, float]

    def as_json(self) -> dict[str, object]:
        return {
            "overall": round(self.overall, 2),
            "dimensions": {k: round(d.score, 2) for k, d in self.dimensions.items()},
        }


def task_completion(task: Task, holding: set[str]) -> float:
    if not task.acceptance:
        return 0.0
    return sum(1 for c in task.acceptance if c.id in holding) / len(task.acceptance)


def compute_score(roadmap: Roadmap, holding: Iterable[str]) -> Score:
    """`holding`: ids of the criteria that count (passed, or attested and not expired)."""
    held = set(holding)
    completion = {task.id: task_completion(task, held) for task in roadmap.tasks()}
    return score_from_completion(roadmap, completion)


def score_from_completion(roadmap: Roadmap, completion: dict[int, float]) -> Score:
    dims: dict[str, DimensionScore] = {}
    for dim in roadmap.dimensions:
        contributions = [
            Contribution(task.id, task.title, completion.get(task.id, 0.0), task.impacts[dim.id])
            for task in roadmap.tasks()
            if dim.id in task.impacts
        ]
        raw = dim.baseline + sum(c.points for c in contributions)
        dims[dim.id] = DimensionScore(
            id=dim.id,
            name=dim.name,
            baseline=dim.baseline,
            score=min(raw, MAX_SCORE),
            weight=dim.weight,
            contributions=contributions,
            capped=raw > MAX_SCORE,
        )
    total_weight = sum(d.weight for d in dims.values()) or 1.0
    overall = sum(d.score * d.weight for d in dims.values()) / total_weight
    return Score(overall=overall, dimensions=dims, completion=completion)


def tier_completion(roadmap: Roadmap, through_tier: str) -> dict[int, float]:
    """Completion with every task of `through_tier` and the tiers before it done."""
    done: dict[int, float] = {}
    for tier in roadmap.tiers:
        for task in tier.tasks:
            done[task.id] = 1.0
        if tier.id == through_tier:
            break
    return done


def modelled_tier_targets(roadmap: Roadmap) -> dict[str, float]:
    """What the model gives after each tier: the plan line reports draw."""
    out = {"baseline": score_from_completion(roadmap, {}).overall}
    for tier in roadmap.tiers:
        out[tier.id] = score_from_completion(roadmap, tier_completion(roadmap, tier.id)).overall
    return out
