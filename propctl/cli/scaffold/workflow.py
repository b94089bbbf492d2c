"""`propctl scaffold workflow`: GitHub Actions CI/CD per service, or the verify workflow."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation
from propctl.errors import UserError

EPILOG = (
    "Examples:\n\n"
    "  propctl scaffold workflow --service auth --dry-run   plan and diffs for one service\n\n"
    "  propctl scaffold workflow --all                      every service in the roadmap\n\n"
    "  propctl scaffold workflow --verify                   propctl verify on pull requests\n\n"
    "Production approval is a repository setting: after generating, run "
    "`.github/propctl/environments.sh TEAM` (it calls `gh api`) once."
)


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command("workflow", epilog=EPILOG)(workflow)


def workflow(
    ctx: typer.Context,
    service: Annotated[
        Optional[list[str]],
        typer.Option(  # noqa: UP045
            "--service", "-s", help="A service from the roadmap (repeatable)."
        ),
    ] = None,
    all_services: Annotated[
        bool, typer.Option("--all", help="Every service in the roadmap.")
    ] = False,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="The workflow that runs `propctl verify` on pull requests."),
    ] = False,
    reviewers: Annotated[
        str,
        typer.Option(
            "--reviewers",
            help="GitHub team whose approval production deployments need "
            "(written into .github/propctl/environments.sh).",
        ),
    ] = "platform-leads",
    propctl_spec: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            "--propctl-spec",
            help="What the verify workflow pip-installs (default: this propctl from its "
            "repository at the commit it was built from, `propctl @ git+URL@COMMIT`).",
        ),
    ] = None,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """GitHub Actions CI/CD: lint, test with the coverage gate, image to ECR over OIDC,
    blue-green deploys to staging and (after approval) production with smoke tests and
    automatic rollback."""
    from propctl.generators import workflow as generator
    from propctl.generators.workflow_verify import verify_generation

    app = get_app(ctx).with_repo(repo)
    chosen = sum((bool(service), all_services, verify))
    if chosen != 1:
        raise UserError(
            "give exactly one of --service NAME, --all or --verify",
            hint="propctl scaffold workflow --all",
        )
    if verify:
        run_generation(
            app,
            verify_generation(propctl_spec),
            dry_run=dry_run,
            fmt=fmt,
            force=force,
            merge=merge,
        )
        return
    roadmap = app.load_roadmap()
    names = [s.name for s in roadmap.services] if all_services else list(service or [])
    generation = generator.workflow_generation(roadmap, names, reviewers_team=reviewers)
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
    if not dry_run and TableJson(fmt) == TableJson.table:
        app.info(
            "production needs approval: the workflows name the `production` environment; "
            "set its required reviewers once with\n  "
            + generator.production_reviewers_command(reviewers)
            + f"\nthen record it: propctl attest {generator.approval_criterion(roadmap)} "
            "--by NAME --evidence <environment settings URL>"
        )
