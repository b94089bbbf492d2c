"""The few roadmap facts generators need (paths, services, CORS origins, environments), cached by
the roadmap file's content hash once a full load has validated it. Validating the whole roadmap
costs more than rendering a service (pydantic's models alone take longer to import than Jinja),
and a scaffold command needs three fields of it. A roadmap that changed, a propctl that changed,
or a cache that cannot be read: the full load runs again, with its located errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from propctl import __version__

if TYPE_CHECKING:
    from propctl.cli.app import App


@dataclass(frozen=True)
class ServiceFact:
    name: str
    port: int
    title: str | None = None


@dataclass(frozen=True)
class EnvironmentFact:
    name: str
    namespace: str
    stack: str
    host: str


@dataclass(frozen=True)
class RoadmapFacts:
    paths: dict[str, str]
    services: list[ServiceFact] = field(default_factory=list)
    cors_origins: list[str] = field(default_factory=list)
    environments: list[EnvironmentFact] = field(default_factory=list)


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
    roadmap = Path(__file__).resolve().parents[2] / "roadmap"
    try:
        schema = ",".join(
            str((roadmap / name).stat().st_mtime_ns) for name in ("models.py", "environments.py")
        )
    except OSError:
        schema = "?"
    return hashlib.sha256(raw + f"\0{__version__}\0{schema}".encode()).hexdigest()[:32]


def _cache_dir() -> Path:
    from propctl.memo import user_cache_dir

    return user_cache_dir("roadmap-facts")


def _load(app: App) -> RoadmapFacts:
    roadmap = app.load_roadmap()
    return RoadmapFacts(
        dict(roadmap.paths),
        [ServiceFact(s.name, s.port, s.title) for s in roadmap.services],
        list(roadmap.cors_origins),
        [EnvironmentFact(**e.as_dict()) for e in roadmap.environments],
    )


def _store(path: Path, facts: RoadmapFacts) -> None:
    from propctl.state import atomic_write

    try:
        atomic_write(path, json.dumps(asdict(facts)))
    except OSError:
        pass  # a read-only home: no cache, same results
