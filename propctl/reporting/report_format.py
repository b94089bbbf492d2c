"""How a report writes its figures, shared by the Markdown, HTML and table renderers so each
shows the same text for the same number (and tests can look for it)."""

from __future__ import annotations

from datetime import date, datetime


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def signed(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}h"


def rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def day(value: date | None) -> str:
    return "–" if value is None else value.isoformat()


def moment(value: datetime | None) -> str:
    return "–" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def commit(value: str | None) -> str:
    return "(no commit)" if not value else value[:10]


def percent(part: float, whole: float) -> str:
    return "–" if whole <= 0 else f"{100 * part / whole:.0f}%"


def vs_plan(days_late: int | None) -> str:
    if days_late is None:
        return "–"
    if days_late == 0:
        return "on the day"
    return f"{abs(days_late)} days {'late' if days_late > 0 else 'early'}"


def ahead(value: float) -> str:
    if abs(value) < 0.005:
        return "on plan"
    return f"{'ahead of' if value > 0 else 'behind'} plan by {abs(value):.2f}"


def runs(count: int) -> str:
    return f"{count} verify run{'' if count == 1 else 's'}"


def ids(values: list[str], limit: int = 12) -> str:
    """`2.a3, 2.a5 and 3 more`; empty for none."""
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def criteria(count: int) -> str:
    return f"{count} criteri{'on' if count == 1 else 'a'}"
