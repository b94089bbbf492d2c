"""`propctl status`: the source document's PROGRESS TRACKER, live from the latest verify run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from propctl.cli.app import App, get_app
from propctl.cli.options import FormatOption, OutputOption, RepoOption, TableJson

EPILOG = (
    "Examples:\n\n  propctl status\n\n  propctl status --repo ../platform --format json "
    "-o status.json\n\n  propctl status --remaining   what is left, with the commands that "
    "close it"
)


def register(root: typer.Typer) -> None:
    root.command("status", epilog=EPILOG)(status)


def status(
    ctx: typer.Context,
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
    remaining: Annotated[
        bool,
        typer.Option(
            "--remaining",
            help="List the criteria still open instead: offline ones the repo fails, live "
            "ones with the `infra up` and `verify --live` that would close them, manual ones "
            "with a ready `propctl attest` line.",
        ),
    ] = False,
) -> None:
    """Progress per tier and task: tasks complete, subtasks done, criteria passing, and the
    score against the tier targets (from <repo>/.propctl/history.jsonl)."""
    from propctl.api.status import StatusRequest
    from propctl.api.status import status as compute

    app = get_app(ctx).with_repo(repo)
    if remaining:
        _remaining(app, repo, fmt, output)
        return
    progress = compute(StatusRequest(app.repo, app.load_roadmap()))
    if fmt is TableJson.json:
        app.emit_json(progress.as_json(), output)
        return
    from propctl.reporting.status_table import status_view

    app.show(status_view(progress, tasks=app.verbosity >= 0), output)


def _remaining(app: App, repo: Path | None, fmt: TableJson, output: Path | None) -> None:
    from propctl.api.remaining import RemainingRequest
    from propctl.api.remaining import remaining as compute

    shown = str(repo) if repo is not None else str(app.repo)
    result = compute(RemainingRequest(app.repo, app.load_roadmap(), shown))
    if fmt is TableJson.json:
        app.emit_json(result.as_json(), output)
        return
    from propctl.reporting.remaining_view import remaining_view

    app.show(remaining_view(result), output)
