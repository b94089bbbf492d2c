"""The few roadmap facts generators need (paths, services, CORS origins, environments), as a view
they can take whatever holds them: `RoadmapView` is a loaded `Roadmap`, and it is `RoadmapFacts`,
the plain frozen copy `scaffold service` and `scaffold gateway` read from a cache instead of
validating the whole roadmap on every run (`propctl/cli/scaffold/_facts.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap


class ServiceView(Protocol):
    """A roadmap service: its name (without `-service`) and its port."""

    @property
    def name(self) -> str: ...
    @property
    def port(self) -> int: ...


class EnvironmentView(Protocol):
    """A roadmap environment: its role, Kubernetes namespace, Pulumi stack and API host."""

    @property
    def name(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def stack(self) -> str: ...
    @property
    def host(self) -> str: ...


class RoadmapView(Protocol):
    """What the generators read of a roadmap."""

    @property
    def paths(self) -> Mapping[str, str]: ...
    @property
    def services(self) -> Sequence[ServiceView]: ...
    @property
    def cors_origins(self) -> Sequence[str]: ...
    @property
    def environments(self) -> Sequence[EnvironmentView]: ...


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

    @classmethod
    def of(cls, roadmap: Roadmap) -> RoadmapFacts:
        """The facts of a loaded (validated) roadmap."""
        return cls(
            dict(roadmap.paths),
            [ServiceFact(s.name, s.port, s.title) for s in roadmap.services],
            list(roadmap.cors_origins),
            [EnvironmentFact(**e.as_dict()) for e in roadmap.environments],
        )
