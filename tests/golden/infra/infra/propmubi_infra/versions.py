"""Versions from the support table (`versions.yaml` beside the program): the EKS version in
standard support on the run's date, and the pinned PostgreSQL major and Redis versions.

The run's date is today (UTC) for a real `pulumi up`; `propctl infra plan` passes the date it
judges the plan on as config `propctl:date`, so the program and the policy agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pulumi
import yaml

TABLE = Path(__file__).resolve().parents[1] / "versions.yaml"


def table() -> dict[str, Any]:
    return yaml.safe_load(TABLE.read_text("utf-8"))


def run_date() -> dt.date:
    given = pulumi.Config("propctl").get("date")
    return dt.date.fromisoformat(given) if given else dt.datetime.now(dt.UTC).date()


def in_standard_support(entry: dict[str, Any], day: dt.date) -> bool:
    end = entry.get("standard_support_end")
    return entry["released"] <= day and (end is None or day < end)


def eks_version(day: dt.date) -> str:
    """The newest EKS version in standard support on `day`."""
    versions = table()["eks"]["versions"]
    current = [v for v, e in versions.items() if in_standard_support(e, day)]
    if not current:
        raise ValueError(
            f"no EKS version in {TABLE.name} is in standard support on {day}: "
            "add the current ones from the EKS release calendar"
        )
    return max(current, key=lambda v: tuple(int(x) for x in v.split(".")))


def postgres_major() -> str:
    return str(table()["postgres"]["use"])


def redis_version() -> str:
    return str(table()["redis"]["use"])
