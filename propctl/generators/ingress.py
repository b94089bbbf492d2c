"""`propctl scaffold ingress` (Task 13.9-13.10): the cluster's HTTPS edge.

Writes `<paths.k8s>/ingress/`: `controllers/` (Helm values and a pinned install script for the
NGINX ingress controller and cert-manager), `issuers/` (Let's Encrypt ClusterIssuers, HTTP-01
through the nginx ingress class), `base/` (the Ingress for the API host with TLS, to the API
gateway) and `overlays/{staging,production}` (namespace, host, issuer).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine import Generation, render_dir

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap

NGINX_CHART_VERSION = "4.11.3"
CERT_MANAGER_CHART_VERSION = "v1.15.3"
ISSUERS = (
    {
        "name": "letsencrypt-staging",
        "server": "https://acme-staging-v02.api.letsencrypt.org/directory",
    },
    {"name": "letsencrypt-production", "server": "https://acme-v02.api.letsencrypt.org/directory"},
)
ISSUER_BY_ENV = {"staging": "letsencrypt-staging", "production": "letsencrypt-production"}
DEFAULT_HOST = "api.propmubi.com"
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
    api_host: str = DEFAULT_HOST,
    staging: str | None = None,
    acme_email: str,
    backend_service: str = DEFAULT_BACKEND,
    k8s: str = "k8s",
) -> Generation:
    hosts = {
        "production": host(api_host, "--host"),
        "staging": host(staging or staging_host(api_host), "--staging-host"),
    }
    service, port = backend(backend_service)
    variables: dict[str, Any] = {
        "hosts": hosts,
        "email": email(acme_email),
        "issuers": list(ISSUERS),
        "issuer_by_env": ISSUER_BY_ENV,
        "backend_service": service,
        "backend_port": port,
        "nginx_chart_version": NGINX_CHART_VERSION,
        "cert_manager_chart_version": CERT_MANAGER_CHART_VERSION,
    }
    files = render_dir("ingress", variables, dest=f"{k8s.rstrip('/')}/ingress")
    params = {
        "host": hosts["production"],
        "staging_host": hosts["staging"],
        "email": acme_email,
        "backend": backend_service,
    }
    return Generation("ingress", params, list(files))


def generation_for(roadmap: Roadmap, repo: Path, **options: Any) -> Generation:
    return ingress_generation(k8s=roadmap.paths.get("k8s", "k8s"), **options)
