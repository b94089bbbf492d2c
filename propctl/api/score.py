"""`score(ScoreRequest) -> ScoreResult`: the score from a repo's latest verify run, per dimension
and overall, and with `explain` every contribution to one dimension."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propctl.errors import UserError
from propctl.roadmap.models import Roadmap
from propctl.roadmap.progress import Progress, compute_progress
from propctl.roadmap.score import DimensionScore


@dataclass(frozen=True)
class ScoreRequest:
    repo: Path
    roadmap: Roadmap
    explain: str | None = None  # a dimension's id or name


@dataclass(frozen=True)
class ScoreResult:
    progress: Progress
    explained: DimensionScore | None

    def as_json(self) -> dict[str, Any]:
        progress = self.progress
        plain = progress.as_json()
        out: dict[str, Any] = {**plain["score"], "source": plain["source"]}
        out["details"] = {
            d.id: {
                "name": d.name,
                "baseline": d.baseline,
                "score": round(s.score, 2),
                "targets": d.targets,
                "weight": d.weight,
                "capped": s.capped,
            }
            for d in progress.roadmap.dimensions
            for s in [progress.score.dimensions[d.id]]
        }
        out["completion"] = {str(k): round(v, 4) for k, v in progress.score.completion.items()}
        if self.explained is not None:
            out["explain"] = _explain_json(self.explained)
        return out


def score(request: ScoreRequest) -> ScoreResult:
    from propctl.state import RepoState

    progress = compute_progress(request.roadmap, RepoState(request.repo).latest())
    dim = dimension_id(request.roadmap, request.explain) if request.explain is not None else None
    return ScoreResult(progress, progress.score.dimensions[dim] if dim else None)


def dimension_id(roadmap: Roadmap, name: str) -> str:
    """A dimension's id from its id or its name (any case); exit 2 with did-you-mean."""
    ids = roadmap.dimension_ids()
    by_name = {d.name.lower(): d.id for d in roadmap.dimensions}
    found = name if name in ids else by_name.get(name.lower())
    if found is None:
        close = difflib.get_close_matches(name, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UserError(
            f"--explain {name!r}: unknown dimension{hint}", hint=f"one of: {', '.join(ids)}"
        )
    return found


def _explain_json(dim: DimensionScore) -> dict[str, Any]:
    return {
        "dimension": dim.id,
        "name": dim.name,
        "baseline": dim.baseline,
        "score": round(dim.score, 2),
        "capped": dim.capped,
        "contributions": [
            {
                "task": c.task,
                "title": c.title,
                "completion": round(c.completion, 4),
                "impact": c.impact,
                "points": round(c.points, 4),
            }
            for c in dim.contributions
        ],
    }
