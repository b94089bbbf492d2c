"""The generator engine: render in memory -> plan -> (diff) -> apply, all or nothing.

A generator is a function that returns a `Generation`: its name, the parameters it was called
with, and the files it wants: whole files it owns (`FileSpec`) and small anchored edits in files
the user owns (`PatchSpec`). The engine never lets a generator lose a user's edit::

    from propctl.generators.engine import FileSpec, Generation, PatchSpec, apply, plan, render_dir

    files = render_dir("lint", {"python": "3.11"})             # templates/lint/** -> FileSpecs
    files += render_dir("parts/health", {"name": "auth"}, dest="apps/auth-service")
    files.append(PatchSpec(".gitignore", ".env", create=True))  # one line, idempotent
    files.append(PatchSpec("apps/api/main.py", "app.include_router(health.router)",
                           anchor=r"^app = FastAPI\\(", manual="add `app.include_router("
                           "health.router)` after `app = FastAPI(...)` in apps/api/main.py"))
    generation = Generation("lint", {"python": "3.11"}, files)
    the_plan = plan(repo, generation)          # reads the repo; writes nothing
    for action in the_plan.actions:            # action.action in ACTIONS, action.diff()
        print(action.action, action.path)
    report = apply(repo, the_plan)             # raises Conflict (FailureFound, exit 1)

In a CLI command use `propctl.cli.scaffold.run.run_generation(app, generation, ...)`, which does
the dry-run table and diffs, `--format json`, `--force` and `--merge` for you.

Templates: `templates/<name>/**` inside propctl (found from an installed wheel too). A file whose
name ends in `.jinja` is rendered (suffix stripped), any other file is copied as is. Path
segments may contain `[[ var ]]`; a segment that renders empty drops the file (conditional
files). Jinja runs sandboxed with `StrictUndefined` and the delimiters `[[ ]]` (variables),
`[% %]` (blocks), `[# #]` (comments), so `${{ }}` and `{{ }}` need no escaping; a template
folder whose text collides with those (shell `[[ -f x ]]`) picks its own in `_delimiters.json`.
`[% include "parts/x/y.jinja" %]` works with paths relative to `templates/`.

Plan actions, per file:
  create     the file does not exist
  identical  the file already holds exactly the new render (nothing is written; mtime kept)
  update     the file is what propctl last wrote (hash in `.propctl/generated.json`)
  adopt      the user's file, never generated, with the generator's anchored regions patched
             (imports, a data-fetching block: `FileSpec.adopt`, see `adopt.py`); the rest is
             kept; recorded in the manifest, so later runs treat it as generated
  conflict   the user changed it since (or it was never generated and cannot be adopted: the
             message then holds the diff to make by hand): blocks the whole apply;
             `--force` overwrites and keeps the user's version as FILE.orig; `--merge` does a
             three-way merge (user's file, last generated, new render) with conflict markers
  merge      (with --merge) the three-way merge result to write
  skip       append-only file that exists (Alembic revisions), or merged edits kept
  deleted    propctl generated it and the user deleted it: reported, recreated only with --force
  obsolete   generated earlier by the same generator and parameters, no longer rendered
  patch      an anchored edit to apply to a user's file
  refused    a patch whose anchor (or file) is missing: blocks the apply, shows `manual`
The last generated content of every file is kept gzip-compressed in `.propctl/snapshots/` (one
pack per generator + parameters, see `snapshots.py`) for `--merge`.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import FailureFound, UserError
from propctl.generators import snapshots, transaction
from propctl.generators.merge import MINE_LABEL, merge3
from propctl.generators.names import inside, safe_relpath
from propctl.state import STATE_DIR, RepoState

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from propctl.generators.adopt import Adoption
    from propctl.generators.formatting import Formatter

ACTIONS = (
    "create",
    "adopt",
    "identical",
    "update",
    "conflict",
    "merge",
    "skip",
    "deleted",
    "obsolete",
    "patch",
    "refused",
)
WRITES = ("create", "adopt", "update", "merge", "patch")


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
    action: str
    reason: str = ""
    old: str | None = None  # the file on disk now
    new: str | None = None  # what would be written
    spec: FileSpec | PatchSpec | None = None
    markers: int = 0  # conflict regions left by a merge
    adopt: bool = False  # a merge kept the user's file as is: record it, write nothing
    manual: str = ""  # what to do by hand (refused patches, files that cannot be adopted)
    render: str | None = None  # propctl's own content for the file when not spec.content
    hand_diff: str = ""  # a file that cannot be adopted: the diff to make by hand

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
        data: dict[str, Any] = {"path": self.path, "action": self.action, "reason": self.reason}
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
        return self.by_action("conflict", "refused")

    def counts(self) -> dict[str, int]:
        counts = {name: 0 for name in ACTIONS}
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


# ---- rendering ------------------------------------------------------------------------------
DELIMITERS = ("[[", "]]", "[%", "%]", "[#", "#]")
DELIMITERS_FILE = "_delimiters.json"


@cache
def _environment(delimiters: tuple[str, ...] = DELIMITERS) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from propctl.resources import templates_dir

    var_start, var_end, block_start, block_end, comment_start, comment_end = delimiters
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        bytecode_cache=_bytecode_cache(),
        variable_start_string=var_start,
        variable_end_string=var_end,
        block_start_string=block_start,
        block_end_string=block_end,
        comment_start_string=comment_start,
        comment_end_string=comment_end,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _delimiters(root: Path) -> tuple[str, ...]:
    """A template folder may choose its own delimiters in `_delimiters.json` (e.g. a shell-heavy
    template whose `[[ -f x ]]` would collide): {"variable": ["<<", ">>"], "block": ["<%", "%>"],
    "comment": ["<#", "#>"]}; unnamed pairs keep the defaults."""
    path = root / DELIMITERS_FILE
    if not path.is_file():
        return DELIMITERS
    import json

    try:
        data = json.loads(path.read_text("utf-8"))
        chosen = list(DELIMITERS)
        for index, key in enumerate(("variable", "block", "comment")):
            if key in data:
                start, end = data[key]
                if not (isinstance(start, str) and isinstance(end, str) and start and end):
                    raise ValueError(f"{key}: two non-empty strings")
                chosen[2 * index : 2 * index + 2] = [start, end]
        if unknown := set(data) - {"variable", "block", "comment"}:
            raise ValueError(f"unknown keys {sorted(unknown)}")
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"{path}: {exc}", hint='e.g. {"variable": ["<<", ">>"], "block": ["<%", "%>"]}'
        ) from None
    return tuple(chosen)


def _bytecode_cache() -> Any:
    """Compiled templates kept between runs (keyed by the template's source checksum, so an
    edited template is recompiled): most of a scaffold's time is otherwise Jinja compiling."""
    from jinja2 import FileSystemBytecodeCache

    from propctl.memo import user_cache_dir

    folder = str(user_cache_dir("jinja"))
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(folder) if os.access(folder, os.W_OK) else None


