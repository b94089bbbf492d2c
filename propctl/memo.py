"""Facts derived from a file's bytes, kept between runs in the user's cache folder
(`$PROPCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/propctl`, else `~/.cache/propctl`), so a command
that needs two values of a YAML file does not import and run a YAML parser every time (for
`scaffold service` that was a fifth of its work). The key is a hash of the bytes, of what was
derived and of propctl's version: an edited file is read again. A cache that cannot be read
or written, or holds something of the wrong shape, only costs the parse."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from propctl import __version__


def user_cache_dir(name: str) -> Path:
    """`name`'s folder in propctl's cache outside any repository (not created here)."""
    root = os.environ.get("PROPCTL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "propctl"
    )
    return Path(root) / name


def derived(what: str, raw: bytes, compute: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """`compute()` (a JSON value derived from `raw`), from the cache when an earlier run stored
    one that `valid` accepts. An exception from `compute` is raised and nothing is stored."""
    key = hashlib.sha256(f"{what}\0{__version__}\0".encode() + raw).hexdigest()[:32]
    path = user_cache_dir("derived") / f"{key}.json"
    try:
        value = json.loads(path.read_text("utf-8"))
        if valid(value):
            return value
    except (OSError, ValueError):
        pass
    value = compute()
    from propctl.state import atomic_write

    try:
        atomic_write(path, json.dumps(value))
    except OSError:
        pass  # a read-only home: no cache, same results
    return value
