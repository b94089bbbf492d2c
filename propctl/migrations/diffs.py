"""Autogenerate's differences between models and database, in words."""

from __future__ import annotations

from typing import Any


def describe_diff(diff: Any) -> str:
    """One autogenerate difference in words: `add column agents.email (VARCHAR(255))`."""
    if isinstance(diff, list):
        return "; ".join(describe_diff(d) for d in diff)
    kind, *rest = diff
    verb = kind.replace("_", " ")
    if kind in ("add_table", "remove_table"):
        return f"{verb} {rest[0].name}"
    if kind in ("add_column", "remove_column"):
        _schema, table, column = rest[:3]
        return f"{verb} {table}.{column.name} ({column.type})"
    if kind in ("add_index", "remove_index"):
        index = rest[0]
        return f"{verb} {index.name} on {index.table.name}"
    if kind.startswith("modify_"):
        _schema, table, column, _existing, old, new = rest[:6]
        return f"{verb} {table}.{column}: {old} -> {new}"
    return f"{verb} {' '.join(str(r) for r in rest if r is not None)}"
