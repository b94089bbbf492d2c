"""`propctl scaffold ingress`: NGINX ingress, cert-manager, TLS for the API host (Task 13)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation
from propctl.generators.ingress import DEFAULT_BACKEND, DEFAULT_HOST

Host = Annotated[str, typer.Option("--host", help="The API's production host.")]
StagingHost = Annotated[
    Optional[str],
    typer.Option(  # noqa: UP045 - typer on 3.11
        "--staging-host", help="The staging host (default: api.staging.<domain>)."
    ),
]
Email = Annotated[
    str, typer.Option("--email", help="Let's Encrypt account e-mail (expiry notices).")
]
Backend = Annotated[
    str,
    typer.Option("--backend", help="SERVICE:PORT the Ingress sends traffic to (the API gateway)."),
]


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "ingress",
        epilog=(
            "Example:\n\n  propctl scaffold ingress --email platform@propmubi.com --dry-run\n\n"
            "Then: k8s/ingress/controllers/install.sh; kubectl apply -k "
            "k8s/ingress/overlays/production"
        ),
    )(ingress)


def ingress(
    ctx: typer.Context,
    email: Email,
    host: Host = DEFAULT_HOST,
    staging_host: StagingHost = None,
    backend: Backend = DEFAULT_BACKEND,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """NGINX ingress, cert-manager and TLS for the API host (Task 13.9-13.10).

    k8s/ingress/: the NGINX ingress controller and cert-manager (Helm values + pinned install
    script), Let's Encrypt ClusterIssuers (HTTP-01), and the API's Ingress with TLS in staging
    and production overlays."""
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
