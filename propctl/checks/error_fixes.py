"""What fixes a check that ended as `error`: one table, read by `propctl doctor` (which probes the
machine) and by the report (which only has the message a verify run recorded).

`fix_for(message)` knows the errors propctl's own checks write: a missing program, no
Redis, a target Python that does not run or cannot import the app, a live check without
AWS, a timeout. For anything else it returns None, and the report says it
knows no fix rather than guess one."""

from __future__ import annotations

import re
from dataclasses import dataclass

REDIS_FIX = "apt-get install redis-server"
REDIS_ALTERNATIVE = "or set REDIS_URL to a Redis verify may use"
NODE_PACKAGES = {"tsc": "typescript"}  # node_modules/.bin/NAME -> the npm package providing it
PIP_TOOLS = ("black", "ruff", "pytest", "mypy", "coverage", "alembic")


@dataclass(frozen=True)
class Fix:
    what: str  # "install redis-server"
    command: str  # "apt-get install redis-server"; empty when the fix is not one command
    note: str = ""  # what else would do

    def line(self) -> str:
        """`install redis-server: `apt-get install redis-server` (or set REDIS_URL ...)`."""
        out = f"{self.what}: `{self.command}`" if self.command else self.what
        return f"{out} ({self.note})" if self.note else out


def program_fix(program: str, repo: str = ".", python: str = "python") -> Fix:
    """How to install a program a command check runs (`node_modules/.bin/prettier`, `black`)."""
    if program.startswith("node_modules/.bin/"):
        tool = program.rsplit("/", 1)[-1]
        package = NODE_PACKAGES.get(tool, tool)
        return Fix(
            f"install {package} (npm)",
            f"npm --prefix {repo} install --save-dev {package}",
            "npm ci if package.json lists it",
        )
    if program in PIP_TOOLS:
        return Fix(f"install {program}", f"{python} -m pip install {program}")
    if program == "promtool":
        return Fix("install promtool", "apt-get install prometheus")
    if program == "propctl":
        return Fix("install propctl", f"{python} -m pip install propctl")
    if program == "redis-server":
        return Fix("install redis-server", REDIS_FIX, REDIS_ALTERNATIVE)
    return Fix(f"install {program}", "", f"on PATH or in {repo}/.venv/bin")


_MISSING = re.compile(r"^`?(?P<program>[^\s`]+)`? is not installed \(looked in")
_BESIDE = re.compile(r"beside (?P<python>\S+?),")
_REPO = re.compile(r"propctl doctor --repo (?P<repo>[^\s`]+)")
_PYTHON = re.compile(r"cannot run the target's Python (?P<python>\S+)")
_IMPORT = re.compile(r"cannot import (?P<app>\S+) from (?P<dir>\S+?):")
_TIMEOUT = re.compile(r"\btimed out after (?P<s>[\d.]+)s")


def fix_for(message: str) -> Fix | None:
    """The fix for an `error` result's message, or None when propctl does not know one."""
    text = message.strip()
    if text.startswith("needs Redis") or "no redis-server" in text:
        return Fix("install redis-server", REDIS_FIX, REDIS_ALTERNATIVE)
    if found := _MISSING.search(text):
        repo, python = _REPO.search(text), _BESIDE.search(text)
        return program_fix(
            found["program"],
            repo["repo"] if repo else ".",
            python["python"] if python else "python",
        )
    if found := _PYTHON.search(text):
        return Fix(
            "give verify a Python that runs",
            "python3 -m venv .venv",
            f"{found['python']} did not start; or pass --python PATH",
        )
    if found := _IMPORT.search(text):
        return Fix(
            f"install the app's dependencies ({found['app']} does not import)",
            "propctl doctor",
            "it names the pip command for the target's Python",
        )
    if text.startswith("no AWS region"):
        return Fix("name the AWS region", "export AWS_REGION=eu-west-1", "or the check's `region`")
    if text.startswith("cannot reach AWS"):
        return Fix("give verify AWS credentials", "export AWS_PROFILE=...", "then verify --live")
    if found := _TIMEOUT.search(text):
        return Fix(
            f"give the check more than {found['s']}s",
            "",
            "raise its `timeout:` in the roadmap, or verify's --timeout (the default for checks "
            "without one); `propctl verify --criterion ID -v` shows what it was doing",
        )
    return None
