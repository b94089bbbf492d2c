"""The manifest, `.propctl/generated.json`: for every file propctl generated, which generator and
parameters wrote it, the digest of what is on disk and of propctl's own render when they differ,
and the patches other generators made to it (re-applied on every re-render)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from propctl.generators.engine import transaction
from propctl.generators.engine.actions import Action
from propctl.generators.engine.render import sha256
from propctl.generators.engine.specs import ApplyReport, FileAction, FileSpec, Generation, PatchSpec
from propctl.state import RepoState


def record(
    manifest: dict[str, dict[str, Any]],
    generation: Generation,
    action: FileAction,
    rendered: dict[str, str],
    report: ApplyReport,
) -> None:
    assert isinstance(action.spec, FileSpec)
    previous = manifest.get(action.path, {})
    adopted = action.action == Action.ADOPT or (
        previous.get("adopted") and action.render is not None and action.action != Action.CONFLICT
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
        action.action == Action.MERGE
        or action.adopt
        or (previous.get("merged") and action.action == Action.IDENTICAL)
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


def record_patches(entry: dict[str, Any], generation: Generation, action: FileAction) -> None:
    """A generated file patched by another generator: propctl wrote this content too."""
    entry.setdefault("generated", entry.get("sha256"))
    if action.action == Action.PATCH and action.new is not None:
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


def manifest_write(repo: Path, manifest: dict[str, dict[str, Any]]) -> transaction.Write:
    body = {"schema_version": 1, "files": dict(sorted(manifest.items()))}
    return transaction.Write(
        RepoState(repo).generated_path, (json.dumps(body, indent=2) + "\n").encode("utf-8")
    )


def is_generated(repo: Path, path: str) -> bool:
    return path in RepoState(repo).generated() and os.path.exists(repo / path)
