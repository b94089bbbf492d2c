"""`propctl scaffold add CONCERN --service api`: harden the existing API (issues 9 and 18.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

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
Python = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11 annotations at runtime
    typer.Option(
        "--python",
        help="The app's interpreter for the import check (default: <repo>/.venv/bin/python, "
        "else propctl's own).",
        dir_okay=False,
    ),
]

NoImportCheck = Annotated[
    bool,
    typer.Option(
        "--no-import-check",
        help="Do not import the app before and after writing (its import has side effects you "
        "do not want run, or its Python is elsewhere); the change is then not judged.",
    ),
]

EPILOG = (
    "Examples:\n\n"
    "  propctl scaffold add security --service api --dry-run\n\n"
    "  propctl scaffold add errors logging health --service api\n\n"
    "  propctl scaffold add all --service api --python backend/.venv/bin/python\n\n"
    "Each concern's modules land at the roadmap's file names in the app's folder (paths.api: "
    "config.py, middleware/auth.py, exceptions.py, logging_config.py, cache/, "
    "tasks/cache_warmer.py, routers/health.py ...) and register in the generated "
    "app_platform.py. The app's layout decides the imports: a flat app (apps/api/main.py) gets "
    "`from app_platform import ...`, a package (backend/app/__init__.py) `from app.app_platform "
    "import ...`; an app with its own settings class (app/core/config.py) gets the concerns' "
    "settings as a subclass of it in core/platform_settings.py, never a second config.py. "
    "main.py gets the import and `install_platform(app)` at its end (refused, with the lines to "
    "add by hand, when main.py has no single module-level `app = FastAPI(...)`).\n\n"
    "After writing, the app is imported in its own Python (--python, else <repo>/.venv): if it "
    "imported before and not after, every file is put back and the command exits 1 with the "
    "error; if it did not import before, the change is kept and the command says why (see "
    "`propctl doctor --repo DIR`). Running it again changes nothing."
)


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command("add", epilog=EPILOG)(add)


def add(
    ctx: typer.Context,
    concerns: Concerns,
    service: Service = "api",
    repo: Repo = None,
    python: Python = None,
    no_import_check: NoImportCheck = False,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """Add security, errors, logging, cache, versioning or health to the existing FastAPI app
    (Tasks 2, 3, 5, 6, 7, 9), from the same parts `scaffold service` uses."""
    from propctl.checks.support.target_python import target_python
    from propctl.generators.concerns import add_generation, app_target, parse_concerns
    from propctl.generators.target.import_check import ImportBroken, not_judged, try_import

    app = get_app(ctx).with_repo(repo)
    roadmap = app.load_roadmap()
    generation = add_generation(app.repo, roadmap, service, parse_concerns(concerns))
    if dry_run or no_import_check:
        run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
        if not dry_run:
            app.warn("import check skipped (--no-import-check): the change was not judged")
        return
    layout, attribute = app_target(app.repo, roadmap)
    interpreter = target_python(app.repo, python)
    where = f"{layout.app_module}{':' + attribute if attribute else ''} (under {interpreter})"
    before = try_import(app.repo, layout, interpreter, attribute)

    def still_imports() -> None:
        after = try_import(app.repo, layout, interpreter, attribute)
        if not after.ok:
            raise ImportBroken(where, after)

    run_generation(
        app,
        generation,
        dry_run=False,
        fmt=fmt,
        force=force,
        merge=merge,
        check=still_imports if before.ok else None,
    )
    if before.ok:
        app.info(f"import check: {where} imports after the change")
    else:
        app.warn(not_judged(where, before, app.repo))