def render_text(
    source: str, variables: Mapping[str, Any], delimiters: tuple[str, ...] = DELIMITERS
) -> str:
    from jinja2 import TemplateError

    try:
        return _environment(delimiters).from_string(source).render(**variables)
    except TemplateError as exc:
        raise UserError(f"template text: {exc.__class__.__name__}: {exc}") from None


def render_dir(template: str, variables: Mapping[str, Any], dest: str = "") -> list[FileSpec]:
    """Every file of `templates/<template>/`, rendered, placed under `dest`."""
    from propctl.resources import templates_dir

    root = templates_dir() / safe_relpath(template, "template")
    if not root.is_dir():
        raise UserError(f"no template {template!r} in {templates_dir()}")
    delimiters = _delimiters(root)
    specs = []
    for source in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = source.relative_to(root).as_posix()
        if (
            "__pycache__" in relative
            or relative.endswith((".pyc", ".pyo"))
            or (relative == DELIMITERS_FILE)
        ):
            continue
        path = _render_path(relative, variables, delimiters)
        if path is None:
            continue
        target = safe_relpath(f"{dest}/{path}" if dest else path, f"{template}: {relative}")
        executable = bool(source.stat().st_mode & 0o100)
        specs.append(FileSpec(target, _render_file(source, variables, delimiters), executable))
    return specs


