"""`propctl scaffold repository ENTITY --service S --fields ...`: model + repository (Task 1)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.database import Service, one_paragraph
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation

Fields = Annotated[
    Optional[str],
    typer.Option(  # noqa: UP045 - typer needs Optional
        "--fields",
        help='Columns as "name:str, price:int, agent_id:int?" (`?`: nullable). Types: '
        "str, text, int, bigint, float, bool, decimal, date, datetime, json. Default: name:str. "
        "Every model also gets id, created_at, updated_at.",
    ),
]


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "repository",
        help=one_paragraph(repository.__doc__),
        epilog=(
            'Example:\n\n  propctl scaffold repository Lead --service api --fields "name:str, '
            'phone:str, project_id:int, message:text, status:str, agent_id:int?"\n\n'
            'Then add a migration: propctl migrations new "add leads" --service api.'
        ),
    )(repository)


def repository(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="The model class, e.g. Agent.")],
    service: Service = "api",
    fields: Fields = None,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """A SQLAlchemy model, its repository (get, list with pagination and filters, count, add,
    update, delete) and its tests, under the service's models/, repositories/ and tests/."""
    from propctl.generators.repository import repository_generation

    app = get_app(ctx).with_repo(repo)
    generation = repository_generation(app.load_roadmap(), app.repo, service, entity, fields)
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
