"""The roadmap's `environments`, the one source of namespaces, stacks and hosts: change staging's
namespace there and the overlays, the workflows, the ingress, the live checks and the Pulumi
plan all follow; bad sections are refused with the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
import yaml

from propctl.checks.kinds.k8s_live import K8sLiveParams, resolve_namespaces
from propctl.errors import RoadmapError
from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.engine.specs import Generation
from propctl.generators.infra import environments_file, infra_generation
from propctl.generators.ingress import ingress_generation
from propctl.generators.service import service_generation
from propctl.generators.workflow import workflow_generation
from propctl.provision.plan import Plan
from propctl.provision.program import load_program
from propctl.resources import bundled_roadmap, infra_dir
from propctl.roadmap.environments import default_environments
from propctl.roadmap.loader import load_roadmap, parse_roadmap
from propctl.roadmap.models import Roadmap
from tests.provision.planning import planned

BUNDLED_SECTION = (
    "environments:\n"
    "- {name: staging, namespace: propmubi-staging, stack: staging, "
    "host: api.staging.propmubi.com}\n"
    "- {name: production, namespace: propmubi-production, stack: production, "
    "host: api.propmubi.com}\n"
)


def _roadmap_text(section: str | None) -> str:
    text = bundled_roadmap().read_text("utf-8")
    assert BUNDLED_SECTION in text
    return text.replace(BUNDLED_SECTION, section or "")


def _renamed() -> Roadmap:
    return parse_roadmap(_roadmap_text(BUNDLED_SECTION.replace("propmubi-staging", "pm-stg")))


def _files(generation: Generation) -> dict[str, str]:
    return {f.path: f.content for f in generation.files if hasattr(f, "content")}


def test_the_bundled_roadmap_defines_both_and_a_roadmap_without_gets_the_old_names() -> None:
    bundled = load_roadmap(bundled_roadmap())
    assert [e.as_dict() for e in bundled.environments] == [
        e.as_dict() for e in default_environments()
    ]
    without = parse_roadmap(_roadmap_text(None))
    assert without.environment("staging").namespace == "propmubi-staging"
    assert without.environment("production").host == "api.propmubi.com"


def test_the_bundled_programs_environments_file_is_the_bundled_roadmaps() -> None:
    environments = load_roadmap(bundled_roadmap()).environments
    assert (infra_dir() / "environments.yaml").read_text("utf-8") == environments_file(environments)


def test_overlays_workflows_ingress_and_live_checks_follow_a_renamed_namespace(
    tmp_path: Path,
) -> None:
    roadmap = _renamed()
    service = _files(service_generation(tmp_path, roadmap, "auth", 3001))
    overlay = yaml.safe_load(service["apps/auth-service/k8s/overlays/staging/kustomization.yaml"])
    assert overlay["namespace"] == "pm-stg"
    namespace = yaml.safe_load(service["apps/auth-service/k8s/overlays/staging/namespace.yaml"])
    assert namespace["metadata"]["name"] == "pm-stg"
    production = service["apps/auth-service/k8s/overlays/production/kustomization.yaml"]
    assert yaml.safe_load(production)["namespace"] == "propmubi-production"
    assert not any("propmubi-staging" in text for text in service.values())

    workflow = yaml.safe_load(
        _files(workflow_generation(roadmap, ["auth"]))[".github/workflows/auth.yml"]
    )
    assert workflow["jobs"]["deploy-staging"]["env"]["NAMESPACE"] == "pm-stg"
    assert workflow["jobs"]["deploy-production"]["env"]["NAMESPACE"] == "propmubi-production"
    assert workflow["jobs"]["deploy-staging"]["environment"]["name"] == "staging"

    edge = _files(
        ingress_generation(acme_email="platform@propmubi.com", environments=roadmap.environments)
    )
    staging_edge = yaml.safe_load(edge["k8s/ingress/overlays/staging/kustomization.yaml"])
    assert staging_edge["namespace"] == "pm-stg"
    assert "api.staging.propmubi.com" in edge["k8s/ingress/overlays/staging/kustomization.yaml"]

    default = K8sLiveParams.model_validate({})
    assert resolve_namespaces(default, roadmap) == ["pm-stg", "propmubi-production"]
    staging = K8sLiveParams.model_validate({"environments": ["staging"]})
    assert resolve_namespaces(staging, roadmap) == ["pm-stg"]
    # the bundled roadmap's live checks name environments, so all of them follow
    for _, criterion in roadmap.criteria():
        for check in [criterion.check] if criterion.check else []:
            nested = check.params.get("checks", [check.model_dump()])
            for body in nested:
                if body.get("kind") == "k8s_live":
                    assert "namespaces" not in body, criterion.id


def test_hosts_come_from_the_roadmap_and_the_options_still_override() -> None:
    roadmap = parse_roadmap(
        _roadmap_text(BUNDLED_SECTION.replace("api.staging.propmubi.com", "stg.example.org"))
    )
    edge = _files(
        ingress_generation(acme_email="platform@propmubi.com", environments=roadmap.environments)
    )
    assert "value: stg.example.org" in edge["k8s/ingress/overlays/staging/kustomization.yaml"]
    edge = _files(
        ingress_generation(
            acme_email="platform@propmubi.com",
            api_host="api.other.io",
            environments=roadmap.environments,
        )
    )
    assert "value: api.staging.other.io" in edge["k8s/ingress/overlays/staging/kustomization.yaml"]


@pytest.fixture
def renamed_program(tmp_path: Path) -> Path:
    generation = infra_generation("infra", _renamed().environments)
    apply(tmp_path, plan(tmp_path, generation))
    assert "pm-stg" in (tmp_path / "infra/environments.yaml").read_text()
    return tmp_path / "infra"


@pulumi.runtime.test
def test_the_pulumi_plan_follows_the_renamed_namespace(renamed_program: Path) -> None:
    def check(planned_: Plan) -> None:
        scopes = [
            r.inputs.get("accessScope", {})
            for r in planned_.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
        ]
        namespaced = [s["namespaces"] for s in scopes if s.get("type") == "namespace"]
        assert namespaced == [["pm-stg"]]

    return planned("staging", check, program=load_program(renamed_program))


def test_a_stack_file_may_not_name_its_environment(renamed_program: Path) -> None:
    from propctl.errors import UserError
    from propctl.provision.plan import plan as infra_plan

    stack = renamed_program / "Pulumi.staging.yaml"
    stack.write_text(stack.read_text() + '  propmubi:deployNamespaces: ["elsewhere"]\n')
    with pytest.raises(UserError) as caught:
        infra_plan(load_program(renamed_program), "staging", isolated=True)
    assert "propmubi:deployNamespaces" in str(caught.value) + str(caught.value.hint or "")


def test_a_stack_no_environment_names_is_refused(renamed_program: Path) -> None:
    from propctl.errors import UserError
    from propctl.provision.plan import plan as infra_plan

    (renamed_program / "Pulumi.qa.yaml").write_text(
        (renamed_program / "Pulumi.staging.yaml").read_text()
    )
    with pytest.raises(UserError) as caught:
        infra_plan(load_program(renamed_program), "qa", isolated=True)
    assert "no environment has stack 'qa'" in str(caught.value) + str(caught.value.hint or "")


BAD = [
    ("namespace: propmubi-staging", "namespace: Pm_Stg", "is not a DNS-1123 label"),
    ("namespace: propmubi-staging", "namespace: " + "a" * 64, "is not a DNS-1123 label"),
    ("namespace: propmubi-staging", "namespace: observability", "is reserved"),
    ("namespace: propmubi-staging", "namespace: propmubi-production", "duplicate namespace"),
    ("stack: staging", "stack: my stack", "is not a Pulumi stack name"),
    ("stack: staging", "stack: production", "duplicate stack"),
    ("host: api.staging.propmubi.com", "host: not a host", "is not a DNS host name"),
    ("{name: staging", "{name: dev", "'staging' or 'production'"),
    ("{name: production", "{name: staging", "no environment named production"),
    ("host: api.propmubi.com}", "host: api.propmubi.com, region: eu-west-1}", "unknown field"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD, ids=[b[2] + ":" + b[1][:20] for b in BAD])
def test_a_bad_section_is_refused_with_its_line(old: str, new: str, message: str) -> None:
    section = BUNDLED_SECTION.replace(old, new, 1)
    assert section != BUNDLED_SECTION
    text = _roadmap_text(section)
    line = text.splitlines().index("environments:") + 1
    with pytest.raises(RoadmapError) as caught:
        parse_roadmap(text, "roadmap.yaml")
    problems = "\n".join(caught.value.problems)
    assert message in problems
    # located: the section's own lines, never a traceback
    assert any(
        p.startswith(f"roadmap.yaml:{n}:")
        for p in caught.value.problems
        for n in range(line, line + 3)
    ), problems


def test_checklist_validate_exits_2_on_a_bad_namespace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from propctl.cli.main import main

    path = tmp_path / "roadmap.yaml"
    path.write_text(_roadmap_text(BUNDLED_SECTION.replace("propmubi-staging", "Staging")))
    assert main(["checklist", "validate", "--roadmap", str(path)]) == 2
    err = capsys.readouterr().err
    assert "environments.0.namespace" in err and "DNS-1123" in err and "Traceback" not in err
