"""`propctl report`: where the score stands against the plan, and what to do next."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from propctl.cli.app import App, get_app
from propctl.cli.options import OutputOption, RepoOption

if TYPE_CHECKING:
    from propctl.reporting.report_model import Report

EPILOG = (
    "Examples:\n\n"
    "  propctl report                                   the terminal view\n\n"
    "  propctl report --format html -o report.html      one self-contained page for leads\n\n"
    "  propctl report --format markdown >> $GITHUB_STEP_SUMMARY\n\n"
    "  propctl report --format json --repo examples/propmubi\n\n"
    "Reads the roadmap and .propctl/history.jsonl (written by `propctl verify`)."
)


class ReportFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    html = "html"
    json = "json"


def report(
    ctx: typer.Context,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = ReportFormat.table,
    output: OutputOption = None,
    repo: RepoOption = None,
) -> None:
    """Progress report for leads: the score over time against the plan, each dimension and
    tier, effort done and left, the forecast finish, the next best actions and what flipped."""
    from propctl.reporting.report_model import build_report
    from propctl.state import RepoState

    app = get_app(ctx).with_repo(repo)
    built = build_report(app.load_roadmap(), RepoState(app.repo).history())
    if fmt is ReportFormat.table:
        _print_table(app, built, output)
        return
    if fmt is ReportFormat.json:
        from propctl.reporting.report_json import render
    elif fmt is ReportFormat.markdown:
        from propctl.reporting.report_markdown import render
    else:
        from propctl.reporting.report_html import render
    app.emit(render(built), output)


def _print_table(app: App, built: Report, output: Path | None) -> None:
    from propctl.reporting.report_table import render

    if output is None:
        render(built, app.console)
        return
    import io

    from rich.console import Console

    buffer = io.StringIO()
    render(built, Console(file=buffer, width=120, no_color=True, highlight=False))
    app.emit(buffer.getvalue(), output)


def register(root: typer.Typer) -> None:
    root.command("report", epilog=EPILOG)(report)
