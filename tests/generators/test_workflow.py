"""scaffold workflow: what the generated CI/CD holds (jobs, triggers, environments, permissions,
blue-green and rollback steps, no untrusted `${{ }}` in scripts), what it refuses, and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from propctl.cli.main import main
from propctl.errors import UserError
from propctl.generators.workflow import workflow_generation
from propctl.generators.workflow_verify import verify_generation
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap

SERVICES = [
    "auth",
    "property",
    "trust",
    "agent",
    "crm",
    "builder",
    "legal",
    "reputation",
    "marketing",
]


@pytest.fixture(scope="module")
def roadmap():
    return load_roadmap(bundled_roadmap())


def _files(generation) -> dict[str, str]:
    return {spec.path: spec.content for spec in generation.files}


def _workflow(text: str) -> dict:
    data = yaml.safe_load(text)
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def _run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_all_services_get_a_workflow_and_the_shared_scripts(roadmap) -> None:
    files = _files(workflow_generation(roadmap, [s.name for s in roadmap.services]))
    assert sorted(files) == sorted(
        [f".github/workflows/{name}.yml" for name in SERVICES]
        + [".github/propctl/blue-green.sh", ".github/propctl/environments.sh"]
    )
    scripts = [s for s in workflow_generation(roadmap, ["auth"]).files if s.path.endswith(".sh")]
    assert scripts and all(s.executable for s in scripts)


def test_service_workflow_shape(roadmap) -> None:
    text = _files(workflow_generation(roadmap, ["trust"]))[".github/workflows/trust.yml"]
    wf = _workflow(text)
    assert set(wf["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert wf["on"]["pull_request"]["paths"] == [
        "apps/trust-service/**",
        "shared/**",
        ".github/workflows/trust.yml",
    ]
    assert wf["on"]["push"]["branches"] == ["main"]
    assert list(wf["jobs"]) == ["lint", "test", "build", "deploy-staging", "deploy-production"]
    assert wf["permissions"] == {}
    assert "group" in wf["concurrency"]
    jobs = wf["jobs"]
    assert jobs["build"]["needs"] == ["lint", "test"]
    assert jobs["deploy-staging"]["needs"] == ["build"]
    assert jobs["deploy-production"]["needs"] == ["build", "deploy-staging"]
    assert jobs["deploy-staging"]["environment"] == {"name": "staging"}
    assert jobs["deploy-production"]["environment"] == {"name": "production"}
    for name in ("deploy-staging", "deploy-production"):
        assert "refs/heads/main" in jobs[name]["if"]
        assert jobs[name]["concurrency"]["cancel-in-progress"] is False
    assert wf["env"]["SERVICE_PORT"] == "3006"


def test_least_privilege_permissions(roadmap) -> None:
    wf = _workflow(_files(workflow_generation(roadmap, ["auth"]))[".github/workflows/auth.yml"])
    for name, job in wf["jobs"].items():
        perms = job["permissions"]
        assert perms["contents"] == "read", name
        assert set(perms) <= {"contents", "id-token"}, name
        wants_oidc = any("configure-aws-credentials" in s.get("uses", "") for s in job["steps"])
        assert ("id-token" in perms) == wants_oidc, name


def test_steps_are_safe(roadmap) -> None:
    files = _files(workflow_generation(roadmap, SERVICES))
    files.update(_files(verify_generation()))
    for path, text in files.items():
        if not path.endswith(".yml"):
            continue
        for job in _workflow(text)["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), (path, step)
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, path
        assert "secrets." not in text and "aws-secret-access-key" not in text, path


def test_deploy_is_blue_green_with_smoke_tests_and_rollback(roadmap) -> None:
    wf = _workflow(_files(workflow_generation(roadmap, ["crm"]))[".github/workflows/crm.yml"])
    for name in ("deploy-staging", "deploy-production"):
        runs = [(s.get("if", ""), s.get("run", "")) for s in wf["jobs"][name]["steps"]]
        scripts = [r for _, r in runs]
        order = [
            next(i for i, r in enumerate(scripts) if word in r)
            for word in (
                "blue-green.sh colours",
                "blue-green.sh deploy",
                'blue-green.sh smoke "$IDLE"',
                "blue-green.sh switch",
                "blue-green.sh smoke live",
                "blue-green.sh rollback",
            )
        ]
        assert order == sorted(order), name
        rollback_if = runs[order[-1]][0]
        assert "failure()" in rollback_if and "steps.colours.outputs.live" in rollback_if


def test_build_pushes_to_ecr_with_oidc_only_on_main(roadmap) -> None:
    wf = _workflow(_files(workflow_generation(roadmap, ["auth"]))[".github/workflows/auth.yml"])
    build = wf["jobs"]["build"]
    assert "refs/heads/main" in build["env"]["PUSH"]
    steps = build["steps"]
    creds = next(s for s in steps if "configure-aws-credentials" in s.get("uses", ""))
    assert creds["with"]["role-to-assume"] == "${{ vars.AWS_ECR_PUSH_ROLE_ARN }}"
    assert "aws-access-key-id" not in creds["with"]
    push = next(s for s in steps if s.get("id") == "push")
    assert push["if"] == creds["if"] == "${{ env.PUSH == 'true' }}"
    assert push["uses"].startswith("docker/build-push-action@")
    assert push["with"]["sbom"] is True and push["with"]["provenance"] == "mode=max"
    assert push["with"]["tags"].splitlines() == [
        "${{ vars.ECR_REGISTRY }}/propmubi-staging-auth:${{ github.sha }}",
        "${{ vars.ECR_REGISTRY }}/propmubi-production-auth:${{ github.sha }}",
    ]
    assert build["outputs"]["digest"] == "${{ steps.push.outputs.digest }}"


def test_a_vulnerability_scan_gates_the_push(roadmap) -> None:
    wf = _workflow(_files(workflow_generation(roadmap, ["auth"]))[".github/workflows/auth.yml"])
    steps = wf["jobs"]["build"]["steps"]
    names = [s.get("uses", "").split("@")[0] or s["name"] for s in steps]
    scan = next(s for s in steps if s.get("uses", "").startswith("aquasecurity/trivy-action@"))
    assert scan["with"]["exit-code"] == "1" and scan["with"]["severity"] == "HIGH,CRITICAL"
    assert "if" not in scan  # pull requests are scanned too
    local = steps[names.index("docker/build-push-action")]
    assert local["with"]["load"] is True and local["with"]["push"] is False
    assert scan["with"]["image-ref"] == local["with"]["tags"]
    assert names.index("aquasecurity/trivy-action") < [s.get("id") for s in steps].index("push")


def test_deploys_run_in_the_cluster_and_deploy_the_built_digest(roadmap) -> None:
    wf = _workflow(_files(workflow_generation(roadmap, ["crm"]))[".github/workflows/crm.yml"])
    for stage in ("staging", "production"):
        job = wf["jobs"][f"deploy-{stage}"]
        assert job["runs-on"] == f"propmubi-{stage}-deploy"  # the ARC runner scale set
        assert "build" in job["needs"]
        assert job["env"]["IMAGE"] == (
            f"${{{{ vars.ECR_REGISTRY }}}}/propmubi-{stage}-crm"
            "@${{ needs.build.outputs.digest }}"
        )


@pytest.mark.parametrize("threshold, shown", [(85.0, "85"), (92.5, "92.5")])
def test_coverage_gate_comes_from_the_roadmap(roadmap, threshold: float, shown: str) -> None:
    custom = roadmap.model_copy(update={"coverage_threshold": threshold})
    wf = _workflow(_files(workflow_generation(custom, ["auth"]))[".github/workflows/auth.yml"])
    test = wf["jobs"]["test"]
    assert test["env"]["COVERAGE_MIN"] == shown
    run = next(s["run"] for s in test["steps"] if "python -m pytest" in s.get("run", ""))
    assert '--cov-fail-under="$COVERAGE_MIN"' in run and "--junitxml" in run
    upload = next(s for s in test["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "apps/auth-service/reports/"


def test_services_folder_comes_from_the_roadmap(roadmap) -> None:
    paths = {k: v for k, v in roadmap.paths.items() if k != "shared"}
    custom = roadmap.model_copy(update={"paths": {**paths, "services": "services"}})
    wf = _workflow(_files(workflow_generation(custom, ["auth"]))[".github/workflows/auth.yml"])
    assert wf["env"]["SERVICE_DIR"] == "services/auth-service"
    assert wf["on"]["push"]["paths"] == [
        "services/auth-service/**",
        ".github/workflows/auth.yml",
        ".github/propctl/blue-green.sh",
    ]


def test_verify_workflow(roadmap) -> None:
    files = _files(verify_generation("propctl==0.1.0"))
    assert list(files) == [".github/workflows/propctl-verify.yml"]
    wf = _workflow(files[".github/workflows/propctl-verify.yml"])
    assert "pull_request" in wf["on"]
    job = wf["jobs"]["verify"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    steps = job["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "--ratchet" in runs and "GITHUB_STEP_SUMMARY" in runs
    assert '--format "$format"' in runs and "sarif junit" in runs
    assert runs.count("propctl verify --base") == 2
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    assert job["env"]["PROPCTL_SPEC"] == "propctl==0.1.0"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda r: workflow_generation(r, ["billing"]), "not a service in the roadmap"),
        (lambda r: workflow_generation(r, ["../x"]), "service name"),
        (lambda r: workflow_generation(r, ["auth-service"]), "'-service' suffix"),
        (lambda r: workflow_generation(r, []), "no service"),
        (lambda r: workflow_generation(r, ["auth"], reviewers_team="a b"), "team slug"),
        (lambda r: verify_generation('propctl"; curl evil'), "not allowed"),
        (lambda r: verify_generation("propctl==$(id)"), "not allowed"),
    ],
)
def test_refusals(roadmap, call, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        call(roadmap)


def test_cli_all_writes_then_is_identical(capsys, tmp_path: Path) -> None:
    code, _, err = _run(capsys, "scaffold", "workflow", "--all", "--repo", str(tmp_path))
    assert code == 0, err
    assert len(list((tmp_path / ".github/workflows").glob("*.yml"))) == 9
    assert ".github/propctl/environments.sh platform-leads" in err
    assert "propctl attest 15.a3 --by NAME" in err
    assert (tmp_path / ".github/propctl/blue-green.sh").stat().st_mode & 0o100
    code, out, _ = _run(
        capsys, "scaffold", "workflow", "--all", "--repo", str(tmp_path), "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["counts"] == {"identical": 11}


def test_cli_keeps_user_edits(capsys, tmp_path: Path) -> None:
    assert _run(capsys, "scaffold", "workflow", "-s", "auth", "--repo", str(tmp_path))[0] == 0
    path = tmp_path / ".github/workflows/auth.yml"
    path.write_text(path.read_text() + "# my edit\n")
    code, _, err = _run(
        capsys, "scaffold", "workflow", "-s", "auth", "--reviewers", "ops", "--repo", str(tmp_path)
    )
    assert code == 1 and "conflict" in err
    assert path.read_text().endswith("# my edit\n")


def test_cli_dry_run_writes_nothing(capsys, tmp_path: Path) -> None:
    code, out, _ = _run(
        capsys, "scaffold", "workflow", "--verify", "--dry-run", "--repo", str(tmp_path)
    )
    assert code == 0 and "propctl-verify.yml" in out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "exactly one of"),
        (["--all", "--verify"], "exactly one of"),
        (["--service", "auth", "--all"], "exactly one of"),
        (["--service", "billing"], "not a service in the roadmap"),
        (["--service", "{{7*7}}"], "template syntax"),
    ],
)
def test_cli_bad_input_exits_2(capsys, tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = _run(capsys, "scaffold", "workflow", *args, "--repo", str(tmp_path))
    assert code == 2
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
