"""The terminal view of a verify run: results grouped by task, then the score, then what the
tree changes in the gate (with --base)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType

STYLE = {
    "pass": "green",
    "fail": "red",
    "error": "magenta",
    "skip": "dim",
    "manual": "yellow",
    "waived": "cyan",
}


def verify_view(doc: dict[str, Any], verbose: bool = False) -> list[RenderableType]:
    """What `propctl verify` prints as a table, on the terminal or to `-o FILE`."""
    return [*render_table(doc, verbose), *gate_changes_lines(doc)]


def render_table(doc: dict[str, Any], verbose: bool = False) -> list[RenderableType]:
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("what was found")
    current = None
    for r in doc["results"]:
        if r["task"] != current:
            current = r["task"]
            table.add_section()
            table.add_row(
                f"[bold]Task {current}[/bold]",
                "",
                "",
                f"[bold]{escape(doc['tasks'].get(str(current), ''))}[/bold]",
            )
        status = r["status"]
        detail = escape(r["message"])
        shown = _worth_showing(r, 5 if verbose else 2) if status in ("fail", "error") else []
        for e in shown:
            where = e.get("file", "") + (f":{e['line']}" if e.get("line") else "")
            text = e["detail"].splitlines()[-1] if e["detail"] else ""
            detail += f"\n  [dim]{escape(where + ': ' if where else '')}{escape(text[:140])}[/dim]"
        table.add_row(r["id"], f"[{STYLE[status]}]{status}[/{STYLE[status]}]", r["kind"], detail)
    return [table, *summary_lines(doc)]


def _worth_showing(result: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Evidence that adds to the message: located items first, repeats of the message never."""
    message = result["message"]
    fresh = [
        e for e in result["evidence"] if e["detail"] not in message and message not in e["detail"]
    ]
    located = [e for e in fresh if e.get("file")]
    return (located + [e for e in fresh if not e.get("file")])[:limit]


def summary_lines(doc: dict[str, Any]) -> list[str]:
    counts = " · ".join(f"[{STYLE[k]}]{v} {k}[/{STYLE[k]}]" for k, v in doc["summary"].items() if v)
    dims = ", ".join(f"{k} {v:.1f}" for k, v in doc["score"]["dimensions"].items())
    from rich.markup import escape

    lines = [counts, f"[bold]score {doc['score']['overall']:.1f}/10[/bold]  ({dims})"]
    if doc["problems"]:
        lines += ["[red bold]the run fails:[/red bold]"] + [
            f"  [red]- {escape(p)}[/red]" for p in doc["problems"]
        ]
    return lines


def gate_changes_lines(doc: dict[str, Any]) -> list[RenderableType]:
    """With --base: what the tree changes in the gate, reported and not applied."""
    from rich.text import Text

    changes = doc.get("gate_changes")
    if not changes:
        return []
    base = doc.get("base") or {}
    lines: list[RenderableType] = [
        Text(
            f"gate changes in this tree, not applied (the gate is {base.get('ref')}'s: "
            f"{base.get('roadmap')}); they take effect once merged:",
            style="bold yellow",
        )
    ]
    lines += [
        Text(f"  {c['change']:<8} {c['what']:<11} {c['id']:<10} {c['detail']}  ({c['file']})")
        for c in changes
    ]
    return lines
