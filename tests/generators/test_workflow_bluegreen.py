"""The deploy jobs' steps, run in order the way GitHub runs them (a failed step skips the rest
but for `if: failure() ...` steps; `$GITHUB_OUTPUT` feeds `steps.<id>.outputs`), against a fake
kubectl/curl cluster that holds what the real `kubectl kustomize` renders from the generated
overlays (the API and its events worker): a first deploy, a second one that switches colours, a
new colour that fails its smoke test before taking traffic, and one that fails after the switch
and is rolled back to the previous colour. Every Deployment of the service moves each time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from propctl.cli.main import main

pytestmark = pytest.mark.slow
FAKES = Path(__file__).parent / "fakes"
VARS = {
    "AWS_REGION": "eu-west-1",
    "ECR_REGISTRY": "123.dkr.ecr.eu-west-1.amazonaws.com",
    "EKS_CLUSTER": "propmubi",
    "AWS_DEPLOY_ROLE_ARN": "arn:aws:iam::123:role/deploy",
}
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
REGISTRY = VARS["ECR_REGISTRY"]
API, WORKER = "auth-service", "auth-service-events-worker"


def digest(sha: str) -> str:
    return "sha256:" + (sha * 64)[:64]


@pytest.fixture(scope="module")
def fakes(tmp_path_factory) -> Path:
    """The fakes with this interpreter in their #! line (it has PyYAML, and starts fast)."""
    folder = tmp_path_factory.mktemp("fakes")
    for source in FAKES.iterdir():
        text = source.read_text()
        if text.startswith("#!/usr/bin/env python3"):
            text = text.replace("#!/usr/bin/env python3", f"#!{sys.executable}", 1)
        target = folder / source.name
        target.write_text(text)
        target.chmod(0o755)
    return folder


@pytest.fixture
def repo(capsys, tmp_path: Path, fakes: Path, monkeypatch) -> Path:
    monkeypatch.setenv("PATH", f"{fakes}{os.pathsep}{os.environ['PATH']}")
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.setenv("REAL_KUBECTL", str(Path(sys.executable).parent / "kubectl"))
    for args in (
        ["scaffold", "workflow", "--service", "auth"],
        ["scaffold", "service", "auth", "--port", "3001"],
        ["scaffold", "events"],
    ):
        assert main([*args, "--repo", str(repo)]) == 0, capsys.readouterr()
    return repo


def _value(expr: str, outputs: dict[str, dict[str, str]], sha: str) -> str:
    for option in (o.strip() for o in expr.split("||")):
        if option.startswith("'"):
            return option.strip("'")
        if option.startswith("vars."):
            found = VARS.get(option[5:], "")
        elif option == "github.sha":
            found = sha
        elif option == "needs.build.outputs.digest":
            found = digest(sha)
        elif option.startswith("steps."):
            step, _, key = option[6:].split(".")
            found = outputs.get(step, {}).get(key, "")
        else:
            raise AssertionError(f"expression the test runner does not know: {expr}")
        if found:
            return found
    return ""


def _condition(expr: str, outputs: dict[str, dict[str, str]], failed: bool) -> bool:
    expr = EXPR.sub(lambda m: m.group(1), expr)
    python = re.sub(
        r"steps\.\w+\.outputs\.\w+", lambda m: repr(_value(m.group(0), outputs, "")), expr
    )
    python = python.replace("failure()", str(failed)).replace("&&", " and ")
    assert re.fullmatch(r"[\w\s'!=()]*", python), python
    return bool(eval(python, {"__builtins__": {}}))  # noqa: S307 - vetted just above


def run_job(repo: Path, cluster: Path, job: str, sha: str, **fake: str) -> list[str]:
    """Run the job's `run:` steps; returns the names of the steps that ran, and ends with
    'FAILED' when the job failed."""
    wf = yaml.safe_load((repo / ".github/workflows/auth.yml").read_text())
    spec = wf["jobs"][job]
    outputs: dict[str, dict[str, str]] = {}
    base = {
        **os.environ,
        "FAKE_CLUSTER": str(cluster),
        "FAKE_APP": "auth-service",
        "GITHUB_SHA": sha,
        "SMOKE_RETRIES": "5",
        "SMOKE_DELAY": "0.2",
        **fake,
    }

    def env_of(block: dict | None) -> dict[str, str]:
        return {
            k: EXPR.sub(lambda m: _value(m.group(1), outputs, sha), str(v))
            for k, v in (block or {}).items()
        }

    ran: list[str] = []
    failed = False
    for step in spec["steps"]:
        if "run" not in step:
            continue  # actions (checkout, AWS credentials) are not run here
        if "if" in step:
            if not _condition(step["if"], outputs, failed):
                continue
        elif failed:
            continue
        output = cluster / "github_output"
        output.write_text("")
        env = {
            **base,
            **env_of(wf["env"]),
            **env_of(spec["env"]),
            **env_of(step.get("env")),
            "GITHUB_OUTPUT": str(output),
        }
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        ran.append(step["name"])
        if "id" in step:
            outputs[step["id"]] = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if line
            )
        if done.returncode != 0:
            failed = True
    return ran + (["FAILED"] if failed else [])


def _state(cluster: Path) -> dict:
    return json.loads((cluster / "state.json").read_text())


def _live(cluster: Path) -> str:
    return _state(cluster)["services"]["auth-service"]["selector"]["color"]


def _image(stage: str, sha: str) -> str:
    return f"{REGISTRY}/propmubi-{stage}-auth@{digest(sha)}"


