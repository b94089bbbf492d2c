"""The optional tools `propctl doctor` looks for: whether each is present, what it unlocks, and
how to install it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Tool:
    name: str
    unlocks: str
    hint: str


@dataclass(frozen=True)
class Finding:
    tool: Tool
    found: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.tool.name,
            "found": self.found,
            "detail": self.detail,
            "unlocks": self.tool.unlocks,
            "install": None if self.found else self.tool.hint,
        }


TOOLS = (
    Tool(
        "pulumi CLI",
        "infra preview / up / destroy / outputs (infra plan works without it)",
        "curl -fsSL https://get.pulumi.com | sh   (https://www.pulumi.com/docs/install/)",
    ),
    Tool(
        "AWS credentials",
        "verify --live (aws checks), infra up against a real account",
        "aws configure, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
    ),
    Tool(
        "kubeconfig",
        "verify --live (k8s_live checks against a cluster)",
        "set KUBECONFIG or write ~/.kube/config (aws eks update-kubeconfig --name CLUSTER)",
    ),
    Tool(
        "redis-server",
        "redis-backed checks and tests (Task 6 cache, OTP storage)",
        "apt-get install redis-server",
    ),
    Tool(
        "PostgreSQL",
        "migrations upgrade/check against PostgreSQL (SQLite needs nothing)",
        "apt-get install postgresql",
    ),
    Tool(
        "promtool",
        "validation of generated alert rules (scaffold observability, Task 14)",
        "apt-get install prometheus",
    ),
    Tool(
        "Node.js",
        "frontend checks and scaffold frontend (Tasks 4 and 8: ESLint, Prettier)",
        "apt-get install nodejs npm, or https://nodejs.org",
    ),
    Tool(
        "git",
        "verify --base REF, the commit recorded in .propctl/history.jsonl",
        "apt-get install git",
    ),
)


def probe_tools() -> list[Finding]:
    """Each of TOOLS, looked for on this machine."""
    return [Finding(tool, *_probe(tool.name)) for tool in TOOLS]


def _probe(name: str) -> tuple[bool, str]:
    probes: dict[str, Callable[[], tuple[bool, str]]] = {
        "pulumi CLI": lambda: _which("pulumi"),
        "AWS credentials": _aws,
        "kubeconfig": _kubeconfig,
        "redis-server": lambda: _which("redis-server"),
        "PostgreSQL": _postgres,
        "promtool": lambda: _which("promtool"),
        "Node.js": lambda: _version("node"),
        "git": lambda: _which("git"),
    }
    return probes[name]()


def _which(program: str) -> tuple[bool, str]:
    path = shutil.which(program)
    return (True, path) if path else (False, "not on PATH")


def _version(program: str) -> tuple[bool, str]:
    import subprocess

    path = shutil.which(program)
    if not path:
        return False, "not on PATH"
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return True, path
    return True, f"{path} ({out.stdout.strip() or out.stderr.strip()})"


def _aws() -> tuple[bool, str]:
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        return True, "AWS_ACCESS_KEY_ID in the environment"
    if os.environ.get("AWS_PROFILE"):
        return True, f"AWS_PROFILE={os.environ['AWS_PROFILE']}"
    shared = Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")).expanduser()
    if shared.is_file():
        return True, str(shared)
    return False, "none found"


def _kubeconfig() -> tuple[bool, str]:
    for entry in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if entry and Path(entry).expanduser().is_file():
            return True, entry
    default = Path("~/.kube/config").expanduser()
    return (True, str(default)) if default.is_file() else (False, "none found")


def _postgres() -> tuple[bool, str]:
    found = shutil.which("pg_ctl") or shutil.which("initdb")
    if found:
        return True, found
    import glob

    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return (True, versions[-1]) if versions else (False, "pg_ctl not found")
