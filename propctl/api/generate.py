"""`generate(GenerateRequest) -> GenerateResult`: plan every generation, and apply them all or
none. A blocked plan (a conflict, a refused patch) writes nothing unless `force`; the caller
renders the plans and reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.engine.specs import ApplyReport, Conflict, Generation, Plan


@dataclass(frozen=True)
class GenerateRequest:
    repo: Path
    generations: list[Generation]
    dry_run: bool = False
    force: bool = False
    merge: bool = False
    # run with every file written; raising undoes the whole write (scaffold add's import check)
    check: Callable[[], None] | None = None


@dataclass
class GenerateResult:
    plans: list[Plan]
    reports: list[ApplyReport] = field(default_factory=list)  # empty: nothing was applied
    blocked: list[Plan] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return bool(self.reports)

    @property
    def markers(self) -> list[str]:
        """Files merged with conflict markers (`merge`): the user must resolve them."""
        return [path for report in self.reports for path in report.markers]

    def conflict(self) -> Conflict:
        """The error for the blocked plans, one message for all of them."""
        if len(self.blocked) == 1:
            return Conflict(self.blocked[0])
        merged = Plan(
            Generation("several", {}, []),
            [a for p in self.blocked for a in p.blocking],
            merge=any(p.merge for p in self.blocked),
        )
        return Conflict(merged)

    def as_json(self, *, diffs: bool = False) -> dict[str, Any]:
        items = [p.to_json(diffs=diffs) for p in self.plans]
        for item, report in zip(items, self.reports, strict=False):
            item["report"] = report.to_json()
        if len(items) == 1:
            return {"applied": self.applied, **items[0]}
        return {"applied": self.applied, "generations": items}


def generate(request: GenerateRequest) -> GenerateResult:
    plans = [plan(request.repo, g, merge=request.merge) for g in request.generations]
    result = GenerateResult(plans, blocked=[p for p in plans if p.blocking])
    if request.dry_run or (result.blocked and not request.force):
        return result
    result.reports = [
        apply(request.repo, p, force=request.force, merge=request.merge, check=request.check)
        for p in plans
    ]
    return result
