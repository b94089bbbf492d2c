"""`propctl scaffold service NAME --port N` and `propctl scaffold services --all`."""

from __future__ import annotations

from typing import Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold._facts import roadmap_facts
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generations
from propctl.errors import UserError


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "service", epilog=("Example: propctl scaffold service auth --port 3001 --dry-run")
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
    generation = service_generation(app.repo, roadmap, name, port)
    run_generations(app, [generation], dry_run=dry_run, fmt=fmt, force=force, merge=merge)


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
        service_generation(app.repo, roadmap, name, port)
        for name, port in roadmap_services(roadmap)
    ]
    run_generations(app, generations, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
