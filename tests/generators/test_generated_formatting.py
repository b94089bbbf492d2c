"""Every Python file propctl generates passes the formatters Task 4 judges the repository by:
`black --check` and `ruff check` (E,F,W,I,B,UP) at line length 100, run from the repository's
root as the roadmap runs them (so each service's own pyproject.toml decides what ruff counts as
first-party), and `ruff format --check`, which agrees with black on this code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.generators.pyimports import regroup_imports

BIN = Path(sys.executable).parent
SCAFFOLDS = (
    ["scaffold", "services", "--all"],
    ["scaffold", "add", "all", "--service", "api"],
    ["scaffold", "database", "--service", "api"],
    ["scaffold", "repository", "Agent", "--service", "api", "--fields", "name:str, phone:str"],
    ["migrations", "init", "--service", "api"],
    ["scaffold", "events"],
    ["scaffold", "observability"],
)
LINTERS = {
    "black": ["black", "--check", "--line-length", "100", "--target-version", "py311"],
    "ruff check": [
        "ruff",
        "check",
        "--no-cache",
        "--select",
        "E,F,W,I,B,UP",
        "--line-length",
        "100",
        "--target-version",
        "py311",
    ],
    "ruff format": [
        "ruff",
        "format",
        "--check",
        "--no-cache",
        "--line-length",
        "100",
        "--target-version",
        "py311",
    ],
}


def generated_python(repo: Path) -> list[str]:
    files = json.loads((repo / ".propctl" / "generated.json").read_text("utf-8"))["files"]
    return sorted(path for path in files if path.endswith(".py") and (repo / path).is_file())


@pytest.fixture
def scaffolded(example_repo: Path) -> Path:
    for args in SCAFFOLDS:
        assert main([*args, "--repo", str(example_repo)]) == 0, args
    return example_repo


def test_every_generator_that_writes_python_ran(scaffolded: Path) -> None:
    files = generated_python(scaffolded)
    for expected in (
        "apps/auth-service/app/auth.py",
        "apps/auth-service/tests/conftest.py",
        "apps/auth-service/app/events.py",
        "apps/auth-service/app/telemetry.py",
        "apps/api/app_platform.py",
        "apps/api/config.py",
        "apps/api/security/tokens.py",
        "apps/api/database.py",
        "apps/api/models/agent.py",
        "apps/api/migrations/env.py",
        "shared/events/event_bus.py",
    ):
        assert expected in files
    assert len(files) > 250, len(files)


@pytest.mark.parametrize("linter", sorted(LINTERS))
def test_generated_python_passes(scaffolded: Path, linter: str) -> None:
    command = LINTERS[linter]
    done = subprocess.run(
        [str(BIN / command[0]), *command[1:], *generated_python(scaffolded)],
        cwd=scaffolded,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{linter}:\n{done.stdout}{done.stderr}"[-6000:]


@pytest.mark.parametrize("concern", ["errors", "health", "cache", "security", "logging"])
def test_one_concern_alone_passes(example_repo: Path, concern: str) -> None:
    """app_platform.py and config.py change with the concerns installed (an unused `settings`
    when no installer takes it, an import only one part needs)."""
    assert main(["scaffold", "add", concern, "--service", "api", "--repo", str(example_repo)]) == 0
    for command in LINTERS.values():
        done = subprocess.run(
            [str(BIN / command[0]), *command[1:], *generated_python(example_repo)],
            cwd=example_repo,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{command}:\n{done.stdout}{done.stderr}"[-4000:]


def test_the_linters_do_fail_on_a_badly_formatted_file(scaffolded: Path) -> None:
    bad = scaffolded / "apps" / "api" / "badly_formatted.py"
    bad.write_text("from fastapi import FastAPI\nimport os\nx = {'a':1}\n", "utf-8")
    try:
        for command in LINTERS.values():
            done = subprocess.run(
                [str(BIN / command[0]), *command[1:], str(bad)],
                cwd=scaffolded,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 1, command
    finally:
        bad.unlink()


REGROUP_CASES = [
    # a moved module is a top-level module: third-party, merged into fastapi's section
    (
        '"""Doc."""\n\nimport os\n\nfrom fastapi import FastAPI\n\nfrom cache.store import get\n',
        None,
        '"""Doc."""\n\nimport os\n\nfrom cache.store import get\nfrom fastapi import FastAPI\n',
    ),
    # the file's own package stays first-party; straight imports before `from` imports
    (
        "from fastapi import APIRouter\nimport jwt\n\nfrom security.tokens import issue\n"
        "from config import Settings\n\n\nX = 1\n",
        "security",
        "import jwt\nfrom config import Settings\nfrom fastapi import APIRouter\n\n"
        "from security.tokens import issue\n\n\nX = 1\n",
    ),
    # two imports of one module (`app` and `app.settings` both became `config`) become one
    (
        "from config import Settings, SettingsDep\nfrom config import __version__\n",
        None,
        "from config import Settings, SettingsDep, __version__\n",
    ),
    # future first, relative last; aliases are not merged
    (
        "from .x import y\nfrom metrics import a as b\nfrom metrics import c\n"
        "from __future__ import annotations\n",
        "pkg",
        "from __future__ import annotations\n\n"
        "from metrics import a as b\nfrom metrics import c\n\n"
        "from .x import y\n",
    ),
]


@pytest.mark.parametrize(("source", "package", "expected"), REGROUP_CASES)
def test_regroup_imports(source: str, package: str | None, expected: str) -> None:
    assert regroup_imports(source, package) == expected


@pytest.mark.parametrize(
    "source",
    [
        "",  # nothing to sort
        '"""Only a docstring."""\n\nX = 1\n',
        "import os\n# keep this comment where it is\nimport abc\n",  # comments: left alone
    ],
)
def test_regroup_imports_leaves_alone(source: str) -> None:
    assert regroup_imports(source, None) == source
