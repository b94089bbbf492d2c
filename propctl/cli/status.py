"""`propctl status`: the source document's PROGRESS TRACKER, live from the latest verify run."""

from __future__ import annotations

import typer

from propctl.cli.app import get_app
from propctl.cli.options import FormatOption, OutputOption, RepoOption, TableJson

EPILOG = (
    "Examples:\n\n  propctl status\n\n  propctl status --repo ../platform --format json "
    "-o status.json"
)


def register(root: typer.Typer) -> None:
    root.command("status", epilog=EPILOG)(status)


def status(
    ctx: typer.Context,
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """Progress per tier and task: tasks complete, subtasks done, criteria passing, and the
    score against the tier targets (from <repo>/.propctl/history.jsonl)."""
    from propctl.api.status import StatusRequest
    from propctl.api.status import status as compute

    app = get_app(ctx).with_repo(repo)
    progress = compute(StatusRequest(app.repo, app.load_roadmap()))
    if fmt is TableJson.json:
        app.emit_json(progress.as_json(), output)
        return
    from propctl.reporting.status_table import status_view

    app.show(status_view(progress, tasks=app.verbosity >= 0), output)
