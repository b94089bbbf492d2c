"""verify's cache, outside the tree it judges, and sealed so that nobody without the key can
write a record it will believe.

The folder is `$PROPCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/propctl`, else `~/.cache/propctl`;
each repo gets `verify/<name>-<hash of its resolved path>/`. A cache folder that lies inside
the repo being judged is not used: a pull request could have written it. Every record starts
with an HMAC-SHA256 of its body, under a per-user key (`verify/key`, 32 random bytes, mode
0600) and bound to the repo and the record's name, so an edited, forged or transplanted record
fails the seal and is dropped. The standard library only: a replayed run imports this first."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = b"propctl-sealed-1 "
KEY_NAME = "key"
KEY_BYTES = 32


class SealError(Exception):
    """Why a record cannot be believed (or the cache cannot be used at all)."""


def cache_root() -> Path:
    root = os.environ.get("PROPCTL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "propctl"
    )
    return Path(root) / "verify"


@dataclass(frozen=True)
class RepoCache:
    """One repo's cache folder; `folder` is None when there is none to use (`why` says why)."""

    repo: Path
    folder: Path | None
    why: str = ""

    @classmethod
    def of(cls, repo: Path) -> RepoCache:
        real = Path(os.path.realpath(repo))
        root = Path(os.path.realpath(cache_root()))
        if root == real or real in root.parents:
            return cls(
                real,
                None,
                f"the cache folder {root} is inside the repository being judged: not used "
                "(point XDG_CACHE_HOME or PROPCTL_CACHE_DIR outside it)",
            )
        digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:20]
        return cls(real, root / f"{real.name or 'root'}-{digest}")

    def path(self, name: str) -> Path | None:
        return self.folder / name if self.folder is not None else None

    def read(self, name: str) -> dict[str, Any]:
        """The body of a sealed record; SealError when it is missing, broken or forged."""
        path = self.path(name)
        if path is None:
            raise SealError(self.why)
        try:
            raw = _read_regular(path)
        except FileNotFoundError:
            raise SealError(f"no {name} record") from None
        except OSError as exc:
            raise SealError(f"the {name} record is unreadable: {exc.strerror or exc}") from None
        head, _, body = raw.partition(b"\n")
        if not head.startswith(MAGIC):
            raise SealError(f"the {name} record is not sealed: dropped")
        wanted = self._mac(name, body, create=False)
        if wanted is None or not hmac.compare_digest(head[len(MAGIC) :], wanted):
            raise SealError(f"the {name} record fails its integrity check: dropped")
        try:
            data = json.loads(body)
        except ValueError:
            raise SealError(f"the {name} record is unreadable") from None
        if not isinstance(data, dict):
            raise SealError(f"the {name} record is unreadable")
        return data

    def write(self, name: str, body: dict[str, Any]) -> None:
        path = self.path(name)
        if path is None:
            return
        raw = json.dumps(body, separators=(",", ":")).encode("utf-8", "surrogateescape")
        mac = self._mac(name, raw, create=True)
        if mac is None:
            return
        _write_private(path, MAGIC + mac + b"\n" + raw)

    def forget(self, name: str) -> None:
        path = self.path(name)
        if path is not None:
            path.unlink(missing_ok=True)

    def _mac(self, name: str, body: bytes, *, create: bool) -> bytes | None:
        assert self.folder is not None
        key = user_key(self.folder.parent, create=create)
        if key is None:
            return None
        bound = os.fsencode(self.repo) + b"\0" + name.encode() + b"\0" + body
        return hmac.new(key, bound, hashlib.sha256).hexdigest().encode()


def user_key(root: Path, *, create: bool) -> bytes | None:
    """The per-user key; a missing one is made when `create`. A key that others can read or
    write, or that is not a plain file of ours, is replaced: a record sealed under it proves
    nothing."""
    path = root / KEY_NAME
    try:
        key = _read_key(path)
    except (OSError, SealError):
        key = None
    if key is not None or not create:
        return key
    fresh = secrets.token_hex(KEY_BYTES).encode()
    try:
        _write_private(path, fresh)
    except OSError:
        return None
    return fresh


def _read_key(path: Path) -> bytes | None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
            raise SealError(f"{path}: not a private file")
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            raise SealError(f"{path}: owned by someone else")
        key = os.read(fd, 4 * KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != 2 * KEY_BYTES:
        raise SealError(f"{path}: not a propctl key")
    return key


def _read_regular(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        return handle.read()


def _write_private(path: Path, raw: bytes) -> None:
    """Atomically, mode 0600, in a folder of mode 0700 (mkstemp makes 0600 files)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
