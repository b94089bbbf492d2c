"""Which criteria and subtasks can be judged offline: the one definition.

A check tree can be judged offline when no `aws`, `k8s_live` or `manual` check is anywhere in
it (nested `all`/`any` checks included): the repo, its artifacts and the planned
infrastructure decide it, with no account, cluster or person. verify's `offline` counts, the
remaining-work listing (`propctl status --remaining`) and the demo all use this function."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from propctl.roadmap.kinds import LIVE_KINDS
from propctl.roadmap.models import Check, Roadmap

NOT_OFFLINE: frozenset[str] = LIVE_KINDS | {"manual"}


def kinds_in(check: Check | Mapping[str, Any]) -> Iterator[str]:
    """Every check kind in a check tree, the nested ones included."""
    data = check.model_dump() if isinstance(check, Check) else check
    kind = data.get("kind")
    if isinstance(kind, str):
        yield kind
    for nested in data.get("checks") or []:
        if isinstance(nested, Mapping):
            yield from kinds_in(nested)


def judged_offline(check: Check | Mapping[str, Any]) -> bool:
    """True when no `aws`, `k8s_live` or `manual` check is anywhere in the tree."""
    return not any(kind in NOT_OFFLINE for kind in kinds_in(check))


def needs(check: Check | Mapping[str, Any]) -> str:
    """`offline`, `live` (an aws or k8s_live check in the tree) or `manual` (a person)."""
    kinds = set(kinds_in(check))
    if "manual" in kinds:
        return "manual"
    if kinds & LIVE_KINDS:
        return "live"
    return "offline"


def offline_criteria(roadmap: Roadmap) -> list[str]:
    """The ids of the acceptance criteria that can be judged offline, in roadmap order."""
    return [c.id for _, c in roadmap.criteria() if judged_offline(c.check)]


def offline_summary(results: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """verify's `summary.offline`: the offline criteria, and how many pass, fail, error and
    are otherwise (skip, waived). A result row says `offline` (verify writes it)."""
    rows = [r for r in results if r.get("type") == "criterion" and r.get("offline") is True]
    counts = {"criteria": len(rows), "pass": 0, "fail": 0, "error": 0, "other": 0}
    for row in rows:
        status = row.get("status")
        key = status if status in ("pass", "fail", "error") else "other"
        counts[str(key)] += 1
    return counts