def _render_path(
    relative: str, variables: Mapping[str, Any], delimiters: tuple[str, ...]
) -> str | None:
    relative = relative.removesuffix(".jinja")
    if delimiters[0] not in relative and delimiters[2] not in relative:
        return relative
    parts = [render_text(part, variables, delimiters) for part in relative.split("/")]
    return None if any(not p.strip() for p in parts) else "/".join(parts)


def _render_file(source: Path, variables: Mapping[str, Any], delimiters: tuple[str, ...]) -> str:
    from jinja2 import TemplateError

    from propctl.resources import templates_dir

    if source.suffix != ".jinja":
        return source.read_text("utf-8")
    name = source.relative_to(templates_dir()).as_posix()
    try:
        return _environment(delimiters).get_template(name).render(**variables)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{name}:{line}" if line else name
        raise UserError(f"template {where}: {exc.__class__.__name__}: {exc}") from None


# ---- planning -------------------------------------------------------------------------------
def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan(repo: Path, generation: Generation, *, merge: bool = False) -> Plan:
    """What `generation` would do to `repo`; reads, writes nothing. JS/TS the generator writes
    (its own files, and what an adoption makes of the user's) is first formatted with the repo's
    own Prettier when it has one (`formatting.py`); the generation's notes say when it is not."""
    from propctl.generators.formatting import Formatter

    with Formatter(repo) as formatter:
        result = _plan(repo, generation, merge, formatter)
    generation.notes.extend(n for n in formatter.notes if n not in generation.notes)
    return result


def _plan(repo: Path, generation: Generation, merge: bool, formatter: Formatter) -> Plan:
    manifest = RepoState(repo).generated()
    seen: dict[str, str] = {}  # content each path would have after earlier specs
    actions: list[FileAction] = []
    kinds: dict[str, str] = {}
    root = repo.resolve()
    for spec in generation.files:
        spec.path = safe_relpath(spec.path)
    owned = [s for s in generation.files if isinstance(s, FileSpec) and not s.append_only]
    for spec in owned:
        formatter.planned(spec.path, spec.content)
    formatted = formatter.format_many([(s.path, s.content) for s in owned])
    for spec in owned:
        spec.content = formatted.get(spec.path, spec.content)
    for spec in generation.files:
        target = inside(root, spec.path, resolved=True)
        kind = "file" if isinstance(spec, FileSpec) else "patch"
        if kinds.setdefault(spec.path, kind) != kind:
            raise UserError(
                f"generator {generation.generator!r} both writes and patches "
                f"{spec.path}; a file is either generated or the user's"
            )
        if isinstance(spec, FileSpec):
            if spec.path in seen:
                raise UserError(f"generator {generation.generator!r} writes {spec.path} twice")
            action = _plan_file(repo, spec, target, manifest.get(spec.path), merge, formatter)
            seen[spec.path] = action.new if action.new is not None else (action.old or "")
        else:
            current = seen.get(spec.path, _read(target))
            action = _plan_patch(spec, current)
            if action.new is not None:
                seen[spec.path] = action.new
        actions.append(action)
    actions.extend(_obsolete(repo, generation, manifest, seen))
    return Plan(generation, _collapse_patches(actions), merge)


make_plan = plan  # `apply` takes a parameter named plan


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; propctl will not touch it") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder where a file should be generated") from None
    except NotADirectoryError:
        blocker = next((p for p in path.parents if p.is_file()), path.parent)
        raise UserError(
            f"{path}: {blocker} is a file where a folder should be",
            hint="move that file away, or generate somewhere else",
        ) from None


