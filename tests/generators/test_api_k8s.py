"""`scaffold add health --service api` also deploys the monolith API (Task 9.7, 9.8, 9.a4): the
service part's manifests under k8s/ (base/api-*.yaml, overlays per environment), rendered by
`kubectl kustomize` and valid; the probes hit the paths the generated app serves (after `add
versioning` too); propctl's own Task 9 k8s checks fail before and pass after."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from propctl.cli.main import main
from propctl.generators import api_k8s

sys.path.insert(0, str(Path(__file__).parent))
import k8s_judges  # noqa: E402
from test_concerns import run_app  # noqa: E402

K8S_ITEMS = ("9.7", "9.8", "9.a4")


def verify(repo: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[str, str]]:
    """Task 9's k8s items: id -> (status, message)."""
    capsys.readouterr()
    main(["verify", "--task", "9", "--format", "json", "--no-history", "--repo", str(repo)])
    data = json.loads(capsys.readouterr().out)
    return {r["id"]: (r["status"], r["message"]) for r in data["results"] if r["id"] in K8S_ITEMS}


def add(repo: Path, *concerns: str) -> None:
    assert main(["scaffold", "add", *concerns, "--service", "api", "--repo", str(repo)]) == 0


def test_health_deploys_the_api_and_task_9_k8s_checks_pass(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = verify(example_repo, capsys)
    assert {i: r[0] for i, r in before.items()} == dict.fromkeys(K8S_ITEMS, "fail")
    add(example_repo, "versioning")
    assert not (example_repo / "k8s").exists()  # only health deploys the API
    add(example_repo, "health")
    after = verify(example_repo, capsys)
    assert {i: r[0] for i, r in after.items()} == dict.fromkeys(K8S_ITEMS, "pass"), after
    base = example_repo / "k8s" / "base"
    assert sorted(p.name for p in base.iterdir()) == [
        "api-deployment.yaml",
        "api-externalsecret.yaml",
        "api-hpa.yaml",
        "api-networkpolicy.yaml",
        "api-pdb.yaml",
        "api-service.yaml",
        "api-serviceaccount.yaml",
        "kustomization.yaml",
    ]
    # no patch files: a partial Deployment under k8s/ would fail 9.a4 (not valid, no probes)
    assert not list((example_repo / "k8s").rglob("*-patch.yaml"))
    add(example_repo, "health")  # again: nothing changes
    assert verify(example_repo, capsys) == after


@pytest.mark.parametrize("env", ["staging", "production"])
def test_overlays_render_validate_and_probe_what_the_app_serves(
    example_repo: Path, env: str
) -> None:
    add(example_repo, "versioning")
    add(example_repo, "health")
    objects = k8s_judges.render(example_repo / "k8s" / "overlays" / env)
    assert k8s_judges.validate(objects) == []
    namespace = f"propmubi-{env}"  # the roadmap's environments
    assert all(
        o["metadata"].get("namespace") == namespace for o in objects if o["kind"] != "Namespace"
    )
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    assert deployment["metadata"]["name"] == "api"
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"].startswith("ghcr.io/propmubi/api@sha256:")
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"requests", "limits"} <= set(container["resources"])
    assert {"name": "ENVIRONMENT", "value": env} in container["env"]
    probes = {
        kind: container[kind]["httpGet"]["path"]
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert probes == {
        "startupProbe": "/health",
        "livenessProbe": "/health",
        "readinessProbe": "/health/ready",
    }
    (secret,) = [o for o in objects if o["kind"] == "ExternalSecret"]
    assert secret["spec"]["dataFrom"] == [{"extract": {"key": f"propmubi/{env}/api"}}]
    # the paths the probes call are what the versioned app serves, unversioned and not 404
    paths = sorted(set(probes.values()))
    out = run_app(
        example_repo / "apps/api",
        "import json\nfrom fastapi.testclient import TestClient\nfrom main import app\n"
        "with TestClient(app) as c:\n"
        f"    print(json.dumps({{p: c.get(p).status_code for p in {paths!r}}}))",
        env={"REDIS_URL": "redis://127.0.0.1:9/0", "READINESS_TIMEOUT_SECONDS": "0.2"},
    )
    codes = json.loads(out.strip().splitlines()[-1])
    assert codes["/health"] == 200 and codes["/health/ready"] in (200, 503), codes


def test_the_roadmaps_k8s_path_is_used(example_repo: Path) -> None:
    class Roadmap:
        paths = {"k8s": "deploy/kube"}
        environments = None

    files = api_k8s.api_k8s_files(Roadmap(), example_repo)
    paths = {f.path for f in files}
    assert "deploy/kube/base/api-deployment.yaml" in paths
    assert "deploy/kube/overlays/production/kustomization.yaml" in paths
    overlay = next(f for f in files if f.path == "deploy/kube/overlays/staging/kustomization.yaml")
    patches = yaml.safe_load(overlay.content)["patches"]
    assert all("path" not in p and "patch" in p for p in patches)
