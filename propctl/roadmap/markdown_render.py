"""Roadmap -> Markdown in the source document's layout, `[x]` on what the latest verify run
found passing. What the layout has no place for rides in `<!-- propctl: {json} -->` comments,
so that importing the render gives back the same roadmap (see `markdown.py`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from propctl.roadmap.mdblocks import blocks, bold_line, fields
from propctl.roadmap.mdsyntax import (
    SUBTASK_LINE,
    default_action,
    derive_cors_origins,
    derive_services,
    monday_after,
    read_file_line,
    slug,
)
from propctl.roadmap.models import Criterion, FileRef, Roadmap, Subtask, Task, Tier
from propctl.roadmap.score import compute_score

TIER_ICONS = ("🔴", "🟡", "🚀", "🟢", "🔵", "🟣")


def render_markdown(roadmap: Roadmap, statuses: Mapping[str, str] | None = None) -> str:
    """`statuses`: criterion/subtask id -> "pass"/"fail"/... from the latest verify record."""
    done = {key for key, value in (statuses or {}).items() if value == "pass"}
    lines = [*_head(roadmap), *_tracker(roadmap, done, statuses is not None)]
    for index, tier in enumerate(roadmap.tiers):
        lines += _tier(tier, index, done)
    lines += [*_projection(roadmap), *_foot(roadmap, done)]
    return "\n".join(lines).rstrip("\n") + "\n"


def comment(data: Mapping[str, Any]) -> str:
    # '<' and '>' only occur inside JSON strings: escaping them keeps '<!--' and '-->' out of
    # the comment, so the importer finds where it starts and ends
    text = json.dumps(data, ensure_ascii=False, default=str, separators=(", ", ": "))
    text = text.replace("<", chr(92) + "u003c").replace(">", chr(92) + "u003e")
    return f"<!-- propctl: {text} -->"


def score_text(value: float) -> str:
    """`6.5`, `9.0`; any other value with every digit it needs to read back equal."""
    if abs(value * 10 - round(value * 10)) < 1e-9 and float(f"{value:.1f}") == value:
        return f"{value:.1f}"
    return number_text(value)


def number_text(value: float) -> str:
    """The shortest decimal that reads back as `value`, never in exponent form (`1e-05h` is
    not an effort the importer reads)."""
    if float(value) == int(value):
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def shown(text: str) -> str:
    """Text made safe for one Markdown line; the exact text then rides in the comment."""
    return " ".join(text.replace("<!--", "<! --").split())


def reads_back(line: str, kind: str, text: str) -> bool:
    """Whether the importer reads `text` back from this rendered line (a heading or an item)."""
    found = blocks(line)
    return len(found) == 1 and found[0].kind == kind and found[0].text == text


def extra_fields(model: BaseModel, shown: set[str]) -> dict[str, Any]:
    """Fields the Markdown does not show and that differ from their defaults (fields added to
    the models later ride along without changes here)."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        if name in shown or info.is_required():
            continue
        value = getattr(model, name)
        # set in the file (even to the default, which may change) or differing from it
        if name in model.model_fields_set or value != info.get_default(call_default_factory=True):
            out[name] = model.model_dump(mode="json", include={name})[name]
    return out


def task_complete(task: Task, done: set[str]) -> bool:
    return bool(task.acceptance) and all(c.id in done for c in task.acceptance)