def _plan_file(
    repo: Path,
    spec: FileSpec,
    target: Path,
    entry: dict[str, Any] | None,
    merge: bool,
    formatter: Formatter,
) -> FileAction:
    old = _read(target)
    patches = recorded_patches(spec.path, entry)
    act = FileAction(spec.path, "", old=old, new=with_patches(spec.content, patches), spec=spec)
    if old is None:
        if entry is None:
            return _set(act, "create", "new file")
        return _set(act, "deleted", "generated earlier and deleted since; --force recreates it")
    if entry is not None and entry.get("adopted") and spec.adopt is not None:
        return _plan_adopted(repo, act, spec.adopt, entry, merge, formatter)
    if old == act.new:
        return _set(act, "identical", "up to date")
    if spec.append_only:
        return _set(act, "skip", "append-only: never re-rendered once written")
    if entry is None and spec.adopt is not None:
        return _adopt(act, spec.adopt, target, formatter)
    if entry is None:
        return _set(act, "conflict", "exists and was not generated by propctl")
    if entry.get("merged") and _has_markers(old):
        return _set(act, "conflict", "still holds the conflict markers of the last --merge")
    generated = entry.get("generated") or entry.get("sha256")
    if sha256(old) == entry.get("sha256"):
        if not entry.get("merged"):
            return _set(
                act,
                "update",
                "unchanged since propctl wrote it"
                + (" (with other generators' patches)" if patches else ""),
            )
        if sha256(spec.content) == generated:
            return _set(act, "skip", "your merged edits are kept; the template is unchanged")
    act = _set(act, "conflict", "edited since propctl generated it")
    if merge:
        return _merged(repo, act, entry, str(generated), patches)
    return act


def _adopt(act: FileAction, adoption: Adoption, target: Path, formatter: Formatter) -> FileAction:
    """The first run over the user's own file: patch its anchored regions, or say by hand."""
    assert act.old is not None and act.new is not None
    result = adoption.apply(act.old)
    if target.is_symlink() or result.missing:
        why = (
            "a symbolic link: propctl adopts only regular files"
            if target.is_symlink()
            else "no anchor for " + ", ".join(result.missing)
        )
        act.hand_diff = act.diff()
        act.manual = "change your file as this diff shows (your way is fine), then run again"
        return _set(act, "conflict", f"exists, was not generated by propctl, and has {why}")
    act.render = act.new = text = _formatted(formatter, act.path, act.old, result.text)
    if text == act.old:
        act.new = None  # already uses the generated code: recorded, nothing to write
        return _set(act, "adopt", "already uses the generated code; recorded as adopted")
    return _set(
        act, "adopt", "your file; patched: " + ", ".join(result.patched) + "; the rest kept"
    )


def _plan_adopted(
    repo: Path,
    act: FileAction,
    adoption: Adoption,
    entry: dict[str, Any],
    merge: bool,
    formatter: Formatter,
) -> FileAction:
    """A file adopted earlier: propctl's render is its regions re-applied to what it wrote."""
    assert act.old is not None
    base_hash = str(entry.get("generated") or entry.get("sha256"))
    base = snapshots.load_snapshot(repo, entry, base_hash)
    before = act.old if base is None else base
    act.render = act.new = _formatted(formatter, act.path, before, adoption.apply(before).text)
    if act.old == act.new:
        return _set(act, "identical", "up to date (adopted)")
    if sha256(act.old) == entry.get("sha256"):
        return _set(act, "update", "adopted, unchanged since propctl wrote it")
    if act.new == base:
        return _set(act, "skip", "adopted: your edits are kept; propctl's part is unchanged")
    act = _set(act, "conflict", "edited since propctl generated it")
    return _merged(repo, act, entry, base_hash, []) if merge else act


def _formatted(formatter: Formatter, path: str, before: str, text: str) -> str:
    """An adoption's result, formatted when the adoption changed something (a user's file that
    propctl did not touch stays as the user wrote it)."""
    return text if text == before else formatter.format_one(path, text)


def _has_markers(text: str) -> bool:
    """The `<<<<<<< yours` line a --merge writes, still there (the user has not resolved it)."""
    return f"<<<<<<< {MINE_LABEL}" in text.splitlines()


def recorded_patches(path: str, entry: dict[str, Any] | None) -> list[PatchSpec]:
    """Patches other generators made to a generated file: re-applied after every re-render, so
    they neither look like the user's edits nor get lost."""
    return [
        PatchSpec(
            path,
            p["insert"],
            p.get("anchor"),
            bool(p.get("before")),
            replace=bool(p.get("replace")),
        )
        for p in (entry or {}).get("patches", [])
    ]


