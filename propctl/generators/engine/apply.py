"""Applying a plan: every file written all or nothing (`transaction.py`), under the repo's lock
(`lock.py`), with the manifest and the snapshots of what was generated; nothing at all when a
file is in conflict, a patch is refused (unless `force`), or a file changed since the plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from propctl.errors import FailureFound
from propctl.generators.engine import snapshots, transaction
from propctl.generators.engine.actions import WRITES, Action
from propctl.generators.engine.lock import locked
from propctl.generators.engine.manifest import manifest_write, record, record_patches
from propctl.generators.engine.patch import recorded_patches, with_patches
from propctl.generators.engine.plan import plan as make_plan
from propctl.generators.engine.plan import read_text
from propctl.generators.engine.specs import (
    ApplyReport,
    Conflict,
    FileAction,
    FileSpec,
    PatchSpec,
    Plan,
)
from propctl.state import RepoState


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
    with locked(repo):
        _unchanged_since_plan(repo, plan)
        return _apply_locked(repo, plan, force, check)


def _apply_locked(
    repo: Path, plan: Plan, force: bool, check: Callable[[], None] | None = None
) -> ApplyReport:
    report = ApplyReport()
    writes: list[transaction.Write] = []
    manifest = RepoState(repo).generated()
    rendered: dict[str, str] = {}
    for planned in plan.actions:
        action = _apply_one(repo, planned, force, writes, report, manifest.get(planned.path))
        if isinstance(action.spec, FileSpec) and (
            action.action not in (Action.SKIP, Action.DELETED)
            or action.adopt
            or (action.action == Action.DELETED and force)
        ):
            record(manifest, plan.generation, action, rendered, report)
        elif (
            isinstance(action.spec, PatchSpec)
            and action.path in manifest
            and (action.action in (Action.PATCH, Action.IDENTICAL))
        ):
            record_patches(manifest[action.path], plan.generation, action)
    pack = snapshots.pack_write(
        repo, plan.generation.generator, plan.generation.params, manifest, rendered
    )
    if not writes and pack is None and manifest == RepoState(repo).generated():
        return report
    writes.extend([pack] if pack is not None else [])
    writes.append(manifest_write(repo, manifest))
    transaction.commit(writes, check)
    return report


def _unchanged_since_plan(repo: Path, plan: Plan) -> None:
    moved = [
        a.path
        for a in plan.actions
        if a.action != Action.OBSOLETE and read_text(repo / a.path) != a.old
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
) -> FileAction:
    """Queue the action's write (and a forced one's FILE.orig); returns the action as written
    (a forced conflict writes the render, not what the plan showed)."""
    spec = action.spec
    executable = isinstance(spec, FileSpec) and spec.executable
    if action.action == Action.REFUSED:
        report.manual.append(action.manual)
        return action
    if action.action == Action.ADOPT and action.new is None:
        report.unchanged += 1
        return action
    if action.action in (Action.CONFLICT, Action.DELETED) and force and isinstance(spec, FileSpec):
        if action.old is not None:
            backup = f"{action.path}.orig"
            writes.append(transaction.Write(repo / backup, action.old.encode("utf-8")))
            report.backups.append(backup)
        # the render with other generators' patches, as an update writes it
        action = replace(
            action, new=with_patches(spec.content, recorded_patches(action.path, entry))
        )
    elif action.action not in WRITES:
        report.unchanged += action.action in (Action.IDENTICAL, Action.SKIP)
        return action
    if action.markers:
        report.markers.append(action.path)
    assert action.new is not None
    writes.append(transaction.Write(repo / action.path, action.new.encode("utf-8"), executable))
    report.written.append(action.path)
    return action
