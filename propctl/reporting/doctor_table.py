"""The `propctl doctor` tables: the optional tools, and with --repo the target's needs (drawn
from the same document `--format json` prints)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType


def doctor_view(doc: dict[str, Any]) -> list[RenderableType]:
    """What `propctl doctor` prints: the tools table and, with a target, its needs."""
    return [*_tools_table(doc["tools"]), *_target_table(doc.get("target"))]


def _tools_table(tools: list[dict[str, Any]]) -> list[RenderableType]:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for head in ("", "Tool", "Found", "Unlocks"):
        table.add_column(head, overflow="fold")
    for t in tools:
        mark = "[green]✔[/green]" if t["found"] else "[yellow]✘[/yellow]"
        table.add_row(mark, t["name"], t["detail"] if t["found"] else "missing", t["unlocks"])
    missing = [t for t in tools if not t["found"]]
    lines = [f"{len(tools) - len(missing)} of {len(tools)} optional tools present"]
    lines += [f"  install {t['name']}: {t['install']}" for t in missing]
    return [table, "\n".join(lines)]


def _target_table(target: dict[str, Any] | None) -> list[RenderableType]:
    if target is None:
        return []
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold", title_justify="left")
    table.title = f"checks that run code in {target['repo']}"
    for head in ("", "Needs", "Found", "Blocks"):
        table.add_column(head, overflow="fold")
    failing = [f for f in target["findings"] if not f["ok"]]
    for f in target["findings"]:
        mark = "[green]✔[/green]" if f["ok"] else "[red]✘[/red]"
        blocks = ", ".join(f["blocks"][:8]) + (" ..." if len(f["blocks"]) > 8 else "")
        table.add_row(mark, f["name"], f["detail"], blocks if not f["ok"] else "")
    lines = [f"{len(failing)} problem(s): the checks listed will end as `error` until fixed"]
    lines += [f"  fix {f['name']}: {f['fix']}" for f in failing]
    return [table, "\n".join(lines)]
