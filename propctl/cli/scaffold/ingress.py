"""`propctl scaffold ingress`: the Gateway API edge (Envoy Gateway), cert-manager TLS, Kong."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation
from propctl.generators.ingress import DEFAULT_BACKEND

Host = Annotated[
    Optional[str],
    typer.Option(  # noqa: UP045 - typer on 3.11
        "--host",
        help="The API's production host (default: the roadmap's `environments` production host).",
    ),
]
StagingHost = Annotated[
    Optional[str],
    typer.Option(  # noqa: UP045 - typer on 3.11
        "--staging-host",
        help="The staging host (default: the roadmap's staging host; with --host alone, "
        "api.staging.<its domain>).",
    ),
]
Email = Annotated[
    str, typer.Option("--email", help="Let's Encrypt account e-mail (expiry notices).")
]
Backend = Annotated[
    str,
    typer.Option(
        "--backend",
        help="SERVICE:PORT the HTTPRoute sends traffic to (the Kong gateway this command deploys).",
    ),
]


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "ingress",
        epilog=(
            "Example:\n\n  propctl scaffold gateway\n"
            "  propctl scaffold ingress --email platform@propmubi.com --dry-run\n\n"
            "Then: k8s/ingress/controllers/install.sh; kubectl apply -k "
            "k8s/ingress/overlays/production"
        ),
    )(ingress)


def ingress(
    ctx: typer.Context,
    email: Email,
    host: Host = None,
    staging_host: StagingHost = None,
    backend: Backend = DEFAULT_BACKEND,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """The HTTPS edge for the API host on the Gateway API (Task 13.9-13.10).

    k8s/ingress/: Envoy Gateway and cert-manager (Helm values + pinned install script, the
    GatewayClass behind an NLB with proxy protocol), the Gateway with TLS from a Let's Encrypt
    Issuer (HTTP-01), and Kong DB-less on gateway/kong.yaml (`scaffold gateway` first), in
    staging and production overlays."""
    from propctl.generators.ingress import generation_for

    app = get_app(ctx).with_repo(repo)
    generation = generation_for(
        app.load_roadmap(),
        app.repo,
        api_host=host,
        staging=staging_host,
        acme_email=email,
        backend_service=backend,
    )
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