def _head(roadmap: Roadmap) -> Iterator[str]:
    title = f"# ✅ {shown(roadmap.name)}"
    extras = _document_extras(roadmap)
    if not reads_back(title, "heading", f"✅ {roadmap.name}") or not roadmap.name.strip():
        extras["name"] = roadmap.name
        title = "# ✅ -"  # the name rides in the comment
    purpose = f"**Purpose**: {shown(roadmap.purpose)}" if roadmap.purpose else None
    read = blocks(purpose) if purpose else []
    if roadmap.purpose is not None and (
        len(read) != 1 or fields(read[0].text) != [("purpose", roadmap.purpose)]
    ):
        extras["purpose"], purpose = roadmap.purpose, None
    yield title
    if extras:
        yield comment(extras)
    yield ""
    if purpose:
        yield purpose
    if "baseline" in roadmap.overall_targets:
        yield f"**Current Score**: {score_text(roadmap.overall_targets['baseline'])}/10"
    if roadmap.tiers and roadmap.tiers[-1].id in roadmap.overall_targets:
        yield f"**Target Score**: {score_text(roadmap.overall_targets[roadmap.tiers[-1].id])}/10"
    if roadmap.total_effort_hours is not None:
        weeks = f" ({roadmap.total_weeks} weeks)" if roadmap.total_weeks is not None else ""
        yield f"**Total Effort**: {number_text(roadmap.total_effort_hours)} hours{weeks}"
    yield from ("", "---", "")


ROADMAP_SHOWN = {
    "version",
    "name",
    "purpose",
    "start",
    "updated",
    "total_effort_hours",
    "total_weeks",
    "dimensions",
    "overall_targets",
    "cors_origins",
    "services",
    "tiers",
}


def _document_extras(roadmap: Roadmap) -> dict[str, Any]:
    texts = [s.text for t in roadmap.tasks() for s in t.subtasks]
    texts += [c.text for _, c in roadmap.criteria()]
    extras: dict[str, Any] = {}
    if roadmap.updated is None or roadmap.start != monday_after(roadmap.updated):
        extras["start"] = roadmap.start.isoformat()
    if roadmap.cors_origins != derive_cors_origins(texts):
        extras["cors_origins"] = roadmap.cors_origins
    services = [s.model_dump(exclude_none=True) for s in roadmap.services]
    if services != derive_services(texts):
        extras["services"] = services
    if roadmap.total_weeks is not None and roadmap.total_effort_hours is None:
        extras["total_weeks"] = roadmap.total_weeks
    extras.update(extra_fields(roadmap, ROADMAP_SHOWN))
    specs = [
        {
            "name": d.name,
            **({"id": d.id} if d.id != slug(d.name) else {}),
            **extra_fields(d, {"id", "name", "baseline", "targets"}),
        }
        for d in roadmap.dimensions
    ]
    specs = [spec for spec in specs if len(spec) > 1]
    if specs:
        extras["dimension_specs"] = specs
    return extras


def _tracker(roadmap: Roadmap, done: set[str], live: bool) -> Iterator[str]:
    yield from ("## 📊 PROGRESS TRACKER", "", "### Overall Progress")
    total = complete = 0
    for tier in roadmap.tiers:
        finished = sum(task_complete(t, done) for t in tier.tasks)
        total, complete = total + len(tier.tasks), complete + finished
        box = "x" if tier.tasks and finished == len(tier.tasks) else " "
        summary = tier.summary if _plain_summary(tier) else tier.name
        yield (
            f"- [{box}] TIER {tier.number}: {shown(summary or tier.name)} "
            f"({finished}/{len(tier.tasks)} tasks) - {_weeks(tier)}"
        )
    share = round(100 * complete / total) if total else 0
    yield from ("", f"**Current Status**: {complete}/{total} tasks completed ({share}%)")
    if live:
        score = compute_score(roadmap, done).overall
        yield f"**Verified Score**: {score:.2f}/10 (latest `propctl verify`)"
    yield from ("", "---", "")


def _plain(text: str) -> bool:
    """Text the heading and tracker patterns read back as it is: words, no brackets."""
    return (
        bool(text)
        and text.isprintable()
        and text == shown(text)
        and not any(c in text for c in "()[]<>#:|*`\\")
    )


def _plain_summary(tier: Tier) -> bool:
    return tier.summary is not None and tier.summary != tier.name and _plain(tier.summary)


def _weeks(tier: Tier) -> str:
    first, last = tier.weeks
    return f"Weeks {first}-{last}" if first != last else f"Week {first}"


