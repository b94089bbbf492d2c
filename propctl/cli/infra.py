"""`propctl infra plan|policies|preview|up|destroy|outputs`: the Pulumi program for Task 13,
planned offline under mocks (no CLI, no credentials) or run for real through the Automation
API (which needs the `pulumi` CLI)."""

from __future__ import annotations

import os
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import DryRunOption, FormatOption, OutputOption, RepoOption, TableJson
from propctl.errors import FailureFound

if TYPE_CHECKING:
    from propctl.cli.app import App
    from propctl.provision.program import Program
    from propctl.provision.runner import RunResult

EPILOG = (
    "Examples:\n\n"
    "  propctl infra plan --stack production                 resources + policy results\n\n"
    "  propctl infra plan --stack staging --format json -o plan.json\n\n"
    "  propctl infra plan --stack production --format tfplan-json -o tfplan.json\n\n"
    "  propctl infra plan --stack production --date 2027-01-15   judged on another day\n\n"
    "  checkov -f tfplan.json --framework terraform_plan   judge it with checkov\n\n"
    "  PULUMI_CONFIG_PASSPHRASE=... propctl infra up --stack production --yes\n\n"
    "The program is the repo's infra/ (see `propctl scaffold infra`), else the bundled one.\n"
    "plan exits 1 when a policy is violated; preview/up/destroy/outputs need the pulumi CLI."
)

infra_app = typer.Typer(
    name="infra",
    help="Provision Task 13's infrastructure with Pulumi.",
    epilog=EPILOG,
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class PlanFormat(str, Enum):  # noqa: UP042 - typer needs str + Enum, as in options.py
    table = "table"
    json = "json"
    tfplan_json = "tfplan-json"


StackOption = Annotated[
    str,
    typer.Option("--stack", "-s", help="The stack: staging or production (Pulumi.<stack>.yaml)."),
]
YesOption = Annotated[
    bool,
    typer.Option(
        "--yes", "-y", help="Confirm a change to production (required there for up and destroy)."
    ),
]


def register(root: typer.Typer) -> None:
    root.add_typer(infra_app, name="infra")


def _program(app: App) -> Program:
    from propctl.provision.program import find_program

    program = find_program(app.repo)
    app.debug(f"program: {program.dir}{' (bundled)' if program.bundled else ''}")
    return program


@infra_app.command(epilog="Example:\n\n  propctl infra plan --stack production --format json")
def plan(
    ctx: typer.Context,
    stack: StackOption = "production",
    repo: RepoOption = None,
    fmt: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = PlanFormat.table,
    output: OutputOption = None,
    policy: Annotated[
        Optional[list[str]],
        typer.Option(  # noqa: UP045
            "--policy", "-p", help="Only this policy (repeatable)."
        ),
    ] = None,
    on: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            "--date",
            help="Judge the plan on this day (YYYY-MM-DD; default today, UTC): support "
            "windows in versions.yaml; the program chooses versions for it too.",
        ),
    ] = None,
) -> None:
    """Run the program offline under Pulumi's mocks: the resources it would create and
    propctl's infrastructure policies, pass or fail each. Exit 1 when a policy fails."""
    from propctl.api.infra import PlanInfraRequest, plan_infra

    app = get_app(ctx).with_repo(repo)
    result = plan_infra(PlanInfraRequest(app.repo, stack, _day(on), tuple(policy or ())))
    app.debug(f"program: {result.program.dir}{' (bundled)' if result.program.bundled else ''}")
    if fmt == PlanFormat.tfplan_json:
        app.emit_json(result.as_tfplan(), output)
    elif fmt == PlanFormat.json:
        app.emit_json(result.as_json(), output)
    else:
        from propctl.reporting.infra_table import PLAIN_WIDTH, plan_view

        app.show(plan_view(result.plan, result.outcomes), output, width=PLAIN_WIDTH)
    failed = result.failed
    if failed:
        raise FailureFound(
            f"{len(failed)} polic{'y' if len(failed) == 1 else 'ies'} "
            f"violated on {stack}: {', '.join(failed)}"
        )


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        from propctl.errors import UserError

        raise UserError(f"--date {text!r}: not a date; write it as YYYY-MM-DD") from None


