"""The last generated content of every file, for `--merge`'s three-way merge: one gzip-compressed
JSON pack per generation (generator + parameters) in `.propctl/snapshots/<key>.json.gz`, holding
{sha256: content} for exactly the files that generation currently owns."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from propctl.generators.engine import transaction
from propctl.state import SNAPSHOTS, state_rel

FOLDER = state_rel(SNAPSHOTS)


def pack_key(generator: str, params: dict[str, Any]) -> str:
    identity = json.dumps({"generator": generator, "params": params}, sort_keys=True)
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:20]


def pack_path(repo: Path, key: str) -> Path:
    return repo / FOLDER / f"{key}.json.gz"


def load_pack(repo: Path, key: str) -> dict[str, str]:
    try:
        data = json.loads(gzip.decompress(pack_path(repo, key).read_bytes()).decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {k: v for k, v in (files or {}).items() if isinstance(v, str)}


def load_snapshot(repo: Path, entry: dict[str, Any], digest: str) -> str | None:
    """The content propctl generated with hash `digest` for a manifest entry's generation."""
    return load_pack(repo, pack_key(entry.get("generator", ""), entry.get("params") or {})).get(
        digest
    )


def pack_write(
    repo: Path,
    generator: str,
    params: dict[str, Any],
    manifest: dict[str, dict[str, Any]],
    new: dict[str, str],
) -> transaction.Write | None:
    """The updated pack for one generation, pruned to the hashes its manifest entries name; None
    when nothing changed."""
    key = pack_key(generator, params)
    existing = load_pack(repo, key)
    keep = {
        entry.get("generated") or entry.get("sha256")
        for entry in manifest.values()
        if entry.get("generator") == generator and entry.get("params") == params
    }
    files = {d: c for d, c in sorted({**existing, **new}.items()) if d in keep}
    if files == existing:
        return None
    body = json.dumps({"generator": generator, "params": params, "files": files}, sort_keys=True)
    return transaction.Write(
        pack_path(repo, key), gzip.compress(body.encode("utf-8"), compresslevel=6, mtime=0)
    )
