"""`propctl init`: declare this repo the target of the roadmap (`.propctl/target.yaml`)."""

from __future__ import annotations

import typer

from propctl.cli.app import get_app
from propctl.cli.options import DryRunOption, FormatOption, RepoOption, TableJson

EPILOG = (
    "Examples:\n\n"
    "  propctl init --repo . --dry-run     show the declaration, write nothing\n\n"
    "  propctl init                        the current repo: the bundled roadmap's target\n\n"
    "  propctl --roadmap checklists/roadmap.yaml init --format json\n\n"
    "Until a repo is initialised, the bundled roadmap's command and asgi checks (which run "
    "formatters, tests and the app) are `skip` there, and verify writes nothing into it. "
    "Commit .propctl/target.yaml."
)


def register(root: typer.Typer) -> None:
    root.command("init", epilog=EPILOG)(init)


def init(
    ctx: typer.Context,
    repo: RepoOption = None,
    dry_run: DryRunOption = False,
    fmt: FormatOption = TableJson.table,
) -> None:
    """Declare the repo the target of the roadmap: verify may then run its programs here."""
    from propctl.api.init import InitRequest
    from propctl.api.init import init as run_init

    app = get_app(ctx).with_repo(repo)
    result = run_init(InitRequest(repo=app.repo, roadmap=app.roadmap_path, dry_run=dry_run))
    if fmt is TableJson.json:
        app.emit_json(result.as_json())
        return
    where = app.repo / result.path
    if result.action == "identical":
        app.info(f"{where}: already the target of this roadmap; nothing to do")
        return
    if dry_run:
        app.emit(result.text)
        app.info(f"dry run: {where} not written ({result.action})")
        return
    was = f" (was the target of {result.previous!r})" if result.previous else ""
    app.info(f"{result.action}: {where}{was}; commit it")
