"""Errors first, with their fix: every id the latest run left as `error`, grouped by what fixes
it (`propctl.checks.error_fixes`), the groups with a known fix first and the largest first. An error
propctl knows no fix for is listed with its message and says so."""

from __future__ import annotations

from dataclasses import dataclass, field

from propctl.checks.error_fixes import fix_for
from propctl.reporting.report_history import Run

UNKNOWN = "no fix known to propctl: read the message (`propctl doctor` lists missing tools)"
NO_MESSAGE = (
    "the run recorded no message (its history line predates error messages): rerun `propctl verify`"
)


@dataclass
class ErrorGroup:
    fix: str  # "install redis-server: `apt-get install redis-server` (or set REDIS_URL ...)"
    command: str | None  # the one command to run, when there is one
    known: bool  # False: propctl does not know what fixes it
    message: str  # the first id's message, as verify recorded it
    ids: list[str] = field(default_factory=list)


def error_groups(latest: Run | None, order: dict[str, int]) -> list[ErrorGroup]:
    """`order`: each id's place in the roadmap (the groups list their ids in that order)."""
    if latest is None:
        return []
    failing = sorted(
        (k for k, v in latest.statuses.items() if v == "error"),
        key=lambda k: (order.get(k, len(order)), k),
    )
    groups: dict[str, ErrorGroup] = {}
    for key in failing:
        message = latest.errors.get(key, "")
        fix = fix_for(message) if message else None
        if fix is not None:
            group = groups.setdefault(
                "fix:" + fix.line(), ErrorGroup(fix.line(), fix.command or None, True, message)
            )
        else:
            text = UNKNOWN if message else NO_MESSAGE
            group = groups.setdefault("msg:" + message, ErrorGroup(text, None, False, message))
        group.ids.append(key)
    return sorted(groups.values(), key=lambda g: (not g.known, -len(g.ids)))
