"""checkov's `terraform_plan` framework judges the exported production plan.

checkov's pins clash with propctl's, so it gets a virtual environment of its own, built once
and cached (~/.cache/propctl-test/checkov-venv, or PROPCTL_TEST_CACHE). Exceptions are in the
repo's `.checkov.yaml`, each with its reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.generators import k8s_judges
from tests.provision.planning import DATE

pytestmark = pytest.mark.slow

JUDGED_TYPES = (
    "aws_db_instance",
    "aws_eks_cluster",
    "aws_eks_node_group",
    "aws_elasticache_replication_group",
    "aws_security_group",
    "aws_ecr_repository",
    "aws_sns_topic",
)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def checkov() -> Path:
    """The cached checkov the Kubernetes judges use too (one install, one lock)."""
    return k8s_judges.checkov_binary()


def _tfplan(tmp_path: Path, repo: Path | None = None) -> Path:
    out = tmp_path / "tfplan.json"
    cmd = [
        sys.executable,
        "-m",
        "propctl",
        "infra",
        "plan",
        "--stack",
        "production",
        "--format",
        "tfplan-json",
        "--date",
        DATE.isoformat(),  # the support windows are judged on a fixed day
        "-o",
        str(out),
    ]
    done = subprocess.run(
        cmd + (["--repo", str(repo)] if repo else []),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.is_file(), done.stderr
    return out


def _judge(checkov: Path, plan: Path) -> dict:
    done = subprocess.run(
        [
            str(checkov),
            "-f",
            str(plan),
            "--framework",
            "terraform_plan",
            "--config-file",
            str(ROOT / ".checkov.yaml"),
            "-o",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": ""},
    )
    report = json.loads(done.stdout)
    return report[0] if isinstance(report, list) else report


def test_production_plan_passes_checkov(checkov: Path, tmp_path: Path) -> None:
    results = _judge(checkov, _tfplan(tmp_path))["results"]
    failed = [(c["check_id"], c["resource"]) for c in results["failed_checks"]]
    assert failed == []
    passed_types = {c["resource"].split(".")[0] for c in results["passed_checks"]}
    assert set(JUDGED_TYPES) <= passed_types  # checkov did judge every one of them
    for kind in JUDGED_TYPES:
        judged = [c for c in results["passed_checks"] if c["resource"].startswith(kind + ".")]
        assert judged, kind


def test_checkov_catches_a_public_database(checkov: Path, tmp_path: Path) -> None:
    """The same pipeline fails when the program is wrong: it is not a test that always passes."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(
        [sys.executable, "-m", "propctl", "scaffold", "infra", "--repo", str(repo)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    stack = repo / "infra" / "Pulumi.production.yaml"
    stack.write_text(stack.read_text() + "  propmubi:dbPubliclyAccessible: true\n")
    results = _judge(checkov, _tfplan(tmp_path, repo))["results"]
    failed = {(c["check_id"], c["resource"]) for c in results["failed_checks"]}
    assert ("CKV_AWS_17", "aws_db_instance.database_primary") in failed
