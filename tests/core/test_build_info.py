"""Where this propctl comes from: the wheel records its repository and commit at build time
(hatch_build.py), so the verify workflow it writes installs exactly this propctl from its
source; when either is unknown, `scaffold workflow --verify` asks for --propctl-spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from propctl import provenance as provenance_module
from propctl.cli.main import main
from propctl.provenance import Provenance

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ".github/workflows/propctl-verify.yml"


def _head() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _repository() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return str(project["urls"]["Repository"])


@pytest.fixture(scope="module")
def wheel(propctl_wheel: Path) -> Path:
    return propctl_wheel


@pytest.mark.slow
def test_the_wheel_records_the_repository_and_the_commit(wheel: Path) -> None:
    info = json.loads(zipfile.ZipFile(wheel).read("propctl/_build_info.json"))
    assert info == {"repository": _repository(), "commit": _head()}


@pytest.mark.slow
def test_an_installed_wheel_writes_a_workflow_that_installs_itself(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    repo = tmp_path / "repo"
    repo.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "propctl", "-q", "scaffold", "workflow", "--verify"]
        + ["--repo", str(repo)],
        cwd=tmp_path,  # not this checkout: the wheel's own propctl, which has no .git beside it
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    job = yaml.safe_load((repo / WORKFLOW).read_text())["jobs"]["verify"]
    url = _repository().removesuffix("/")
    assert job["env"]["PROPCTL_SPEC"] == f"propctl @ git+{url}.git@{_head()}"


def test_a_source_checkout_reads_pyproject_and_git() -> None:
    found = provenance_module.provenance()
    assert found == Provenance(_repository(), _head())


@pytest.mark.parametrize(
    ("found", "missing"),
    [
        (Provenance(None, "a" * 40), "the repository it comes from"),
        (Provenance("https://example.com/org/propctl", None), "the commit it was built from"),
    ],
)
def test_an_unknown_source_asks_for_the_spec(
    found: Provenance,
    missing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(provenance_module, "provenance", lambda: found)
    assert main(["scaffold", "workflow", "--verify", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert missing in err and "--propctl-spec" in err and "Traceback" not in err
    assert not (tmp_path / WORKFLOW).exists()  # nothing half-written
    spec = "propctl @ git+https://example.com/org/propctl.git@v1"
    assert (
        main(["scaffold", "workflow", "--verify", "--repo", str(tmp_path), "--propctl-spec", spec])
        == 0
    )
    job = yaml.safe_load((tmp_path / WORKFLOW).read_text())["jobs"]["verify"]
    assert job["env"]["PROPCTL_SPEC"] == spec


def test_a_broken_build_info_file_counts_as_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "_build_info.json"
    info.write_bytes(b"\x00\xff not json")
    monkeypatch.setattr(provenance_module, "BUILD_INFO", info)
    provenance_module.provenance.cache_clear()
    try:
        assert provenance_module.provenance() == Provenance(None, None)
        info.write_text(json.dumps({"repository": "https://example.com/p", "commit": "b" * 40}))
        provenance_module.provenance.cache_clear()
        assert provenance_module.provenance().pip_spec == (
            f"propctl @ git+https://example.com/p.git@{'b' * 40}"
        )
    finally:
        provenance_module.provenance.cache_clear()