def _colour(cluster: Path, colour: str) -> dict[str, tuple[str, int]]:
    """{deployment without its colour: (image, replicas)} for one colour."""
    return {
        name.removesuffix(f"-{colour}"): (d["image"], d["replicas"])
        for name, d in _state(cluster)["deployments"].items()
        if d["labels"].get("color") == colour
    }


def test_first_then_second_deploy_switch_every_deployment(repo: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    ran = run_job(repo, cluster, "deploy-staging", "a" * 40)
    assert ran[-1] != "FAILED", ran
    assert _live(cluster) == "blue"
    # the API and its events worker, both on the built digest; the worker runs (HPA minimum)
    assert _colour(cluster, "blue") == {
        API: (_image("staging", "a"), 1),
        WORKER: (_image("staging", "a"), 2),
    }
    assert "Roll back to the previous colour" not in ran

    ran = run_job(repo, cluster, "deploy-production", "b" * 40)
    assert ran[-1] != "FAILED", ran
    assert _live(cluster) == "green"
    assert _colour(cluster, "green") == {
        API: (_image("production", "b"), 1),
        WORKER: (_image("production", "b"), 2),
    }
    # blue is kept for a rollback, its workers parked: one colour consumes the streams
    assert _colour(cluster, "blue") == {
        API: (_image("staging", "a"), 1),
        WORKER: (_image("staging", "a"), 0),
    }
    assert not list((repo / "apps/auth-service/k8s/overlays").glob(".propctl-*"))  # cleaned up


def test_the_hpa_owns_replicas_across_deploys(repo: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    run_job(repo, cluster, "deploy-staging", "a" * 40)
    state = _state(cluster)
    state["deployments"][f"{API}-blue"]["replicas"] = 7  # the autoscaler scaled up
    (cluster / "state.json").write_text(json.dumps(state))
    run_job(repo, cluster, "deploy-staging", "b" * 40)  # green
    run_job(repo, cluster, "deploy-staging", "c" * 40)  # blue again: re-applied
    assert _colour(cluster, "blue")[API] == (_image("staging", "c"), 7)


def test_a_colour_that_fails_its_smoke_test_never_takes_traffic(repo: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    run_job(repo, cluster, "deploy-staging", "a" * 40)
    ran = run_job(repo, cluster, "deploy-staging", "b" * 40, FAKE_BAD_COLOURS="green")
    assert ran[-1] == "FAILED"
    assert "Switch traffic to the new colour" not in ran
    assert "Roll back to the previous colour" in ran  # harmless: points back at blue
    assert _live(cluster) == "blue"
    assert _colour(cluster, "blue")[WORKER][1] == 2 and _colour(cluster, "green")[WORKER][1] == 0


def test_a_failed_rollout_never_takes_traffic(repo: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    run_job(repo, cluster, "deploy-staging", "a" * 40)
    ran = run_job(repo, cluster, "deploy-staging", "b" * 40, FAKE_FAIL_ROLLOUT=f"{WORKER}-green")
    assert ran[-1] == "FAILED" and "Switch traffic to the new colour" not in ran
    assert _live(cluster) == "blue"
    assert _colour(cluster, "blue")[WORKER] == (_image("staging", "a"), 2)


def test_a_failed_live_smoke_test_rolls_every_deployment_back(repo: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    run_job(repo, cluster, "deploy-staging", "a" * 40)
    before = _colour(cluster, "blue")
    # green passes through its own Service, then fails once it carries the live traffic
    ran = run_job(repo, cluster, "deploy-production", "b" * 40, FAKE_BAD_LIVE="1")
    assert ran[-3:] == [
        "Smoke test the live service after the switch",
        "Roll back to the previous colour",
        "FAILED",
    ], ran
    assert _live(cluster) == "blue"
    assert _colour(cluster, "blue") == before  # the API and the worker, as they were
    assert _colour(cluster, "green")[WORKER] == (_image("production", "b"), 0)  # parked again
    calls = (cluster / "calls.log").read_text().splitlines()
    switches = [
        json.loads(line.split("--patch ", 1)[1])["spec"]["selector"]["color"]
        for line in calls
        if line.startswith("patch service auth-service")
    ]
    assert switches == ["blue", "green", "blue"]  # first deploy, the switch, the rollback
    scaled = [line for line in calls if line.startswith(f"scale deployment.apps/{WORKER}")]
    assert scaled[-2:] == [
        f"scale deployment.apps/{WORKER}-blue --replicas=2",
        f"scale deployment.apps/{WORKER}-green --replicas=0",
    ]


def test_the_first_deploy_has_nothing_to_roll_back_to(repo: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    ran = run_job(repo, cluster, "deploy-staging", "a" * 40, FAKE_BAD_LIVE="1")
    assert ran[-2:] == ["Smoke test the live service after the switch", "FAILED"], ran


def test_deploy_refuses_an_image_without_a_digest(repo: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    done = subprocess.run(
        [".github/propctl/blue-green.sh", "deploy", "blue", f"{REGISTRY}/x:latest"],
        cwd=repo,
        env={
            **os.environ,
            "FAKE_CLUSTER": str(cluster),
            "SERVICE": "auth",
            "SERVICE_PORT": "3001",
            "NAMESPACE": "propmubi-staging",
            "OVERLAY": "apps/auth-service/k8s/overlays/staging",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "by digest only" in done.stderr
    assert not (cluster / "state.json").exists()
