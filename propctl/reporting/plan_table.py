"""A generator's plan as the terminal shows it: a table of actions, the counts, the diffs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from propctl.generators.engine.specs import Plan
    from propctl.reporting.terminal import Draw

_STYLE = {
    "create": "green",
    "update": "cyan",
    "merge": "cyan",
    "patch": "cyan",
    "adopt": "cyan",
    "identical": "dim",
    "skip": "dim",
    "conflict": "bold red",
    "refused": "bold red",
    "deleted": "yellow",
    "obsolete": "yellow",
}


def plan_view(the_plan: Plan, *, verbosity: int, show_diff: bool) -> Draw:
    """The plan as a table (identical and skipped files only with verbosity > 0), its counts,
    and with `show_diff` each file's unified diff."""
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{the_plan.generation.generator}: {_params(the_plan)}",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("action")
    table.add_column("path", overflow="fold")
    table.add_column("why", overflow="fold")
    quiet_rows = ("identical", "skip") if verbosity <= 0 else ()
    for action in the_plan.actions:
        if action.action not in quiet_rows:
            table.add_row(
                Text(action.action, style=_STYLE.get(action.action, "")),
                Text(action.path),
                Text(action.reason),
            )
    counts = plan_counts(the_plan)
    hidden = " (-v lists the unchanged files)" if table.row_count < len(the_plan.actions) else ""

    def draw(console: Console) -> None:
        if table.row_count:
            console.print(table)
        console.print(f"plan: {counts}{hidden}", markup=False, highlight=False)
        if show_diff:
            for action in the_plan.actions:
                _print_diff(console, action.diff())

    return draw


def plan_counts(the_plan: Plan) -> str:
    counts = ", ".join(f"{n} {name}" for name, n in the_plan.counts().items())
    return counts or "nothing to do"


def quiet_lines(the_plan: Plan) -> str:
    """--quiet: the files that matter and the counts, as plain text."""
    lines = [
        f"{a.action} {a.path}: {a.reason}"
        for a in the_plan.by_action("conflict", "refused", "deleted", "obsolete", "merge", "adopt")
    ]
    return "\n".join([*lines, f"plan: {plan_counts(the_plan)}"])


def _print_diff(console: Console, diff: str) -> None:
    for line in diff.splitlines():
        style = (
            "bold"
            if line.startswith(("---", "+++"))
            else "green"
            if line.startswith("+")
            else "red"
            if line.startswith("-")
            else "cyan"
            if line.startswith("@@")
            else ""
        )
        console.print(line, style=style or None, markup=False, highlight=False, soft_wrap=True)


def _params(the_plan: Plan) -> str:
    return " ".join(f"{k}={v}" for k, v in the_plan.generation.params.items()) or "-"
