"""The bundled roadmap off its home field: on an empty repository and on real ones propctl was
not written with, everything that passes is in a table of reasons
(tests/fixtures/real/bundled-passes.yaml), and nothing else passes. --trust, so that the
command checks (black, ruff, pytest) really run and must prove something."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from realrepos import GIT, REAL, checkout, fixtures, load, verify

TABLE = load(REAL / "bundled-passes.yaml")


def _passes(repo: Path) -> set[str]:
    return {cid for cid, r in verify(repo, "--trust").items() if r["status"] == "pass"}


def test_an_empty_repository_passes_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    (repo / "README.md").write_text("# an empty repository\n")
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    subprocess.run([*GIT, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "empty"], check=True)
    assert _passes(repo) == set(TABLE["empty"])


@pytest.mark.parametrize("fixture", fixtures(), ids=lambda p: p.name)
def test_every_pass_on_a_foreign_repository_has_a_reason(fixture: Path, tmp_path: Path) -> None:
    reasons = {str(k): v for k, v in TABLE[fixture.name].items()}
    passes = _passes(checkout(fixture, tmp_path))
    assert passes - set(reasons) == set(), "passes without a reason in bundled-passes.yaml"
    assert set(reasons) - passes == set(), "listed as passing, but did not pass"


def test_the_monolith_is_retired_on_positive_evidence_only(tmp_path: Path) -> None:
    """11.a5 fails while apps/api/main.py exists beside the nine services and the gateway,
    and passes once it is gone: the services and the gateway are the evidence, not the absence."""
    repo = tmp_path / "repo"
    shutil.copytree(REAL.parents[1].parent / "examples" / "propmubi", repo)
    for args in (["scaffold", "services", "--all"], ["scaffold", "gateway"]):
        subprocess.run([sys.executable, "-m", "propctl", *args, "--repo", str(repo)], check=True)
    assert verify(repo, "--criterion", "11.a5")["11.a5"]["status"] == "fail"
    shutil.rmtree(repo / "apps" / "api")
    assert verify(repo, "--criterion", "11.a5")["11.a5"]["status"] == "pass"
