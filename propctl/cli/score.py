"""`propctl score`: the overall and per-dimension score, and where every point comes from."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import FormatOption, OutputOption, RepoOption, TableJson

EPILOG = (
    "Examples:\n\n  propctl score\n\n  propctl score --explain security\n\n"
    "  propctl score --format json -o score.json"
)


def register(root: typer.Typer) -> None:
    root.command("score", epilog=EPILOG)(score)


def score(
    ctx: typer.Context,
    explain: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            "--explain",
            metavar="DIMENSION",
            help="Every contribution to one dimension (task, completion, impact).",
        ),
    ] = None,
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """Overall and per-dimension score from the latest verify run: a dimension is its baseline
    plus, for each task, completion x impact (capped at 10); overall is their weighted mean."""
    from propctl.api.score import ScoreRequest
    from propctl.api.score import score as compute

    app = get_app(ctx).with_repo(repo)
    result = compute(ScoreRequest(app.repo, app.load_roadmap(), explain))
    if fmt is TableJson.json:
        app.emit_json(result.as_json(), output)
        return
    from propctl.reporting.score_table import score_view

    app.show(score_view(result.progress, result.explained), output)
