"""A non-editable install from the wheel works on its own: the bundled roadmap, templates and
infra are inside it, and `propctl` runs from a directory that has none of the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sh(
    *argv: str | Path, cwd: Path | None = None, timeout: int = 1500
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    out = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    assert out.returncode == 0, f"{argv}: {out.stdout[-1500:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, propctl_wheel: Path) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("wheel")
    wheel = propctl_wheel
    sh(sys.executable, "-m", "venv", base / "venv")
    # --no-compile: byte-compiling pulumi_aws alone takes a minute; the test needs no .pyc
    sh(base / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", wheel)
    return wheel, base / "venv" / "bin"


@pytest.mark.slow
def test_the_wheel_holds_the_data(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "propctl/_data/checklists/roadmap.yaml" in names
    assert "propctl/_data/checklists/roadmap.schema.json" in names
    assert any(n.startswith("propctl/_data/templates/") for n in names)
    assert any(n.startswith("propctl/_data/infra/") for n in names)
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_the_installed_command_works_anywhere(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    propctl = bin_dir / "propctl"
    assert sh(propctl, "--version", cwd=tmp_path).stdout.startswith("propctl ")
    out = sh(propctl, "checklist", "validate", cwd=tmp_path)
    assert "3 tiers, 15 tasks, 199 subtasks, 73 criteria" in out.stdout
    assert "site-packages/propctl/_data/checklists/roadmap.yaml" in out.stdout
    out = sh(propctl, "status", cwd=tmp_path)
    assert "no verify results yet" in out.stdout and "5.10" in out.stdout
    code = (
        "from propctl.resources import templates_dir, infra_dir, bundled_roadmap\n"
        "for p in (templates_dir(), infra_dir(), bundled_roadmap()):\n"
        "    assert '_data' in p.parts and p.exists(), p\n"
        "    print(p)"
    )
    out = sh(bin_dir / "python", "-c", code, cwd=tmp_path)
    assert all("site-packages" in line for line in out.stdout.splitlines())
    assert str(ROOT) not in out.stdout