TIER_SHOWN = {"id", "number", "name", "label", "summary", "weeks", "target_score", "tasks"}


def _tier(tier: Tier, index: int, done: set[str]) -> Iterator[str]:
    icon = TIER_ICONS[index % len(TIER_ICONS)]
    label = tier.label if tier.label is not None and _plain(tier.label) else "TIER"
    yield (
        f"## {icon} TIER {tier.number}: {label} ({_weeks(tier)}) - Target Score: "
        f"{score_text(tier.target_score)}/10"
    )
    extras: dict[str, Any] = {}
    if tier.id != f"tier{tier.number}":
        extras["id"] = tier.id
    if tier.name != label.title():
        extras["name"] = tier.name
    if tier.label != label:
        extras["label"] = tier.label
    if not _plain_summary(tier) and (tier.summary is not None or not _plain(tier.name)):
        extras["summary"] = tier.summary  # the tracker shows the name, read back as no summary
    extras.update(extra_fields(tier, TIER_SHOWN))
    if extras:
        yield comment(extras)
    yield ""
    for task in tier.tasks:
        yield from _task(task, done)


TASK_SHOWN = {"subtasks_heading", "subtasks", "acceptance", "files_heading", "files"}


def _task(task: Task, done: set[str]) -> Iterator[str]:
    icon = "✅" if task_complete(task, done) else "☐"
    heading = f"### {icon} Task {task.id}: {shown(task.title) or '-'}"
    extras = extra_fields(task, TASK_SHOWN)
    if not task.title.strip() or not reads_back(
        heading, "heading", f"{icon} Task {task.id}: {task.title}"
    ):
        extras["title"] = task.title
        heading = f"### {icon} Task {task.id}: -"  # the title rides in the comment
    effort = number_text(task.effort_hours)
    impact = score_text(abs(task.score_impact))
    if float(effort) != task.effort_hours:
        extras["effort_hours"] = task.effort_hours
    if float(impact) * (-1 if task.score_impact < 0 else 1) != task.score_impact:
        extras["score_impact"] = task.score_impact
    subtasks_heading = _section_heading(task.subtasks_heading, "Sub-tasks", ("sub-task", "subtask"))
    files_heading = _section_heading(task.files_heading, "Files", ("files",))
    if task.subtasks_heading is not None and subtasks_heading != task.subtasks_heading:
        extras["subtasks_heading"] = task.subtasks_heading
    if task.files_heading is not None and files_heading != task.files_heading:
        extras["files_heading"] = task.files_heading
    yield heading
    yield (
        f"**Priority**: {task.priority} | **Effort**: {effort}h | "
        f"**Score Impact**: {'-' if task.score_impact < 0 else '+'}{impact}"
    )
    if extras:
        yield comment(extras)
    yield ""
    if task.subtasks or task.subtasks_heading is not None:
        yield from _subtasks(task, subtasks_heading, done)
    if task.acceptance:
        yield "#### Acceptance Criteria"
        yield from (_criterion(task, i, c, done) for i, c in enumerate(task.acceptance, 1))
        yield ""
    if task.files or task.files_heading is not None:
        yield f"#### {files_heading}"
        yield from (_file(f, task.files_heading) for f in task.files)
        yield ""
    yield from ("---", "")


def _section_heading(heading: str | None, default: str, starts: tuple[str, ...]) -> str:
    """The heading as written when the importer reads it back as this section, else default."""
    if heading is None:
        return default
    line = f"#### {heading}"
    ok = heading.lower().startswith(starts) and reads_back(line, "heading", heading)
    return heading if ok else default


def _subtasks(task: Task, heading: str, done: set[str]) -> Iterator[str]:
    yield f"#### {heading}"
    section: str | None = None
    for subtask in task.subtasks:
        # A bold line opens a section; Markdown cannot close one, so a subtask that stands
        # under none after a section says so in its comment; a section name the bold line
        # cannot hold rides in the comment too.
        opens = subtask.section is not None and subtask.section != section
        readable = (
            subtask.section is not None and bold_line(f"**{subtask.section}**:") == subtask.section
        )
        if opens and readable:
            yield from ("", f"**{subtask.section}**:")
        reset = subtask.section != section and not (opens and readable)
        yield _subtask(subtask, done, reset=reset)
        section = subtask.section
    yield ""


