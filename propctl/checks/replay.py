"""A verify run with nothing changed, answered without loading the roadmap or the check kinds.

Every check's result is cached under the hashes of its inputs (`engine.ResultCache`), yet even
an all-cached run has to validate the roadmap and import every check kind to compute those keys:
most of its time as a new process. So a full run (no --tier/--task/--criterion, no --base) whose
every result is a function of its inputs (file checks and attestations; no `command` or `asgi`
check, which run code, no live check, no error) also records here what the run as a whole
depended on: propctl's version, the roadmap's bytes, today's date
(expiries), the waivers and attestations, the repo's file listing (and the files .gitignore
hides, when CI artifacts were looked for), and each input file's size, mtime and hash. When
all of that is unchanged, the next run's results are these: exactly what the result cache would
give. Judging them (baseline, --strict, --ratchet, --min-score) and the history line use the
same rules as a full run (`propctl.checks.rules`). The standard library only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from propctl import __version__
from propctl.checks.fileindex import FileIndex
from propctl.state import STATE_DIR, atomic_write

PATH = f"{STATE_DIR}/cache/replay.json"
STATE_FILES = (f"{STATE_DIR}/waivers.yaml", f"{STATE_DIR}/attestations.yaml")
FORMAT = 1


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
    signatures: dict[str, list[Any] | None] = {}
    for rel in sorted(inputs):
        digest = files.hash(rel)
        memo = files.hash_memo.get(rel)  # the stat taken when the digest was computed
        if digest == "missing":
            signatures[rel] = None
        else:  # no stat to trust: mtime 0 makes the next run hash the file again
            signatures[rel] = list(memo) if memo and memo[2] == digest else [0, 0, digest]
    fingerprint = {
        name: part() for name, part in _parts(repo, files, roadmap, files.artifacts_used)
    }
    body = {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "inputs": signatures,
        "outcome": outcome.as_json(),
    }
    atomic_write(repo / PATH, json.dumps(body, separators=(",", ":")))


def forget(repo: Path) -> None:
    """A run that cannot be replayed: the next one must not replay an older one either."""
    (repo / PATH).unlink(missing_ok=True)


def lookup(repo: Path, files: FileIndex, roadmap: Path) -> tuple[Recorded | None, str]:
    """The recorded outcome when nothing it depends on changed; else None and what changed
    (`files` is the run's index: a miss has listed the repo for the full run already)."""
    try:
        body = json.loads((repo / PATH).read_text("utf-8"))
        if body.get("format") != FORMAT:
            return None, "no recorded run in this format"
        recorded = body["fingerprint"]
        signatures: dict[str, list[Any] | None] = body["inputs"]
        outcome = Recorded(**body["outcome"])
    except FileNotFoundError:
        return None, "no recorded run"
    except (OSError, ValueError, KeyError, TypeError):
        return None, "the recorded run is unreadable"
    for name, part in _parts(repo, files, roadmap, bool(recorded.get("artifacts"))):
        if part() != recorded.get(name):
            return None, f"changed since the last run: {name}"
    try:
        files.hash_memo.update(
            {rel: (int(s[0]), int(s[1]), str(s[2])) for rel, s in signatures.items() if s}
        )
        for rel, signature in signatures.items():
            digest = files.hash(rel)
            if (digest if digest != "missing" else None) != (signature[2] if signature else None):
                return None, f"changed since the last run: {rel}"
    except (ValueError, TypeError, IndexError):
        return None, "the recorded run is unreadable"
    return outcome, "nothing changed since the last run"


def _parts(
    repo: Path, files: FileIndex, roadmap: Path, artifacts: bool
) -> list[tuple[str, Callable[[], Any]]]:
    """What a run depends on besides its inputs, cheapest first (`lookup` stops at the first
    difference). Not --python or --live: only checks that run code or reach the world use
    them, and a run with such a check is never recorded."""
    return [
        ("propctl", lambda: __version__),
        ("today", lambda: date.today().isoformat()),
        ("roadmap", lambda: [str(roadmap), _file_digest(roadmap)]),
        ("state", lambda: {rel: _file_digest(repo / rel) for rel in STATE_FILES}),
        ("listing", lambda: _names_digest(files.files)),
        ("artifacts", lambda: _names_digest(files.on_disk) if artifacts else None),
    ]


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
