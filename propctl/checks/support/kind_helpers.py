"""Small helpers shared by the check kinds."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from propctl.checks.engine.base import CheckContext, Evidence, Result

MAX_EVIDENCE = 10


def expand_all(ctx: CheckContext, values: str | list[str]) -> list[str]:
    return [ctx.expand(v) for v in ([values] if isinstance(values, str) else values)]


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def cap(evidence: list[Evidence], limit: int = MAX_EVIDENCE) -> list[Evidence]:
    if len(evidence) <= limit:
        return evidence
    return [*evidence[:limit], Evidence(f"... and {len(evidence) - limit} more")]


Missing = Literal["fail", "skip"]
MISSING_FIELD: Any = Field(  # typed as the fields it defaults: Missing
    default="fail",
    description="What a missing or empty subject (no file to read) is: fail, 'nothing to judge' "
    "(default), or skip, where the roadmap says the criterion does not apply without it.",
)


def nothing_to_judge(missing: Missing, what: str) -> Result:
    """The result of a check whose subject is not there: never a pass."""
    if missing == "skip":
        return Result.skipped(f"not applicable (missing: skip): {what}")
    return Result.failed(f"nothing to judge: {what}")


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word}{'es' if word.endswith(('s', 'sh', 'ch', 'x')) else 's'}"
