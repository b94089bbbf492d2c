"""A verify run with nothing changed, answered without loading the roadmap or the check kinds.

Every check's result is cached under the hashes of its inputs (`runner.ResultCache`), yet even
an all-cached run has to validate the roadmap and import every check kind to compute those keys:
most of its time as a new process. So a full run (no --tier/--task/--criterion, no --base) whose
every result is a function of its inputs (file checks and attestations; no `command` or `asgi`
check, which run code, no live check, no error) also records what the run as a whole depended
on: propctl's version and source, the interpreter and the packages installed beside it, the
repo, the roadmap's bytes, today's date (expiries), the waivers and attestations, the repo's
file listing (and the files .gitignore hides, when CI artifacts were looked for), and the
content hash of every input. The record lives in the user's cache folder, sealed with an HMAC
(`propctl.checks.engine.usercache`): one edited, forged or copied from elsewhere is dropped.
When all of it is unchanged (every input hashed again: a size or a timestamp proves nothing),
the next run's results are these: exactly what the result cache would give. Judging them
(baseline, --strict, --ratchet, --min-score) and the history line use the same rules as a full run
(`propctl.checks.gate.rules`). The standard library only."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from propctl import __version__, clock
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.engine.usercache import RepoCache, SealError
from propctl.state import STATE_DIR

NAME = "replay.json"
STATE_FILES = (f"{STATE_DIR}/waivers.yaml", f"{STATE_DIR}/attestations.yaml")
FORMAT = 2


@dataclass
class Recorded:
    """A full run's outcome, before the gate: results with waivers applied, the expired-waiver
    problems, the score, and what the document names."""

    results: list[dict[str, Any]]
    problems: list[str]
    score: dict[str, Any]
    roadmap: str
    tasks: dict[str, str]
    attested: list[str]

    def as_json(self) -> dict[str, Any]:
        return dict(vars(self))


def record(
    repo: Path, files: FileIndex, roadmap: Path, inputs: set[str], outcome: Recorded
) -> None:
    signatures = {rel: _digest(files, rel) for rel in sorted(inputs)}
    fingerprint = {
        name: part() for name, part in _parts(repo, files, roadmap, files.artifacts_used)
    }
    body = {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "inputs": signatures,
        "outcome": outcome.as_json(),
    }
    RepoCache.of(repo).write(NAME, body)


def forget(repo: Path) -> None:
    """A run that cannot be replayed: the next one must not replay an older one either."""
    RepoCache.of(repo).forget(NAME)


def record_path(repo: Path) -> Path | None:
    """Where the record of `repo` is kept (None: there is no cache folder to keep it in)."""
    return RepoCache.of(repo).path(NAME)


def lookup(repo: Path, files: FileIndex, roadmap: Path) -> tuple[Recorded | None, str]:
    """The recorded outcome when nothing it depends on changed; else None and what changed
    (`files` is the run's index: a miss has listed the repo for the full run already)."""
    try:
        body = RepoCache.of(repo).read(NAME)
    except SealError as exc:
        return None, str(exc)
    try:
        if body.get("format") != FORMAT:
            return None, "no recorded run in this format"
        recorded = body["fingerprint"]
        signatures: dict[str, Any] = body["inputs"]
        outcome = Recorded(**body["outcome"])
        for name, part in _parts(repo, files, roadmap, bool(recorded.get("artifacts"))):
            if part() != recorded.get(name):
                return None, f"changed since the last run: {name}"
        for rel, digest in signatures.items():
            if _digest(files, rel) != digest:
                return None, f"changed since the last run: {rel}"
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, "the recorded run is unreadable"
    return outcome, "nothing changed since the last run"


def _digest(files: FileIndex, rel: str) -> str | None:
    digest = files.hash(rel)
    return None if digest == "missing" else digest


def _parts(
    repo: Path, files: FileIndex, roadmap: Path, artifacts: bool
) -> list[tuple[str, Callable[[], Any]]]:
    """What a run depends on besides its inputs, cheapest first (`lookup` stops at the first
    difference). Not --python or --live: only checks that run code or reach the world use
    them, and a run with such a check is never recorded."""
    return [
        ("propctl", lambda: __version__),
        ("today", lambda: clock.today().isoformat()),
        ("repo", lambda: os.path.realpath(repo)),
        ("interpreter", lambda: [sys.executable, sys.version]),
        ("code", _code_digest),
        ("secrets", _secrets_digest),
        ("roadmap", lambda: [str(roadmap), _file_digest(roadmap)]),
        ("state", lambda: {rel: _file_digest(repo / rel) for rel in STATE_FILES}),
        ("listing", lambda: _names_digest(files.files)),
        ("artifacts", lambda: _names_digest(files.on_disk) if artifacts else None),
    ]


def _secrets_digest() -> str:
    """Results were redacted with the secrets this environment held (their values, hashed
    here): with others, evidence must be redacted again."""
    from propctl.checks.engine.redact import known_secrets

    return hashlib.sha256("\0".join(known_secrets()).encode("utf-8", "surrogateescape")).hexdigest()


# the whole of propctl's source, whose every .py file a replay's code digest covers
SOURCE_ROOT = Path(__file__).resolve().parents[2]


@cache
def _code_digest() -> str:
    """propctl's own source and the packages installed beside it (the parsers and schemas the
    checks use): an edited propctl or an upgraded jsonschema may judge differently."""
    digest = hashlib.sha256()
    package = SOURCE_ROOT
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.fsencode(os.path.relpath(path, package)) + b"\0")
            with open(path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    for entry in sys.path:
        if os.path.isdir(entry) and entry.endswith("-packages"):
            dists = sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
            digest.update("\0".join(dists).encode())
    return digest.hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable: {exc.errno}"


def _names_digest(names: list[str]) -> str:
    # propctl's own state is not the target's: the first run creates .propctl/history.jsonl
    own = f"{STATE_DIR}/"
    return hashlib.sha256(
        "\0".join(n for n in names if not n.startswith(own)).encode("utf-8", "surrogateescape")
    ).hexdigest()
