"""`propctl scaffold service` / `services --all`: the command, its validation, the generated
manifests (kubernetes-validate on rendered overlays), the Dockerfile (hadolint), the golden tree."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from propctl.cli.main import main

sys.path.insert(0, str(Path(__file__).parent))
import k8s_judges  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "service-auth"
ROADMAP_SERVICES = {
    "auth": 3001,
    "property": 3002,
    "trust": 3006,
    "agent": 3015,
    "crm": 3016,
    "builder": 3017,
    "legal": 3007,
    "reputation": 3012,
    "marketing": 3014,
}


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def auth_service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    assert main(["scaffold", "service", "auth", "--port", "3001", "--repo", str(repo)]) == 0
    return repo / "apps" / "auth-service"


def test_service_tree_has_every_concern(auth_service: Path) -> None:
    files = set(tree(auth_service))
    for expected in (
        "app/main.py",
        "app/settings.py",
        "app/logs.py",
        "app/errors.py",
        "app/health.py",
        "app/auth.py",
        "app/metrics.py",
        "app/versioning.py",
        "app/api/v1.py",
        ".env.example",
        "Dockerfile",
        "pyproject.toml",
        "k8s/base/deployment.yaml",
        "k8s/base/hpa.yaml",
        "k8s/base/pdb.yaml",
        "k8s/base/service.yaml",
        "k8s/overlays/staging/kustomization.yaml",
        "k8s/overlays/production/kustomization.yaml",
        "tests/test_health.py",
    ):
        assert expected in files, expected


def test_golden_tree(auth_service: Path) -> None:
    """Set PROPCTL_UPDATE_GOLDEN=1 to rewrite tests/golden/service-auth from the templates."""
    actual = tree(auth_service)
    if os.environ.get("PROPCTL_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(auth_service, GOLDEN)
    expected = tree(GOLDEN)
    assert sorted(actual) == sorted(expected), "file list differs from tests/golden/service-auth"
    for path, content in expected.items():
        assert actual[path] == content, f"{path} differs from the golden copy"


def test_nothing_secret_is_generated(auth_service: Path) -> None:
    env = (auth_service / ".env.example").read_text()
    assert "JWT_SECRET=\n" in env and "PORT=3001" in env
    out = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "scan", str(auth_service)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["results"] == {}


def test_dockerfile_passes_hadolint(auth_service: Path) -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    out = subprocess.run(
        [hadolint, "--failure-threshold", "style", "Dockerfile"],
        cwd=auth_service,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr
    text = (auth_service / "Dockerfile").read_text()
    assert text.count("FROM ") == 2 and "USER 10001" in text and "HEALTHCHECK" in text


@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_overlays_render_and_validate(auth_service: Path, overlay: str) -> None:
    docs = k8s_judges.render(auth_service / "k8s" / "overlays" / overlay)
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == [
        "Deployment",
        "ExternalSecret",
        "HorizontalPodAutoscaler",
        "Namespace",
        "NetworkPolicy",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "SecretStore",
        "Service",
        "ServiceAccount",
    ]
    assert k8s_judges.validate(docs) == []
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == f"propmubi-{overlay}"
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == f"ghcr.io/propmubi/auth-service@sha256:{'0' * 64}"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert set(container["resources"]) == {"requests", "limits"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"name": "ENVIRONMENT", "value": overlay} in container["env"]
    hpa = next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_base_manifests_validate(auth_service: Path) -> None:
    for path in sorted((auth_service / "k8s" / "base").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
            assert k8s_judges.validate(docs) == [], path.name


# ---- the command --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["../x", "--port", "4000"], "must match"),
        (["/abs", "--port", "4000"], "must match"),
        (["{{ 7*7 }}", "--port", "4000"], "template syntax"),
        (["", "--port", "4000"], "empty"),
        (["a\x00b", "--port", "4000"], "NUL"),
        (["a\nb", "--port", "4000"], "newline"),
        (["Auth", "--port", "4000"], "must match"),
        (["billing", "--port", "80"], "out of range"),
        (["billing", "--port", "99999"], "out of range"),
        (["billing", "--port", "http"], "not a number"),
        (["billing", "--port", "3001"], "'auth'"),
        (["billing"], "--port is required"),
    ],
)
def test_bad_input_is_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["scaffold", "service", *args, "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_roadmap_service_gets_its_declared_port(tmp_path: Path) -> None:
    assert main(["scaffold", "service", "trust", "--repo", str(tmp_path)]) == 0
    assert "PORT=3006" in (tmp_path / "apps/trust-service/.env.example").read_text()


def test_port_used_by_another_generated_service_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scaffold", "service", "billing", "--port", "4100", "--repo", str(tmp_path)]) == 0
    assert main(["scaffold", "service", "payments", "--port", "4100", "--repo", str(tmp_path)]) == 2
    assert "already used by 'billing'" in capsys.readouterr().err


def test_dry_run_prints_plan_and_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scaffold", "service", "auth", "--dry-run", "--repo", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "apps/auth-service/app/main.py" in out and "+++ b/apps/auth-service/Dockerfile" in out
    assert re.search(r"^plan: \d+ create$", out, re.M)
    assert list(tmp_path.iterdir()) == []


def test_json_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "scaffold",
                "service",
                "auth",
                "--dry-run",
                "--format",
                "json",
                "--repo",
                str(tmp_path),
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["dry_run"] is True and data["generator"] == "service"
    assert data["params"] == {"name": "auth", "port": 3001}
    assert {a["action"] for a in data["actions"]} == {"create"}
    assert all(a["path"].startswith("apps/auth-service/") for a in data["actions"])


def test_services_all_on_the_example_repo(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scaffold", "services", "--all", "--repo", str(example_repo)]) == 0
    made = sorted(p.name for p in (example_repo / "apps").glob("*-service"))
    assert made == sorted(f"{n}-service" for n in ROADMAP_SERVICES)
    for name, port in ROADMAP_SERVICES.items():
        service = example_repo / "apps" / f"{name}-service"
        assert f"PORT={port}" in (service / ".env.example").read_text()
        assert f"containerPort: {port}" in (service / "k8s/base/deployment.yaml").read_text()
    assert (example_repo / "apps/api/main.py").exists()  # the monolith is left alone
    capsys.readouterr()
    assert (
        main(["scaffold", "services", "--all", "--format", "json", "--repo", str(example_repo)])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert {a["action"] for g in data["generations"] for a in g["actions"]} == {"identical"}


def test_services_needs_all(tmp_path: Path) -> None:
    assert main(["scaffold", "services", "--repo", str(tmp_path)]) == 2


def test_services_all_writes_nothing_when_one_service_conflicts(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scaffold", "service", "legal", "--repo", str(example_repo)]) == 0
    main_py = example_repo / "apps/legal-service/app/main.py"
    main_py.write_text(main_py.read_text() + "# edited\n")
    capsys.readouterr()
    assert main(["scaffold", "services", "--all", "--repo", str(example_repo)]) == 1
    assert "conflict: apps/legal-service/app/main.py" in capsys.readouterr().err
    assert sorted(p.name for p in (example_repo / "apps").glob("*-service")) == ["legal-service"]


def test_json_after_apply_and_on_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["scaffold", "service", "auth", "--format", "json", "--repo", str(tmp_path)]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is True and data["report"]["written"]
    (tmp_path / "apps/auth-service/Dockerfile").write_text("FROM scratch\n")
    assert main(args) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["applied"] is False and data["counts"]["conflict"] == 1
    assert "conflict: apps/auth-service/Dockerfile" in captured.err
