"""`propctl status --remaining`: what the latest verify run leaves open, grouped by what would
close it (the repo, a live deploy, a person), with the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from propctl.reporting.bars import source_line

if TYPE_CHECKING:
    from rich.console import RenderableType

    from propctl.roadmap.remaining import Open, Remaining

HEADINGS = {
    "offline": "Offline: the repo does not meet these yet (propctl verify judges them here)",
    "live": "Live: need the deployed stacks, then a live verify",
    "manual": "Manual: a person attests each, with a link to the evidence",
}


def remaining_view(result: Remaining) -> list[RenderableType]:

    items: list[RenderableType] = [f"[bold]WHAT REMAINS[/bold] · {source_line(result.record)}"]
    for needs in ("offline", "live", "manual"):
        group = result.group(needs)
        items.append(f"\n[bold]{HEADINGS[needs]}[/bold]: {len(group)}")
        if needs == "live" and group:
            items += [_command(c, "  ") for c in _live_once(result)]
        for open_ in group:
            items += _lines(open_, show_commands=needs != "live")
    return items


def _live_once(result: Remaining) -> list[str]:
    from propctl.roadmap.remaining import live_commands

    return live_commands(result.stacks, result.repo)


def _command(line: str, indent: str) -> RenderableType:
    """A command the user copies: one line, never wrapped."""
    from propctl.reporting.terminal import Unwrapped

    return Unwrapped(f"{indent}$ {line}")


def _lines(open_: Open, *, show_commands: bool) -> list[RenderableType]:
    from rich.markup import escape

    status = " (error: could not run)" if open_.status == "error" else ""
    out: list[RenderableType] = [f"  {open_.id:<7} {escape(open_.text)}{status}"]
    if open_.contradicts:
        out.append(
            "          cannot hold together with "
            + ", ".join(open_.contradicts)
            + " (see `propctl checklist validate`)"
        )
    if show_commands:
        out += [_command(c, " " * 10) for c in open_.commands]
    return out
