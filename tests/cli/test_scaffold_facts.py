"""The roadmap facts cache of `scaffold service` / `scaffold gateway` (`cli/scaffold/_facts.py`):
keyed by content (the roadmap's bytes, propctl's version, the bytes of the modules that validate
a roadmap and shape the facts), never by a file's mtime, which a checkout or an install changes
without changing what a full load would give."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from propctl.cli.scaffold import _facts
from propctl.roadmap.facts import EnvironmentFact, RoadmapFacts, ServiceFact

if TYPE_CHECKING:
    from propctl.cli.app import App

FACTS = RoadmapFacts(
    {"api": "apps/api"},
    [ServiceFact("auth", 3001, "Auth")],
    ["http://localhost:3005"],
    [EnvironmentFact("staging", "propmubi-staging", "staging", "api.staging.propmubi.com")],
)


@pytest.fixture
def loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Full loads counted; the roadmap, the cache and the schema sources all under tmp_path."""
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text("services: [{name: auth, port: 3001}]\n")
    sources = []
    for name in ("models.py", "environments.py", "facts.py"):
        source = tmp_path / "schema" / name
        source.parent.mkdir(exist_ok=True)
        source.write_text(f"# {name}\n")
        sources.append(source)
    calls: list[int] = []

    def load(app: App) -> RoadmapFacts:
        calls.append(1)
        return FACTS

    monkeypatch.setattr(_facts, "SCHEMA_SOURCES", tuple(sources))
    monkeypatch.setattr(_facts, "_roadmap_path", lambda app: roadmap)
    monkeypatch.setattr(_facts, "_cache_dir", lambda: tmp_path / "cache")
    monkeypatch.setattr(_facts, "_load", load)
    return calls


def _facts_now() -> RoadmapFacts:
    return _facts.roadmap_facts(cast("App", object()))


def test_a_second_run_reads_the_cache(loads: list[int]) -> None:
    assert _facts_now() == FACTS and _facts_now() == FACTS
    assert len(loads) == 1


def test_a_touched_schema_source_keeps_the_cache(loads: list[int], tmp_path: Path) -> None:
    _facts_now()
    for source in _facts.SCHEMA_SOURCES:
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns + 10**10, stat.st_mtime_ns + 10**10))
    assert _facts_now() == FACTS
    assert len(loads) == 1


@pytest.mark.parametrize("changed", ["models.py", "environments.py", "facts.py"])
def test_a_changed_schema_source_misses(loads: list[int], tmp_path: Path, changed: str) -> None:
    _facts_now()
    (tmp_path / "schema" / changed).write_text("# another schema\n")
    assert _facts_now() == FACTS
    assert len(loads) == 2


def test_a_changed_roadmap_misses(loads: list[int], tmp_path: Path) -> None:
    _facts_now()
    (tmp_path / "roadmap.yaml").write_text("services: [{name: auth, port: 3002}]\n")
    _facts_now()
    assert len(loads) == 2


def test_the_schema_sources_are_the_roadmap_models_and_the_facts() -> None:
    from propctl.roadmap import environments, facts, models

    expected = {Path(m.__file__ or "").resolve() for m in (models, environments, facts)}
    assert set(_facts.SCHEMA_SOURCES) == expected
    assert all(p.is_file() for p in _facts.SCHEMA_SOURCES)
