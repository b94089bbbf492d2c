"""The repo's files, listed once per run and shared by every check.

In a git checkout the list comes from `git ls-files -co --exclude-standard` (tracked files plus
untracked ones that are not ignored); elsewhere from a walk that honours `.gitignore` files.
Folders that never hold the target's own sources (.git, .venv, node_modules...) are skipped
either way. Reads and hashes are cached, so twenty checks reading `main.py` read it once.

Nothing is read through a symlink that leads out of the repo: such a path stays in the listing
(as git lists it: a link to a folder is one entry), `escape` names its target, and every read
and hash of it (or of anything under it) is refused. A file's hash is always of its content:
no size or timestamp stands in for it."""

from __future__ import annotations

import bisect
import hashlib
import os
import posixpath
import re
import subprocess
import threading
from functools import cached_property
from pathlib import Path

from propctl.globs import glob_regex

SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".hypothesis",
    }
)
MAX_READ = 4 * 1024 * 1024  # files larger than this are not read as text by checks
KEEP_BYTES = 64 * 1024 * 1024  # hashed files' bytes kept for the checks, at most


class FileIndex:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._text: dict[str, str | None] = {}
        self._unread: dict[str, str] = {}
        self._hash: dict[str, str] = {}
        self._globs: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._escapes: dict[str, str | None] = {}  # a file, or a folder with a trailing /
        self._bytes: dict[str, bytes] = {}
        self._kept = 0
        self._in_git = False
        self.artifacts_used = False  # whether results depend on `on_disk` (see checks.replay)

    # ---- listing ---------------------------------------------------------------------------
    @cached_property
    def files(self) -> list[str]:
        listed = _git_files(self.root)
        self._in_git = listed is not None
        if listed is None:
            listed = list(_walk(self.root))
        return sorted(f for f in listed if not _skipped(f))

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    @cached_property
    def dirs(self) -> frozenset[str]:
        out: set[str] = set()
        for parent in {name.rpartition("/")[0] for name in self.files}:
            while parent and parent not in out:  # a folder's ancestors are in once it is
                out.add(parent)
                parent = parent.rpartition("/")[0]
        return frozenset(out)

    @cached_property
    def sorted_dirs(self) -> list[str]:
        return sorted(self.dirs)

    def is_file(self, rel: str) -> bool:
        return _norm(rel) in self._file_set

    def is_dir(self, rel: str) -> bool:
        rel = _norm(rel).rstrip("/")
        if rel in ("", "."):
            return True
        # a folder exists when some file lies under it: a bisection, no set of every folder
        prefix = rel + "/"
        at = bisect.bisect_left(self.files, prefix)
        return at < len(self.files) and self.files[at].startswith(prefix)

    def exists(self, rel: str) -> bool:
        return self.is_file(rel) or self.is_dir(rel)

    def glob(self, pattern: str, *, dirs: bool = False) -> list[str]:
        """Files (and, with `dirs`, folders) matching a glob: `*` stays inside one folder,
        `**` crosses folders, a plain path matches itself, a folder matches nothing (ask with
        `under`)."""
        pattern = _norm(pattern)
        key = f"{dirs}:{pattern}"
        with self._lock:
            if key in self._globs:
                return self._globs[key]
        if not any(ch in pattern for ch in "*?[{"):
            found = [pattern] if self.is_file(pattern) or (dirs and self.is_dir(pattern)) else []
        else:
            regex = glob_regex(pattern)
            found = [
                f
                for f in self._candidates(pattern, self.files, self._files_by_name)
                if regex.match(f)
            ]
            if dirs:
                found += [
                    d
                    for d in self._candidates(pattern, self.sorted_dirs, self._dirs_by_name)
                    if regex.match(d)
                ]
        wild = any(ch in pattern for ch in "*?[{")
        found += self._links_above(_literal_prefix(pattern) + "x" if wild else pattern)
        with self._lock:
            self._globs[key] = found
        return found

    def _links_above(self, path: str) -> list[str]:
        """The listed symlinks out of the repo that `path` lies under: what a glob or folder
        beneath them would have read (a linked folder is one entry, as git lists it)."""
        parts = path.rstrip("/").split("/")
        above = ["/".join(parts[:n]) for n in range(1, len(parts))]
        return [a for a in above if a in self._file_set and self.escape(a)]

    @staticmethod
    def _candidates(pattern: str, names: list[str], by_name: dict[str, list[str]]) -> list[str]:
        """The names a glob can match: those named like its last segment when that is literal
        (`apps/*-service/app/main.py` looks at the main.py files only), else those under its
        literal folders."""
        prefix = _literal_prefix(pattern)
        last = pattern.rpartition("/")[2]
        if last and not any(ch in last for ch in "*?[{"):
            return [n for n in by_name.get(last, ()) if n.startswith(prefix)]
        return _with_prefix(names, prefix)

    @cached_property
    def _files_by_name(self) -> dict[str, list[str]]:
        return _by_name(self.files)

    @cached_property
    def _on_disk_by_name(self) -> dict[str, list[str]]:
        return _by_name(self.on_disk)

    @cached_property
    def _dirs_by_name(self) -> dict[str, list[str]]:
        return _by_name(self.sorted_dirs)

    def select(self, patterns: str | list[str]) -> list[str]:
        """Files matched by globs or folders (a folder selects every file under it)."""
        out: list[str] = []
        for pattern in [patterns] if isinstance(patterns, str) else patterns:
            norm = _norm(pattern)
            if norm.endswith("/") or (self.is_dir(norm) and not self.is_file(norm)):
                out += self.under(norm)
            else:
                out += self.glob(norm)
        return sorted(set(out))

    def artifacts(self, patterns: list[str]) -> list[str]:
        """Build outputs (coverage.xml, JUnit reports) matched on disk with .gitignore NOT
        applied: CI writes them into the work tree and ignores them as a rule, yet they are
        the evidence. Folders in SKIP_DIRS are still skipped."""
        self.artifacts_used = True
        found: set[str] = set()
        for pattern in (_norm(p) for p in patterns):
            if not any(ch in pattern for ch in "*?[{"):
                if _inside(pattern) and _exists(self.root / pattern) and not _skipped(pattern):
                    found.add(pattern)  # a link out of the repo too: `escape` reports it
                continue
            regex = glob_regex(pattern)
            found.update(
                f
                for f in self._candidates(pattern, self.on_disk, self._on_disk_by_name)
                if regex.match(f)
            )
        return sorted(found)

    @cached_property
    def on_disk(self) -> list[str]:
        """Every file on disk outside SKIP_DIRS, ignored or not, sorted: the listing plus what
        git says it ignores (whole ignored folders walked; no walk of the rest of the tree)."""
        listed = self.files
        ignored = _git_ignored(self.root) if self._in_git else None
        if ignored is None:
            return sorted(f for f in _walk_all(self.root) if not _skipped(f))
        extra: list[str] = []
        for entry in ignored:
            if entry.endswith("/"):
                if not _skipped(entry + "x"):
                    folder = self.root / entry
                    extra += [f"{entry}{name}" for name in _walk_all(folder)]
            elif not _skipped(entry):
                extra.append(entry)
        return sorted(set(listed).union(extra))

    def under(self, folder: str) -> list[str]:
        folder = _norm(folder).rstrip("/")
        if folder in ("", "."):
            return list(self.files)
        return _with_prefix(self.files, folder + "/") + self._links_above(folder + "/x")

    # ---- contents ----------------------------------------------------------------------------
    def path(self, rel: str) -> Path:
        return self.root / rel

    @cached_property
    def real_root(self) -> str:
        return os.path.realpath(self.root)

    def escape(self, rel: str) -> str | None:
        """Where `rel` really leads when a symlink on its way leads out of the repo (the link's
        own text when it is the last part), else None. One realpath per folder, one lstat per
        file: a file is resolved only when it is a link or lies in a folder that leads out."""
        rel = _norm(rel)
        with self._lock:
            if rel in self._escapes:
                return self._escapes[rel]
        path = os.path.join(self.root, rel)
        target = None
        if self._folder_escapes(rel.rpartition("/")[0]) or os.path.islink(path):
            real = os.path.realpath(path)
            if not self._inside_real(real):
                target = os.readlink(path) if os.path.islink(path) else real
        with self._lock:
            self._escapes[rel] = target
        return target

    def _folder_escapes(self, folder: str) -> bool:
        if folder in ("", "."):
            return False
        key = folder + "/"
        with self._lock:
            if key in self._escapes:
                return self._escapes[key] is not None
        real = os.path.realpath(self.root / folder)
        escapes = not self._inside_real(real)
        with self._lock:
            self._escapes[key] = real if escapes else None
        return escapes

    def _inside_real(self, real: str) -> bool:
        return real == self.real_root or real.startswith(self.real_root.rstrip(os.sep) + os.sep)

    def escaping(self, names: list[str]) -> list[tuple[str, str]]:
        """(name, target) for each of `names` that leads out of the repo."""
        return [(n, t) for n in names if not n.startswith("dir:") and (t := self.escape(n))]

    def _raw(self, rel: str) -> bytes:
        """The file's bytes, never through a symlink out of the repo (OSError then)."""
        target = self.escape(rel)
        if target is not None:
            raise OSError(0, f"a symlink to {target}, outside the repo: not read")
        with self._lock:
            kept = self._bytes.pop(rel, None)  # read by `hash` already
        if kept is not None:
            return kept
        with open(os.path.join(self.root, rel), "rb") as handle:
            return handle.read()

    def read_bytes(self, rel: str) -> bytes:
        return self._raw(rel)

    def read_text(self, rel: str) -> str | None:
        """The file as text, or None when it is binary, too large or unreadable."""
        with self._lock:
            if rel in self._text:
                return self._text[rel]
        why = None
        try:
            if self.escape(rel) is None and (self.root / rel).stat().st_size > MAX_READ:
                text, why = None, f"larger than {MAX_READ // (1024 * 1024)} MiB"
            else:
                text = _decode(self._raw(rel))
        except OSError as exc:
            text, why = None, f"unreadable: {exc.strerror or exc}"
        with self._lock:
            self._text[rel] = text
            if why:
                self._unread[rel] = why
        return text

    def unread(self, rel: str) -> str | None:
        """Why `read_text` gave None for a file that is not binary (too large, unreadable):
        a check cannot say what such a file holds."""
        with self._lock:
            return self._unread.get(rel)

    def hash(self, rel: str) -> str:
        """A digest of the file's content, read now ("missing", "outside:TARGET" or
        "unreadable:..." when there is none). Its bytes are kept for the check that reads it."""
        with self._lock:
            if rel in self._hash:
                return self._hash[rel]
        target = self.escape(rel)
        if target is not None:
            digest = f"outside:{target}"
        else:
            try:
                raw = self._raw(rel)
                digest = hashlib.sha256(raw).hexdigest()[:32]
                with self._lock:  # for the check that reads it next, within a budget
                    if rel not in self._text and self._kept + len(raw) <= KEEP_BYTES:
                        self._bytes[rel] = raw
                        self._kept += len(raw)
            except (FileNotFoundError, NotADirectoryError):
                digest = "missing"
            except OSError as exc:
                digest = f"unreadable:{exc.errno}"
        with self._lock:
            self._hash[rel] = digest
        return digest


