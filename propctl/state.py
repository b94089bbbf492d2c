"""The `.propctl/` folder of a target repo: plain text that can be committed. This module is its
only owner: it knows every file's name, and does all reading, writing and locking.

- `history.jsonl`     one line per verify run (time, commit, every status, the score)
- `baseline.json`     the criteria that must keep passing (`verify --update-baseline`)
- `attestations.yaml` people's attestations for manual criteria
- `waivers.yaml`      waived criteria (owner, reason, expiry)
- `generated.json`    every generated file: generator, parameters, hash of what was written
- `target.yaml`       which roadmap this repo is the target of (`propctl init`)

The folder is read from the working tree, or from a git ref (`RepoState(repo, ref="origin/main")`,
what `verify --base` judges by). A state file that is a symlink, not a regular file, binary or
not UTF-8 is an error naming it (exit 2), never a crash and never "empty"; writes are atomic,
never follow a symlink and never land outside the repo."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from propctl import clock
from propctl.errors import UserError

STATE_DIR = ".propctl"
SCHEMA_VERSION = 1
HISTORY = "history.jsonl"
BASELINE = "baseline.json"
ATTESTATIONS = "attestations.yaml"
WAIVERS = "waivers.yaml"
GENERATED = "generated.json"
TARGET = "target.yaml"
CACHE = "cache"  # a folder: propctl's own, never committed
SNAPSHOTS = "snapshots"  # a folder: the generators' last output, for --merge
LOCK = ".lock"
FILES = (HISTORY, BASELINE, ATTESTATIONS, WAIVERS, GENERATED, TARGET)
RESTORE = "restore it from git (`git checkout -- {rel}`) or delete it"


def state_rel(name: str) -> str:
    """A state file's path relative to the repo, e.g. `.propctl/baseline.json`."""
    return f"{STATE_DIR}/{name}"


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
    _replace(path, raw, mode)


def _replace(path: Path, raw: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.chmod(tmp, mode)
        os.replace(tmp, path)  # replaces a symlink itself, never what it points to
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


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"git {' '.join(args)}: cannot run git ({exc})") from None


def resolve_ref(repo: Path, ref: str) -> str:
    """The commit a `--base REF` names; a ref git does not know is exit 2."""
    if not ref.strip() or ref.startswith("-"):
        raise UserError(f"--base {ref!r}: not a git ref", hint="e.g. --base origin/main")
    done = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if done.returncode != 0:
        raise UserError(
            f"--base {ref}: no such git ref in {repo}",
            hint="fetch it first, e.g. `git fetch origin main` (actions/checkout: fetch-depth: 0)",
        )
    return done.stdout.decode().strip()


def show_at(repo: Path, commit: str, rel: str) -> bytes | None:
    """A file's bytes at a commit; None when the commit has no such file."""
    done = _git(repo, "cat-file", "-e", f"{commit}:{rel}")
    if done.returncode != 0:
        return None
    kind = _git(repo, "cat-file", "-t", f"{commit}:{rel}").stdout.decode().strip()
    if kind != "blob":
        raise UserError(
            f"{commit[:12]}:{rel}: a {kind or 'non-file'} in git, not a file",
            hint=f"make {rel} a regular file at that commit",
        )
    return _git(repo, "cat-file", "blob", f"{commit}:{rel}").stdout


def decode_text(raw: bytes, source: str, rel: str) -> str:
    """The UTF-8 text of a state file; binary or other encodings are an error naming it."""
    try:
        if b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, raw.index(b"\x00"), raw.index(b"\x00") + 1, "")
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{source}: binary, not UTF-8 text (byte {exc.start})",
            hint=RESTORE.format(rel=rel),
        ) from None


