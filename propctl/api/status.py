"""`status(StatusRequest) -> Progress`: the PROGRESS TRACKER from a repo's latest verify run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from propctl.roadmap.models import Roadmap
from propctl.roadmap.progress import Progress, compute_progress


@dataclass(frozen=True)
class StatusRequest:
    repo: Path
    roadmap: Roadmap


def status(request: StatusRequest) -> Progress:
    from propctl.state import RepoState

    return compute_progress(request.roadmap, RepoState(request.repo).latest())
