"""The judges that need a fresh virtual environment: the generated service installs from its own
pyproject.toml, passes its own test suite and `ruff check`. One venv for the whole module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from propctl.cli.main import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("venv-repo")
    assert main(["scaffold", "service", "property", "--repo", str(repo)]) == 0
    return repo / "apps" / "property-service"


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory, service: Path) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    out = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"{service}[test]",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return python


def test_generated_service_passes_its_own_tests(venv_python: Path, service: Path) -> None:
    out = subprocess.run(
        [str(venv_python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "failed" not in out.stdout


def test_generated_service_passes_ruff(venv_python: Path, service: Path) -> None:
    ruff = venv_python.parent / "ruff"
    out = subprocess.run(
        [str(ruff), "check", "--no-cache", "."],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_generated_app_starts_from_the_installed_package(venv_python: Path, tmp_path: Path) -> None:
    """Outside the source folder (as in the image): the wheel holds everything it needs."""
    code = (
        "from fastapi.testclient import TestClient; from app.main import app; "
        "r = TestClient(app).get('/health'); print(r.status_code, r.json()['service'])"
    )
    out = subprocess.run(
        [str(venv_python), "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"JWT_SECRET": "x" * 40, "PATH": "/usr/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "200 property-service", out.stdout  # logs go first


def test_generated_app_refuses_to_start_without_a_secret(venv_python: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [str(venv_python), "-c", "import app.main"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin"},
    )
    assert out.returncode != 0 and "jwt_secret" in out.stderr
