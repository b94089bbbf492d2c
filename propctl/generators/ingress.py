"""`propctl scaffold ingress` (Task 13.9-13.10): the cluster's HTTPS edge, on the Gateway API.

Writes `<paths.k8s>/ingress/`: `controllers/` (Helm values and a pinned install script for Envoy
Gateway and cert-manager, the GatewayClass and its EnvoyProxy: an NLB with proxy protocol),
`base/` (the Gateway with TLS from a cert-manager Issuer, HTTP-01 through the Gateway, HTTPRoutes
to Kong, and Kong itself, DB-less, its configuration gateway/kong.yaml rendered with the JWT
secret by the External Secrets Operator) and `overlays/{staging,production}` (namespace, host,
issuer, the VPC range Kong trusts for X-Forwarded-For). Namespaces and hosts come from the
roadmap's `environments`; `--host` and `--staging-host` override the hosts for one run.

Why Envoy Gateway: ingress-nginx is retired (no fixes since March 2026). The AWS Load Balancer
Controller's Gateway support puts TLS on the ALB with ACM certificates, leaving cert-manager
(Task 13.10) nothing to do; Envoy Gateway implements the Gateway API in the cluster, takes
cert-manager's certificates through the Gateway, and still sits behind an NLB the Load Balancer
Controller makes, which passes the client's address by proxy protocol.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine import names
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import Generation
from propctl.generators.target import k8s_environments

if TYPE_CHECKING:
    from collections.abc import Sequence

    from propctl.roadmap.facts import EnvironmentView
    from propctl.roadmap.models import Roadmap

# Supported releases (December 2026): Envoy Gateway 1.9 (Kubernetes 1.33-1.36), cert-manager 1.21
# (supported until 1.23 is out; Kubernetes up to 1.36).
ENVOY_GATEWAY_VERSION = "v1.9.2"
CERT_MANAGER_VERSION = "v1.21.2"
# Kong Gateway 3.9 (open source): the digest of the `kong:3.9` image as pinned in public builds.
KONG_IMAGE = "kong:3.9@sha256:2a8cf3b110cdaba1cb00adc665b8635ed1fc75c907f7a4298613c68e4976de0a"
ISSUERS = {
    "staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "production": "https://acme-v02.api.letsencrypt.org/directory",
}
DEFAULT_HOST = "api.propmubi.com"  # production's host in a roadmap without `environments`
DEFAULT_BACKEND = "kong-proxy:80"  # the API gateway's proxy Service (scaffold gateway)

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_SERVICE = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")


def host(value: str, option: str) -> str:
    if not _HOST.fullmatch(value or "") or len(value) > 253:
        raise UserError(
            f"{option} {value!r} is not a DNS host name",
            hint="use lower-case labels separated by dots, e.g. api.propmubi.com",
        )
    return value


def email(value: str) -> str:
    if not _EMAIL.fullmatch(value or ""):
        raise UserError(
            f"--email {value!r} is not an e-mail address",
            hint="Let's Encrypt sends expiry notices there, e.g. platform@propmubi.com",
        )
    return value


def backend(value: str) -> tuple[str, int]:
    name, _, port = value.partition(":")
    if (
        not _SERVICE.fullmatch(name)
        or not (port.isascii() and port.isdigit())
        or not 1 <= int(port) <= 65535
    ):
        raise UserError(
            f"--backend {value!r} must be SERVICE:PORT",
            hint=f"the API gateway's Service, e.g. {DEFAULT_BACKEND}",
        )
    return name, int(port)


def staging_host(api_host: str) -> str:
    first, _, rest = api_host.partition(".")
    return f"{first}.staging.{rest}"


def ingress_generation(
    *,
    api_host: str | None = None,
    staging: str | None = None,
    acme_email: str,
    backend_service: str = DEFAULT_BACKEND,
    k8s: str = "k8s",
    gateway: str = "gateway",
    environments: Sequence[EnvironmentView] | None = None,
    repo: Path | None = None,
) -> Generation:
    """`environments`: the roadmap's (None: the defaults of a roadmap without the section);
    their hosts unless `api_host` (production) or `staging` is given. A production host given
    alone puts staging at api.staging.<its domain>, as before the roadmap held hosts."""
    envs = k8s_environments.by_name(environments, repo)
    production = api_host or envs["production"].host
    default_staging = staging_host(production) if api_host else envs["staging"].host
    hosts = {
        "production": host(production, "--host"),
        "staging": host(staging or default_staging, "--staging-host"),
    }
    service, port = backend(backend_service)
    dest = names.safe_relpath(f"{k8s.rstrip('/')}/ingress")
    variables: dict[str, Any] = {
        "hosts": hosts,
        "email": email(acme_email),
        "issuers": ISSUERS,
        "backend_service": service,
        "backend_port": port,
        "envoy_gateway_version": ENVOY_GATEWAY_VERSION,
        "cert_manager_version": CERT_MANAGER_VERSION,
        "kong_image": KONG_IMAGE,
        # kustomize takes a directory outside the kustomization's root (not a file)
        "gateway_path": posixpath.relpath(names.safe_relpath(gateway), f"{dest}/base"),
        **k8s_environments.variables(environments, repo),
    }
    files = render_dir("ingress", variables, dest=dest)
    params = {
        "host": hosts["production"],
        "staging_host": hosts["staging"],
        "email": acme_email,
        "backend": backend_service,
    }
    return Generation("ingress", params, list(files))


def generation_for(roadmap: Roadmap, repo: Path, **options: Any) -> Generation:
    generation = ingress_generation(
        k8s=roadmap.paths.get("k8s", "k8s"),
        environments=roadmap.environments,
        repo=repo,
        **options,
    )
    gateway = options.get("gateway", "gateway")
    if not (repo / gateway / "kustomization.yaml").is_file():
        # the overlays include it: without it no overlay renders, and Kong has no routes
        raise UserError(
            f"{gateway}/kustomization.yaml is missing: Kong, which the ingress deploys, serves "
            "the routes of `propctl scaffold gateway`",
            hint="run `propctl scaffold gateway` first, then this command again",
        )
    return generation
