"""The roadmap facts generators need (`propctl.roadmap.facts.RoadmapFacts`), cached by the
roadmap file's content hash once a full load has validated it. Validating the whole roadmap
costs more than rendering a service (pydantic's models alone take longer to import than Jinja),
and a scaffold command needs three fields of it. A roadmap that changed, a propctl that changed
(its version, or the source of the models that validate a roadmap and of the facts kept), or a
cache that cannot be read: the full load runs again, with its located errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from propctl import __version__
from propctl.roadmap.facts import EnvironmentFact, RoadmapFacts, ServiceFact

if TYPE_CHECKING:
    from propctl.cli.app import App

_ROADMAP = Path(__file__).resolve().parents[2] / "roadmap"
# what decides whether a cached copy is still what a full load would give (small files: hashing
# them costs microseconds; their mtimes change on every checkout and install, their bytes do not)
SCHEMA_SOURCES = tuple(_ROADMAP / name for name in ("models.py", "environments.py", "facts.py"))


def roadmap_facts(app: App) -> RoadmapFacts:
    path = _roadmap_path(app)
    try:
        key = _key(path.read_bytes())
    except OSError:
        return _load(app)
    cached = _cache_dir() / f"{key}.json"
    try:
        data = json.loads(cached.read_text("utf-8"))
        return RoadmapFacts(
            dict(data["paths"]),
            [ServiceFact(**s) for s in data["services"]],
            list(data["cors_origins"]),
            [EnvironmentFact(**e) for e in data["environments"]],
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    facts = _load(app)
    _store(cached, facts)
    return facts


def _roadmap_path(app: App) -> Path:
    from propctl.roadmap.locate import find_roadmap

    return find_roadmap(app.repo, app.roadmap_path)[0]


def _key(raw: bytes) -> str:
    digest = hashlib.sha256(raw + f"\0{__version__}\0".encode())
    for source in SCHEMA_SOURCES:
        try:
            digest.update(hashlib.sha256(source.read_bytes()).digest())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:32]


def _cache_dir() -> Path:
    from propctl.memo import user_cache_dir

    return user_cache_dir("roadmap-facts")


def _load(app: App) -> RoadmapFacts:
    return RoadmapFacts.of(app.load_roadmap())


def _store(path: Path, facts: RoadmapFacts) -> None:
    from propctl.state import atomic_write

    try:
        atomic_write(path, json.dumps(asdict(facts)))
    except OSError:
        pass  # a read-only home: no cache, same results
