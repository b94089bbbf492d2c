"""`propctl scaffold events` (Task 12): the event bus on Redis Streams and its wiring.

Writes `<paths.shared>/events/` (event_bus.py, domain_events.py with twelve typed events,
publish_event(), subscribe_to_events(), consumer groups, dead letters, replay, metrics, an
operator CLI). Into each service that exists (after `scaffold services --all`) it writes a copy
of that package as `app/eventbus/` (so each service still builds and deploys on its own),
`app/events.py` (what the service publishes, what it consumes, and its worker entry point
`python -m app.events`) and a worker Deployment added to its kustomize base.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.generators.target import k8s_environments

if TYPE_CHECKING:
    from collections.abc import Sequence

    from propctl.roadmap.facts import EnvironmentView
    from propctl.roadmap.models import Roadmap

# Who publishes and who consumes which event (Task 12.10-12.13 and the rest of the domain).
PUBLISHES: dict[str, tuple[str, ...]] = {
    "auth": ("UserRegistered",),
    "property": ("ProjectCreated", "ProjectUpdated"),
    "trust": ("TrustScoreUpdated",),
    "agent": ("SiteVisitScheduled",),
    "crm": ("LeadCreated", "LeadAssigned", "PaymentReceived"),
    "builder": ("BuilderOnboarded",),
    "legal": ("DocumentVerified",),
    "reputation": ("ReviewPosted",),
    "marketing": ("CampaignLaunched",),
}
CONSUMES: dict[str, tuple[str, ...]] = {
    "auth": ("BuilderOnboarded",),
    "property": ("TrustScoreUpdated", "DocumentVerified"),
    "trust": ("DocumentVerified", "ReviewPosted", "PaymentReceived"),
    "agent": ("LeadAssigned",),
    "crm": ("ProjectCreated", "SiteVisitScheduled"),
    "builder": ("ProjectCreated", "TrustScoreUpdated"),
    "legal": ("ProjectCreated",),
    "reputation": ("PaymentReceived", "SiteVisitScheduled"),
    "marketing": ("LeadCreated", "ProjectCreated"),
}
# A service the table does not know (scaffolded under another name) still gets a worker.
DEFAULT_CONSUMES = ("ProjectCreated",)


def package_files(dest: str) -> list[FileSpec]:
    return render_dir("events/package", {}, dest=dest)


def service_files(
    repo: Path,
    name: str,
    services_root: str = "apps",
    environments: Sequence[EnvironmentView] | None = None,
) -> list[FileSpec | PatchSpec]:
    base = f"{services_root.rstrip('/')}/{name}-service"
    if not (repo / base / "app" / "main.py").is_file():
        return []
    variables = {
        "name": name,
        "service": f"{name}-service",
        "publishes": list(PUBLISHES.get(name, ())) or ["ProjectUpdated"],
        "consumes": list(CONSUMES.get(name, DEFAULT_CONSUMES)),
        **k8s_environments.variables(environments, repo),
    }
    files: list[FileSpec | PatchSpec] = list(package_files(f"{base}/app/eventbus"))
    for spec in render_dir("events/service", variables):
        target = (
            f"{base}/app/{spec.path}"
            if spec.path.endswith(".py")
            else f"{base}/k8s/base/{spec.path}"
        )
        files.append(FileSpec(target, spec.content, spec.executable))
    if (repo / base / "k8s/base/kustomization.yaml").is_file():
        files.append(
            PatchSpec(
                f"{base}/k8s/base/kustomization.yaml",
                "  - events-worker.yaml",
                anchor=r"^resources:",
                manual=f"add `- events-worker.yaml` under `resources:` in "
                f"{base}/k8s/base/kustomization.yaml",
            )
        )
    return files


def events_generation(
    repo: Path,
    services: list[str],
    *,
    shared: str = "shared",
    services_root: str = "apps",
    environments: Sequence[EnvironmentView] | None = None,
) -> Generation:
    """`environments`: the roadmap's (None: the defaults of a roadmap without the section)."""
    files: list[FileSpec | PatchSpec] = list(package_files(f"{shared.rstrip('/')}/events"))
    for name in services:
        files += service_files(repo, name, services_root, environments)
    return Generation("events", {"services": services}, files)


def generation_for(roadmap: Roadmap, repo: Path) -> Generation:
    paths: dict[str, Any] = roadmap.paths
    return events_generation(
        repo,
        [s.name for s in roadmap.services],
        shared=paths.get("shared", "shared"),
        services_root=paths.get("services", "apps"),
        environments=roadmap.environments,
    )
