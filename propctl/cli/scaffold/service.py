"""`propctl scaffold service NAME --port N` and `propctl scaffold services --all`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold._facts import roadmap_facts
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generations
from propctl.errors import UserError

if TYPE_CHECKING:
    from propctl.cli.app import App


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "service",
        epilog=(
            "Examples:\n\n  propctl scaffold service auth --port 3001 --dry-run\n\n"
            "  propctl scaffold service billing --port 4101 --format json\n\n"
            "The port must be free: not another service's in the roadmap, not a host or "
            "container port in a compose file (docker-compose*.yml, compose*.yml, at the root "
            "or one folder down), not a service already generated here; a clash exits 2 naming "
            "the file and line. The Python version comes from the repo (.python-version, else "
            "requires-python in pyproject.toml, at the root, then in the API's folders; 3.11 "
            "when neither says): the Dockerfile's FROM python:X.Y-slim, requires-python and "
            "ruff's and black's target-version."
        ),
    )(service)
    scaffold_app.command(
        "services", epilog=("Example: propctl scaffold services --all --dry-run --format json")
    )(services)


def service(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Service name without '-service', e.g. auth.")],
    port: Annotated[
        str,
        typer.Option(
            "--port",
            "-p",
            help="Port (1024-65535) no other service uses; the roadmap's port by default.",
        ),
    ] = "",
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """A production-ready FastAPI service under apps/NAME-service/ (Task 11): /api/v1 routers,
    settings from the environment, health and readiness, JSON logs with correlation ids,
    structured errors, JWT, rate limit, Prometheus metrics, Dockerfile, kustomize manifests and
    its own tests."""
    from propctl.generators.service import service_generation

    app = get_app(ctx).with_repo(repo)
    roadmap = roadmap_facts(app)
    if not port:
        declared = {s.name: s.port for s in roadmap.services}
        if name not in declared:
            raise UserError(
                f"--port is required: {name!r} is not one of the roadmap's "
                f"services ({', '.join(declared) or 'none'})"
            )
        port = str(declared[name])
    generation = service_generation(app.repo, roadmap, name, port, _roadmap_file(app))
    run_generations(app, [generation], dry_run=dry_run, fmt=fmt, force=force, merge=merge)


def _roadmap_file(app: App) -> Path:
    from propctl.roadmap.locate import find_roadmap

    return find_roadmap(app.repo, app.roadmap_path)[0]


def services(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Every service the roadmap lists.")] = False,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """Every service of the roadmap (Task 11: nine), each with its declared port. Nothing is
    written if any file of any service is in conflict."""
    from propctl.generators.service import roadmap_services, service_generation

    if not all_:
        raise UserError("say which services: --all (the roadmap's services)")
    app = get_app(ctx).with_repo(repo)
    roadmap = roadmap_facts(app)
    generations = [
        service_generation(app.repo, roadmap, name, port, _roadmap_file(app))
        for name, port in roadmap_services(roadmap)
    ]
    run_generations(app, generations, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
