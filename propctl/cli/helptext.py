"""Help text as the terminal shows it: docstrings are wrapped at 100 columns in the source, so a
paragraph's line breaks are joined before Rich wraps it again at the terminal's width (else a
narrow terminal shows every source line break as a ragged extra break)."""

from __future__ import annotations

import inspect
import re

_ITEM = re.compile(r"^\s*([-*•] |\d+[.)] )")


def reflow(text: str | None) -> str | None:
    """Join the lines of each paragraph; a paragraph of list items or indented lines keeps one
    line per item, its continuation lines joined onto the item."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(_paragraph(p) for p in paragraphs)


def _paragraph(paragraph: str) -> str:
    lines = paragraph.splitlines()
    if paragraph.startswith("\b") or all(line[:1].isspace() for line in lines):
        return paragraph  # Click's no-rewrap marker, or an indented block (an example)
    if not any(_ITEM.match(line) for line in lines):
        return " ".join(line.strip() for line in lines)
    items: list[str] = []
    for line in lines:
        if _ITEM.match(line) or not items:
            items.append(line.rstrip())
        else:
            items[-1] += " " + line.strip()
    return "\n".join(items)
