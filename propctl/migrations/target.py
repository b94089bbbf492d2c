"""Which folder of the target repo `--service S` names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from propctl.errors import UserError

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap

API = "api"


@dataclass(frozen=True)
class ServiceTarget:
    name: str  # `api` or a roadmap service name
    relpath: str  # repo-relative POSIX path, e.g. apps/api or apps/auth-service
    repo: Path

    @property
    def dir(self) -> Path:
        return self.repo / self.relpath

    @property
    def title(self) -> str:
        return "the API" if self.name == API else f"the {self.name} service"

    def rel(self, *parts: str) -> str:
        return "/".join((self.relpath, *parts))

    @property
    def package(self) -> str:
        """Where the service's code lives: "" for a flat service whose folder is its import root
        (`apps/api`: `from routers import ...`), "app" for a packaged one (`propctl scaffold
        service`: `app/main.py`, only `app/` goes into the image). The database layer goes there
        too, so that it ships with the code that uses it."""
        return "app" if (self.dir / "app" / "__init__.py").is_file() else ""

    @property
    def code_relpath(self) -> str:
        return self.rel(self.package) if self.package else self.relpath

    def module(self, name: str) -> str:
        """`database` -> `database` (flat) or `app.database` (packaged)."""
        return f"{self.package}.{name}" if self.package else name


def known_services(roadmap: Roadmap) -> list[str]:
    return [API, *(s.name for s in roadmap.services)]


def resolve_service(
    roadmap: Roadmap,
    repo: Path,
    name: str,
    *,
    must_exist: bool = True,
) -> ServiceTarget:
    """`api` is `paths.api` (apps/api); a roadmap service is `<paths.services>/<name>-service`.
    Anything else is exit 2, listing the names that work."""
    if name == API:
        relpath = roadmap.paths.get("api", "apps/api")
    elif roadmap.service(name) is not None:
        relpath = f"{roadmap.paths.get('services', 'apps')}/{name}-service"
    else:
        raise UserError(
            f"--service {name!r}: not a service of this roadmap",
            hint="use one of: " + ", ".join(known_services(roadmap)),
        )
    target = ServiceTarget(name, relpath.strip("/"), repo)
    if must_exist and not target.dir.is_dir():
        service = roadmap.service(name)
        hint = (
            f"scaffold it first: propctl scaffold service {name} --port {service.port}"
            if service is not None
            else "the roadmap's paths.api names this folder; run "
            "from the repository root or pass --repo"
        )
        raise UserError(f"--service {name}: {target.dir} does not exist", hint=hint)
    return target
