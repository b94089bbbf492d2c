"""What a generator asks for and what the engine answers: the specs a `Generation` holds
(`FileSpec`, `PatchSpec`), the `Plan` of `FileAction`s made from it, the `ApplyReport` of
writing it, and `Conflict`, the error of a plan that cannot be written safely."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from propctl.errors import FailureFound
from propctl.generators.engine.actions import BLOCKING, Action

if TYPE_CHECKING:
    from propctl.generators.engine.adopt import Adoption

# what a decision to write nothing new drops: the planned content (a conflict keeps it: its diff)
_NOTHING_NEW = frozenset({Action.IDENTICAL, Action.SKIP, Action.DELETED})


@dataclass
class FileSpec:
    """A whole file the generator owns."""

    path: str
    content: str
    executable: bool = False
    append_only: bool = False
    adopt: Adoption | None = None  # how to take over the user's existing file (adopt.py)


@dataclass
class PatchSpec:
    """A small anchored, idempotent edit in a file the user owns."""

    path: str
    insert: str
    anchor: str | None = None
    before: bool = False
    create: bool = False
    manual: str = ""
    replace: bool = False  # the anchor's match is replaced by `insert`


@dataclass
class Generation:
    generator: str
    params: dict[str, Any]
    files: list[FileSpec | PatchSpec]
    notes: list[str] = field(default_factory=list)  # what the user should know; not written


@dataclass
class FileAction:
    path: str
    action: Action
    reason: str = ""
    old: str | None = None  # the file on disk now
    new: str | None = None  # what would be written
    spec: FileSpec | PatchSpec | None = None
    markers: int = 0  # conflict regions left by a merge
    adopt: bool = False  # a merge kept the user's file as is: record it, write nothing
    manual: str = ""  # what to do by hand (refused patches, files that cannot be adopted)
    render: str | None = None  # propctl's own content for the file when not spec.content
    hand_diff: str = ""  # a file that cannot be adopted: the diff to make by hand

    def decided(self, action: Action, reason: str, **changes: Any) -> FileAction:
        """A copy with this verdict (and `changes`); a verdict that writes nothing drops `new`."""
        decided = replace(self, action=action, reason=reason, **changes)
        return replace(decided, new=None) if action in _NOTHING_NEW else decided

    def diff(self) -> str:
        if self.new is None or self.old == self.new:
            return ""
        lines = difflib.unified_diff(
            (self.old or "").splitlines(keepends=True),
            self.new.splitlines(keepends=True),
            fromfile="/dev/null" if self.old is None else f"a/{self.path}",
            tofile=f"b/{self.path}",
        )
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "action": str(self.action)}
        data["reason"] = self.reason
        if self.markers:
            data["conflict_markers"] = self.markers
        if self.manual:
            data["manual"] = self.manual
        return data


@dataclass
class Plan:
    generation: Generation
    actions: list[FileAction]
    merge: bool = False

    def by_action(self, *names: str) -> list[FileAction]:
        return [a for a in self.actions if a.action in names]

    @property
    def blocking(self) -> list[FileAction]:
        return self.by_action(*BLOCKING)

    def counts(self) -> dict[str, int]:
        counts = {str(name): 0 for name in Action}
        for action in self.actions:
            counts[action.action] += 1
        return {k: v for k, v in counts.items() if v}

    def to_json(self, *, diffs: bool = False) -> dict[str, Any]:
        actions = []
        for action in self.actions:
            data = action.to_json()
            if diffs:
                data["diff"] = action.diff()
            actions.append(data)
        return {
            "generator": self.generation.generator,
            "params": self.generation.params,
            "counts": self.counts(),
            "actions": actions,
        }


@dataclass
class ApplyReport:
    written: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)  # FILE.orig kept by --force
    markers: list[str] = field(default_factory=list)  # files merged with conflict markers
    manual: list[str] = field(default_factory=list)  # refused patches skipped by --force
    unchanged: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "backups": self.backups,
            "conflict_markers": self.markers,
            "manual": self.manual,
            "unchanged": self.unchanged,
        }


class Conflict(FailureFound):
    """Files changed by the user since propctl generated them, or patches that cannot apply."""

    def __init__(self, plan: Plan) -> None:
        lines = []
        for action in plan.blocking:
            lines.append(f"  {action.action}: {action.path} ({action.reason})")
            if action.manual:
                lines.append(f"    do it by hand: {action.manual}")
            if action.hand_diff:
                lines.extend("    " + line for line in action.hand_diff.splitlines())
        conflicts = plan.by_action("conflict")
        hint = (
            (
                "keep your edits and take the template's changes with --merge (three-way, "
                "conflict markers where both changed), or overwrite with --force (your version "
                "is kept as FILE.orig); --dry-run shows the diffs"
            )
            if conflicts
            else ("make the edits above by hand, then run again; --force writes the rest")
        )
        mergeable = not plan.merge and any(
            a.reason == "edited since propctl generated it" for a in conflicts
        )
        if conflicts and all(a.hand_diff for a in conflicts):
            hint = (
                "propctl found no anchor to patch in these files: make the changes the diffs "
                "show (or the same change your way) and run again, and propctl adopts them; or "
                "overwrite with --force (your version is kept as FILE.orig)"
            )
        elif any(a.reason.startswith("still holds the conflict markers") for a in conflicts):
            hint = (
                "resolve the <<<<<<< / >>>>>>> regions, then run again; or overwrite with "
                "--force (your version is kept as FILE.orig)"
            )
        elif conflicts and not mergeable:  # never generated, or --merge found no last render
            hint = (
                "--merge needs what propctl last generated, and these files have none: "
                "take the template's changes by hand (--dry-run shows the diffs), or "
                "overwrite with --force (your version is kept as FILE.orig)"
            )
        super().__init__(
            f"{len(plan.blocking)} file(s) cannot be generated safely; nothing was "
            "written:\n" + "\n".join(lines),
            hint=hint,
        )
        self.plan = plan
