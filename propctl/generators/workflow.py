"""`scaffold workflow`: GitHub Actions CI/CD per service (Task 15); the `propctl verify` workflow
(`--verify`) is `workflow_verify.py`. Services, their folders and the coverage gate come from the
roadmap; every action is pinned from the reviewed table in `action_pins`.

Files: `.github/workflows/<service>.yml` per service, `.github/workflows/propctl-verify.yml`,
and, shared by every service workflow, `.github/propctl/blue-green.sh` (the deploy, smoke test,
switch and rollback the deploy jobs call) and `.github/propctl/environments.sh` (the `gh api`
calls that create the environments and make `production` require reviewers, a repository
setting no workflow file can hold)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.action_pins import PINS
from propctl.generators.engine.names import service_name
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap, Service

PYTHON_VERSION = "3.11"
RUFF_VERSION = "0.17.6"  # the versions propctl's own lint gate runs (pyproject [dev])
BLACK_VERSION = "26.10.1"
K8S_OVERLAYS = "k8s/overlays"  # kustomize overlays per environment, as `scaffold service` lays out
# One deploy job per roadmap environment (its `name` is the GitHub environment, its `namespace`
# the one the overlay deploys into).
STAGES = (
    {"name": "staging", "needs": "[build]"},
    {"name": "production", "needs": "[build, deploy-staging]"},  # needs.build: the digest
)
PROJECT = "propmubi"
# The ECR repositories infra creates per stack, and the actions-runner-controller runner scale set
# installed in each stack's cluster (its installation name is the `runs-on` label).
ECR_REPOSITORY = "{project}-{stack}-{service}"
RUNNER_SCALE_SET = "{project}-{stack}-deploy"
DEFAULT_REVIEWERS_TEAM = "platform-leads"
ENVIRONMENTS_SCRIPT = ".github/propctl/environments.sh"


def pins() -> dict[str, str]:
    return {action: pin.render() for action, pin in PINS.items()}


def service_dir(roadmap: Roadmap, service: str) -> str:
    return f"{roadmap.paths.get('services', 'apps').rstrip('/')}/{service}-service"


def find_service(roadmap: Roadmap, name: str) -> Service:
    service = roadmap.service(service_name(name))
    if service is None:
        known = ", ".join(s.name for s in roadmap.services) or "none"
        raise UserError(
            f"--service {name!r}: not a service in the roadmap (known: {known})",
            hint="add it to `services:` in the roadmap, or use one of those names",
        )
    return service


def service_variables(roadmap: Roadmap, service: Service) -> dict[str, Any]:
    return {
        "service": service.name,
        "service_dir": service_dir(roadmap, service.name),
        "port": service.port,
        "coverage_threshold": _number(roadmap.coverage_threshold),
        "python_version": PYTHON_VERSION,
        "ruff_version": RUFF_VERSION,
        "black_version": BLACK_VERSION,
        "k8s_overlays": K8S_OVERLAYS,
        "stages": [_stage(stage, service.name, roadmap) for stage in STAGES],
        "extra_paths": _shared_paths(roadmap),
        "pins": pins(),
    }


def _stage(stage: dict[str, str], service: str, roadmap: Roadmap) -> dict[str, str]:
    # ECR repositories and runner scale sets are named by environment, as infra names them
    names = {"project": PROJECT, "stack": stage["name"], "service": service}
    return {
        **stage,
        "namespace": roadmap.environment(stage["name"]).namespace,
        "repository": ECR_REPOSITORY.format(**names),
        "runner": RUNNER_SCALE_SET.format(**names),
    }


def _shared_paths(roadmap: Roadmap) -> list[str]:
    """Code every service builds on (`paths.shared`): a change there tests every service."""
    shared = roadmap.paths.get("shared", "").strip("/")
    return [shared] if shared and re.fullmatch(r"[A-Za-z0-9._/-]+", shared) else []


def _number(value: float) -> str:
    return f"{value:g}"


def shared_files(reviewers_team: str) -> list[FileSpec | PatchSpec]:
    files: list[FileSpec | PatchSpec] = []
    for spec in render_dir("workflow/shared", {"reviewers_team": _team(reviewers_team)}):
        spec.executable = True
        files.append(spec)
    return files


def _team(slug: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", slug):
        raise UserError(
            f"--reviewers {slug!r}: not a GitHub team slug (letters, digits, '.', '_', '-')"
        )
    return slug


def workflow_generation(
    roadmap: Roadmap, services: list[str], *, reviewers_team: str = DEFAULT_REVIEWERS_TEAM
) -> Generation:
    """One service (`--service S`) or several (`--all`: `services` = every roadmap service)."""
    if not services:
        raise UserError(
            "no service to generate a workflow for: the roadmap lists none",
            hint="add `services:` to the roadmap, or give --service NAME",
        )
    files: list[FileSpec | PatchSpec] = []
    for name in services:
        service = find_service(roadmap, name)
        files += render_dir("workflow/service", service_variables(roadmap, service))
    files += shared_files(reviewers_team)
    params: dict[str, Any] = {"services": list(services)}
    if reviewers_team != DEFAULT_REVIEWERS_TEAM:
        params["reviewers"] = reviewers_team
    return Generation("workflow", params, files)


def production_reviewers_command(reviewers_team: str = DEFAULT_REVIEWERS_TEAM) -> str:
    return f"{ENVIRONMENTS_SCRIPT} {reviewers_team}"


def approval_criterion(roadmap: Roadmap) -> str:
    """The id of the roadmap's "production requires approval" criterion, for `propctl attest`."""
    for _, criterion in roadmap.criteria():
        if re.search(r"production.*approv", criterion.text, re.I):
            return criterion.id
    return "CRITERION"
