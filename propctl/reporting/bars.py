"""Small helpers shared by the status and score tables: text bars (they survive --no-color and
pipes), colours against a target, and the line that says where the results came from."""

from __future__ import annotations

from typing import Any

from propctl.roadmap.progress import NO_RESULTS_HINT

FULL, EMPTY = "█", "░"


def bar(fraction: float, width: int = 20, percent: bool = True) -> str:
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * width)
    text = FULL * filled + EMPTY * (width - filled)
    return text + f" {fraction * 100:3.0f}%" if percent else text


def source_line(record: dict[str, Any] | None) -> str:
    if record is None:
        return f"[yellow]{NO_RESULTS_HINT}[/yellow]; until then no criterion counts as passing"
    commit = str(record.get("commit") or "")[:10] or "no commit"
    return f"results of the verify run at {record.get('time', '?')} ({commit})"


def colour_for(score: float, target: float | None) -> str:
    if target is None:
        return "white"
    return "green" if score >= target - 1e-9 else ("yellow" if score >= target - 1.0 else "red")
