"""`k8s`: Kubernetes manifests are valid against the Kubernetes schemas (kubernetes-validate,
offline) and follow the rules: every Deployment has liveness and readiness probes, resource
requests and limits on every container, and a HorizontalPodAutoscaler that targets it."""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import Field

from propctl.checks import safeyaml
from propctl.checks.base import CheckContext, CheckKind, CheckParams, Evidence, Result, register
from propctl.checks.helpers import cap, expand_all, plural

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
        custom: list[Evidence] = []
        if "valid" in self.params.rules:
            found, custom = self._validate(docs)
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
                f"; {plural(len(custom), 'custom resource')} not schema-checked (no schema)"
                if custom
                else ""
            ),
            cap(left_out + custom),
        )

    def _validate(
        self, docs: list[tuple[str, dict[str, Any]]]
    ) -> tuple[list[Evidence], list[Evidence]]:
        """(problems, custom resources left out): kubernetes-validate knows the API server's
        own kinds only; an object of a group it has no schema for at all (ExternalSecret,
        Gateway, Issuer: a CRD's group has a dot) is noted, not failed. A missing schema in a
        group it knows (`apps/v9`) is still a problem."""
        import kubernetes_validate
        from kubernetes_validate.utils import latest_version

        version = self.params.kubernetes_version or latest_version()
        out: list[Evidence] = []
        custom: list[Evidence] = []
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
                what = f"{doc.get('kind')}/{_name(doc)}"
                if isinstance(exc, kubernetes_validate.SchemaNotFoundError) and _custom_group(
                    str(doc.get("apiVersion")), version
                ):
                    custom.append(
                        Evidence(
                            f"{what}: custom resource ({doc.get('apiVersion')}): no schema",
                            name,
                        )
                    )
                else:
                    out.append(Evidence(f"{what}: no schema: {getattr(exc, 'message', exc)}", name))
        return out, custom

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


def _custom_group(api_version: str, version: str) -> bool:
    """A group with a dot (as every CRD's must have) that kubernetes-validate has no schema of
    any kind for: a custom resource, not a mistyped built-in."""
    group = api_version.rpartition("/")[0]
    return "." in group and group.split(".")[0] not in _known_groups(version)


@functools.cache
def _known_groups(version: str) -> frozenset[str]:
    """The group prefixes kubernetes-validate's schemas name (`deployment-apps-v1.json`: apps),
    for the newest schema folder not newer than `version`."""
    import importlib.resources

    from kubernetes_validate.utils import all_versions, major_minor

    wanted = major_minor(version.removeprefix("v"))
    known = [v for v in all_versions() if major_minor(v) <= wanted] or all_versions()
    folder = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
    schemas = folder / f"v{known[-1]}-local"
    names = (entry.name.removesuffix(".json").split("-") for entry in schemas.iterdir())
    return frozenset("-".join(parts[1:-1]) for parts in names if len(parts) > 2)


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