def with_patches(text: str, patches: list[PatchSpec]) -> str:
    for patch in patches:
        done = _contains_block(text, patch.insert) or (patch.replace and _replaced(text, patch))
        if not done:
            block = patch.insert if patch.insert.endswith("\n") else patch.insert + "\n"
            text = _insert(text, block, patch) or text
    return text


def _set(action: FileAction, name: str, reason: str) -> FileAction:
    action.action, action.reason = name, reason
    if name in ("identical", "skip", "deleted", "conflict"):
        action.new = None if name != "conflict" else action.new
    return action


def _merged(
    repo: Path, act: FileAction, entry: dict[str, Any], base_hash: str, patches: list[PatchSpec]
) -> FileAction:
    base = snapshots.load_snapshot(repo, entry, base_hash)
    if base is None:
        act.reason += "; no snapshot of the last generated content to merge with"
        return act
    base = with_patches(base, patches)
    result = merge3(base, act.old or "", act.new or "")
    act.new, act.markers = result.text, result.conflicts
    if result.text == act.old:
        act.adopt = True
        return _set(act, "skip", "your version already holds the template's changes")
    detail = f"{result.conflicts} conflict region(s) to resolve" if result.conflicts else "clean"
    return _set(act, "merge", f"three-way merge: {detail}")


def _plan_patch(spec: PatchSpec, current: str | None) -> FileAction:
    act = FileAction(spec.path, "", old=current, spec=spec, manual=_manual(spec))
    block = spec.insert if spec.insert.endswith("\n") else spec.insert + "\n"
    if current is None:
        if spec.create:
            act.new = block
            return _set(act, "create", "new file")
        return _set(act, "refused", "file not found")
    act.manual = ""
    if _contains_block(current, spec.insert) or (spec.replace and _replaced(current, spec)):
        return _set(act, "identical", "already present")
    patched = _insert(current, block, spec)
    if patched is None:
        act.manual = _manual(spec)
        return _set(act, "refused", f"anchor /{spec.anchor}/ not found")
    act.new = patched
    verb = f"replace /{spec.anchor}/ with " if spec.replace else "insert "
    return _set(act, "patch", verb + _summary(spec.insert))


def _manual(spec: PatchSpec) -> str:
    if spec.manual:
        return spec.manual
    if spec.replace:
        return f"in {spec.path}, replace what matches /{spec.anchor}/ with {_summary(spec.insert)}"
    where = (
        f"{'before' if spec.before else 'after'} the line matching /{spec.anchor}/"
        if spec.anchor
        else "at the end"
    )
    return f"add {_summary(spec.insert)} to {spec.path} {where}"


def _summary(text: str) -> str:
    lines = text.strip("\n").splitlines()
    first = lines[0].strip() if lines else ""
    return repr(first) + (f" (+{len(lines) - 1} line(s))" if len(lines) > 1 else "")


def _contains_block(text: str, insert: str) -> bool:
    want = [line.rstrip() for line in insert.strip("\n").splitlines()]
    have = [line.rstrip() for line in text.splitlines()]
    if not want:
        return True
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def _insert(text: str, block: str, spec: PatchSpec) -> str | None:
    if spec.replace:
        return _replace(text, spec)
    if spec.anchor is None:
        return text + ("" if not text or text.endswith("\n") else "\n") + block
    match = _anchor_match(text, spec)
    if match is None:
        return None
    if spec.before:
        position = text.rfind("\n", 0, match.start()) + 1
        return text[:position] + block + text[position:]
    end = text.find("\n", match.end())
    if end == -1:
        return text + "\n" + block
    return text[: end + 1] + block + text[end + 1 :]


def _replaced(text: str, spec: PatchSpec) -> bool:
    return spec.insert in text and _replace(text, spec) is None


def _replace(text: str, spec: PatchSpec) -> str | None:
    """The anchor's first match becomes `insert` (done once: `insert` present means done)."""
    if spec.anchor is None:
        raise UserError(f"patch for {spec.path}: a replacing patch needs an anchor")
    match = _anchor_match(text, spec)
    if match is None:
        return None
    return text[: match.start()] + spec.insert + text[match.end() :]


