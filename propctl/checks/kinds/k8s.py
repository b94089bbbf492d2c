"""`k8s`: Kubernetes manifests are valid against the Kubernetes schemas (kubernetes-validate,
offline) and follow the rules: every Deployment has liveness and readiness probes, resource
requests and limits on every container, and a HorizontalPodAutoscaler that targets it.

kubernetes-validate knows the API groups Kubernetes itself defines. An object of another group
(a custom resource: Gateway API, cert-manager, External Secrets) has no schema there: by
default that is a problem, as it is for kubeconform; `custom_resources: leave_out` leaves such
objects out of `valid`, each named in the evidence, for a criterion about something else (the
probes of Deployments). An unknown version of a built-in group (apps/v2) is always a problem."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.support import safeyaml
from propctl.checks.support.kind_helpers import cap, expand_all, plural

RuleName = Literal["valid", "probes", "resources", "hpa"]
ALL_RULES: tuple[RuleName, ...] = ("valid", "probes", "resources", "hpa")


class K8sParams(CheckParams):
    files: str | list[str] = Field(
        default=["k8s/**/*.yaml", "k8s/**/*.yml"],
        description="Manifests (globs); Helm templates are skipped.",
    )
    rules: list[RuleName] = Field(default_factory=lambda: list(ALL_RULES))
    kubernetes_version: str | None = Field(default=None, description="Default: the newest known.")
    min_deployments: int = Field(default=1, ge=0)
    strict: bool = Field(default=True, description="Unknown fields are errors.")
    custom_resources: Literal["fail", "leave_out"] = Field(
        default="fail",
        description="An object of an API group Kubernetes does not define has no schema to "
        "validate against: a problem (fail), or left out of `valid` with a note (leave_out).",
    )


@register("k8s")
class K8s(CheckKind):
    """Kubernetes manifests: schema-valid, probes, requests/limits, an HPA per Deployment."""

    Params = K8sParams
    params: K8sParams

    def selected(self, ctx: CheckContext) -> list[str]:
        return [
            f
            for f in ctx.files.select(expand_all(ctx, self.params.files))
            if "/templates/" not in f
        ]

    def inputs(self, ctx: CheckContext) -> list[str]:
        return self.selected(ctx)

    def run(self, ctx: CheckContext) -> Result:
        import yaml

        files = self.selected(ctx)
        if not files:
            return Result.failed(
                "no Kubernetes manifests at " + ", ".join(expand_all(ctx, self.params.files))
            )
        docs: list[tuple[str, dict[str, Any]]] = []
        problems: list[Evidence] = []
        for name in files:
            try:
                loaded = safeyaml.safe_load_all(ctx.files.read_text(name) or "")
            except yaml.YAMLError as exc:
                problems.append(Evidence(f"not YAML: {str(exc).splitlines()[0]}", name))
                continue
            docs += [(name, d) for d in loaded if isinstance(d, dict)]
        docs, left_out = _manifests(docs)
        if not docs:
            return Result.failed(
                f"nothing to judge: no Kubernetes object in {plural(len(files), 'file')}",
                cap(left_out),
            )
        unjudged: list[Evidence] = []
        if "valid" in self.params.rules:
            found, unjudged = self._validate(docs)
            problems += found
        deployments = [(n, d) for n, d in docs if d.get("kind") == "Deployment"]
        if len(deployments) < self.params.min_deployments:
            problems.append(
                Evidence(f"{len(deployments)} Deployment(s), need {self.params.min_deployments}")
            )
        hpas = {_hpa_target(d) for _, d in docs if d.get("kind") == "HorizontalPodAutoscaler"}
        for name, dep in deployments:
            problems += [Evidence(p, name) for p in self._rules(dep, hpas)]
        if problems:
            return Result.failed(
                f"{plural(len(problems), 'problem')} in {plural(len(files), 'manifest')}",
                cap(problems),
            )
        return Result.passed(
            f"{plural(len(deployments), 'Deployment')} in "
            f"{plural(len(files), 'manifest')} follow "
            f"{', '.join(self.params.rules)}"
            + (f"; {plural(len(left_out), 'file')} left out (not manifests)" if left_out else "")
            + (
                f"; {plural(len(unjudged), 'custom resource')} left out of valid (no schema)"
                if unjudged
                else ""
            ),
            cap(left_out + unjudged),
        )

    def _validate(
        self, docs: list[tuple[str, dict[str, Any]]]
    ) -> tuple[list[Evidence], list[Evidence]]:
        """(problems, custom resources left out unvalidated)."""
        import kubernetes_validate
        from kubernetes_validate.utils import latest_version

        version = self.params.kubernetes_version or latest_version()
        out: list[Evidence] = []
        unjudged: list[Evidence] = []
        for name, doc in docs:
            try:
                kubernetes_validate.validate(doc, version, strict=self.params.strict)
            except kubernetes_validate.ValidationError as exc:
                where = "/".join(str(p) for p in exc.path) or "(document)"
                out.append(
                    Evidence(f"{doc.get('kind')}/{_name(doc)}: {where}: {exc.message[:160]}", name)
                )
            except (
                kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError,
            ) as exc:
                label = f"{doc.get('kind')}/{_name(doc)}"
                if self.params.custom_resources == "leave_out" and _custom(doc, version):
                    unjudged.append(
                        Evidence(
                            f"left out of valid: {label} ({doc['apiVersion']}) is a custom "
                            "resource; no schema is bundled for it",
                            name,
                        )
                    )
                else:
                    out.append(Evidence(f"{label}: no schema: {exc}", name))
        return out, unjudged

    def _rules(self, dep: dict[str, Any], hpas: set[str]) -> list[str]:
        label = f"Deployment/{_name(dep)}"
        spec = ((dep.get("spec") or {}).get("template") or {}).get("spec") or {}
        containers = spec.get("containers") or []
        out: list[str] = []
        for c in containers:
            cname = c.get("name", "?")
            if "probes" in self.params.rules:
                out += [
                    f"{label}: container {cname} has no {p}"
                    for p in ("livenessProbe", "readinessProbe")
                    if not c.get(p)
                ]
            if "resources" in self.params.rules:
                res = c.get("resources") or {}
                out += [
                    f"{label}: container {cname} has no resources.{k} cpu/memory"
                    for k in ("requests", "limits")
                    if not {"cpu", "memory"} <= set((res.get(k) or {}).keys())
                ]
        if "hpa" in self.params.rules and _name(dep) not in hpas:
            out.append(f"{label}: no HorizontalPodAutoscaler targets it")
        return out


def _custom(doc: dict[str, Any], version: str) -> bool:
    """Whether the object's API group is one Kubernetes does not define (a custom resource).
    kubernetes-validate names its schemas KIND-GROUP-VERSION.json, GROUP being the first label
    of a built-in group (apps, networking, rbac...); the core group has none."""
    api = str(doc.get("apiVersion", ""))
    if "/" not in api:
        return False  # the core group (v1): always built in
    first = api.split("/", 1)[0].split(".", 1)[0]
    return first not in _builtin_groups(version)


def _builtin_groups(version: str) -> frozenset[str]:
    import os

    import kubernetes_validate

    root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
    folder = os.path.join(root, f"v{version}-local")
    try:
        names = os.listdir(folder)
    except OSError:
        return frozenset({"*"})  # nothing to tell them apart by: every group counts as built in
    groups = set()
    for name in names:
        parts = name.removesuffix(".json").split("-")
        if len(parts) >= 3:
            groups.add(parts[-2])
    return frozenset(groups)


def _name(doc: dict[str, Any]) -> str:
    return str((doc.get("metadata") or {}).get("name", "?"))


def _hpa_target(doc: dict[str, Any]) -> str:
    ref = (doc.get("spec") or {}).get("scaleTargetRef") or {}
    return str(ref.get("name", "")) if ref.get("kind", "Deployment") == "Deployment" else ""


# YAML under k8s/ that is not an object to apply: kustomize's own files, Helm values
_NOT_OBJECTS = ("kustomize.config.k8s.io/",)


def _manifests(
    docs: list[tuple[str, dict[str, Any]]],
) -> tuple[list[tuple[str, dict[str, Any]]], list[Evidence]]:
    """Kubernetes objects (a string apiVersion and kind), and a note for each file left out:
    Helm values and kustomization files are YAML too, but nothing the API server takes."""
    objects, left_out, seen = [], [], set()
    for name, doc in docs:
        api, kind = doc.get("apiVersion"), doc.get("kind")
        if isinstance(api, str) and isinstance(kind, str) and not api.startswith(_NOT_OBJECTS):
            objects.append((name, doc))
        elif name not in seen:
            seen.add(name)
            why = "a kustomization" if isinstance(api, str) else "no apiVersion and kind"
            left_out.append(Evidence(f"left out: not a Kubernetes manifest ({why})", name))
    kept = {name for name, _ in objects}
    return objects, [e for e in left_out if e.file not in kept]
