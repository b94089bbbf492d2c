"""The verify runs a report reads: `.propctl/history.jsonl` records, checked and typed once.

A record may carry `errors` (id -> the message of a result that ended as `error`) and `change`
(`{"by": "generator" | "engineer", "label": "..."}`, from `verify --changed-by/--label`);
records written before those fields existed have neither, and read as such."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from propctl.checks.status import STATUSES
from propctl.errors import UserError

CHANGED_BY = ("generator", "engineer")


@dataclass(frozen=True)
class Run:
    time: datetime
    commit: str | None
    statuses: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # id -> message, for `error` statuses
    by: str | None = None  # who made the change this run verifies
    label: str | None = None

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
    messages: dict[str, str] = {}
    out = []
    for run in runs:
        known = {**known, **run.statuses}
        # an id this run checked keeps only this run's message; a carried one keeps its last
        fresh = {k: v for k, v in messages.items() if k not in run.statuses}
        messages = {k: v for k, v in {**fresh, **run.errors}.items() if known.get(k) == "error"}
        out.append(replace(run, statuses=known, errors=messages))
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
    by, label = _change(record.get("change"), where)
    return Run(
        time=time.astimezone(UTC),
        commit=str(commit) if commit else None,
        statuses={str(k): str(v) for k, v in statuses.items()},
        errors=_errors(record.get("errors"), statuses, where),
        by=by,
        label=label,
    )


def _errors(raw: Any, statuses: dict[str, Any], where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise UserError(
            f"{where}: `errors` must be a mapping of id to message",
            hint="remove the field or repair it; verify writes it for results that are `error`",
        )
    return {str(k): v for k, v in raw.items() if statuses.get(k) == "error"}


def _change(raw: Any, where: str) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    by = raw.get("by") if isinstance(raw, dict) else "?"
    label = raw.get("label") if isinstance(raw, dict) else None
    if by not in (None, *CHANGED_BY) or not isinstance(label, str | None):
        raise UserError(
            f"{where}: `change` must be {{by: generator|engineer, label: TEXT}}",
            hint="remove the field or repair it; `verify --changed-by/--label` writes it",
        )
    return by, label