def _anchor_match(text: str, spec: PatchSpec) -> re.Match[str] | None:
    assert spec.anchor is not None
    try:
        return re.search(spec.anchor, text, re.M)
    except re.error as exc:
        raise UserError(f"patch for {spec.path}: bad anchor regex {spec.anchor!r}: {exc}") from None


def _collapse_patches(actions: list[FileAction]) -> list[FileAction]:
    """Several patches to one file become one action: old = the disk, new = every insert."""
    groups: dict[str, list[FileAction]] = {}
    out: list[FileAction] = []
    for action in actions:
        if not isinstance(action.spec, PatchSpec):
            out.append(action)
        elif action.path in groups:
            groups[action.path].append(action)
        else:
            groups[action.path] = [action]
            out.append(action)
    for group in groups.values():
        if len(group) > 1:
            _combine(group)
    return out


def _combine(group: list[FileAction]) -> None:
    first = group[0]
    refused = [a for a in group if a.action == "refused"]
    changed = [a for a in group if a.action in ("patch", "create")]
    if refused:
        first.action, first.reason = "refused", "; ".join(a.reason for a in refused)
        first.manual, first.new = "; ".join(a.manual for a in refused), None
    elif changed:
        first.action = "create" if first.old is None else "patch"
        first.reason = "; ".join(a.reason for a in changed)
        first.new = changed[-1].new


def _obsolete(
    repo: Path, generation: Generation, manifest: dict[str, dict[str, Any]], seen: dict[str, str]
) -> list[FileAction]:
    out = []
    for path, entry in sorted(manifest.items()):
        if (
            path not in seen
            and entry.get("generator") == generation.generator
            and entry.get("params") == generation.params
            and (repo / path).is_file()
        ):
            out.append(FileAction(path, "obsolete", "no longer generated; delete it if unused"))
    return out


# ---- applying -------------------------------------------------------------------------------
def apply(
    repo: Path,
    plan: Plan,
    *,
    force: bool = False,
    merge: bool = False,
    check: Callable[[], None] | None = None,
) -> ApplyReport:
    """Write the plan, all or nothing. Raises `Conflict` (exit 1) when a file is in conflict or a
    patch is refused, unless `force`; nothing is written then. One apply at a time per repo (a
    lock in `.propctl/`), and a file that changed since the plan was made stops it (exit 1).
    `check` runs with every file written; if it raises, every file is put back as it was."""
    if merge and not plan.merge:
        plan = make_plan(repo, plan.generation, merge=True)
    if plan.blocking and not force:
        raise Conflict(plan)
    with _locked(repo):
        _unchanged_since_plan(repo, plan)
        return _apply_locked(repo, plan, force, check)


def _apply_locked(
    repo: Path, plan: Plan, force: bool, check: Callable[[], None] | None = None
) -> ApplyReport:
    report = ApplyReport()
    writes: list[transaction.Write] = []
    manifest = RepoState(repo).generated()
    rendered: dict[str, str] = {}
    for action in plan.actions:
        _apply_one(repo, action, force, writes, report, manifest.get(action.path))
        if isinstance(action.spec, FileSpec) and (
            action.action not in ("skip", "deleted")
            or action.adopt
            or (action.action == "deleted" and force)
        ):
            _record(manifest, plan.generation, action, rendered, report)
        elif (
            isinstance(action.spec, PatchSpec)
            and action.path in manifest
            and (action.action in ("patch", "identical"))
        ):
            _record_patches(manifest[action.path], plan.generation, action)
    pack = snapshots.pack_write(
        repo, plan.generation.generator, plan.generation.params, manifest, rendered
    )
    if not writes and pack is None and manifest == RepoState(repo).generated():
        return report
    writes.extend([pack] if pack is not None else [])
    writes.append(_manifest_write(repo, manifest))
    transaction.commit(writes, check)
    return report


