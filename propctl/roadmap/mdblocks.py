"""A Markdown document as the flat list of blocks the checklist importer reads, each with its
line: parsed by markdown-it-py (CommonMark + tables), so that what counts as a heading, a list
item or a paragraph is what every Markdown viewer shows, not what a line regex guesses.

A paragraph is split into its lines (the source document writes one `**Field**: value` per
line); a list item keeps its raw text (backticks and escapes as written) with a trailing
`<!-- propctl: {...} -->` comment split off."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

COMMENT_START = "<!-- propctl:"
COMMENT_END = "-->"


@dataclass
class Block:
    """kind: heading | line | item | comment | rule | table | other."""

    kind: str
    line: int  # 1-based
    text: str = ""
    level: int = 0  # a heading's level; an item's list depth (0 = top level)
    box: str | None = None  # an item's checkbox: " ", "x", or None without one
    comment: str | None = None  # the JSON of a propctl comment (on the line or on its own)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # a table's rows


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def blocks(text: str) -> list[Block]:
    tokens = _parser().parse(text)
    out: list[Block] = []
    i = 0
    while i < len(tokens):
        i = _block(tokens, i, out, depth=0)
    return out


def _block(tokens: list[Token], i: int, out: list[Block], depth: int) -> int:
    """Read the block starting at tokens[i] into `out`; the index after it."""
    token = tokens[i]
    line = _line(token)
    if token.type == "heading_open":
        text, comment = split_comment(tokens[i + 1].content)
        out.append(Block("heading", line, text, level=int(token.tag[1]), comment=comment))
        return i + 3
    if token.type == "paragraph_open":
        for n, part in enumerate(tokens[i + 1].content.split("\n")):
            out.append(Block("line", line + n, part.strip()))
        return i + 3
    if token.type in ("bullet_list_open", "ordered_list_open"):
        return _list(tokens, i, out, depth)
    if token.type == "html_block":
        out.append(_html(line, token.content))
        return i + 1
    if token.type == "hr":
        out.append(Block("rule", line))
        return i + 1
    if token.type == "table_open":
        return _table(tokens, i, out)
    what = {"fence": "a code block", "code_block": "a code block"}.get(token.type)
    if what is None:
        what = token.type.removesuffix("_open").replace("_", " ")
    out.append(Block("other", line, what))
    return _after(tokens, i)


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _after(tokens: list[Token], i: int) -> int:
    """The index after the block opened at tokens[i] (its matching close, if it has one)."""
    if tokens[i].nesting != 1:
        return i + 1
    depth, j = 0, i
    while True:
        depth += tokens[j].nesting
        j += 1
        if depth == 0:
            return j


def _list(tokens: list[Token], i: int, out: list[Block], depth: int) -> int:
    end = _after(tokens, i)
    j = i + 1
    while j < end - 1:
        item_end = _after(tokens, j)  # tokens[j] is a list_item_open
        _item(tokens, j, item_end, out, depth, ordered=tokens[i].type == "ordered_list_open")
        j = item_end
    return end


def _item(
    tokens: list[Token], start: int, end: int, out: list[Block], depth: int, ordered: bool
) -> None:
    line = _line(tokens[start])
    j = start + 1
    if j < end - 1 and tokens[j].type == "paragraph_open":
        raw = " ".join(part.strip() for part in tokens[j + 1].content.split("\n"))
        j += 3
    else:
        raw = ""
    box, rest = _checkbox(raw)
    text, comment = split_comment(rest)
    kind = "item" if not ordered else "other"
    out.append(Block(kind, line, text, level=depth, box=box, comment=comment))
    if ordered:
        out[-1].text = "an ordered list item"
    while j < end - 1:  # what else the item holds: a nested list, a code block, ...
        j = _block(tokens, j, out, depth + 1)


def _checkbox(text: str) -> tuple[str | None, str]:
    if len(text) >= 3 and text[0] == "[" and text[2] == "]" and text[1] in " xX":
        if len(text) == 3 or text[3] in " \t":
            return text[1].lower(), text[3:].strip()
    return None, text


def _table(tokens: list[Token], i: int, out: list[Block]) -> int:
    end = _after(tokens, i)
    table = Block("table", _line(tokens[i]))
    row: list[str] | None = None
    row_line = 0
    for token in tokens[i:end]:
        if token.type == "tr_open":
            row, row_line = [], _line(token)
        elif token.type == "inline" and row is not None:
            row.append(token.content.strip())
        elif token.type == "tr_close" and row is not None:
            table.rows.append((row_line, row))
            row = None
    out.append(table)
    return end


def _html(line: int, content: str) -> Block:
    stripped = content.strip()
    if stripped.startswith(COMMENT_START) and stripped.endswith(COMMENT_END):
        body = stripped[len(COMMENT_START) : -len(COMMENT_END)].strip()
        if COMMENT_END not in body:
            return Block("comment", line, comment=body)
    if stripped.startswith("<!--") and stripped.endswith("-->"):
        return Block("rule", line)  # somebody's own comment: shown nowhere, holds no content
    return Block("other", line, "an HTML block")


def split_comment(text: str) -> tuple[str, str | None]:
    """`text <!-- propctl: {...} -->` -> (text, the JSON). propctl writes '>' inside the JSON
    as \\u003e, so the first '-->' after the start ends the comment."""
    start = text.rfind(COMMENT_START)
    if start < 0 or not text.rstrip().endswith(COMMENT_END):
        return text.strip(), None
    body = text[start + len(COMMENT_START) :].rstrip()[: -len(COMMENT_END)]
    if COMMENT_END in body:
        return text.strip(), None
    return text[:start].strip(), body.strip()


def fields(line: str) -> list[tuple[str, str]] | None:
    """`**Priority**: P0 | **Effort:** 40h` -> [("priority", "P0"), ("effort", "40h")]: every
    bold label on the line (the colon inside or outside the bold) with the raw text after it,
    up to the next label; None when the line is not made only of such fields."""
    spans = _bold_spans(line)
    if not spans or spans[0][0] != 0:
        return None
    found: list[tuple[str, str]] = []
    for n, (_, end, label) in enumerate(spans):
        value = line[end : spans[n + 1][0] if n + 1 < len(spans) else len(line)].strip()
        if label.endswith(":"):
            label = label[:-1]
        elif value.startswith(":"):
            value = value[1:]
        else:
            return None
        found.append((label.strip().lower(), value.strip().rstrip("|").strip()))
    return found


def bold_line(line: str) -> str | None:
    """`**Per source**:` (or `**Per source:**`, or no colon) -> "Per source"."""
    spans = _bold_spans(line)
    if len(spans) != 1 or spans[0][0] != 0 or line[spans[0][1] :].strip() not in ("", ":"):
        return None
    return spans[0][2].rstrip(":").strip() or None


def _bold_spans(line: str) -> list[tuple[int, int, str]]:
    """(start, end, raw label) of each top-level bold span, as the Markdown parser sees them."""
    children = _parser().parseInline(line)[0].children or []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    depth = 0
    label: list[str] = []
    for child in children:
        if child.type == "strong_open":
            depth += 1
            if depth == 1:
                label = []
                marker = child.markup
            continue
        if child.type == "strong_close":
            depth -= 1
            if depth == 0:
                raw = marker + "".join(label) + marker
                start = line.find(raw, pos)
                if start < 0:
                    return []  # markup inside the label: not a plain field label
                spans.append((start, start + len(raw), "".join(label)))
                pos = start + len(raw)
            continue
        if depth:
            if child.type != "text":
                return []
            label.append(child.content)
    return spans