@dataclass
class RepoState:
    repo: Path
    ref: str | None = None  # read from this git ref instead of the working tree
    _commit: str | None = field(default=None, repr=False)

    @property
    def dir(self) -> Path:
        return self.repo / STATE_DIR

    def path(self, name: str) -> Path:
        return self.dir / name

    def source(self, name: str) -> str:
        """How messages name a state file: its path, or `REF:.propctl/NAME`."""
        return f"{self.ref}:{state_rel(name)}" if self.ref else str(self.path(name))

    @property
    def commit(self) -> str:
        if self.ref is None:
            raise ValueError("not reading from a git ref")
        if self._commit is None:
            self._commit = resolve_ref(self.repo, self.ref)
        return self._commit

    # ---- reading ----------------------------------------------------------------------------
    def read(self, name: str) -> str | None:
        """A state file's text; None when there is none."""
        if self.ref is not None:
            raw = show_at(self.repo, self.commit, state_rel(name))
            return None if raw is None else decode_text(raw, self.source(name), state_rel(name))
        path = self.path(name)
        self._check_dir()
        try:
            info = path.lstat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UserError(f"{path}: cannot read: {exc.strerror}") from None
        _regular_or_refuse(path, info, state_rel(name))
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserError(
                f"{path}: cannot read: {exc.strerror}",
                hint="give your user read access, or " + RESTORE.format(rel=state_rel(name)),
            ) from None
        return decode_text(raw, str(path), state_rel(name))

    def read_json(self, name: str, default: Any) -> Any:
        text = self.read(name)
        if text is None:
            return default
        try:
            return json.loads(text, parse_constant=_no_constant)
        except ValueError as exc:
            where = (
                f"{self.source(name)}:{exc.lineno}:{exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else self.source(name)
            )
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise UserError(
                f"{where}: invalid JSON: {msg}", hint=RESTORE.format(rel=state_rel(name))
            ) from None

    def check_layout(self) -> None:
        """Every state path is what it should be (the folder a folder, each file a regular
        file, none a symlink): checked before a run reads or writes anything."""
        if self.ref is not None:
            return
        self._check_dir()
        for name in FILES:
            try:
                _regular_or_refuse(self.path(name), self.path(name).lstat(), state_rel(name))
            except FileNotFoundError:
                continue
        for name in (CACHE, SNAPSHOTS):
            folder = self.path(name)
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise UserError(
                    f"{folder}: not a folder (propctl keeps its {name} there)",
                    hint=f"delete it: rm {state_rel(name)}",
                )

    def _check_dir(self) -> None:
        folder = self.dir
        if folder.is_symlink():
            raise UserError(
                f"{folder}: a symlink (to {os.readlink(folder)}); propctl never writes through one",
                hint=f"replace it with a real folder: rm {STATE_DIR} && mkdir {STATE_DIR}",
            )
        if folder.exists() and not folder.is_dir():
            raise UserError(
                f"{folder}: not a folder; propctl keeps its state there",
                hint=f"move the file away and rerun; `propctl init` creates {STATE_DIR}/",
            )

    # ---- writing ----------------------------------------------------------------------------
    def write(self, name: str, text: str) -> None:
        """Replace a state file atomically: never through a symlink, never outside the repo."""
        path = self._writable(name)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~current_umask()
        _replace(path, text.encode("utf-8"), mode)

    def _writable(self, name: str) -> Path:
        if self.ref is not None:
            raise ValueError("state read from a git ref is never written")
        self._check_dir()
        self.dir.mkdir(exist_ok=True)
        if not self.dir.resolve().is_relative_to(self.repo.resolve()):
            raise UserError(f"{self.dir}: resolves outside the repo; nothing was written")
        path = self.path(name)
        try:
            info = path.lstat()
        except FileNotFoundError:
            return path
        _regular_or_refuse(path, info, state_rel(name))
        if info.st_nlink > 1:  # an append would land in the other name's file too
            raise UserError(
                f"{path}: has {info.st_nlink} hard links; propctl never writes through one",
                hint=f"make it a file of its own: cp {state_rel(name)} x && mv x {state_rel(name)}",
            )
        return path

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One writer at a time per repo (verify's history, the generators' apply); the
        folder's layout is checked first, so nothing is then written through a symlink."""
        import fcntl

        self.check_layout()
        path = self._writable(LOCK)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # ---- the target declaration -------------------------------------------------------------
    def target(self) -> dict[str, Any] | None:
        """`.propctl/target.yaml`: which roadmap this repo declared itself the target of."""
        text = self.read(TARGET)
        if text is None:
            return None
        data = _simple_yaml(text)
        if data is None:  # edited by hand: the YAML loader's turn (it costs a replay 40 ms)
            import yaml

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise UserError(
                    f"{self.source(TARGET)}: invalid YAML: {exc}".splitlines()[0],
                    hint="rewrite it with `propctl init`",
                ) from None
        if not isinstance(data, dict) or not isinstance(data.get("roadmap"), str):
            raise UserError(
                f"{self.source(TARGET)}: not a target declaration (expected `roadmap: NAME`)",
                hint="rewrite it with `propctl init`",
            )
        return data

    def declares(self, roadmap_name: str) -> bool:
        target = self.target()
        return target is not None and target["roadmap"] == roadmap_name

    # ---- history ----------------------------------------------------------------------------
    @property
    def history_path(self) -> Path:
        return self.path(HISTORY)

    def history(self) -> list[dict[str, Any]]:
        """Every recorded run, oldest first. Lines that do not parse are reported, not skipped
        silently: a merge gone wrong should be visible."""
        text = self.read(HISTORY)
        return parse_history(text or "", self.source(HISTORY))

    def latest(self) -> dict[str, Any] | None:
        runs = self.history()
        return runs[-1] if runs else None

    def append_history(self, record: dict[str, Any]) -> None:
        line = json.dumps({"schema_version": SCHEMA_VERSION, **record}, sort_keys=True)
        path = self._writable(HISTORY)
        # one write() with O_APPEND: a whole line or none; O_NOFOLLOW: never through a symlink
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)
        self._ensure_union_merge()

    def _ensure_union_merge(self) -> None:
        attributes = self.repo / ".gitattributes"
        rule = f"{state_rel(HISTORY)} merge=union"
        if attributes.is_symlink() or (attributes.exists() and not attributes.is_file()):
            return  # not ours to replace; the rule only eases merges
        text = attributes.read_text("utf-8", errors="replace") if attributes.is_file() else ""
        if rule not in text.splitlines():
            atomic_write(
                attributes, text + ("" if not text or text.endswith("\n") else "\n") + rule + "\n"
            )

    # ---- baseline ---------------------------------------------------------------------------
    @property
    def baseline_path(self) -> Path:
        return self.path(BASELINE)

    def baseline(self) -> set[str]:
        return baseline_ids(self.read_json(BASELINE, default={}), self.source(BASELINE))

    def write_baseline(self, passing: set[str], commit: str | None) -> None:
        body = {
            "schema_version": SCHEMA_VERSION,
            "updated": clock.stamp(),
            "commit": commit,
            "passing": sorted(passing),
        }
        self.write(BASELINE, json.dumps(body, indent=2) + "\n")

    # ---- generated files --------------------------------------------------------------------
    @property
    def generated_path(self) -> Path:
        return self.path(GENERATED)

    def generated(self) -> dict[str, dict[str, Any]]:
        data = self.read_json(GENERATED, default={})
        files = data.get("files", {}) if isinstance(data, dict) else None
        if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
            raise UserError(
                f"{self.source(GENERATED)}: not propctl's record of generated files "
                '(expected {"files": {PATH: {...}}})',
                hint="restore it from git (git checkout -- .propctl/generated.json)",
            )
        return dict(files)

    def write_generated(self, files: dict[str, dict[str, Any]]) -> None:
        body = {"schema_version": SCHEMA_VERSION, "files": dict(sorted(files.items()))}
        self.write(GENERATED, json.dumps(body, indent=2) + "\n")


def _simple_yaml(text: str) -> dict[str, Any] | None:
    """`key: value` lines whose values are JSON (what `propctl init` writes), read without the
    YAML loader; None when the text is anything else."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition(": ")
        if not sep or not key.isidentifier() or key in out:
            return None
        try:
            out[key] = json.loads(value, parse_constant=_no_constant)
        except ValueError:
            return None
    return out


def _regular_or_refuse(path: Path, info: os.stat_result, rel: str) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise UserError(
            f"{path}: a symlink (to {os.readlink(path)}); propctl never reads or writes "
            "state through one",
            hint=f"replace it with a regular file: rm {rel}, then rerun",
        )
    if not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise UserError(f"{path}: {what}, not a state file", hint=f"remove it: rm -r {rel}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number propctl accepts")


def parse_history(text: str, source: str) -> list[dict[str, Any]]:
    """The runs of a history.jsonl text, oldest first; a line that is not a verify record
    (JSON object with a `statuses` mapping, a string `time`, a mapping `score`) is an error."""
    runs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise UserError(
                f"{source}:{number}: not a JSON line ({msg})",
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


def parse_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):  # YAML's unquoted `2030-01-01 10:00:00`
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None
