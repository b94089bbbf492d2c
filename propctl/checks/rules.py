"""The gate's rules over plain results (id, role, status, message): what must hold, the ratchet,
--min-score, the summary and the history line. Shared by a full verify run
(`propctl.checks.gate`) and a replayed one (`propctl.checks.replay`), so both judge alike; the
standard library only, so a replayed run never imports the check kinds."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STATUSES = ("pass", "fail", "error", "skip", "manual", "waived")  # propctl.checks.base.Status
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
) -> dict[str, Any]:
    """One line of history.jsonl. A filtered run's line holds every id all the same: the ones
    it did not check carry their last status, listed under `carried`."""
    every = {**carried, **statuses}
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "commit": commit,
        "roadmap": roadmap,
        "statuses": every,
        "score": score,
        "summary": summary(every.values()),
        **({"carried": sorted(carried)} if carried else {}),
    }
