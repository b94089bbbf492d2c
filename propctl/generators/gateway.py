"""The API gateway (Task 11.90-11.95): a Kong declarative configuration routing every service
of the roadmap, with CORS, rate-limit and JWT plugins.

Why Kong: JWT validation, CORS and rate limiting are bundled open-source plugins, configured in
one declarative file that runs DB-less and that decK can validate and diff; Traefik's open-source
edition has no JWT validation middleware (it needs ForwardAuth to another service or a
third-party plugin), so the gateway would not enforce authentication on its own.

Each roadmap service becomes three Kong services on the same upstream: `/<name>` (JWT required),
`/<name>/health` (public) and `/<name>/api/v1/auth` (public, login-like: a strict per-client rate
limit). Kong picks the longest matching prefix, strips it and appends the rest to the Kong
service's URL path. The JWT secret stays out of the file: decK reads DECK_JWT_SECRET."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine import names
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation

if TYPE_CHECKING:
    from propctl.roadmap.facts import RoadmapView

JWT_ISSUER = "propmubi-auth"
RATE_PER_MINUTE = 600
LOGIN_RATE_PER_MINUTE = 10


def gateway_generation(
    roadmap: RoadmapView, *, namespace: str | None = None, dest: str = "gateway"
) -> Generation:
    """`namespace` None: upstreams by short name, resolved in Kong's own namespace (one file for
    every environment); else fully qualified in that namespace."""
    if namespace is not None and not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", namespace):
        raise UserError(
            f"--namespace {namespace!r}: not a Kubernetes namespace name (lowercase "
            "letters, digits and '-', at most 63 characters)"
        )
    for service in roadmap.services:
        names.service_name(service.name)
    services = [
        {"name": s.name, "service": f"{s.name}-service", "port": s.port} for s in roadmap.services
    ]
    origins = list(roadmap.cors_origins) or ["http://localhost:3005"]
    for origin in origins:
        if any(c in origin for c in "\"'\n\\") or not origin.startswith(("http://", "https://")):
            raise UserError(f"roadmap cors_origins: {origin!r} is not an http(s) origin")
    context = {
        "services": services,
        "namespace": namespace,
        "cors_origins": origins,
        "jwt_issuer": JWT_ISSUER,
        "rate_per_minute": RATE_PER_MINUTE,
        "login_rate_per_minute": LOGIN_RATE_PER_MINUTE,
    }
    files: list[FileSpec] = render_dir("gateway", context, dest=names.safe_relpath(dest))
    params: dict[str, Any] = {"services": [s["name"] for s in services]}
    if namespace is not None:
        params["namespace"] = namespace
    return Generation("gateway", params, list(files))