def _bold_reads_back(section: str) -> bool:
    found = blocks(f"**{section}**:")
    return len(found) == 1 and found[0].kind == "line" and bold_line(found[0].text) == section


def _subtask(subtask: Subtask, done: set[str], reset: bool) -> str:
    box = "x" if subtask.id in done else " "
    sep = ": " if "-" in subtask.id else " "
    extras: dict[str, Any] = {"section": subtask.section} if reset else {}
    extras.update(extra_fields(subtask, {"section"}))
    line = f"- [{box}] {subtask.id}{sep}{shown(subtask.text) or '-'}"
    found = blocks(line)
    match = SUBTASK_LINE.match(found[0].text) if len(found) == 1 else None
    if match is None or match.group(2).strip() != subtask.text:
        extras["text"] = subtask.text
    return f"{line} {comment(extras)}" if extras else line


def _criterion(task: Task, position: int, criterion: Criterion, done: set[str]) -> str:
    box = "x" if criterion.id in done else " "
    line = f"- [{box}] {shown(criterion.text)}"
    extras: dict[str, Any] = {}
    if criterion.id != f"{task.id}.a{position}":
        extras["id"] = criterion.id
    if not reads_back(line, "item", criterion.text):
        extras["text"] = criterion.text
    if not criterion.check.is_manual or criterion.check.params:
        extras["check"] = criterion.check.model_dump(mode="json")
    extras.update(extra_fields(criterion, set()))
    return f"{line} {comment(extras)}" if extras else line


def _file(ref: FileRef, heading: str | None) -> str:
    prefix = "" if ref.action == default_action(heading) else f"{ref.action.title()}: "
    path = ref.path if " " in ref.path else f"`{ref.path}`"
    note = f" ({shown(ref.note)})" if ref.note else ""
    extras = extra_fields(ref, {"path", "action", "note"})
    line = f"- {prefix}{shown(path)}{note}"
    found = blocks(line)
    read = read_file_line(found[0].text, heading) if len(found) == 1 else None
    if read != (ref.path, ref.action, ref.note):
        line = "- `file`"
        extras.update(path=ref.path, action=ref.action, note=ref.note)
    return line + (f" {comment(extras)}" if extras else "")


def _projection(roadmap: Roadmap) -> Iterator[str]:
    if not roadmap.dimensions:
        return
    tiers = [t for t in roadmap.tiers]
    header = ["Dimension", "Current", *(f"After T{t.number}" for t in tiers)]
    yield from (
        "## 📈 FINAL SCORE PROJECTION",
        "",
        _row(header),
        "|" + "|".join("-" * (len(h) + 2) for h in header) + "|",
    )
    for dim in roadmap.dimensions:
        cells = [score_text(dim.targets[t.id]) if t.id in dim.targets else "" for t in tiers]
        yield _row([dim.name, score_text(dim.baseline), *cells])
    targets = roadmap.overall_targets
    overall = [targets.get("baseline"), *(targets.get(t.id) for t in tiers)]
    yield _row(["**Overall**", *(f"**{score_text(v)}**" if v is not None else "" for v in overall)])
    yield from ("", "---", "")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _foot(roadmap: Roadmap, done: set[str]) -> Iterator[str]:
    yield "**Document Status**: ✅ Complete"
    if roadmap.updated is not None:
        yield f"**Last Updated**: {roadmap.updated.isoformat()}"
    pending = next(
        (t for t in roadmap.tiers if not all(task_complete(k, done) for k in t.tasks)), None
    )
    yield (
        f"**Next**: Begin TIER {pending.number} implementation"
        if pending
        else "**Next**: every tier is complete"
    )
