"""propctl's one clock: every "today" and "now" it uses (version support, waivers and
attestations, the plan line, the forecast, history times) comes from here.

`PROPCTL_TODAY=YYYY-MM-DD` fixes the date, so a demo or a test gives the same report whatever
the calendar says. The time of day stays the real one (UTC), so runs minutes apart stay
minutes apart and in order; a session that crosses midnight UTC under a fixed date would go
back in time, so keep such sessions short. A value that is not a date is exit 2 naming the
variable and the format."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from propctl.errors import UserError

ENV = "PROPCTL_TODAY"


def fixed_today() -> date | None:
    """The date `PROPCTL_TODAY` fixes, or None when it is unset or empty."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise UserError(
            f"{ENV}={os.environ.get(ENV)!r}: not a date in the format YYYY-MM-DD",
            hint=f"e.g. {ENV}=2026-02-23, or unset it to use the real date",
        ) from None


def now() -> datetime:
    """The current time, UTC, to the second; on the fixed date when `PROPCTL_TODAY` is set."""
    real = datetime.now(UTC).replace(microsecond=0)
    fixed = fixed_today()
    return real if fixed is None else datetime.combine(fixed, real.timetz())


def today() -> date:
    """Today's date (UTC), or `PROPCTL_TODAY`."""
    return fixed_today() or datetime.now(UTC).date()


def stamp() -> str:
    """`now()` as history.jsonl writes it: `2026-02-23T17:00:00Z`."""
    return now().isoformat(timespec="seconds").replace("+00:00", "Z")
