"""Start-up: Typer's help renderer imports `rich.markdown` (and with it markdown-it) at import
time, about a third of `propctl --help`, although propctl's help never uses Markdown markup.
Until something really uses it, `rich.markdown` is a stand-in that loads the real module on
first use."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _DeferredModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system probes __path__ etc.: not a use
            raise AttributeError(name)
        return getattr(_real(), name)


def _real() -> types.ModuleType:
    module = sys.modules.get("rich.markdown")
    if isinstance(module, _DeferredModule):
        del sys.modules["rich.markdown"]
        module = importlib.import_module("rich.markdown")
    return module  # type: ignore[return-value]


class _Markdown:
    """Stands in for `rich.markdown.Markdown` in annotations; building one builds the real one."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        return _real().Markdown(*args, **kwargs)


def defer_rich_markdown() -> None:
    if "rich.markdown" in sys.modules:
        return
    stand_in = _DeferredModule("rich.markdown")
    stand_in.Markdown = _Markdown  # type: ignore[attr-defined]
    sys.modules["rich.markdown"] = stand_in
