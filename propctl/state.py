"""The `.propctl/` folder of a target repo: plain text that can be committed.

- `history.jsonl`    one line per verify run (time, commit, every status, the score)
- `baseline.json`    the criteria that must keep passing (`verify --update-baseline`)
- `attestations.yaml` people's attestations for manual criteria
- `waivers.yaml`     waived criteria (owner, reason, expiry)
- `generated.json`   every generated file: generator, parameters, hash of what was written
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from propctl.errors import UserError

STATE_DIR = ".propctl"
SCHEMA_VERSION = 1


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write through a temporary file in the same folder, then rename: never half a file. The
    file keeps its mode (a new one gets the umask's, like any file the user creates). A target
    that is not a regular file (`-o /dev/stdout`, `/dev/null`, a FIFO) is written in place:
    renaming over it would replace the device itself."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and not path.is_file():
        with path.open("wb") as handle:
            handle.write(raw)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask (reading it means setting it: set it back at once)."""
    current = os.umask(0)
    os.umask(current)
    return current


def git_commit(repo: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@dataclass
class RepoState:
    repo: Path

    @property
    def dir(self) -> Path:
        return self.repo / STATE_DIR

    # ---- history --------------------------------------------------------------------------
    @property
    def history_path(self) -> Path:
        return self.dir / "history.jsonl"

    def history(self) -> list[dict[str, Any]]:
        """Every recorded run, oldest first. Lines that do not parse are reported, not skipped
        silently: a merge gone wrong should be visible."""
        if not self.history_path.is_file():
            return []
        try:
            text = self.history_path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(
                f"{self.history_path}: cannot read: {exc}",
                hint="it must be UTF-8 text, one JSON verify run per line",
            ) from None
        return parse_history(text, str(self.history_path))

    def latest(self) -> dict[str, Any] | None:
        runs = self.history()
        return runs[-1] if runs else None

    def append_history(self, record: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"schema_version": SCHEMA_VERSION, **record}, sort_keys=True)
        with self.history_path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        self._ensure_union_merge()

    def _ensure_union_merge(self) -> None:
        attributes = self.repo / ".gitattributes"
        rule = f"{STATE_DIR}/history.jsonl merge=union"
        text = attributes.read_text("utf-8") if attributes.is_file() else ""
        if rule not in text.splitlines():
            atomic_write(
                attributes, text + ("" if not text or text.endswith("\n") else "\n") + rule + "\n"
            )

    # ---- baseline -------------------------------------------------------------------------
    @property
    def baseline_path(self) -> Path:
        return self.dir / "baseline.json"

    def baseline(self) -> set[str]:
        return baseline_ids(read_json(self.baseline_path, default={}), str(self.baseline_path))

    def write_baseline(self, passing: set[str], commit: str | None) -> None:
        body = {
            "schema_version": SCHEMA_VERSION,
            "updated": datetime.now().isoformat(timespec="seconds"),
            "commit": commit,
            "passing": sorted(passing),
        }
        atomic_write(self.baseline_path, json.dumps(body, indent=2) + "\n")

    # ---- generated files --------------------------------------------------------------------
    @property
    def generated_path(self) -> Path:
        return self.dir / "generated.json"

    def generated(self) -> dict[str, dict[str, Any]]:
        data = read_json(self.generated_path, default={})
        files = data.get("files", {}) if isinstance(data, dict) else None
        if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
            raise UserError(
                f"{self.generated_path}: not propctl's record of generated files "
                '(expected {"files": {PATH: {...}}})',
                hint="restore it from git (git checkout -- .propctl/generated.json)",
            )
        return dict(files)

    def write_generated(self, files: dict[str, dict[str, Any]]) -> None:
        body = {"schema_version": SCHEMA_VERSION, "files": dict(sorted(files.items()))}
        atomic_write(self.generated_path, json.dumps(body, indent=2) + "\n")


def parse_history(text: str, source: str) -> list[dict[str, Any]]:
    """The runs of a history.jsonl text, oldest first; a line that is not a verify record
    (JSON object with a `statuses` mapping, a string `time`, a mapping `score`) is an error."""
    runs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"{source}:{number}: not a JSON line ({exc.msg})",
                hint="remove or repair the line; each line is one verify run",
            ) from None
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("statuses"), dict)
            or not isinstance(record.get("time", ""), str)
            or not isinstance(record.get("score", {}), dict)
        ):
            raise UserError(
                f"{source}:{number}: not a verify record",
                hint="each line needs `statuses` (a mapping), `time` (a string) "
                "and `score` (a mapping); remove or repair the line",
            )
        runs.append(record)
    runs.sort(key=lambda r: r.get("time", ""))
    return runs


def baseline_ids(data: Any, source: str) -> set[str]:
    """The `passing` ids of a parsed baseline.json: a mapping whose `passing` is a list of ids."""
    passing = data.get("passing", []) if isinstance(data, dict) else None
    if not isinstance(passing, list) or not all(isinstance(x, str) for x in passing):
        raise UserError(
            f'{source}: not a baseline (expected {{"passing": [ids...]}})',
            hint="rewrite it with `propctl verify --update-baseline`",
        )
    return set(passing)


def read_json(path: Path, default: Any) -> Any:
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None


def parse_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):  # YAML's unquoted `2030-01-01 10:00:00`
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """Entries of a YAML list file (attestations, waivers) with safe loading."""
    if not path.is_file():
        return
    from propctl.roadmap.yamlsrc import read_yaml

    data = read_yaml(path).data
    if data is None:
        return
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise UserError(f"{path}: expected a list of mappings")
    yield from data
