"""Small helpers shared by the check kinds."""

from __future__ import annotations

from propctl.checks.base import CheckContext, Evidence

MAX_EVIDENCE = 10


def expand_all(ctx: CheckContext, values: str | list[str]) -> list[str]:
    return [ctx.expand(v) for v in ([values] if isinstance(values, str) else values)]


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def cap(evidence: list[Evidence], limit: int = MAX_EVIDENCE) -> list[Evidence]:
    if len(evidence) <= limit:
        return evidence
    return [*evidence[:limit], Evidence(f"... and {len(evidence) - limit} more")]


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word}{'es' if word.endswith(('s', 'sh', 'ch', 'x')) else 's'}"
