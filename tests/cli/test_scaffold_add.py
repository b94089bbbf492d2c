"""`propctl scaffold add` as a real subprocess: help with examples, a JSON dry-run that writes
nothing, exit codes for bad input and an unfamiliar main.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROPCTL = Path(sys.executable).parent / "propctl"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROPCTL), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"},
        check=False,
    )


def test_help_names_the_concerns_and_shows_examples() -> None:
    out = run("scaffold", "add", "--help")
    assert out.returncode == 0, out.stderr
    for word in (
        "security",
        "errors",
        "logging",
        "cache",
        "versioning",
        "health",
        "propctl scaffold add all --service api",
        "app_platform.py",
    ):
        assert word in out.stdout, word


def test_json_dry_run_writes_nothing(example_repo: Path) -> None:
    out = run(
        "scaffold",
        "add",
        "all",
        "--service",
        "api",
        "--dry-run",
        "--format",
        "json",
        cwd=example_repo,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["dry_run"] is True and data["applied"] is False
    assert data["params"]["concerns"] == [
        "errors",
        "health",
        "cache",
        "security",
        "versioning",
        "logging",
    ]
    paths = {a["path"]: a["action"] for a in data["actions"]}
    assert paths["apps/api/app_platform.py"] == "create"
    assert paths["apps/api/main.py"] == paths["docker-compose.yml"] == "patch"
    assert not (example_repo / "apps/api/app_platform.py").exists()
    # the example ships only its target declaration: nothing generated was recorded
    assert [p.name for p in (example_repo / ".propctl").iterdir()] == ["target.yaml"]


def test_exit_codes(example_repo: Path) -> None:
    assert run("scaffold", "add", "--service", "api", cwd=example_repo).returncode == 2
    bad = run("scaffold", "add", "tracing", "--service", "api", cwd=example_repo)
    assert bad.returncode == 2 and "unknown concern 'tracing'" in bad.stderr
    assert "Traceback" not in bad.stderr
    (example_repo / "apps/api/main.py").write_text("from fastapi import FastAPI\n")
    refused = run("scaffold", "add", "errors", cwd=example_repo)
    assert refused.returncode == 2 and "install_platform(app)" in refused.stderr
    assert not (example_repo / "apps/api/app_platform.py").exists()
