"""How propctl runs the repository's own code (the `asgi` and `command` checks): with a minimal
environment, and with every process it started killed after the check.

The code under test is the pull request's code. verify's own environment can hold CI secrets
(AWS_*, GITHUB_TOKEN, cloud credentials); none of it is passed on. What a check needs, it
names in its `env`. A program that forks (a daemon, a worker pool) must not outlive the check:
each check runs in a process group of its own, which is killed when the check ends."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Mapping

# what a program needs to find its tools, its home and its locale; nothing that can be a secret
# XDG_CACHE_HOME: the tools a check runs (black, ruff, pre-commit) keep their caches in the
# user's cache folder, not in HOME, when the user chose one; it carries no credential
BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_CACHE_HOME")
_DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def minimal_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """PATH, HOME, LANG, LC_ALL, TMPDIR and XDG_CACHE_HOME from verify's environment, then
    `extra` (the check's own `env`, set by the roadmap), and nothing else."""
    env = {name: os.environ[name] for name in BASE_ENV if name in os.environ}
    env.setdefault("PATH", _DEFAULT_PATH)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ left in the target by a check
    env.update(extra or {})
    return env


def kill_group(pgid: int) -> None:
    """SIGKILL to every process still in the group (the leader may have exited already)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def kill_strays(leader: int) -> list[int]:
    """Kill every process in `leader`'s group or below it in the process tree, but not the
    leader itself (a warm runner that serves the next check). Returns the pids killed."""
    table = _process_table()
    group = table.get(leader, (0, -1))[1]
    below = _descendants(leader, table)
    strays = sorted(pid for pid, (_, pgid) in table.items() if pgid == group) + below
    killed: list[int] = []
    for pid in dict.fromkeys(strays):
        if pid == leader:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return killed


def _descendants(root: int, table: dict[int, tuple[int, int]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, process group), from /proc (Linux); empty elsewhere."""
    table: dict[int, tuple[int, int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) >= 3:
            table[int(name)] = (int(fields[1]), int(fields[2]))
    return table