@contextmanager
def _locked(repo: Path) -> Iterator[None]:
    from propctl.state import LOCK

    folder = repo / STATE_DIR
    created = not folder.exists()
    try:
        with RepoState(repo).lock():
            yield
    except BaseException:
        if created:  # an apply that was undone leaves no .propctl/ behind either
            (folder / LOCK).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _unchanged_since_plan(repo: Path, plan: Plan) -> None:
    moved = [
        a.path
        for a in plan.actions
        if a.action not in ("obsolete",) and _read(repo / a.path) != a.old
    ]
    if moved:
        raise FailureFound(
            f"{len(moved)} file(s) changed since the plan was made; nothing was "
            "written: " + ", ".join(moved[:10]),
            hint="run the command again",
        )


def _apply_one(
    repo: Path,
    action: FileAction,
    force: bool,
    writes: list[transaction.Write],
    report: ApplyReport,
    entry: dict[str, Any] | None = None,
) -> None:
    spec = action.spec
    executable = isinstance(spec, FileSpec) and spec.executable
    if action.action == "refused":
        report.manual.append(action.manual)
        return
    if action.action == "adopt" and action.new is None:
        report.unchanged += 1
        return
    if action.action in ("conflict", "deleted") and force and isinstance(spec, FileSpec):
        if action.old is not None:
            backup = f"{action.path}.orig"
            writes.append(transaction.Write(repo / backup, action.old.encode("utf-8")))
            report.backups.append(backup)
        # the render with other generators' patches, as an update writes it
        action.new = with_patches(spec.content, recorded_patches(action.path, entry))
    elif action.action not in WRITES:
        report.unchanged += action.action in ("identical", "skip")
        return
    if action.markers:
        report.markers.append(action.path)
    assert action.new is not None
    writes.append(transaction.Write(repo / action.path, action.new.encode("utf-8"), executable))
    report.written.append(action.path)


def _record(
    manifest: dict[str, dict[str, Any]],
    generation: Generation,
    action: FileAction,
    rendered: dict[str, str],
    report: ApplyReport,
) -> None:
    assert isinstance(action.spec, FileSpec)
    previous = manifest.get(action.path, {})
    adopted = action.action == "adopt" or (
        previous.get("adopted") and action.render is not None and action.action != "conflict"
    )
    render = action.render if adopted and action.render is not None else action.spec.content
    generated = sha256(render)
    on_disk = (
        action.new
        if action.path in report.written and action.new is not None
        else (action.old if action.old is not None else render)
    )
    entry: dict[str, Any] = {
        "generator": generation.generator,
        "params": generation.params,
        "sha256": sha256(on_disk),
    }
    if entry["sha256"] != generated:
        entry["generated"] = generated
    if (
        action.action == "merge"
        or action.adopt
        or (previous.get("merged") and action.action == "identical")
    ):
        entry["merged"] = True
    if previous.get("patches"):
        entry["patches"] = previous["patches"]
    if adopted:
        entry["adopted"] = True
    if action.spec.append_only:
        entry["append_only"] = True
    manifest[action.path] = entry
    rendered[generated] = render


def _record_patches(entry: dict[str, Any], generation: Generation, action: FileAction) -> None:
    """A generated file patched by another generator: propctl wrote this content too."""
    entry.setdefault("generated", entry.get("sha256"))
    if action.action == "patch" and action.new is not None:
        entry["sha256"] = sha256(action.new)
    records = entry.setdefault("patches", [])
    for spec in generation.files:
        if isinstance(spec, PatchSpec) and spec.path == action.path:
            record = {
                "insert": spec.insert,
                "anchor": spec.anchor,
                "before": spec.before,
                "by": generation.generator,
            }
            if spec.replace:
                record["replace"] = True
            if not any(
                r["insert"] == spec.insert and r.get("anchor") == spec.anchor for r in records
            ):
                records.append(record)


def _manifest_write(repo: Path, manifest: dict[str, dict[str, Any]]) -> transaction.Write:
    import json

    body = {"schema_version": 1, "files": dict(sorted(manifest.items()))}
    return transaction.Write(
        RepoState(repo).generated_path, (json.dumps(body, indent=2) + "\n").encode("utf-8")
    )


def is_generated(repo: Path, path: str) -> bool:
    return path in RepoState(repo).generated() and os.path.exists(repo / path)
