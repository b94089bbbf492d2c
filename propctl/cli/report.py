"""`propctl report`: where the score stands against the plan, and what to do next."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.options import OutputOption, RepoOption

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
    from propctl.api.report import ReportRequest
    from propctl.api.report import report as build

    app = get_app(ctx).with_repo(repo)
    built = build(ReportRequest(app.repo, app.load_roadmap()))
    if fmt is ReportFormat.table:
        from propctl.reporting.report_table import render as draw

        app.show(lambda console: draw(built, console), output)
        return
    if fmt is ReportFormat.json:
        from propctl.reporting.report_json import render
    elif fmt is ReportFormat.markdown:
        from propctl.reporting.report_markdown import render
    else:
        from propctl.reporting.report_html import render
    app.emit(render(built), output)


def register(root: typer.Typer) -> None:
    root.command("report", epilog=EPILOG)(report)
