"""Anchored, idempotent edits in files the user owns (`PatchSpec`): a block inserted after (or
before) the first line matching an anchor, or at the end, or the anchor's match replaced; done
once, so a block already there is `identical`, and an anchor not found is `refused` with what to
do by hand. Patches other generators made to a generated file are recorded in the manifest and
re-applied after every re-render (`recorded_patches`, `with_patches`)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from propctl.errors import UserError
from propctl.generators.engine.actions import Action
from propctl.generators.engine.specs import FileAction, PatchSpec


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


def plan_patch(spec: PatchSpec, current: str | None) -> FileAction:
    """What `spec` does to a file holding `current` (None: there is no file)."""
    act = FileAction(spec.path, Action.REFUSED, old=current, spec=spec, manual=manual(spec))
    block = spec.insert if spec.insert.endswith("\n") else spec.insert + "\n"
    if current is None:
        if spec.create:
            return act.decided(Action.CREATE, "new file", new=block)
        return act.decided(Action.REFUSED, "file not found")
    if _contains_block(current, spec.insert) or (spec.replace and _replaced(current, spec)):
        return act.decided(Action.IDENTICAL, "already present", manual="")
    patched = _insert(current, block, spec)
    if patched is None:
        return act.decided(Action.REFUSED, f"anchor /{spec.anchor}/ not found")
    verb = f"replace /{spec.anchor}/ with " if spec.replace else "insert "
    return act.decided(Action.PATCH, verb + _summary(spec.insert), new=patched, manual="")


def manual(spec: PatchSpec) -> str:
    """The edit in words, for the user to make by hand when propctl cannot."""
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


def collapse_patches(actions: list[FileAction]) -> list[FileAction]:
    """Several patches to one file become one action: old = the disk, new = every insert."""
    groups: dict[str, list[FileAction]] = {}
    for action in actions:
        if isinstance(action.spec, PatchSpec):
            groups.setdefault(action.path, []).append(action)
    out: list[FileAction] = []
    for action in actions:
        if not isinstance(action.spec, PatchSpec):
            out.append(action)
        elif groups[action.path][0] is action:
            group = groups[action.path]
            out.append(_combine(group) if len(group) > 1 else action)
    return out


def _combine(group: list[FileAction]) -> FileAction:
    first = group[0]
    refused = [a for a in group if a.action == Action.REFUSED]
    changed = [a for a in group if a.action in (Action.PATCH, Action.CREATE)]
    if refused:
        return dataclasses.replace(
            first,
            action=Action.REFUSED,
            reason="; ".join(a.reason for a in refused),
            manual="; ".join(a.manual for a in refused),
            new=None,
        )
    if changed:
        return dataclasses.replace(
            first,
            action=Action.CREATE if first.old is None else Action.PATCH,
            reason="; ".join(a.reason for a in changed),
            new=changed[-1].new,
        )
    return first


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