@infra_app.command(epilog="Example:\n\n  propctl infra policies --format json")
def policies(ctx: typer.Context, fmt: FormatOption = TableJson.table) -> None:
    """List propctl's infrastructure policies (names for --policy and the infra_plan check)."""
    from propctl.provision.policies import POLICIES

    app = get_app(ctx)
    if fmt == TableJson.json:
        app.emit_json(
            [
                {
                    "name": p.name,
                    "description": p.description,
                    "stacks": sorted(p.stacks) if p.stacks else "all",
                }
                for p in POLICIES.values()
            ]
        )
        return
    for p in POLICIES.values():
        only = f"  ({', '.join(sorted(p.stacks))} only)" if p.stacks else ""
        app.emit(f"{p.name:36} {p.description}{only}")


def _run(
    ctx: typer.Context, action: str, stack: str, repo: object, yes: bool, fmt: TableJson
) -> None:
    from propctl.provision import runner

    app = get_app(ctx).with_repo(repo)  # type: ignore[arg-type]
    target = runner.prepare(_program(app), stack, action, app.repo, os.environ, yes=yes)
    stack_runner = runner.FACTORY(target)  # the real one stops here without the pulumi CLI
    runner.materialize(target)
    app.info(f"pulumi {action} {stack} ({target.work_dir}, state: {target.backend_url})")
    if action == "outputs":
        result = runner.run(action, stack_runner, app.info)
    else:
        with app.err.status(f"pulumi {action} {stack}…") as status:

            def stream(line: str) -> None:
                text = line.rstrip()
                if text:
                    app.err.print(text, markup=False, highlight=False)
                    status.update(f"pulumi {action} {stack}: {text[:60]}")

            result = runner.run(action, stack_runner, stream)
    _render_run(app, result, fmt)


def _render_run(app: App, result: RunResult, fmt: TableJson) -> None:
    if fmt == TableJson.json:
        app.emit_json(result.as_json())
        return
    if result.changes:
        app.emit(", ".join(f"{op}: {n}" for op, n in sorted(result.changes.items())))
    for name, value in result.outputs.items():
        app.emit(f"{name} = {value}")


@infra_app.command(epilog="Example:\n\n  propctl infra preview --stack staging")
def preview(
    ctx: typer.Context,
    stack: StackOption = "staging",
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
) -> None:
    """What `up` would change in the real account (Automation API; needs the pulumi CLI)."""
    _run(ctx, "preview", stack, repo, False, fmt)


@infra_app.command(epilog="Example:\n\n  propctl infra up --stack production --yes")
def up(
    ctx: typer.Context,
    stack: StackOption = "staging",
    repo: RepoOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    fmt: FormatOption = TableJson.table,
) -> None:
    """Create or update the stack's resources (production needs --yes; --dry-run previews)."""
    _run(ctx, "preview" if dry_run else "up", stack, repo, yes, fmt)


@infra_app.command(epilog="Example:\n\n  propctl infra destroy --stack staging")
def destroy(
    ctx: typer.Context,
    stack: StackOption = "staging",
    repo: RepoOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    fmt: FormatOption = TableJson.table,
) -> None:
    """Delete every resource of the stack (production needs --yes; --dry-run previews what
    would be deleted)."""
    _run(ctx, "preview_destroy" if dry_run else "destroy", stack, repo, yes, fmt)


@infra_app.command(epilog="Example:\n\n  propctl infra outputs --stack production --format json")
def outputs(
    ctx: typer.Context,
    stack: StackOption = "staging",
    repo: RepoOption = None,
    fmt: FormatOption = TableJson.table,
) -> None:
    """The stack's outputs (endpoints; secrets are masked)."""
    _run(ctx, "outputs", stack, repo, False, fmt)
