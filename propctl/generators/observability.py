"""`propctl scaffold observability` (Task 14): the monitoring stack for the roadmap's services.

Writes `observability/`: Prometheus scrape config and alerting rules (with promtool unit tests
and one runbook per alert), Alertmanager routes to Slack and PagerDuty (keys from Secrets made
from the environment by `create-secrets.sh`), Grafana dashboards, and the in-cluster install
(Prometheus, Alertmanager, Grafana, Jaeger, postgres/redis exporters) as a kustomization in the
`observability` namespace. Into each service that exists it adds `app/telemetry.py` (OpenTelemetry
tracing with an OTLP exporter configured by the standard OTEL_* variables, and the business
metrics the service owns) and one call in its `main.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.generators.target import k8s_environments
from propctl.resources import templates_dir

if TYPE_CHECKING:
    from collections.abc import Sequence

    from propctl.roadmap.facts import EnvironmentView
    from propctl.roadmap.models import Roadmap

NAMESPACE = "observability"
DEFAULT_RUNBOOK_URL = "https://github.com/propmubi/platform/blob/main/observability/runbooks"
# The label the service scaffold puts on its pods; the headless scrape Services select on it.
SERVICE_SELECTOR_KEY = "app.kubernetes.io/name"


@dataclass(frozen=True)
class Exporter:
    name: str
    image: str  # by digest (checkov CKV_K8S_43); the digests as pinned in public deployments
    port: int
    env: str  # where to connect, from the ConfigMap exporter-targets
    target_key: str
    credential_files: dict[str, str]  # variable -> file of the Secret exporter-credentials


EXPORTERS = (
    Exporter(
        "postgres-exporter",
        "quay.io/prometheuscommunity/postgres-exporter:v0.15.0"
        "@sha256:386b12d19eab2a37d7cd8ca8b4c7491cc7a830d9581f49af6c98a393da9605e6",
        9187,
        "DATA_SOURCE_URI",
        "postgres-uri",
        {"DATA_SOURCE_USER_FILE": "postgres-user", "DATA_SOURCE_PASS_FILE": "postgres-password"},
    ),
    Exporter(
        "redis-exporter",
        "oliver006/redis_exporter:v1.73.0"
        "@sha256:1a8f5e48b2af0fb02d182be3ddd623e7e39881b6464bdb5bf843b1f6d45ed050",
        9121,
        "REDIS_ADDR",
        "redis-addr",
        # a JSON object {"<REDIS_ADDR>": "<AUTH token>"}, redis_exporter's password file
        {"REDIS_PASSWORD_FILE": "redis-passwords.json"},
    ),
)


@dataclass(frozen=True)
class Metric:
    kind: str  # counter | histogram | gauge
    name: str  # the name passed to prometheus_client (counters lose `_total`)
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()


# Business metrics, by the service that owns them (Task 14.4); the dashboards chart these.
BUSINESS_METRICS: dict[str, tuple[Metric, ...]] = {
    "crm": (
        Metric("counter", "leads_created", "Leads created, by source.", ("source",)),
        Metric("counter", "leads_assigned", "Leads assigned to an agent."),
        Metric("counter", "payments_received", "Payments received for bookings."),
        Metric("counter", "payment_amount_inr", "Amount received in payments, in INR."),
    ),
    "trust": (
        Metric(
            "histogram",
            "trust_scores",
            "Trust scores computed (0-100).",
            buckets=tuple(float(b) for b in range(10, 101, 10)),
        ),
    ),
    "property": (Metric("counter", "projects_created", "Projects listed."),),
    "legal": (
        Metric("counter", "documents_verified", "Documents verified, by outcome.", ("outcome",)),
    ),
}


def service_dir(name: str, services_root: str = "apps") -> str:
    return f"{services_root}/{name}-service"


def dashboards() -> list[str]:
    folder = templates_dir() / "observability" / "stack" / "grafana" / "dashboards"
    return sorted(p.name for p in folder.glob("*.json"))


def stack_variables(
    services: list[dict[str, Any]],
    runbook_base_url: str,
    environments: Sequence[EnvironmentView] | None = None,
    repo: Path | None = None,
) -> dict[str, Any]:
    """`environments`: the roadmap's (None: the defaults of a roadmap without the section)."""
    envs = k8s_environments.by_name(environments, repo)
    return {
        "namespace": NAMESPACE,
        # the namespaces the service scaffold's kustomize overlays deploy into
        "environments": [env.namespace for env in envs.values()],
        "production_namespace": envs["production"].namespace,
        # PostgreSQL and Redis, inside each stack's VPC: where the exporters may connect
        "vpc_cidrs": [env.vpc_cidr for env in envs.values()],
        "services": services,
        "runbook_base_url": runbook_base_url.rstrip("/"),
        "exporters": [vars(e) for e in EXPORTERS],
        "dashboards": dashboards(),
        "service_selector_key": SERVICE_SELECTOR_KEY,
    }


