"""Markdown checklists in the source document's layout -> roadmap data, and back.

The layout (any number of tiers and tasks):

    # <icon> <title>                         **Purpose**/**Current Score**/**Total Effort** lines
    ## <icon> TIER n: LABEL (Weeks a-b) - Target Score: x/10
    ### <box> Task n: Title                  (or `Task n - Title`, `Task n — Title`)
    **Priority**: P0 | **Effort**: 40h | **Score Impact**: +1.3   (or `**Priority:** P0`)
    #### Sub-tasks ...       - [ ] n.m text   (bold `**Section**:` lines group them)
    #### Acceptance Criteria - [ ] text       (ids n.a1, n.a2 ... by position)
    #### Files ...           - `path` (note) | - Create: `path`
    ## ... PROGRESS TRACKER  - [ ] TIER n: Summary (k/m tasks) - Weeks a-b
    ## ... SCORE PROJECTION  | Dimension | Current | After T1 | ... |  and a **Overall** row

The document is parsed with a Markdown parser (`mdblocks`): what is a heading, a list item or
a paragraph is what a Markdown viewer shows. Every heading, line or item the layout has no
place for is reported with its line, and the import fails (exit 2); `lenient=True` makes each
a warning, and the rest imports. Nothing is dropped without a word.

What Markdown has no place for (checks, impacts, services, paths ...) rides in HTML comments
`<!-- propctl: {json} -->`: on an item's line, or on a line of its own after a heading, where
it belongs to that heading's tier or task (after the title: to the whole roadmap). A document
without such comments imports with every criterion `{kind: manual}`.

Text written in the wrong encoding ("‚úÖ" for "✅": UTF-8 read as Mac Roman) is repaired line
by line where the repair round-trips.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propctl.errors import RoadmapError
from propctl.roadmap.markdown_render import render_markdown
from propctl.roadmap.mdblocks import Block, blocks, bold_line, fields
from propctl.roadmap.mdsyntax import (
    SUBTASK_LINE,
    derive_cors_origins,
    derive_services,
    fix_mojibake,
    monday_after,
    read_file_line,
    slug,
)

__all__ = ["ImportResult", "fix_mojibake", "import_markdown", "render_markdown", "slug"]

_ICON = r"(?:\[[ xX]\]|[^\w\s]+)"
_DASH = r"[-\u2013\u2014]"
_TIER = re.compile(
    rf"^(?:{_ICON}\s*)?TIER\s+(\d+)\s*(?::|{_DASH})\s*(.+?)\s*"
    rf"\(Weeks?\s+(\d+)(?:\s*{_DASH}\s*(\d+))?\)"
    rf"(?:\s*{_DASH}\s*Target Score:\s*([\d.]+)\s*/\s*10)?\s*$",
    re.IGNORECASE,
)
_TIER_LIKE = re.compile(r"\bTIER\s+\d", re.IGNORECASE)
_TASK = re.compile(rf"^(?:{_ICON}\s*)?Task\s+(\d+)\s*(?::|{_DASH})\s*(.*?)\s*$", re.IGNORECASE)
_TASK_LIKE = re.compile(rf"^(?:{_ICON}\s*)?Task\b", re.IGNORECASE)
_TRACKER_TIER = re.compile(r"^TIER\s+(\d+)\s*:\s*(.+?)\s*\(\d+/\d+ tasks\)", re.IGNORECASE)
_FILE = re.compile(
    r"^(?:(Create|Update|Modify)\s*:\s*)?(?:`([^`]+)`|([^(`]+?))\s*(?:\((.+)\))?\s*$"
)
_HOURS = re.compile(r"^\+?(\d+(?:\.\d+)?)\s*(?:h|hrs?|hours?)?$", re.IGNORECASE)
# Lines of the document head, the tracker and the foot (`render` writes them): facts, or what
# render derives again from the roadmap (target, status, next), never lost content.
DOCUMENT_FIELDS = frozenset(
    {
        "purpose",
        "current score",
        "target score",
        "total effort",
        "current status",
        "verified score",
        "document status",
        "last updated",
        "next",
    }
)
_TASK_FIELDS = {"priority", "effort", "score impact"}
_SECTIONS = "Sub-tasks, Acceptance Criteria, Files"


@dataclass
class ImportResult:
    data: dict[str, Any]
    marks: dict[tuple[str | int, ...], tuple[int, int]]
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Task:
    line: int
    data: dict[str, Any]
    section: str | None = None  # subtasks | acceptance | files | None
    group: str | None = None  # bold heading inside the subtasks
    meta_seen: bool = False


@dataclass
class _Skip:
    """A heading the layout has no place for: it and what stands under it are not imported."""

    level: int
    line: int
    what: str
    blocks: int = 0


@dataclass
class _Parser:
    source: str
    lenient: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    tiers: list[dict[str, Any]] = field(default_factory=list)
    tier_lines: list[int] = field(default_factory=list)
    task_lines: dict[tuple[int, int], int] = field(default_factory=dict)
    item_lines: dict[tuple[int, int, str, int], int] = field(default_factory=dict)
    summaries: dict[int, str] = field(default_factory=dict)
    table: list[tuple[int, list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # unreadable values: never lenient
    unplaced: list[str] = field(default_factory=list)  # errors, or warnings when lenient
    mode: str = "head"  # head | tracker | tier | projection
    task: _Task | None = None
    last: dict[str, Any] | None = None  # where a comment on its own line belongs
    skip: _Skip | None = None
    titled: bool = False

    def at(self, line: int, message: str) -> str:
        return f"{self.source}:{line}: {message}"

    def cannot_place(self, line: int, message: str) -> None:
        self.unplaced.append(self.at(line, message))

    def bad_value(self, line: int, message: str) -> None:
        self.errors.append(self.at(line, message))

    # ---- blocks ------------------------------------------------------------------------
    def feed(self, block: Block) -> None:
        if block.kind == "heading":
            self._heading(block)
        elif self.skip is not None:
            self.skip.blocks += block.kind not in ("rule",)
        elif block.kind == "comment":
            self._attach(block.line, block.comment or "")
        elif block.kind == "line":
            self._line(block)
        elif block.kind == "item":
            self._item(block)
        elif block.kind == "table":
            self._table(block)
        elif block.kind == "other":
            self.cannot_place(block.line, f"{block.text}: the checklist layout has no place for it")

    def finish(self) -> None:
        self._end_skip()

    def _comment(self, line: int, text: str | None) -> dict[str, Any]:
        if text is None:
            return {}
        try:
            extra = json.loads(text)
        except json.JSONDecodeError as exc:
            self.bad_value(line, f"the propctl comment is not JSON: {exc.msg}")
            return {}
        if not isinstance(extra, dict):
            self.bad_value(line, "the propctl comment must hold a JSON object")
            return {}
        return extra

    def _attach(self, line: int, text: str) -> None:
        extra = self._comment(line, text)
        target = self.last if self.last is not None else self.extras
        target.update(extra)

    # ---- headings ----------------------------------------------------------------------
    def _heading(self, block: Block) -> None:
        if self.skip is not None:
            if block.level > self.skip.level:
                self.skip.blocks += 1
                return
            self._end_skip()
        extra = block.comment
        if block.level == 1:
            self._h1(block)
        elif block.level == 2:
            self._h2(block)
        elif block.level == 3:
            self._h3(block)
        elif block.level == 4 and self.task is not None:
            self._h4(block)
        else:
            self._skip(block, "a heading the checklist layout has no place for")
        if extra is not None and self.skip is None:
            self._attach(block.line, extra)

    def _skip(self, block: Block, why: str, hint: str | None = None) -> None:
        self.skip = _Skip(block.level, block.line, f"{'#' * block.level} {block.text!r}: {why}")
        if hint:
            self.skip.what += f" ({hint})"

    def _end_skip(self) -> None:
        if self.skip is not None:
            under = f"; the {self.skip.blocks} block(s) under it" if self.skip.blocks else ""
            self.cannot_place(self.skip.line, f"{self.skip.what}{under} not imported")
            self.skip = None

    def _h1(self, block: Block) -> None:
        if self.titled:
            self._skip(block, "a second title")
            return
        self.titled = True
        self.meta["name"] = _strip_icon(block.text)
        self.mode, self.task, self.last = "head", None, None

    def _h2(self, block: Block) -> None:
        self.task, self.last = None, None
        match = _TIER.match(block.text)
        upper = block.text.upper()
        if match:
            self._new_tier(block.line, match)
        elif "PROGRESS TRACKER" in upper:
            self.mode = "tracker"
        elif "PROJECTION" in upper:
            self.mode = "projection"
        else:
            self.mode = "head" if not self.tiers else self.mode
            hint = None
            if _TIER_LIKE.search(block.text):
                hint = "write it as '## TIER 1: NAME (Weeks 1-4) - Target Score: 6.5/10'"
            why = "not a tier, the progress tracker or the score projection"
            self._skip(
                block, why if hint is None else "a tier heading this importer cannot read", hint
            )

    def _new_tier(self, line: int, match: re.Match[str]) -> None:
        n = int(match.group(1))
        label = match.group(2).strip()
        first = int(match.group(3))
        last = int(match.group(4) or first)
        tier: dict[str, Any] = {
            "id": f"tier{n}",
            "number": n,
            "name": label.title(),
            "label": label,
            "weeks": [first, last],
            "target_score": float(match.group(5)) if match.group(5) else None,
            "tasks": [],
        }
        self.tiers.append(tier)
        self.tier_lines.append(line)
        self.mode = "tier"
        self.last = tier

    def _h3(self, block: Block) -> None:
        if self.mode == "tracker" and block.text.lower() == "overall progress":
            return
        match = _TASK.match(block.text)
        if match is None or not match.group(2):
            self.task, self.last = None, None
            if _TASK_LIKE.match(block.text):
                self._skip(
                    block,
                    "a task heading this importer cannot read",
                    "write it as '### Task 1: Title' (or 'Task 1 - Title', 'Task 1 \u2014 Title')",
                )
            else:
                self._skip(block, "not a task heading ('### Task N: Title')")
            return
        if self.mode != "tier" or not self.tiers:
            self.task, self.last = None, None
            self._skip(
                block,
                f"task {match.group(1)} stands outside any tier",
                "put it under a '## TIER n: NAME (Weeks a-b)' heading",
            )
            return
        data: dict[str, Any] = {"id": int(match.group(1)), "title": match.group(2)}
        tier = self.tiers[-1]
        self.task_lines[(len(self.tiers) - 1, len(tier["tasks"]))] = block.line
        tier["tasks"].append(data)
        self.task = _Task(block.line, data)
        self.last = data

    def _h4(self, block: Block) -> None:
        assert self.task is not None
        text = block.text
        lowered = text.lower()
        self.task.group = None
        if lowered.startswith(("sub-task", "subtask")):
            self.task.section = "subtasks"
            if text != "Sub-tasks":  # a heading from the task's comment wins
                self.task.data.setdefault("subtasks_heading", text)
        elif lowered.startswith("acceptance"):
            self.task.section = "acceptance"
        elif lowered.startswith("files"):
            self.task.section = "files"
            if text != "Files":  # a heading from the task's comment wins
                self.task.data.setdefault("files_heading", text)
        else:
            self.task.section = None
            self._skip(block, f"not a section this importer knows ({_SECTIONS})")

    # ---- lines and items ---------------------------------------------------------------
    def _line(self, block: Block) -> None:
        found = fields(block.text)
        task = self.task
        if found and all(label in DOCUMENT_FIELDS for label, _ in found):
            for label, value in found:
                self.meta.setdefault("fields", {})[label] = value
            return
        if task is not None and task.section is None and found and found[0][0] == "priority":
            self._meta_line(block.line, found, task)
            return
        if task is not None and task.section == "subtasks":
            group = bold_line(block.text)
            if group is not None:
                task.group = group
                return
        self.cannot_place(
            block.line,
            f"this line has no place in the checklist layout: "
            f"{block.text[:80]!r}{_line_hint(block.text, task)}",
        )

    def _meta_line(self, line: int, found: list[tuple[str, str]], task: _Task) -> None:
        data = task.data
        task.meta_seen = True
        for key, value in found:
            if key == "priority":
                data["priority"] = value
            elif key == "effort":
                hours = _HOURS.match(value)
                if hours is None:
                    self.bad_value(line, f"effort: {value!r} is not a number of hours (e.g. 40h)")
                else:
                    data["effort_hours"] = _whole(float(hours.group(1)))
            elif key == "score impact":
                try:
                    data["score_impact"] = _number(value)
                except ValueError:
                    self.bad_value(line, f"score impact: {value!r} is not a number (e.g. +1.5)")
            else:
                self.cannot_place(
                    line,
                    f"task field {key!r} has no place in the roadmap "
                    "(the task line holds Priority, Effort and Score Impact)",
                )

    def _item(self, block: Block) -> None:
        task = self.task
        if block.level > 0:
            self.cannot_place(block.line, f"a nested list item: {block.text[:60]!r}")
            return
        if self.mode == "tracker":
            match = _TRACKER_TIER.match(block.text) if block.box is not None else None
            if match:
                self.summaries[int(match.group(1))] = match.group(2).strip()
            else:
                self.cannot_place(
                    block.line,
                    f"a progress-tracker line that is not "
                    f"'- [ ] TIER n: Summary (k/m tasks)': {block.text[:60]!r}",
                )
            return
        if task is None or task.section is None:
            where = "a task" if task is None else "a section (#### Sub-tasks, ...)"
            self.cannot_place(block.line, f"a list item outside {where}: {block.text[:60]!r}")
            return
        extra = self._comment(block.line, block.comment)
        if task.section == "files":
            self._file(block, task, extra)
        else:
            self._check_item(block, task, extra)

    def _check_item(self, block: Block, task: _Task, extra: dict[str, Any]) -> None:
        data = task.data
        tier_index, task_index = len(self.tiers) - 1, len(self.tiers[-1]["tasks"]) - 1
        if task.section == "subtasks":
            match = SUBTASK_LINE.match(block.text)
            if not match and "id" not in extra:
                self.cannot_place(
                    block.line,
                    f"sub-task without an id: {block.text[:60]!r} "
                    f"(start it with its id, e.g. '{data['id']}.1 ...')",
                )
                return
            item: dict[str, Any] = {
                "id": match.group(1) if match else None,
                "text": match.group(2).strip() if match else block.text,
                "section": task.group,
            }
            key = "subtasks"
        else:
            position = len(data.get("acceptance", [])) + 1
            item = {
                "id": f"{data['id']}.a{position}",
                "text": block.text,
                "check": {"kind": "manual"},
            }
            key = "acceptance"
        item.update(extra)
        if key == "subtasks" and "section" in extra:
            task.group = extra["section"]  # a comment can end a section, for what follows too
        items = data.setdefault(key, [])
        self.item_lines[(tier_index, task_index, key, len(items))] = block.line
        items.append(item)
        self.last = item

    def _file(self, block: Block, task: _Task, extra: dict[str, Any]) -> None:
        found = read_file_line(block.text, task.data.get("files_heading"))
        if block.box is not None or found is None:
            self.cannot_place(
                block.line,
                f"a file line this importer cannot read: {block.text[:60]!r} "
                "(write '- `path` (note)' or '- Create: `path`')",
            )
            return
        path, action, note = found
        entry = {"path": path, "action": action, "note": note, **extra}
        task.data.setdefault("files", []).append(entry)
        self.last = entry

    def _table(self, block: Block) -> None:
        if self.mode != "projection" or self.table:
            self.cannot_place(block.line, "a table outside the score projection")
            return
        self.table = block.rows


def _line_hint(text: str, task: _Task | None) -> str:
    lowered = text.lower().replace("*", "")
    if task is not None and lowered.startswith("priority"):
        return (
            " (write the task line as "
            "'**Priority**: P0 | **Effort**: 40h | **Score Impact**: +1.0')"
        )
    return ""


def _strip_icon(text: str) -> str:
    first, _, rest = text.partition(" ")
    return rest.strip() if rest and not any(c.isalnum() for c in first) else text


def _number(text: str) -> float:
    value = float(text.strip().lstrip("+").rstrip("%"))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _whole(value: float) -> float | int:
    return int(value) if value == int(value) else value


def _score(text: str) -> float:
    return _number(text.replace("*", "").split("/")[0])


def import_markdown(
    text: str, source: str = "<markdown>", start: date | None = None, lenient: bool = False
) -> ImportResult:
    """Parse a Markdown checklist into roadmap data (plain Python, not yet validated) and the
    Markdown line of every tier, task and item, so that validation errors can name them.

    Whatever the layout has no place for is a located error (one RoadmapError lists them
    all); with `lenient` each is a warning instead, and the rest is imported."""
    parser = _Parser(source, lenient)
    for block in blocks(fix_mojibake(text)):
        parser.feed(block)
    parser.finish()
    problems = parser.errors + ([] if lenient else parser.unplaced)
    if problems:
        raise RoadmapError(
            f"{source}: {len(problems)} part(s) of the checklist cannot be imported",
            problems=problems,
            hint=None
            if parser.errors or lenient
            else "fix them, or import the rest with --lenient (a warning for each part left out)",
        )
    if not parser.tiers:
        # with --lenient, what was left out says why no tier was found
        raise RoadmapError(
            f"{source}:1: no '## TIER n: NAME (Weeks a-b)' heading found",
            problems=parser.unplaced,
            hint="is this a checklist in the source document's format? (docs/roadmap.md)",
        )
    data = _assemble(parser, start)
    return ImportResult(data, _marks(parser), parser.warnings + parser.unplaced)


def _assemble(parser: _Parser, start: date | None) -> dict[str, Any]:
    fields = parser.meta.get("fields", {})
    dimensions, overall = _dimensions(parser)
    for tier in parser.tiers:
        summary = parser.summaries.get(tier["number"])
        if "summary" not in tier:  # else the tier's comment said it
            tier["summary"] = summary if summary != tier["name"] else None  # render: the name
        if tier["target_score"] is None:
            tier["target_score"] = overall.get(tier["id"], 0.0)
        if tier["id"] not in overall and tier["target_score"]:
            overall[tier["id"]] = tier["target_score"]
    if "baseline" not in overall and "current score" in fields:
        overall = {"baseline": _score(fields["current score"]), **overall}
    updated = _date(fields.get("last updated"))
    effort, weeks = _effort(fields.get("total effort"))
    texts = [s["text"] for t in parser.tiers for k in t["tasks"] for s in k.get("subtasks", [])]
    texts += [c["text"] for t in parser.tiers for k in t["tasks"] for c in k.get("acceptance", [])]
    data: dict[str, Any] = {
        "version": 1,
        "name": parser.meta.get("name", "Roadmap"),
        "purpose": fields.get("purpose"),
        "start": start or monday_after(updated),
        "total_effort_hours": effort,
        "total_weeks": weeks,
        "updated": updated,
        "dimensions": dimensions,
        "overall_targets": overall,
        "cors_origins": derive_cors_origins(texts),
        "services": derive_services(texts),
        "tiers": parser.tiers,
    }
    extras = dict(parser.extras)
    for spec in extras.pop("dimension_specs", []):
        for dim in data["dimensions"]:
            if dim["name"] == spec.get("name"):
                dim.update({k: v for k, v in spec.items() if k != "name"})
    data.update(extras)
    return data


def _dimensions(parser: _Parser) -> tuple[list[dict[str, Any]], dict[str, float]]:
    if not parser.table:
        return [], {}
    _, header = parser.table[0]
    columns: list[str | None] = []
    for cell in header[1:]:
        match = re.search(r"T(\d+)", cell)
        columns.append(
            f"tier{match.group(1)}"
            if match
            else ("baseline" if cell.lower() in ("current", "baseline", "now") else None)
        )
    dims: list[dict[str, Any]] = []
    overall: dict[str, float] = {}
    for number, cells in parser.table[1:]:
        name = cells[0].replace("*", "").strip()
        try:
            values = {
                col: _score(c)
                for col, c in zip(columns, cells[1:], strict=False)
                if col is not None and c.replace("*", "").strip()
            }
        except ValueError:
            raise RoadmapError(
                parser.at(number, f"score projection row {name!r}: a cell is not a number")
            ) from None
        if name.lower() == "overall":
            overall = values
            continue
        baseline = values.pop("baseline", None)
        if baseline is None:
            raise RoadmapError(parser.at(number, f"dimension {name!r} has no Current value"))
        dims.append({"id": slug(name), "name": name, "baseline": baseline, "targets": values})
    return dims, overall


def _marks(parser: _Parser) -> dict[tuple[str | int, ...], tuple[int, int]]:
    marks: dict[tuple[str | int, ...], tuple[int, int]] = {}
    for ti, line in enumerate(parser.tier_lines):
        marks[("tiers", ti)] = (line, 1)
    for (ti, ki), line in parser.task_lines.items():
        marks[("tiers", ti, "tasks", ki)] = (line, 1)
    for (ti, ki, key, i), line in parser.item_lines.items():
        marks[("tiers", ti, "tasks", ki, key, i)] = (line, 1)
    return marks


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _effort(value: str | None) -> tuple[float | None, int | None]:
    if not value:
        return None, None
    hours = re.search(r"([\d.]+)\s*h", value)
    weeks = re.search(r"(\d+)\s*weeks?", value)
    return (
        _whole(float(hours.group(1))) if hours else None,
        int(weeks.group(1)) if weeks else None,
    )
