"""`remaining(RemainingRequest) -> Remaining`: what the repo's latest verify run leaves open,
with the command that closes each (`propctl status --remaining`; the model is
`propctl.roadmap.remaining`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from propctl.roadmap.models import Roadmap
from propctl.roadmap.remaining import Remaining, compute_remaining


@dataclass(frozen=True)
class RemainingRequest:
    repo: Path
    roadmap: Roadmap
    shown_repo: str | None = None  # the --repo the user typed, for the commands printed


def remaining(request: RemainingRequest) -> Remaining:
    from propctl.state import RepoState

    record = RepoState(request.repo).latest()
    return compute_remaining(request.roadmap, record, request.shown_repo or str(request.repo))
