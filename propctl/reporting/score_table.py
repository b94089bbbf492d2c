"""The score tables: every dimension against the document's per-tier columns, and one
dimension's contributions (`propctl score --explain`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from propctl.reporting.bars import bar, colour_for, source_line

if TYPE_CHECKING:
    from rich.console import RenderableType

    from propctl.roadmap.progress import Progress
    from propctl.roadmap.score import DimensionScore


def score_view(progress: Progress, explained: DimensionScore | None) -> list[RenderableType]:
    """What `propctl score` prints: every dimension, or one dimension's contributions."""
    items: list[RenderableType] = [f"[bold]SCORE[/bold] · {source_line(progress.record)}"]
    items.append(_explain_table(explained) if explained else _table(progress))
    return items


def _table(progress: Progress) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

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