def _decode(raw: bytes) -> str | None:
    return None if b"\0" in raw[:8192] else raw.decode("utf-8", errors="replace")


def _literal_prefix(pattern: str) -> str:
    """The folders before the first wildcard: only paths under them can match."""
    cut = min((i for i, ch in enumerate(pattern) if ch in "*?[{"), default=len(pattern))
    return pattern[:cut].rsplit("/", 1)[0] + "/" if "/" in pattern[:cut] else ""


def _with_prefix(names: list[str], prefix: str) -> list[str]:
    if not prefix:
        return names
    start = bisect.bisect_left(names, prefix)
    end = bisect.bisect_left(names, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return names[start:end]


def _inside(rel: str) -> bool:
    """A relative path that stays in the repo by its names alone (no `..` out, not absolute)."""
    norm = posixpath.normpath(rel)
    return not (norm.startswith(("/", "../")) or norm == "..")


def _exists(path: Path) -> bool:
    """A file, or a symlink of any kind (whose target `escape` judges)."""
    return path.is_symlink() or path.is_file()


def _norm(rel: str) -> str:
    rel = rel.replace("\\", "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return rel


def _walk_all(root: Path) -> list[str]:
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        rel = Path(folder).relative_to(root).as_posix()
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        out += [name if rel == "." else f"{rel}/{name}" for name in files + links]
    return out


_SKIPPED = re.compile("(?:^|/)(?:" + "|".join(map(re.escape, sorted(SKIP_DIRS))) + ")/")


def _skipped(rel: str) -> bool:
    """Some folder on the path is one of SKIP_DIRS."""
    return _SKIPPED.search(rel) is not None


def _by_name(names: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in names:  # sorted in, sorted out
        out.setdefault(name.rpartition("/")[2], []).append(name)
    return out


# ---- listing a repo ------------------------------------------------------------------------
def _git_files(root: Path) -> list[str] | None:
    """None outside a git work tree (ls-files fails there), else its files under `root`."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-co", "--exclude-standard", "-z"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    names = [n for n in out.stdout.decode("utf-8", "replace").split("\0") if n]
    # tracked files deleted from the work tree are listed too: ask git which, rather than
    # stat every file
    deleted = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-d", "-z"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    gone = set(deleted.stdout.decode("utf-8", "replace").split("\0")) - {""}
    return [n for n in names if n not in gone] if gone else names


def _git_ignored(root: Path) -> list[str] | None:
    """Untracked files git ignores, a wholly ignored folder as one `name/` entry (so `.venv/`
    costs one line, not a walk); None when git cannot say."""
    try:
        out = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-o",
                "-i",
                "--exclude-standard",
                "--directory",
                "-z",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return [n for n in out.stdout.decode("utf-8", "replace").split("\0") if n]


class _Ignore:
    """The patterns of one `.gitignore`, relative to the folder holding it."""

    def __init__(self, base: str, lines: list[str]) -> None:
        self.base = base
        self.rules: list[tuple[re.Pattern[str], bool, bool]] = []  # regex, negated, dir_only
        for raw in lines:
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            line = line[1:] if negated else line
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            pattern = line if anchored else "**/" + line
            self.rules.append((glob_regex(pattern), negated, dir_only))

    def verdict(self, rel: str, is_dir: bool) -> bool | None:
        if self.base:
            if not rel.startswith(self.base + "/"):
                return None
            rel = rel[len(self.base) + 1 :]
        result: bool | None = None
        for regex, negated, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.match(rel):
                result = not negated
        return result


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    stack: list[_Ignore] = []

    def ignored(rel: str, is_dir: bool) -> bool:
        state = False
        for ignore in stack:
            verdict = ignore.verdict(rel, is_dir)
            if verdict is not None:
                state = verdict
        return state

    def visit(folder: Path, rel: str) -> None:
        gitignore = folder / ".gitignore"
        pushed = False
        if gitignore.is_file() and not gitignore.is_symlink():
            stack.append(_Ignore(rel, gitignore.read_text("utf-8", "replace").splitlines()))
            pushed = True
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            entries = []
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIP_DIRS or ignored(child, True):
                    continue
                visit(Path(entry.path), child)
            elif (entry.is_symlink() or entry.is_file()) and not ignored(child, False):
                found.append(child)
        if pushed:
            stack.pop()

    visit(root, "")
    return found
