"""`propctl score`: the overall and per-dimension score, and where every point comes from."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import FormatOption, OutputOption, RepoOption, TableJson
from propctl.errors import UserError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from propctl.roadmap.models import Roadmap
    from propctl.roadmap.progress import Progress
    from propctl.roadmap.score import DimensionScore

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
    from propctl.cli.bars import show, source_line
    from propctl.roadmap.progress import compute_progress
    from propctl.state import RepoState

    app = get_app(ctx).with_repo(repo)
    roadmap = app.load_roadmap()
    progress = compute_progress(roadmap, RepoState(app.repo).latest())
    dim = _dimension(roadmap, explain) if explain is not None else None
    if fmt is TableJson.json:
        app.emit_json(_json(progress, dim), output)
        return
    items: list[RenderableType] = [f"[bold]SCORE[/bold] · {source_line(progress.record)}"]
    items += [_explain_table(progress.score.dimensions[dim])] if dim else [_table(progress)]
    show(app, items, output)


def _dimension(roadmap: Roadmap, name: str) -> str:
    ids = roadmap.dimension_ids()
    by_name = {d.name.lower(): d.id for d in roadmap.dimensions}
    found = name if name in ids else by_name.get(name.lower())
    if found is None:
        close = difflib.get_close_matches(name, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UserError(
            f"--explain {name!r}: unknown dimension{hint}", hint=f"one of: {', '.join(ids)}"
        )
    return found


def _json(progress: Progress, dim: str | None) -> dict[str, Any]:
    roadmap = progress.roadmap
    out: dict[str, Any] = {**progress.as_json()["score"], "source": progress.as_json()["source"]}
    out["details"] = {
        d.id: {
            "name": d.name,
            "baseline": d.baseline,
            "score": round(s.score, 2),
            "targets": d.targets,
            "weight": d.weight,
            "capped": s.capped,
        }
        for d in roadmap.dimensions
        for s in [progress.score.dimensions[d.id]]
    }
    out["completion"] = {str(k): round(v, 4) for k, v in progress.score.completion.items()}
    if dim is not None:
        out["explain"] = _explain_json(progress.score.dimensions[dim])
    return out


def _explain_json(dim: DimensionScore) -> dict[str, Any]:
    return {
        "dimension": dim.id,
        "name": dim.name,
        "baseline": dim.baseline,
        "score": round(dim.score, 2),
        "capped": dim.capped,
        "contributions": [
            {
                "task": c.task,
                "title": c.title,
                "completion": round(c.completion, 4),
                "impact": c.impact,
                "points": round(c.points, 4),
            }
            for c in dim.contributions
        ],
    }


def _table(progress: Progress) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    from propctl.cli.bars import bar, colour_for

    roadmap = progress.roadmap
    tiers = roadmap.tiers
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Dimension", no_wrap=True)
    for head in ("Current", "Now", *(f"After T{t.number}" for t in tiers)):
        table.add_column(head, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    nxt = next((t.id for t in progress.tiers if t.tasks_complete < len(t.tasks)), None)
    for dim in roadmap.dimensions:
        got = progress.score.dimensions[dim.id].score
        colour = colour_for(got, dim.targets.get(nxt) if nxt else None)
        table.add_row(
            escape(dim.name),
            f"{dim.baseline:.1f}",
            f"[{colour}]{got:.2f}[/{colour}]",
            *(_cell(dim.targets.get(t.id)) for t in tiers),
            bar(got / 10, 10, False),
        )
    overall = progress.score.overall
    modelled = progress.as_json()["score"]["modelled_targets"]
    table.add_row(
        "[bold]Overall[/bold]",
        _cell(roadmap.overall_targets.get("baseline")),
        f"[bold]{overall:.2f}[/bold]",
        *(_cell(roadmap.overall_targets.get(t.id)) for t in tiers),
        bar(overall / 10, 10, False),
    )
    table.add_row(
        "[dim]model reaches[/dim]",
        f"{modelled['baseline']:.2f}",
        "",
        *(f"{modelled[t.id]:.2f}" for t in tiers),
        "",
    )
    table.caption = (
        "After Tn: the document's columns; model reaches: the overall score "
        "with every task of the tiers up to n complete"
    )
    return table


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _explain_table(dim: DimensionScore) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        box=None,
        pad_edge=False,
        header_style="bold",
        title=f"{escape(dim.name)}: baseline {dim.baseline:.1f} + contributions = "
        f"{dim.score:.2f}" + (" (capped at 10)" if dim.capped else ""),
    )
    for head in ("Task", "Completion", "Impact", "Points"):
        table.add_column(head, justify="left" if head == "Task" else "right")
    for c in dim.contributions:
        table.add_row(
            f"{c.task}. {escape(c.title)}",
            f"{c.completion * 100:.0f}%",
            f"{c.impact:+.2f}",
            f"{c.points:+.2f}",
        )
    if not dim.contributions:
        table.add_row("(no task has an impact on this dimension)", "", "", "")
    return table
