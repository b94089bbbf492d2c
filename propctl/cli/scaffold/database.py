"""`propctl scaffold database --service S`: SQLAlchemy engine, sessions and pool (Task 1)."""

from __future__ import annotations

from typing import Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation

Service = Annotated[
    str,
    typer.Option(
        "--service",
        "-s",
        help="`api` (the roadmap's paths.api, apps/api) or a roadmap service "
        "(apps/<name>-service).",
    ),
]


def one_paragraph(doc: str | None) -> str:
    """Docstrings wrap at 100 columns; Typer's rich help would keep those breaks."""
    return " ".join((doc or "").split())


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "database",
        help=one_paragraph(database.__doc__),
        epilog=(
            "Example:\n\n  propctl scaffold database --service api --dry-run\n\n"
            'Then: propctl scaffold repository Agent --service api --fields "name:str, '
            'phone:str"; propctl migrations init --service api.'
        ),
    )(database)


def database(
    ctx: typer.Context,
    service: Service = "api",
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """The service's database.py: a SQLAlchemy 2.0 engine with a bounded pool (20 connections,
    pre-ping, timeouts; DB_POOL_SIZE etc.), sessions, a declarative Base. The URL comes from
    DATABASE_URL; SQLite beside the service when it is unset."""
    from propctl.generators.database import database_generation

    app = get_app(ctx).with_repo(repo)
    generation = database_generation(app.load_roadmap(), app.repo, service)
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
