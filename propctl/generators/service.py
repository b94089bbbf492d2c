"""The service generator (Task 11): a FastAPI service assembled from one template part per
concern.

A part is a folder `templates/parts/<name>/`:

    files/**        the files it owns, rendered into the app's folder (`.jinja` rendered)
    settings.jinja  optional: fields it adds to `Settings` (included by the settings part)
    settings_validators.jinja  optional: its `Settings` validators (after every part's fields)
    env.jinja       optional: lines it adds to `.env.example`

and an entry in `PARTS` below with what `main.py` must import and call to install it, and the
packages it needs. Adding a concern is one folder plus one line in `PARTS` (and its name in
`SERVICE_PARTS` if every new service gets it). The same entries drive `scaffold add CONCERN`
(issue 9), which turns `imports`/`setup` into patches of an existing `main.py` instead.

Order matters for middleware: `setup` lines run in `SERVICE_PARTS` order and Starlette wraps
each new middleware around the previous ones, so a later part is the outer one (logging, which
assigns the correlation id, is last so every other layer sees it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine import names
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation
from propctl.generators.target import k8s_environments
from propctl.generators.target.repo_python import repo_python
from propctl.generators.target.taken_ports import all_taken, clash
from propctl.state import RepoState

if TYPE_CHECKING:
    from propctl.roadmap.facts import EnvironmentView, RoadmapView

VERSION = "0.1.0"
PYTHON = "3.11"
IMAGE_REGISTRY = "ghcr.io/propmubi"


@dataclass(frozen=True)
class Part:
    name: str
    imports: tuple[str, ...] = ()  # lines for main.py; {pkg} is the package prefix
    setup: tuple[str, ...] = ()  # statements in create_app() after `app = FastAPI()`
    dependencies: tuple[str, ...] = ()
    test_dependencies: tuple[str, ...] = ()


PARTS: dict[str, Part] = {
    part.name: part
    for part in (
        Part(
            "app",
            dependencies=("fastapi>=0.110", "uvicorn>=0.29"),
            test_dependencies=("pytest>=8", "httpx>=0.27", "ruff>=0.5"),
        ),
        Part(
            "settings",
            ("from {pkg}settings import Settings, get_settings",),
            dependencies=("pydantic-settings>=2.2",),
        ),
        Part(
            "errors",
            ("from {pkg}errors import install as install_errors",),
            ("install_errors(app)",),
        ),
        Part("auth", dependencies=("pyjwt>=2.8",)),
        Part(
            "health",
            ("from {pkg}health import router as health_router",),
            ("app.include_router(health_router)",),
            ("sqlalchemy>=2.0", "psycopg[binary]>=3.1", "redis>=5.0"),
        ),
        Part(
            "api",
            ("from {pkg}api.v1 import router as v1_router",),
            ("app.include_router(v1_router)",),
        ),
        Part(
            "client",
            ("from {pkg}internal import router as internal_router",),
            ("app.include_router(internal_router)",),
            ("httpx>=0.27", "pybreaker>=1.2"),
        ),
        Part(
            "versioning",
            ("from {pkg}versioning import install as install_versioning",),
            ("install_versioning(app)",),
        ),
        Part(
            "metrics",
            ("from {pkg}metrics import install as install_metrics",),
            ("install_metrics(app)",),
            ("prometheus-client>=0.20",),
        ),
        Part(
            "logging",
            ("from {pkg}logs import install as install_logging",),
            ("install_logging(app, settings)",),
        ),
        Part("docker"),
        Part("k8s"),
    )
}

SERVICE_PARTS: tuple[str, ...] = tuple(PARTS)


def service_dir(roadmap_paths: Mapping[str, str], name: str) -> str:
    return f"{roadmap_paths.get('services', 'apps').rstrip('/')}/{name}-service"


def variables(
    name: str,
    port: int,
    parts: tuple[str, ...] = SERVICE_PARTS,
    pkg: str = "app.",
    python: str = PYTHON,
    environments: Sequence[EnvironmentView] | None = None,
    repo: Path | None = None,
) -> dict[str, Any]:
    """`environments`: the roadmap's (`roadmap.environments`); None: the defaults."""
    chosen = [PARTS[p] for p in parts]
    service = f"{name}-service"
    return {
        "name": name,
        "service": service,
        "port": port,
        "version": VERSION,
        "python": python,
        "title": f"{name.replace('-', ' ').capitalize()} service",
        "pkg": pkg,
        "image": f"{IMAGE_REGISTRY}/{service}",
        "parts": list(parts),
        "imports": sorted(line.format(pkg=pkg) for part in chosen for line in part.imports),
        "setup": [line for part in chosen for line in part.setup],
        "dependencies": sorted({d for part in chosen for d in part.dependencies}),
        "test_dependencies": sorted({d for part in chosen for d in part.test_dependencies}),
        **k8s_environments.variables(environments, repo),
    }


def render_parts(parts: tuple[str, ...], context: dict[str, Any], dest: str) -> list[FileSpec]:
    files: list[FileSpec] = []
    for part in parts:
        if part not in PARTS:
            raise UserError(f"unknown part {part!r}; known: {', '.join(PARTS)}")
        files.extend(render_dir(f"parts/{part}/files", context, dest=dest))
    return files


def service_generation(
    repo: Path, roadmap: RoadmapView, name: str, port: int | str, roadmap_file: Path | None = None
) -> Generation:
    """Validate the name and port (against the roadmap, the compose files and the services
    already here), then render the whole service for the repo's Python."""
    name = names.service_name(name)
    _refuse_taken(repo, roadmap, roadmap_file, name, port)
    number = names.port(
        port,
        service=name,
        roadmap_services=roadmap.services,
        repo=repo,
        generated=RepoState(repo).generated(),
    )
    dest = names.safe_relpath(service_dir(roadmap.paths, name))
    api = roadmap.paths.get("api", "apps/api").strip("/")
    python = repo_python(repo, (api, api.rpartition("/")[0])).version
    files = render_parts(
        SERVICE_PARTS,
        variables(name, number, python=python, environments=roadmap.environments, repo=repo),
        dest,
    )
    return Generation("service", {"name": name, "port": number}, list(files))


def _refuse_taken(
    repo: Path, roadmap: RoadmapView, roadmap_file: Path | None, name: str, port: int | str
) -> None:
    try:
        number = int(str(port).strip())
    except ValueError:
        return  # names.port says what is wrong with it
    taken = clash(repo, roadmap_file, roadmap.services, name, number)
    if taken is None:
        return
    used = all_taken(repo, roadmap.services)
    free = next(p for p in range(3001, 65536) if p not in used)
    raise UserError(
        f"--port {number}: {taken.describe()}",
        hint=f"pick a port nothing here uses, e.g. {free}",
    )


def roadmap_services(roadmap: RoadmapView) -> list[tuple[str, int]]:
    if not roadmap.services:
        raise UserError(
            "the roadmap lists no services",
            hint="add `services: [{name: auth, port: 3001}, ...]` to the roadmap",
        )
    return [(s.name, s.port) for s in roadmap.services]
