"""`propctl scaffold gateway`: Kong declarative config for every roadmap service."""

from __future__ import annotations

from typing import Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold._facts import roadmap_facts
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation
from propctl.errors import UserError


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "gateway",
        epilog=("Example: propctl scaffold gateway --namespace propmubi-staging --dry-run"),
    )(gateway)


def gateway(
    ctx: typer.Context,
    namespace: Annotated[
        str | None,
        typer.Option(
            help="Kubernetes namespace of the services (default: Kong's own, so one file serves "
            "every environment)."
        ),
    ] = None,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """An API gateway (Kong, declarative) routing every service in the roadmap, with CORS,
    rate-limit and JWT plugins (Task 11.90-11.95), in gateway/kong.yaml."""
    from propctl.generators.gateway import gateway_generation

    app = get_app(ctx).with_repo(repo)
    roadmap = roadmap_facts(app)
    if not roadmap.services:
        raise UserError("the roadmap lists no services to route")
    run_generation(
        app,
        gateway_generation(roadmap, namespace=namespace),
        dry_run=dry_run,
        fmt=fmt,
        force=force,
        merge=merge,
    )
