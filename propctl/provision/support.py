"""The support table: engine and platform versions with their support dates
(`versions.yaml` of the bundled program; the program reads its own copy to choose versions).

Policies judge a plan against propctl's copy, never the repository's: a table a pull request
can edit could extend any support window it likes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propctl.errors import UserError

ENGINES = ("eks", "postgres", "redis")


@dataclass(frozen=True)
class Window:
    version: str
    released: dt.date
    standard_support_end: dt.date | None  # None: no end announced when the table was checked

    def in_standard_support(self, day: dt.date) -> bool:
        end = self.standard_support_end
        return self.released <= day and (end is None or day < end)


@dataclass(frozen=True)
class SupportTable:
    path: Path
    checked: dt.date
    valid_for_days: int
    engines: dict[str, dict[str, Window]]
    sources: dict[str, str]

    def stale_on(self, day: dt.date) -> bool:
        return (day - self.checked).days > self.valid_for_days

    def window(self, engine: str, version: str) -> Window | None:
        return self.engines.get(engine, {}).get(version)


def bundled_table() -> SupportTable:
    from propctl.resources import infra_dir

    return load_table(infra_dir() / "versions.yaml")


def load_table(path: Path) -> SupportTable:
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
        return _parse(path, data)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{path}: not a valid support table: {exc}") from None


def _parse(path: Path, data: dict[str, Any]) -> SupportTable:
    engines: dict[str, dict[str, Window]] = {}
    for engine in ENGINES:
        engines[engine] = {
            str(version): Window(
                str(version), _date(entry["released"]), _date(entry.get("standard_support_end"))
            )
            for version, entry in data[engine]["versions"].items()
        }
    return SupportTable(
        path=path,
        checked=_date(data["checked"]),
        valid_for_days=int(data["valid_for_days"]),
        engines=engines,
        sources={e: str(data[e]["source"]) for e in ENGINES},
    )


def _date(value: Any) -> Any:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
