"""`k8s_live`: the live cluster runs what Task 13 asks (kubernetes client, read-only):
namespaces exist, every Deployment in them is available, has a HorizontalPodAutoscaler aimed at
it, and liveness and readiness probes on every container.

Which namespaces: `environments: [staging]` names the roadmap's environments, each resolved to
its `namespace` (roadmap `environments`); `namespaces` lists literal namespace names. With
neither, every environment's namespace.

Credentials from the usual kubeconfig (KUBECONFIG, ~/.kube/config) or the check's
`kubeconfig`/`context`. Runs only with `verify --live`; without access the result is `error`
with the reason, never `pass`."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.support.kind_helpers import cap
from propctl.roadmap.environments import EnvironmentName

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap

Requirement = Literal["namespaces", "available", "hpa", "probes"]
ALL_REQUIREMENTS: tuple[Requirement, ...] = ("namespaces", "available", "hpa", "probes")
TIMEOUT_S = 15


class K8sLiveParams(CheckParams):
    environments: list[EnvironmentName] = Field(
        default_factory=list,
        description="Roadmap environments (staging, production), checked in their namespaces.",
    )
    namespaces: list[str] = Field(
        default_factory=list,
        description="Literal namespace names. With no `environments` either: every "
        "environment's namespace.",
    )
    require: list[Requirement] = Field(default_factory=lambda: list(ALL_REQUIREMENTS))
    min_deployments: int = Field(default=1, ge=0, description="Per namespace.")
    kubeconfig: str | None = None
    context: str | None = None


@register("k8s_live")
class K8sLive(CheckKind):
    """Namespaces, available Deployments, an HPA and probes per Deployment, in the cluster."""

    Params = K8sLiveParams
    params: K8sLiveParams

    def run(self, ctx: CheckContext) -> Result:
        if not ctx.live:
            return Result.skipped("live check: runs only with `propctl verify --live`")
        namespaces = resolve_namespaces(self.params, ctx.roadmap)
        try:
            api = _client(self.params, {**os.environ, **ctx.env})
            problems, facts = self._inspect(api, namespaces)
        except Exception as exc:  # noqa: BLE001 - every way of not reaching the cluster
            return Result.errored(_reason(exc))
        evidence = [Evidence(f) for f in facts] + [Evidence(p) for p in problems]
        if problems:
            return Result.failed(
                "; ".join(problems[:5])
                + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""),
                cap(evidence),
            )
        return Result.passed(
            ", ".join(facts[:3]) + (" ..." if len(facts) > 3 else ""), cap(evidence)
        )

    def _inspect(self, api: Any, namespaces: list[str]) -> tuple[list[str], list[str]]:
        from kubernetes import client

        core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
        autoscaling = client.AutoscalingV2Api(api)
        present = {
            n.metadata.name
            for n in core.list_namespace(_request_timeout=TIMEOUT_S).items
            if n.metadata is not None
        }
        problems, facts = [], []
        missing = [n for n in namespaces if n not in present]
        needs_workloads = set(self.params.require) - {"namespaces"}
        if "namespaces" in self.params.require or needs_workloads:
            # workloads in a namespace that is not there were not checked: never a pass
            problems += [f"namespace {n} does not exist" for n in missing]
        if "namespaces" in self.params.require:
            facts.append("namespaces " + ", ".join(n for n in namespaces if n in present))
        for namespace in [n for n in namespaces if n in present]:
            if not needs_workloads:
                break
            deployments = apps.list_namespaced_deployment(
                namespace, _request_timeout=TIMEOUT_S
            ).items
            hpas = autoscaling.list_namespaced_horizontal_pod_autoscaler(
                namespace, _request_timeout=TIMEOUT_S
            ).items
            targets = {
                h.spec.scale_target_ref.name
                for h in hpas
                if h.spec.scale_target_ref.kind == "Deployment"
            }
            facts.append(f"{namespace}: {len(deployments)} deployments, {len(hpas)} HPAs")
            if len(deployments) < self.params.min_deployments:
                problems.append(
                    f"{namespace}: {len(deployments)} deployments, want at least "
                    f"{self.params.min_deployments}"
                )
            for d in deployments:
                problems += [
                    f"{namespace}/{d.metadata.name if d.metadata else '?'}: {p}"
                    for p in self._deployment(d, targets)
                ]
        return problems, facts

    def _deployment(self, d: Any, hpa_targets: set[str]) -> list[str]:
        problems = []
        if "available" in self.params.require:
            want = d.spec.replicas if d.spec.replicas is not None else 1
            ready = (d.status.available_replicas or 0) if d.status else 0
            if ready < want:
                problems.append(f"{ready}/{want} replicas available")
        if "hpa" in self.params.require and d.metadata.name not in hpa_targets:
            problems.append("no HorizontalPodAutoscaler targets it")
        if "probes" in self.params.require:
            for c in d.spec.template.spec.containers:
                lacking = [
                    k
                    for k, v in (("liveness", c.liveness_probe), ("readiness", c.readiness_probe))
                    if v is None
                ]
                if lacking:
                    problems.append(f"container {c.name} has no {' or '.join(lacking)} probe")
        return problems


def resolve_namespaces(params: K8sLiveParams, roadmap: Roadmap) -> list[str]:
    """`environments` through the roadmap's section, then literal `namespaces`, in order."""
    names = params.environments or (
        [] if params.namespaces else [e.name for e in roadmap.environments]
    )
    found = [roadmap.environment(name).namespace for name in names] + list(params.namespaces)
    return list(dict.fromkeys(found))


def _client(params: K8sLiveParams, env: dict[str, str]) -> Any:
    from kubernetes import config

    path = params.kubeconfig or env.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    if not os.path.isfile(path.split(os.pathsep)[0]):
        if env.get("KUBERNETES_SERVICE_HOST"):
            config.load_incluster_config()  # type: ignore[no-untyped-call]
            from kubernetes import client

            return client.ApiClient()
        raise FileNotFoundError(
            f"no kubeconfig at {path} (set KUBECONFIG or the check's `kubeconfig`)"
        )
    return config.new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=path.split(os.pathsep)[0], context=params.context
    )


def _reason(exc: Exception) -> str:
    from kubernetes.client.exceptions import ApiException

    if isinstance(exc, ApiException):
        return f"the Kubernetes API refused: {exc.status} {exc.reason}"
    if isinstance(exc, FileNotFoundError):
        return f"cannot reach the cluster: {exc}"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"cannot reach the cluster: {type(exc).__name__}: {text[:200]}"
