"""`propctl doctor`: which optional tools are present and which commands they unlock."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import typer

from propctl.cli.app import get_app
from propctl.cli.options import FormatOption, OutputOption, TableJson

EPILOG = "Examples:\n\n  propctl doctor\n\n  propctl doctor --format json"


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


def register(root: typer.Typer) -> None:
    root.command("doctor", epilog=EPILOG)(doctor)


def doctor(
    ctx: typer.Context, fmt: FormatOption = TableJson.table, output: OutputOption = None
) -> None:
    """Which optional tools are present, what each unlocks, and how to install the missing
    ones. Always exits 0: nothing here is required for the roadmap, status and score."""
    app = get_app(ctx)
    findings = [Finding(tool, *_probe(tool.name)) for tool in TOOLS]
    if fmt is TableJson.json:
        app.emit_json(
            {
                "tools": [
                    {
                        "name": f.tool.name,
                        "found": f.found,
                        "detail": f.detail,
                        "unlocks": f.tool.unlocks,
                        "install": None if f.found else f.tool.hint,
                    }
                    for f in findings
                ]
            },
            output,
        )
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for head in ("", "Tool", "Found", "Unlocks"):
        table.add_column(head, overflow="fold")
    for f in findings:
        mark = "[green]✔[/green]" if f.found else "[yellow]✘[/yellow]"
        table.add_row(mark, f.tool.name, f.detail if f.found else "missing", f.tool.unlocks)
    missing = [f for f in findings if not f.found]
    lines = [f"{len(findings) - len(missing)} of {len(findings)} optional tools present"]
    lines += [f"  install {f.tool.name}: {f.tool.hint}" for f in missing]
    app.show([table, "\n".join(lines)], output)


def _probe(name: str) -> tuple[bool, str]:
    probes = {
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
