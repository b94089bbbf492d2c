"""The scaffold command group: lazy subcommands, the cached roadmap facts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.resources import bundled_roadmap


def run(
    args: list[str], cache: Path, *, importtime: bool = False
) -> subprocess.CompletedProcess[str]:
    flags = ["-X", "importtime"] if importtime else []
    env = {**os.environ, "PROPCTL_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, *flags, "-m", "propctl", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def imported(stderr: str) -> set[str]:
    return {
        line.split("|")[-1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:")
    }


def test_root_help_imports_no_scaffold_module(tmp_path: Path) -> None:
    out = run(["--help"], tmp_path, importtime=True)
    assert out.returncode == 0 and "scaffold" in out.stdout
    assert "propctl.cli.scaffold.service" not in imported(out.stderr)


def test_scaffold_help_lists_every_module_command(tmp_path: Path) -> None:
    out = run(["scaffold", "--help"], tmp_path)
    assert out.returncode == 0
    for name in ("service", "services", "gateway"):
        assert f" {name} " in out.stdout


def test_second_run_skips_the_roadmap_models(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    args = ["-q", "scaffold", "service", "auth", "--dry-run", "--repo", str(repo)]
    first = run(args, tmp_path / "cache", importtime=True)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "propctl.roadmap.models" in imported(first.stderr)
    second = run(args, tmp_path / "cache", importtime=True)
    assert second.returncode == 0
    assert "propctl.roadmap.models" not in imported(second.stderr)


def test_a_changed_roadmap_is_validated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROPCTL_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    (repo / "checklists").mkdir(parents=True)
    good = bundled_roadmap().read_text()
    (repo / "checklists" / "roadmap.yaml").write_text(good)
    assert main(["scaffold", "service", "auth", "--dry-run", "--repo", str(repo)]) == 0
    (repo / "checklists" / "roadmap.yaml").write_text(good.replace("port: 3001", "port: 80"))
    capsys.readouterr()
    assert main(["scaffold", "service", "auth", "--dry-run", "--repo", str(repo)]) == 2
    assert "roadmap.yaml" in capsys.readouterr().err
