"""Planning: what a `Generation` would do to a repository, file by file (`Plan`, one `FileAction`
each, see `actions.Action`); reads the repo, writes nothing, and leaves the `Generation` it is
given as it was (the plan holds its own copy: paths normalised, JS/TS formatted, notes added)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine import snapshots
from propctl.generators.engine.actions import Action
from propctl.generators.engine.merge import MINE_LABEL, merge3
from propctl.generators.engine.names import inside, safe_relpath
from propctl.generators.engine.patch import (
    collapse_patches,
    plan_patch,
    recorded_patches,
    with_patches,
)
from propctl.generators.engine.render import sha256
from propctl.generators.engine.specs import FileAction, FileSpec, Generation, PatchSpec, Plan
from propctl.state import RepoState

if TYPE_CHECKING:
    from propctl.generators.engine.adopt import Adoption
    from propctl.generators.engine.formatting import Formatter


def plan(repo: Path, generation: Generation, *, merge: bool = False) -> Plan:
    """What `generation` would do to `repo`; reads, writes nothing. JS/TS the generator writes
    (its own files, and what an adoption makes of the user's) is first formatted with the repo's
    own Prettier when it has one (`formatting.py`); the plan's generation's notes say when it is
    not. `generation` itself is not changed: `Plan.generation` is the planned copy."""
    from propctl.generators.engine.formatting import Formatter

    with Formatter(repo) as formatter:
        result = _plan(repo, generation, merge, formatter)
    notes = list(generation.notes)
    for note in formatter.notes:
        if note not in notes:
            notes.append(note)
    return replace(result, generation=replace(result.generation, notes=notes))


def _plan(repo: Path, generation: Generation, merge: bool, formatter: Formatter) -> Plan:
    manifest = RepoState(repo).generated()
    seen: dict[str, str] = {}  # content each path would have after earlier specs
    actions: list[FileAction] = []
    kinds: dict[str, str] = {}
    root = repo.resolve()
    files: list[FileSpec | PatchSpec] = [
        replace(spec, path=safe_relpath(spec.path)) for spec in generation.files
    ]
    owned = [s for s in files if isinstance(s, FileSpec) and not s.append_only]
    for own in owned:
        formatter.planned(own.path, own.content)
    formatted = formatter.format_many([(s.path, s.content) for s in owned])
    files = [
        replace(s, content=formatted.get(s.path, s.content))
        if isinstance(s, FileSpec) and not s.append_only
        else s
        for s in files
    ]
    for spec in files:
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
            current = seen.get(spec.path, read_text(target))
            action = plan_patch(spec, current)
            if action.new is not None:
                seen[spec.path] = action.new
        actions.append(action)
    planned = replace(generation, files=files)
    actions.extend(_obsolete(repo, planned, manifest, seen))
    return Plan(planned, collapse_patches(actions), merge)


def read_text(path: Path) -> str | None:
    """A file's text as the plan sees it: None when there is none; a `UserError` when a folder or
    a non-UTF-8 file stands where a generated file goes."""
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
    old = read_text(target)
    patches = recorded_patches(spec.path, entry)
    new = with_patches(spec.content, patches)
    act = FileAction(spec.path, Action.CREATE, old=old, new=new, spec=spec)
    if old is None:
        if entry is None:
            return act.decided(Action.CREATE, "new file")
        return act.decided(
            Action.DELETED, "generated earlier and deleted since; --force recreates it"
        )
    if entry is not None and entry.get("adopted") and spec.adopt is not None:
        return _plan_adopted(repo, act, spec.adopt, entry, merge, formatter)
    if old == act.new:
        return act.decided(Action.IDENTICAL, "up to date")
    if spec.append_only:
        return act.decided(Action.SKIP, "append-only: never re-rendered once written")
    if entry is None and spec.adopt is not None:
        return _adopt(act, spec.adopt, target, formatter)
    if entry is None:
        return act.decided(Action.CONFLICT, "exists and was not generated by propctl")
    if entry.get("merged") and _has_markers(old):
        return act.decided(Action.CONFLICT, "still holds the conflict markers of the last --merge")
    generated = entry.get("generated") or entry.get("sha256")
    if sha256(old) == entry.get("sha256"):
        if not entry.get("merged"):
            return act.decided(
                Action.UPDATE,
                "unchanged since propctl wrote it"
                + (" (with other generators' patches)" if patches else ""),
            )
        if sha256(spec.content) == generated:
            return act.decided(Action.SKIP, "your merged edits are kept; the template is unchanged")
    act = act.decided(Action.CONFLICT, "edited since propctl generated it")
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
        return act.decided(
            Action.CONFLICT,
            f"exists, was not generated by propctl, and has {why}",
            hand_diff=act.diff(),
            manual="change your file as this diff shows (your way is fine), then run again",
        )
    text = _formatted(formatter, act.path, act.old, result.text)
    if text == act.old:  # already uses the generated code: recorded, nothing to write
        return act.decided(
            Action.ADOPT,
            "already uses the generated code; recorded as adopted",
            render=text,
            new=None,
        )
    return act.decided(
        Action.ADOPT,
        "your file; patched: " + ", ".join(result.patched) + "; the rest kept",
        render=text,
        new=text,
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
    text = _formatted(formatter, act.path, before, adoption.apply(before).text)
    act = replace(act, render=text, new=text)
    if act.old == act.new:
        return act.decided(Action.IDENTICAL, "up to date (adopted)")
    if act.old is not None and sha256(act.old) == entry.get("sha256"):
        return act.decided(Action.UPDATE, "adopted, unchanged since propctl wrote it")
    if act.new == base:
        return act.decided(Action.SKIP, "adopted: your edits are kept; propctl's part is unchanged")
    act = act.decided(Action.CONFLICT, "edited since propctl generated it")
    return _merged(repo, act, entry, base_hash, []) if merge else act


def _formatted(formatter: Formatter, path: str, before: str, text: str) -> str:
    """An adoption's result, formatted when the adoption changed something (a user's file that
    propctl did not touch stays as the user wrote it)."""
    return text if text == before else formatter.format_one(path, text)


def _has_markers(text: str) -> bool:
    """The `<<<<<<< yours` line a --merge writes, still there (the user has not resolved it)."""
    return f"<<<<<<< {MINE_LABEL}" in text.splitlines()


def _merged(
    repo: Path, act: FileAction, entry: dict[str, Any], base_hash: str, patches: list[PatchSpec]
) -> FileAction:
    base = snapshots.load_snapshot(repo, entry, base_hash)
    if base is None:
        return replace(
            act, reason=act.reason + "; no snapshot of the last generated content to merge with"
        )
    base = with_patches(base, patches)
    result = merge3(base, act.old or "", act.new or "")
    merged = replace(act, new=result.text, markers=result.conflicts)
    if result.text == act.old:
        return merged.decided(
            Action.SKIP, "your version already holds the template's changes", adopt=True
        )
    detail = f"{result.conflicts} conflict region(s) to resolve" if result.conflicts else "clean"
    return merged.decided(Action.MERGE, f"three-way merge: {detail}")


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
            out.append(
                FileAction(path, Action.OBSOLETE, "no longer generated; delete it if unused")
            )
    return out
