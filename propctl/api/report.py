"""`report(ReportRequest) -> Report`: the leads' view of a repo's verify history — the score
against the plan, each dimension and tier, effort, the forecast, the next best actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from propctl.reporting.report_model import Report, build_report
from propctl.roadmap.models import Roadmap


@dataclass(frozen=True)
class ReportRequest:
    repo: Path
    roadmap: Roadmap
    generated_at: datetime | None = None  # default: now (a fixed time makes reports reproducible)


def report(request: ReportRequest) -> Report:
    from propctl.reporting.report_actions import applied_generators
    from propctl.state import RepoState

    state = RepoState(request.repo)
    applied = applied_generators(state.generated())
    return build_report(request.roadmap, state.history(), request.generated_at, applied)
