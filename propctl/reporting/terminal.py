"""The one way a command's Rich output reaches the user: drawn on the terminal's console, or
as plain text (no colour, 120 columns) for `-o FILE`."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

Draw = Callable[["Console"], None]
PLAIN_WIDTH = 120


class Unwrapped(str):
    """A line printed whole, never wrapped or cropped (a command the user copies)."""

    __slots__ = ()


def drawing(items: Sequence[RenderableType]) -> Draw:
    """A Draw that prints each renderable in turn."""

    def draw(console: Console) -> None:
        for item in items:
            if isinstance(item, Unwrapped):
                console.print(item, soft_wrap=True, markup=False, highlight=False)
            else:
                console.print(item)

    return draw


def plain_text(draw: Draw, width: int = PLAIN_WIDTH) -> str:
    """What `draw` prints, as uncoloured text of `width` columns."""
    from rich.console import Console

    buffer = io.StringIO()
    draw(Console(file=buffer, width=width, no_color=True, highlight=False))
    return buffer.getvalue()
