"""The roadmap as data: models, loader, score model, Markdown import and render.

The names below are imported on first use: `propctl.roadmap.locate` and the other light
modules can be used without loading pydantic."""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "load_roadmap": "loader",
    "parse_roadmap": "loader",
    "Check": "models",
    "Criterion": "models",
    "Roadmap": "models",
    "Subtask": "models",
    "Task": "models",
    "Tier": "models",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
