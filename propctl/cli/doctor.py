"""`propctl doctor`: which optional tools are present and which commands they unlock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import FormatOption, OutputOption, RepoOption, TableJson

if TYPE_CHECKING:
    from propctl.cli.app import App

EPILOG = (
    "Examples:\n\n  propctl doctor\n\n  propctl doctor --repo ../my-api\n\n"
    "  propctl doctor --repo . --python backend/.venv/bin/python --format json\n\n"
    "With --repo, it also says which of the roadmap's checks will end as `error` in that "
    "repository and why: the target's Python (the one verify uses: --python, else "
    "<repo>/.venv/bin/python, else propctl's own) and its version against the repo's "
    "requires-python, whether it imports the app, fastapi and httpx for asgi checks, "
    "redis-server, and the programs command checks run (node_modules/.bin/prettier, eslint, "
    "tsc, black, ruff ...), each with the command that fixes it."
)


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
    ctx: typer.Context,
    repo: RepoOption = None,
    python: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11 annotations at runtime
        typer.Option(help="The target's Python (as verify's --python).", dir_okay=False),
    ] = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """Which optional tools are present, what each unlocks, and how to install the missing
    ones; with --repo, which checks will error in that repository and why. Always exits 0:
    it reports, it does not judge."""
    app = get_app(ctx)
    findings = [Finding(tool, *_probe(tool.name)) for tool in TOOLS]
    target = _target(app.with_repo(repo), python) if repo is not None else None
    if fmt is TableJson.json:
        app.emit_json(
            {
                **({"target": target} if target is not None else {}),
                "tools": [
                    {
                        "name": f.tool.name,
                        "found": f.found,
                        "detail": f.detail,
                        "unlocks": f.tool.unlocks,
                        "install": None if f.found else f.tool.hint,
                    }
                    for f in findings
                ],
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
    app.show([table, "\n".join(lines), *_target_table(target)], output)


def _target(app: App, python: Path | None) -> dict[str, Any]:
    from propctl.api.doctor import diagnose
    from propctl.checks.target_python import chosen_because, target_python

    chosen = target_python(app.repo, python)
    findings = diagnose(
        app.repo, app.load_roadmap(), chosen, chosen_because(app.repo, python, chosen)
    )
    return {
        "repo": str(app.repo),
        "python": chosen,
        "findings": [f.to_json() for f in findings],
    }


def _target_table(target: dict[str, Any] | None) -> list[Any]:
    if target is None:
        return []
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold", title_justify="left")
    table.title = f"checks that run code in {target['repo']}"
    for head in ("", "Needs", "Found", "Blocks"):
        table.add_column(head, overflow="fold")
    failing = [f for f in target["findings"] if not f["ok"]]
    for f in target["findings"]:
        mark = "[green]✔[/green]" if f["ok"] else "[red]✘[/red]"
        blocks = ", ".join(f["blocks"][:8]) + (" ..." if len(f["blocks"]) > 8 else "")
        table.add_row(mark, f["name"], f["detail"], blocks if not f["ok"] else "")
    lines = [f"{len(failing)} problem(s): the checks listed will end as `error` until fixed"]
    lines += [f"  fix {f['name']}: {f['fix']}" for f in failing]
    return [table, "\n".join(lines)]


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
