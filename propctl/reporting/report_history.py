"""The verify runs a report reads: `.propctl/history.jsonl` records, checked and typed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from propctl.checks.rules import STATUSES
from propctl.errors import UserError


@dataclass(frozen=True)
class Run:
    time: datetime
    commit: str | None
    statuses: dict[str, str]

    def passing(self) -> set[str]:
        return {key for key, status in self.statuses.items() if status == "pass"}


def parse_runs(records: list[dict[str, Any]], source: str = "history.jsonl") -> list[Run]:
    """Typed runs, oldest first. A record with no usable time or statuses is an error naming its
    position: a report drawn from a broken history would mislead."""
    runs = [_parse(record, f"{source}: run {number}") for number, record in enumerate(records, 1)]
    return _carry_forward(sorted(runs, key=lambda run: run.time))


def _carry_forward(runs: list[Run]) -> list[Run]:
    """A run filtered with `verify --task/--tier/--criterion` records only what it checked; every
    other id keeps its last known status, so a partial run is neither a drop nor a flip."""
    known: dict[str, str] = {}
    out = []
    for run in runs:
        known = {**known, **run.statuses}
        out.append(Run(run.time, run.commit, known))
    return out


def _parse(record: dict[str, Any], where: str) -> Run:
    raw_time = record.get("time")
    try:
        time = datetime.fromisoformat(str(raw_time))
    except ValueError:
        raise UserError(
            f"{where}: time {raw_time!r} is not ISO 8601",
            hint="each run needs a time like 2026-01-12T09:30:00Z",
        ) from None
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)
    statuses = record.get("statuses")
    if not isinstance(statuses, dict):
        raise UserError(f"{where}: `statuses` must be a mapping of id to status")
    bad = sorted(k for k, v in statuses.items() if v not in STATUSES)
    if bad:
        raise UserError(
            f"{where}: unknown status for {', '.join(bad[:5])}",
            hint=f"statuses are {', '.join(STATUSES)}",
        )
    commit = record.get("commit")
    return Run(
        time=time.astimezone(UTC),
        commit=str(commit) if commit else None,
        statuses={str(k): str(v) for k, v in statuses.items()},
    )
