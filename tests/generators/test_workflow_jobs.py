"""The generated test job's own commands, run on a service that `scaffold service` generated, in a
fresh virtualenv the way the runner does it: install the service with its test extra, run pytest
with the coverage gate, and leave the JUnit and coverage reports where the upload step looks.
Slow: pip installs the service's dependencies from PyPI."""

from __future__ import annotations

import os
import subprocess
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from propctl.cli.main import main

pytestmark = pytest.mark.slow


def _steps(repo: Path, job: str) -> tuple[dict, dict[str, dict]]:
    wf = yaml.safe_load((repo / ".github/workflows/auth.yml").read_text())
    return wf, {step["name"]: step for step in wf["jobs"][job]["steps"]}


def test_the_test_job_runs_a_generated_service(capsys, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (
        ["scaffold", "service", "auth", "--port", "3001"],
        ["scaffold", "workflow", "--service", "auth"],
    ):
        assert main([*args, "--repo", str(repo)]) == 0, capsys.readouterr()
    wf, steps = _steps(repo, "test")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    env = {
        **os.environ,
        **wf["env"],
        **wf["jobs"]["test"]["env"],
        "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("VIRTUAL_ENV", None)
    for name, cwd in (
        ("Install the service and its test tools", repo),
        (
            "Run the tests with the coverage gate",
            repo / steps["Run the tests with the coverage gate"]["working-directory"],
        ),
    ):
        done = subprocess.run(
            ["bash", "-e", "-c", steps[name]["run"]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, f"{name}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Required test coverage of 85" in done.stdout
    reports = repo / steps["Upload the JUnit and coverage reports"]["with"]["path"]
    suite = ET.parse(reports / "junit.xml").getroot()
    assert int(suite.find("testsuite").get("tests")) > 0
    rate = float(ET.parse(reports / "coverage.xml").getroot().get("line-rate"))
    assert 0.85 <= rate < 1.0
    # the gate bites: the same step with a threshold above the coverage fails the job
    gate = steps["Run the tests with the coverage gate"]
    done = subprocess.run(
        ["bash", "-e", "-c", gate["run"]],
        cwd=cwd,
        env={**env, "COVERAGE_MIN": "100"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode != 0 and "FAIL Required test coverage of 100" in done.stdout
