"""`propctl scaffold infra`: the Pulumi program for Task 13 in the repo's `infra/`."""

from __future__ import annotations

from typing import Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation

EPILOG = (
    "Examples:\n\n"
    "  propctl scaffold infra --dry-run         the files it would write\n\n"
    "  propctl scaffold infra && propctl infra plan --stack production\n\n"
    "Writes infra/ (Pulumi.yaml, Pulumi.staging.yaml, Pulumi.production.yaml, __main__.py, "
    "propmubi_infra/: network, security, cluster, database, cache). `propctl infra` then "
    "plans and runs this copy instead of the bundled one; edit it freely."
)


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command("infra", epilog=EPILOG)(infra)


def infra(
    ctx: typer.Context,
    repo: Repo = None,
    path: Annotated[str, typer.Option("--path", help="Folder in the repo.")] = "infra",
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """The Pulumi program of Task 13: EKS, RDS PostgreSQL with a read replica, ElastiCache
    Redis, network and security groups, with staging and production stacks. Which environment
    each stack is (and its namespace) is written to infra/environments.yaml from the roadmap's
    `environments`."""
    from propctl.generators.infra import infra_generation

    app = get_app(ctx).with_repo(repo)
    generation = infra_generation(path, app.load_roadmap().environments)
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
    if not dry_run and TableJson(fmt) == TableJson.table:
        app.info(f"next: propctl infra plan --stack production --repo {app.repo}")
