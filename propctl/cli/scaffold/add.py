"""`propctl scaffold add CONCERN --service api`: harden the existing API (issue 9)."""

from __future__ import annotations

from typing import Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation

Concerns = Annotated[
    list[str],
    typer.Argument(
        help="security, errors, logging, cache, versioning, health (several, comma-separated, or "
        "all).",
        show_default=False,
    ),
]
Service = Annotated[
    str, typer.Option("--service", "-s", help="The app to harden: api (the roadmap's paths.api).")
]

EPILOG = (
    "Examples:\n\n"
    "  propctl scaffold add security --service api --dry-run\n\n"
    "  propctl scaffold add errors logging health --service api\n\n"
    "  propctl scaffold add all --service api\n\n"
    "Each concern's modules land at the roadmap's file names in apps/api (config.py, "
    "middleware/auth.py, exceptions.py, logging_config.py, cache/, tasks/cache_warmer.py, "
    "routers/health.py ...) and register in the generated app_platform.py; main.py gets "
    "`from app_platform import install as install_platform` and `install_platform(app)` at its "
    "end (shown in --dry-run; refused, with the lines to add by hand, when main.py has no single "
    "module-level `app = FastAPI(...)`). Running it again changes nothing."
)


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command("add", epilog=EPILOG)(add)


def add(
    ctx: typer.Context,
    concerns: Concerns,
    service: Service = "api",
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """Add security, errors, logging, cache, versioning or health to the existing FastAPI app
    (Tasks 2, 3, 5, 6, 7, 9), from the same parts `scaffold service` uses."""
    from propctl.generators.concerns import add_generation, parse_concerns

    app = get_app(ctx).with_repo(repo)
    generation = add_generation(app.repo, app.load_roadmap(), service, parse_concerns(concerns))
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
