"""The gate's rules over plain results (id, role, status, message): what must hold, the ratchet,
--min-score, the summary and the history line. Shared by a full verify run
(`propctl.checks.gate.verdict`) and a replayed one (`propctl.checks.gate.replay`), so both
judge alike; the standard library only, so a replayed run never imports the check kinds."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from propctl import clock
from propctl.checks.status import STATUSES

BROKEN = ("fail", "error")


@dataclass(frozen=True)
class Row:
    id: str
    role: str  # "criterion" or "subtask"
    status: str
    message: str


def holding(rows: Iterable[Row]) -> set[str]:
    """The criteria that pass: what the score counts."""
    return {r.id for r in rows if r.role == "criterion" and r.status == "pass"}


def must_hold(
    rows: Iterable[Row], *, baseline: set[str], attested: set[str], strict: bool
) -> list[str]:
    problems = []
    for r in rows:
        if r.status not in BROKEN:
            continue
        reasons = [
            why
            for why, applies in (
                ("it is in the baseline", r.id in baseline),
                ("it is attested", r.id in attested),
                ("--strict", strict and r.role == "criterion"),
            )
            if applies
        ]
        if reasons:
            problems.append(
                f"{r.id} must hold ({', '.join(reasons)}) but is {r.status}: {r.message}"
            )
    return problems


def regressions(rows: Iterable[Row], overall: float, previous: dict[str, Any] | None) -> list[str]:
    """--ratchet: what passed in the previous run and no longer does, and a fallen score."""
    if previous is None:
        return []
    before = previous.get("statuses", {})
    out = [
        f"regression: {r.id} passed in the previous run and is now {r.status}"
        for r in rows
        if before.get(r.id) == "pass" and r.status in BROKEN
    ]
    old = (previous.get("score") or {}).get("overall")
    if isinstance(old, int | float) and not math.isfinite(old):
        out.append(f"the previous run's score is {old}: its history line is broken")
    elif isinstance(old, int | float) and round(overall, 2) < round(float(old), 2):
        out.append(f"regression: the score fell from {old:.2f} to {overall:.2f}")
    return out


def under_min_score(overall: float, min_score: float | None) -> list[str]:
    if not math.isfinite(overall):  # NaN compares false with everything: it would pass
        return [f"the score is {overall}, not a number on the 0-10 scale: the roadmap is broken"]
    if min_score is not None and round(overall, 2) < min_score:
        return [f"score {overall:.2f} is under --min-score {min_score:g}"]
    return []


def summary(statuses: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        if status in counts:  # a hand-edited history may carry anything
            counts[status] += 1
    return counts


def history_line(
    statuses: dict[str, str],
    carried: dict[str, str],
    score: dict[str, Any],
    roadmap: str,
    commit: str | None,
    errors: dict[str, str] | None = None,
    change: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One line of history.jsonl. A filtered run's line holds every id all the same: the ones
    it did not check carry their last status, listed under `carried`. `errors`: the message of
    each id this run ended as `error` (at most MAX_ERROR_CHARS each), so a report can say what
    to fix; `change`: who made the change this run verifies (`verify --changed-by/--label`)."""
    every = {**carried, **statuses}
    messages = {k: bounded(v) for k, v in sorted((errors or {}).items()) if k in statuses}
    return {
        "time": clock.stamp(),
        "commit": commit,
        "roadmap": roadmap,
        "statuses": every,
        "score": score,
        "summary": summary(every.values()),
        **({"carried": sorted(carried)} if carried else {}),
        **({"errors": messages} if messages else {}),
        **({"change": change} if change else {}),
    }


MAX_ERROR_CHARS = 400  # per error in history.jsonl: a traceback's tail would bloat every line


def bounded(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """One line, at most `limit` characters (an ellipsis says it was cut)."""
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
