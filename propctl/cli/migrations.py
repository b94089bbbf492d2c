"""`propctl migrations init|new|upgrade|downgrade|current|heads|check --service S`: Alembic for a
service, through Alembic's Python API (Task 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import FormatOption, OutputOption, RepoOption, TableJson
from propctl.cli.scaffold.database import Service, one_paragraph
from propctl.cli.scaffold.run import DryRun, Force, Merge, run_generation
from propctl.errors import FailureFound

if TYPE_CHECKING:
    from propctl.api.migrations import MigrationsRequest
    from propctl.cli.app import App
    from propctl.migrations.runner import Movement, Revision

DatabaseUrl = Annotated[
    Optional[str],
    typer.Option(  # noqa: UP045 - typer needs Optional
        "--database-url",
        help="SQLAlchemy URL (default: DATABASE_URL, else the service's SQLite file).",
    ),
]

EPILOG = (
    "Examples:\n\n"
    "  propctl migrations init --service api\n\n"
    '  propctl migrations new "Initial schema" --service api\n\n'
    "  propctl migrations upgrade --service api --database-url postgresql+psycopg://u:p@host/db\n\n"
    "  propctl migrations check --service api      exit 1 when models and migrations disagree\n\n"
    "Unreachable database: exit 2 with the URL (password masked) and the driver's reason."
)

migrations_app = typer.Typer(
    name="migrations",
    help="Alembic migrations for a service, SQLite by default.",
    epilog=EPILOG,
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def register(root: typer.Typer) -> None:
    for function, example in (
        (init, "init --service api --dry-run"),
        (new, 'new "add agent email" --service api'),
        (upgrade, "upgrade head --service api"),
        (downgrade, "downgrade base --service api"),
        (current, "current --service api"),
        (heads, "heads --service api"),
        (check, "check --service api"),
    ):
        migrations_app.command(
            help=one_paragraph(function.__doc__),
            epilog=f"Example:\n\n  propctl migrations {example}",
            # `downgrade -1`: a relative revision, not an unknown option
            context_settings={"ignore_unknown_options": True} if function is downgrade else None,
        )(function)
    root.add_typer(migrations_app, name="migrations")


def _request(app: App, service: str, url: str | None) -> MigrationsRequest:
    from propctl.api.migrations import MigrationsRequest

    return MigrationsRequest(app.repo, app.load_roadmap(), service, url)


def init(
    ctx: typer.Context,
    service: Service = "api",
    repo: RepoOption = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: FormatOption = TableJson.table,
) -> None:
    """Write the Alembic environment (alembic.ini, migrations/env.py wired to the service's
    Base and settings, migrations/versions/). Needs `scaffold database` first."""
    from propctl.generators.migrations import migrations_generation

    app = get_app(ctx).with_repo(repo)
    generation = migrations_generation(app.load_roadmap(), app.repo, service)
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)


def new(
    ctx: typer.Context,
    message: Annotated[str, typer.Argument(help="What the revision does.")],
    service: Service = "api",
    database_url: DatabaseUrl = None,
    repo: RepoOption = None,
    empty: Annotated[
        bool, typer.Option("--empty", help="Write an empty revision to fill in by hand.")
    ] = False,
    fmt: FormatOption = TableJson.table,
) -> None:
    """Autogenerate a revision by comparing the models with the database (which must be at
    head). Refused when nothing changed (unless --empty) or when the history has 2+ heads."""
    from propctl.api.migrations import new_revision

    app = get_app(ctx).with_repo(repo)
    revision = new_revision(_request(app, service, database_url), message, empty=empty)
    if fmt == TableJson.json:
        app.emit_json(revision.as_json())
        return
    app.emit(f"{revision.id}  {revision.message}  ->  {revision.path}")
    if revision.formatted_by:
        app.info(f"formatted with {revision.formatted_by} (the repository's formatter)")
    app.info(f"next: propctl migrations upgrade --service {service}")


def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    service: Service = "api",
    database_url: DatabaseUrl = None,
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
) -> None:
    """Apply revisions up to REVISION (default: head), in one transaction where the database
    allows it."""
    from propctl.api import migrations

    app = get_app(ctx).with_repo(repo)
    _report_movement(app, migrations.upgrade(_request(app, service, database_url), revision), fmt)


def downgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision, -1, or base.")],
    service: Service = "api",
    database_url: DatabaseUrl = None,
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
) -> None:
    """Revert revisions down to REVISION (`base` reverts them all)."""
    from propctl.api import migrations

    app = get_app(ctx).with_repo(repo)
    movement = migrations.downgrade(_request(app, service, database_url), revision)
    _report_movement(app, movement, fmt)


def current(
    ctx: typer.Context,
    service: Service = "api",
    database_url: DatabaseUrl = None,
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """The revision(s) the database is at."""
    from propctl.api import migrations

    app = get_app(ctx).with_repo(repo)
    found = migrations.current(_request(app, service, database_url))
    if fmt == TableJson.json:
        app.emit_json(found.as_json(), output)
        return
    app.emit(
        f"{found.database}: {', '.join(found.revisions) or 'base (no revision applied)'}", output
    )


def heads(
    ctx: typer.Context,
    service: Service = "api",
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """The head revision(s) of the history (more than one means a merge is needed)."""
    from propctl.api import migrations

    app = get_app(ctx).with_repo(repo)
    found = migrations.heads(_request(app, service, None))
    if fmt == TableJson.json:
        app.emit_json({"heads": [h.as_json() for h in found]}, output)
        return
    app.emit("\n".join(_line(h) for h in found) or "no revisions yet", output)
    if len(found) > 1:
        app.warn(f"{len(found)} heads: merge them (alembic merge) before the next revision")


def check(
    ctx: typer.Context,
    service: Service = "api",
    database_url: DatabaseUrl = None,
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """Exit 1 when the models and the migrations disagree (for CI), 0 when in sync. Without
    --database-url every revision is first applied to a fresh in-memory SQLite database, which
    also proves that they apply cleanly; a database given by URL must be at head."""
    from propctl.api.migrations import check as check_sync

    app = get_app(ctx).with_repo(repo)
    result = check_sync(_request(app, service, database_url))
    if fmt == TableJson.json:
        app.emit_json(result.as_json(), output)
    if not result.in_sync:
        raise FailureFound(result.summary, hint=result.hint)
    if fmt != TableJson.json:
        app.emit(result.summary, output)


def _line(revision: Revision) -> str:
    return f"{revision.id}  {revision.message}  ({revision.path})"


def _report_movement(app: App, movement: Movement, fmt: TableJson) -> None:
    if fmt == TableJson.json:
        app.emit_json(movement.as_json())
        return
    if not movement.applied:
        app.emit(f"{movement.url}: already at {', '.join(movement.after) or 'base'}")
        return
    for revision in movement.applied:
        app.info(f"  {revision.id}  {revision.message}")
    app.emit(
        f"{movement.url}: {', '.join(movement.before) or 'base'} -> "
        f"{', '.join(movement.after) or 'base'} ({len(movement.applied)} revision(s))"
    )
