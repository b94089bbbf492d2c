"""Markdown checklists in the source document's layout -> roadmap data, and back.

The layout (any number of tiers and tasks):

    # <icon> <title>                         **Purpose**/**Current Score**/**Total Effort** lines
    ## <icon> TIER n: LABEL (Weeks a-b) - Target Score: x/10
    ### <box> Task n: Title
    **Priority**: P0 | **Effort**: 40h | **Score Impact**: +1.3
    #### Sub-tasks ...       - [ ] n.m text   (bold `**Section**:` lines group them)
    #### Acceptance Criteria - [ ] text       (ids n.a1, n.a2 ... by position)
    #### Files ...           - `path` (note) | - Create: `path`
    ## ... PROGRESS TRACKER  - [ ] TIER n: Summary (k/m tasks) - Weeks a-b
    ## ... SCORE PROJECTION  | Dimension | Current | After T1 | ... |  and a **Overall** row

What Markdown has no place for (checks, impacts, services, paths ...) rides in HTML comments
`<!-- propctl: {json} -->`: on an item's line, or on a line of its own after a heading, where
it belongs to that heading's tier or task (after the title: to the whole roadmap). A document
without such comments imports with every criterion `{kind: manual}`.

Text written in the wrong encoding ("‚úÖ" for "✅": UTF-8 read as Mac Roman) is repaired line
by line where the repair round-trips.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propctl.errors import UserError
from propctl.roadmap.markdown_render import render_markdown
from propctl.roadmap.mdsyntax import (
    default_action,
    derive_cors_origins,
    derive_services,
    fix_mojibake,
    monday_after,
    slug,
)

__all__ = ["ImportResult", "fix_mojibake", "import_markdown", "render_markdown", "slug"]

_COMMENT = re.compile(r"\s*<!--\s*propctl:\s*(\{.*\})\s*-->\s*$")
_TIER = re.compile(
    r"^##\s+(?:\S+\s+)?TIER\s+(\d+)\s*:\s*(.+?)\s*\(Weeks?\s+(\d+)(?:\s*-\s*(\d+))?\)"
    r"(?:\s*-\s*Target Score:\s*([\d.]+)\s*/\s*10)?\s*$",
    re.IGNORECASE,
)
_TASK = re.compile(r"^###\s+(?:\S+\s+)?Task\s+(\d+)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_ITEM = re.compile(r"^\s*[-*]\s+\[( |x|X)\]\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_SUBTASK = re.compile(r"^(\d+\.\d+(?:-\d+)?):?\s+(.+)$")
_BOLD_SECTION = re.compile(r"^\*\*(.+?)\*\*\s*:?\s*$")
_FIELD = re.compile(r"^\*\*(.+?)\*\*\s*:\s*(.*?)\s*$")
_TRACKER_TIER = re.compile(r"^TIER\s+(\d+)\s*:\s*(.+?)\s*\(\d+/\d+ tasks\)", re.IGNORECASE)
_FILE = re.compile(r"^(?:(Create|Update|Modify)\s*:\s*)?(?:`([^`]+)`|([^(]+?))\s*(?:\((.+)\))?\s*$")
_ACTIONS = {"create": "create", "update": "update", "modify": "modify"}


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


@dataclass
class _Parser:
    source: str
    meta: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    tiers: list[dict[str, Any]] = field(default_factory=list)
    tier_lines: list[int] = field(default_factory=list)
    task_lines: dict[tuple[int, int], int] = field(default_factory=dict)
    item_lines: dict[tuple[int, int, str, int], int] = field(default_factory=dict)
    summaries: dict[int, str] = field(default_factory=dict)
    table: list[tuple[int, list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mode: str = "head"  # head | tracker | tier | projection | other
    task: _Task | None = None
    last: dict[str, Any] | None = None  # where a comment on its own line belongs

    def fail(self, number: int, message: str, hint: str | None = None) -> UserError:
        return UserError(f"{self.source}:{number}: {message}", hint=hint)

    # ---- lines -------------------------------------------------------------------------
    def feed(self, number: int, raw: str) -> None:
        line, extra = _split_comment(raw, self, number)
        if not line.strip():
            if extra is not None:
                self._attach(number, extra)
            return
        if line.startswith("#"):
            self._heading(number, line)
            if extra is not None:
                self._attach(number, extra)
            return
        if self.mode == "tracker":
            self._tracker(line)
        elif self.mode == "projection":
            self._projection(number, line)
        elif self.mode in ("head", "other"):
            self._field(line)
        elif self.mode == "tier":
            self._in_tier(number, line, extra)

    def _attach(self, number: int, extra: dict[str, Any]) -> None:
        target = self.last if self.last is not None else self.extras
        target.update(extra)

    def _heading(self, number: int, line: str) -> None:
        level = len(line) - len(line.lstrip("#"))
        text = line[level:].strip()
        if level == 1:
            self.meta["name"] = _strip_icon(text)
            self.mode, self.task, self.last = "head", None, None
        elif level == 2:
            self._h2(number, line, text)
        elif level == 3:
            self._h3(number, line)
        elif level == 4 and self.task is not None:
            self._h4(number, text)

    def _h2(self, number: int, line: str, text: str) -> None:
        self.task, self.last = None, None
        match = _TIER.match(line)
        if match:
            self._new_tier(number, match)
        elif "PROGRESS TRACKER" in text.upper():
            self.mode = "tracker"
        elif "PROJECTION" in text.upper():
            self.mode = "projection"
        elif re.search(r"\bTIER\s+\d", text, re.IGNORECASE):
            raise self.fail(
                number,
                f"a tier heading this importer cannot read: {text!r}",
                hint="write it as '## TIER 1: NAME (Weeks 1-4) - Target Score: 6.5/10'",
            )
        else:
            self.mode = "other"

    def _new_tier(self, number: int, match: re.Match[str]) -> None:
        n = int(match.group(1))
        label = match.group(2).strip()
        first = int(match.group(3))
        last = int(match.group(4) or first)
        tier: dict[str, Any] = {
            "id": f"tier{n}",
            "number": n,
            "name": label.title(),
            "label": label,
            "summary": None,
            "weeks": [first, last],
            "target_score": float(match.group(5)) if match.group(5) else None,
            "tasks": [],
        }
        self.tiers.append(tier)
        self.tier_lines.append(number)
        self.mode = "tier"
        self.last = tier

    def _h3(self, number: int, line: str) -> None:
        match = _TASK.match(line)
        if not match:
            if self.mode == "tier":
                self.task = None
            return
        if self.mode != "tier" or not self.tiers:
            raise self.fail(
                number,
                f"task {match.group(1)} stands outside any tier",
                hint="put it under a '## TIER n: ...' heading",
            )
        data: dict[str, Any] = {"id": int(match.group(1)), "title": match.group(2)}
        tier = self.tiers[-1]
        self.task_lines[(len(self.tiers) - 1, len(tier["tasks"]))] = number
        tier["tasks"].append(data)
        self.task = _Task(number, data)
        self.last = data

    def _h4(self, number: int, text: str) -> None:
        assert self.task is not None
        lowered = text.lower()
        self.task.group = None
        if lowered.startswith("sub-task") or lowered.startswith("subtask"):
            self.task.section = "subtasks"
            if text != "Sub-tasks":
                self.task.data["subtasks_heading"] = text
        elif lowered.startswith("acceptance"):
            self.task.section = "acceptance"
        elif lowered.startswith("files"):
            self.task.section = "files"
            self.task.data["files_heading"] = text
        else:
            self.task.section = None
            self.warnings.append(
                f"{self.source}:{number}: section {text!r} is not one this "
                "importer knows (Sub-tasks, Acceptance Criteria, Files); skipped"
            )

    # ---- inside a tier -----------------------------------------------------------------
    def _in_tier(self, number: int, line: str, extra: dict[str, Any] | None) -> None:
        task = self.task
        if task is None:
            return
        stripped = line.strip()
        if stripped == "---":
            return
        if task.section is None and "**Priority**" in stripped:
            self._meta_line(number, stripped, task.data)
            task.data.update(extra or {})
            return
        if task.section == "subtasks":
            bold = _BOLD_SECTION.match(stripped)
            if bold:
                task.group = bold.group(1).strip()
                return
        if task.section in ("subtasks", "acceptance"):
            item = _ITEM.match(line)
            if item:
                self._item(number, task, item.group(2).strip(), extra or {})
                return
        if task.section == "files":
            bullet = _BULLET.match(line)
            if bullet:
                self._file(number, task, bullet.group(1).strip(), extra or {})
                return
        if extra is not None:
            self._attach(number, extra)

    def _meta_line(self, number: int, line: str, data: dict[str, Any]) -> None:
        for part in line.split("|"):
            match = _FIELD.match(part.strip())
            if not match:
                continue
            key, value = match.group(1).strip().lower(), match.group(2).strip()
            try:
                if key == "priority":
                    data["priority"] = value
                elif key == "effort":
                    data["effort_hours"] = _whole(_number(value.rstrip("hH ")))
                elif key == "score impact":
                    data["score_impact"] = _number(value)
            except ValueError:
                raise self.fail(number, f"{key}: {value!r} is not a number") from None

    def _item(self, number: int, task: _Task, text: str, extra: dict[str, Any]) -> None:
        data = task.data
        tier_index, task_index = len(self.tiers) - 1, len(self.tiers[-1]["tasks"]) - 1
        if task.section == "subtasks":
            match = _SUBTASK.match(text)
            if not match:
                raise self.fail(
                    number,
                    f"sub-task without an id: {text!r}",
                    hint=f"start it with its id, e.g. '{data['id']}.1 ...'",
                )
            item: dict[str, Any] = {
                "id": match.group(1),
                "text": match.group(2).strip(),
                "section": task.group,
            }
            key = "subtasks"
        else:
            position = len(data.get("acceptance", [])) + 1
            item = {"id": f"{data['id']}.a{position}", "text": text, "check": {"kind": "manual"}}
            key = "acceptance"
        item.update(extra)
        if key == "subtasks" and "section" in extra:
            task.group = extra["section"]  # a comment can end a section, for what follows too
        items = data.setdefault(key, [])
        self.item_lines[(tier_index, task_index, key, len(items))] = number
        items.append(item)
        self.last = item

    def _file(self, number: int, task: _Task, text: str, extra: dict[str, Any]) -> None:
        match = _FILE.match(text)
        if not match:
            raise self.fail(number, f"cannot read this file line: {text!r}")
        prefix, quoted, bare, note = match.groups()
        action = (
            _ACTIONS[prefix.lower()]
            if prefix
            else default_action(task.data.get("files_heading")) or "modify"
        )
        entry = {
            "path": (quoted or bare or "").strip(),
            "action": action,
            "note": note.strip() if note else None,
            **extra,
        }
        task.data.setdefault("files", []).append(entry)

    # ---- outside the tiers -------------------------------------------------------------
    def _tracker(self, line: str) -> None:
        item = _ITEM.match(line)
        if item:
            match = _TRACKER_TIER.match(item.group(2).strip())
            if match:
                self.summaries[int(match.group(1))] = match.group(2).strip()

    def _projection(self, number: int, line: str) -> None:
        stripped = line.strip()
        if not stripped.startswith("|"):
            self._field(stripped)
        else:
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                self.table.append((number, cells))

    def _field(self, line: str) -> None:
        match = _FIELD.match(line.strip())
        if match:
            self.meta.setdefault("fields", {})[match.group(1).strip().lower()] = match.group(2)


def _split_comment(raw: str, parser: _Parser, number: int) -> tuple[str, dict[str, Any] | None]:
    match = _COMMENT.search(raw)
    if not match:
        return raw.rstrip(), None
    try:
        extra = json.loads(match.group(1))
    except json.JSONDecodeError as exc:
        raise parser.fail(number, f"the propctl comment is not JSON: {exc.msg}") from None
    if not isinstance(extra, dict):
        raise parser.fail(number, "the propctl comment must hold a JSON object")
    return raw[: match.start()].rstrip(), extra


def _strip_icon(text: str) -> str:
    first, _, rest = text.partition(" ")
    return rest.strip() if rest and not any(c.isalnum() for c in first) else text


def _number(text: str) -> float:
    return float(text.strip().lstrip("+").rstrip("%"))


def _whole(value: float) -> float | int:
    return int(value) if value == int(value) else value


def _score(text: str) -> float:
    return _number(text.replace("*", "").split("/")[0])


def import_markdown(
    text: str, source: str = "<markdown>", start: date | None = None
) -> ImportResult:
    """Parse a Markdown checklist into roadmap data (plain Python, not yet validated) and the
    Markdown line of every tier, task and item, so that validation errors can name them."""
    parser = _Parser(source)
    for number, raw in enumerate(fix_mojibake(text).splitlines(), 1):
        parser.feed(number, raw)
    if not parser.tiers:
        raise UserError(
            f"{source}: no '## TIER n: NAME (Weeks a-b)' heading found",
            hint="is this a checklist in the source document's format?",
        )
    data = _assemble(parser, start)
    return ImportResult(data, _marks(parser), parser.warnings)


def _assemble(parser: _Parser, start: date | None) -> dict[str, Any]:
    fields = parser.meta.get("fields", {})
    dimensions, overall = _dimensions(parser)
    for tier in parser.tiers:
        summary = parser.summaries.get(tier["number"])
        tier["summary"] = summary if summary != tier["name"] else None  # render writes the name
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
            raise parser.fail(
                number, f"score projection row {name!r}: a cell is not a number"
            ) from None
        if name.lower() == "overall":
            overall = values
            continue
        baseline = values.pop("baseline", None)
        if baseline is None:
            raise parser.fail(number, f"dimension {name!r} has no Current value")
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