TRACING_DEPENDENCIES = ("opentelemetry-sdk>=1.25", "opentelemetry-exporter-otlp-proto-grpc>=1.25")


def main_patches(base: str, import_line: str, call: str) -> list[PatchSpec]:
    """An import and a call inside `create_app()` of a scaffolded service's main.py."""
    main = f"{base}/app/main.py"
    how = (
        f"in {main}, add `{import_line}` with the other imports and `{call}` just before "
        "`return app` in create_app()"
    )
    return [
        PatchSpec(main, import_line, anchor=r"^from app\.settings import ", manual=how),
        PatchSpec(main, f"    {call}", anchor=r"^    return app$", before=True, manual=how),
    ]


def dependency_patch(base: str, dependencies: tuple[str, ...]) -> PatchSpec:
    lines = "\n".join(f'  "{d}",' for d in dependencies)
    return PatchSpec(
        f"{base}/pyproject.toml",
        lines,
        anchor=r"^dependencies = \[",
        manual=f"add {', '.join(dependencies)} to [project].dependencies in {base}/pyproject.toml",
    )


def service_variables(name: str) -> dict[str, Any]:
    metrics = BUSINESS_METRICS.get(name, ())
    classes = sorted({"Counter" if m.kind == "counter" else "Histogram" for m in metrics})
    return {"service": name, "metrics": [vars(m) for m in metrics], "metric_classes": classes}


def service_files(repo: Path, name: str, services_root: str = "apps") -> list[FileSpec | PatchSpec]:
    """telemetry.py + the one call in main.py, for a service that exists in the repo."""
    base = service_dir(name, services_root)
    if not (repo / base / "app" / "main.py").is_file():
        return []
    files: list[FileSpec | PatchSpec] = list(
        render_dir("observability/service", service_variables(name), dest=f"{base}/app")
    )
    files += main_patches(base, "from app.telemetry import setup_telemetry", "setup_telemetry(app)")
    files.append(dependency_patch(base, TRACING_DEPENDENCIES))
    return files


def observability_generation(
    repo: Path,
    services: list[dict[str, Any]],
    *,
    runbook_base_url: str = DEFAULT_RUNBOOK_URL,
    services_root: str = "apps",
    environments: Sequence[EnvironmentView] | None = None,
) -> Generation:
    runbook_url(runbook_base_url)
    variables = stack_variables(services, runbook_base_url, environments, repo)
    files: list[FileSpec | PatchSpec] = list(
        render_dir("observability/stack", variables, dest="observability")
    )
    for service in services:
        files += service_files(repo, service["name"], services_root)
    params = {"services": [s["name"] for s in services], "runbook_base_url": runbook_base_url}
    return Generation("observability", params, files)


def runbook_url(value: str) -> str:
    """An http(s) URL that can sit inside the alerts' double-quoted YAML and Prometheus'
    templates: no whitespace, quotes, backslashes or braces."""
    import re

    if not re.fullmatch(r"https?://[^\s\"'\\{}<>`]+", value):
        raise UserError(
            f"--runbook-url {value!r}: not an http(s) URL without spaces, quotes or braces",
            hint=f"e.g. {DEFAULT_RUNBOOK_URL}",
        )
    return value


def roadmap_services(roadmap: Roadmap) -> list[dict[str, Any]]:
    return [{"name": s.name, "port": s.port} for s in roadmap.services]


def generation_for(
    roadmap: Roadmap, repo: Path, *, runbook_base_url: str = DEFAULT_RUNBOOK_URL
) -> Generation:
    return observability_generation(
        repo,
        roadmap_services(roadmap),
        runbook_base_url=runbook_base_url,
        services_root=roadmap.paths.get("services", "apps"),
        environments=roadmap.environments,
    )
