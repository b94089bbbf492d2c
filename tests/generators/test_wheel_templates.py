"""Templates ship inside the wheel: an installed propctl (not this checkout) scaffolds a service
from `propctl/_data/templates`."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, propctl_wheel: Path) -> Path:
    wheel = propctl_wheel
    names = zipfile.ZipFile(wheel).namelist()
    assert "propctl/_data/templates/parts/app/files/app/main.py.jinja" in names
    assert "propctl/_data/templates/gateway/kong.yaml.jinja" in names
    target = tmp_path_factory.mktemp("site")
    zipfile.ZipFile(wheel).extractall(target)
    return target


def test_installed_propctl_renders_from_its_own_data(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed), "PROPCTL_CACHE_DIR": str(tmp_path / "c")}
    code = (
        "import propctl, propctl.resources as r; print(propctl.__file__); print(r.templates_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    module, templates = out.stdout.split()
    assert module.startswith(str(installed)) and templates.startswith(str(installed))
    repo = tmp_path / "repo"
    repo.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "propctl", "-q", "scaffold", "service", "auth", "--repo", str(repo)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (repo / "apps/auth-service/app/main.py").is_file()
    assert (repo / "apps/auth-service/k8s/overlays/production/kustomization.yaml").is_file()
