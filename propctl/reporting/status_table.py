"""The PROGRESS TRACKER tables: per tier, per task, and the score line under them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from propctl.reporting.bars import bar, colour_for, source_line

if TYPE_CHECKING:
    from rich.console import RenderableType

    from propctl.roadmap.progress import Progress


def status_view(progress: Progress, *, tasks: bool = True) -> list[RenderableType]:
    """What `propctl status` prints (`tasks=False` under --quiet)."""
    items: list[RenderableType] = [
        f"[bold]PROGRESS TRACKER[/bold] · {source_line(progress.record)}",
        _tier_table(progress),
        _score_line(progress),
    ]
    if tasks:
        items.append(_task_table(progress))
    return items


def _tier_table(progress: Progress) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("Tier", "Weeks", "Tasks", "Subtasks", "Criteria", "Progress", "Doc/Model"):
        table.add_column(
            column, justify="left" if column in ("Tier", "Progress") else "right", no_wrap=True
        )
    for tier in progress.tiers:
        declared = f"{tier.target_declared:.1f}" if tier.target_declared is not None else "-"
        table.add_row(
            f"{tier.number} {escape(tier.name)}",
            f"{tier.weeks[0]}-{tier.weeks[1]}",
            f"{tier.tasks_complete}/{len(tier.tasks)}",
            f"{tier.total('subtasks_done')}/{tier.total('subtasks')}",
            f"{tier.total('criteria_passing')}/{tier.total('criteria')}",
            bar(tier.completion, 10),
            f"{declared} / {tier.target_modelled:.2f}",
        )
    totals = progress.as_json()["totals"]
    table.add_row(
        "[bold]All[/bold]",
        "",
        f"{totals['tasks_complete']}/{totals['tasks']}",
        f"{totals['subtasks_done']}/{totals['subtasks']}",
        f"{totals['criteria_passing']}/{totals['criteria']}",
        bar(totals["criteria_passing"] / (totals["criteria"] or 1), 10),
        "",
    )
    return table


def _score_line(progress: Progress) -> str:
    from rich.markup import escape

    score = progress.score.overall
    nxt = next((t for t in progress.tiers if t.tasks_complete < len(t.tasks)), None)
    if nxt is None:
        return f"Score [bold green]{score:.2f}[/bold green]/10 · every tier is complete"
    colour = colour_for(score, nxt.target_modelled)
    declared = f"{nxt.target_declared:g}" if nxt.target_declared is not None else "-"
    return (
        f"Score [bold {colour}]{score:.2f}[/bold {colour}]/10 · next: tier {nxt.number} "
        f"({escape(nxt.name)}), target {declared} declared, {nxt.target_modelled:.2f} by the "
        "model · `propctl score --explain DIMENSION` shows where points come from"
    )


def _task_table(progress: Progress) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("", "Task", "Priority", "Criteria", "Subtasks", "Completion"):
        table.add_column(
            column,
            justify="right" if column in ("Criteria", "Subtasks") else "left",
            no_wrap=column != "Task",
            overflow="ellipsis",
        )
    for tier in progress.tiers:
        for task in tier.tasks:
            mark = "[green]✔[/green]" if task.complete else "☐"
            table.add_row(
                mark,
                f"{task.id}. {escape(task.title)}",
                task.priority,
                f"{task.criteria_passing}/{task.criteria}",
                f"{task.subtasks_done}/{task.subtasks}",
                bar(task.completion, 10),
            )
    return table
