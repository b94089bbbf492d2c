"""Shared by the report tests: a small roadmap (roadmap.yaml beside this file) and verify
histories over it whose report figures are worked out by hand in the tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.models import Roadmap

HERE = Path(__file__).resolve().parent
ROADMAP = HERE / "roadmap.yaml"
CRITERIA = [
    "2.a1",
    "2.a2",
    "2.a3",
    "2.a4",
    "4.a1",
    "4.a2",
    "10.a1",
    "10.a2",
    "10.a3",
    "10.a4",
    "15.a1",
    "15.a2",
    "15.a3",
]


def statuses(passing: set[str], **extra: str) -> dict[str, str]:
    """Every criterion fails but `passing`; 2.a4 is manual (unattested); `extra` by id with
    '_' for '.' (s2_6='pass')."""
    out = {c: "pass" if c in passing else "fail" for c in CRITERIA}
    out["2.a4"] = "pass" if "2.a4" in passing else "manual"
    out.update({k[1:].replace("_", "."): v for k, v in extra.items()})
    return out


def run(time: str, commit: str | None, passing: set[str], **extra: str) -> dict[str, Any]:
    return {
        "time": time,
        "commit": commit,
        "roadmap": "Test roadmap",
        "statuses": statuses(passing, **extra),
        "score": {},
        "summary": {},
    }


THREE_WEEKS = [
    run("2026-01-12T09:00:00Z", "a" * 40, set()),
    run("2026-01-19T09:00:00Z", "b" * 40, {"2.a1", "2.a2", "4.a1"}, s2_6="pass"),
    run("2026-01-26T09:00:00Z", "c" * 40, {"2.a1", "2.a2", "2.a3", "4.a1", "4.a2"}, s2_6="fail"),
]


def small_roadmap() -> Roadmap:
    return load_roadmap(ROADMAP)


def write_history(repo: Path, records: list[dict[str, Any]]) -> Path:
    path = repo / ".propctl" / "history.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def demo_history(roadmap: Roadmap) -> list[dict[str, Any]]:
    """Seven weekly runs over any roadmap: tier 1's criteria turn green week by week, tier 2
    starts in week 5, one check errors in week 3, two criteria regress in the last week."""
    import hashlib

    first = [c.id for task in roadmap.tiers[0].tasks for c in task.acceptance]
    second = [c.id for task in roadmap.tiers[1].tasks for c in task.acceptance]
    manual = {c.id for _, c in roadmap.criteria() if c.check.is_manual}
    plan = [
        set(),
        set(first[:3]),
        set(first[:7]),
        set(first[:10]),
        set(first[:14]),
        set(first[:18] + second[:2]),
        set(first[:16] + second[:5]),
    ]
    records = []
    for week, passing in enumerate(plan):
        record_statuses = {
            c.id: "pass" if c.id in passing else ("manual" if c.id in manual else "fail")
            for _, c in roadmap.criteria()
        }
        if week == 3:
            record_statuses[first[10]] = "error"
        records.append(
            {
                "time": (datetime(2026, 1, 12, 17, tzinfo=UTC) + timedelta(weeks=week))
                .isoformat()
                .replace("+00:00", "Z"),
                "commit": hashlib.sha1(f"demo {week}".encode()).hexdigest(),
                "roadmap": roadmap.name,
                "statuses": record_statuses,
                "score": {},
                "summary": {},
            }
        )
    return records
