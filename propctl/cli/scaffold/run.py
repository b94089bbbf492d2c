"""What every scaffold command does once its generator has built a `Generation`: plan, show the
plan (table, unified diffs, or JSON), apply all or nothing, and end with the right exit code.

    @scaffold_app.command("lint")
    def lint(ctx: typer.Context, repo: RepoOption = None, dry_run: DryRun = False,
             force: Force = False, merge: Merge = False, fmt: Format = TableJson.table) -> None:
        \"\"\"Ruff + pre-commit config.  Example: propctl scaffold lint --dry-run\"\"\"
        app = get_app(ctx).with_repo(repo)
        run_generation(app, lint_generation(app.load_roadmap()), dry_run=dry_run, fmt=fmt,
                       force=force, merge=merge)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from propctl.cli.options import DryRunOption, FormatOption, RepoOption, TableJson
from propctl.errors import FailureFound

if TYPE_CHECKING:
    from propctl.cli.app import App
    from propctl.generators.engine.specs import ApplyReport, Generation, Plan

DryRun = DryRunOption
Format = FormatOption
Repo = RepoOption
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Overwrite files you edited (your version is kept as FILE.orig) and recreate "
        "generated files you deleted.",
    ),
]
Merge = Annotated[
    bool,
    typer.Option(
        "--merge",
        help="Three-way merge your edits with the new render (conflict markers where "
        "both changed).",
    ),
]

__all__ = ["DryRun", "Force", "Format", "Merge", "Repo", "TableJson", "run_generation"]


def run_generation(
    app: App,
    generation: Generation,
    *,
    dry_run: bool,
    fmt: TableJson | str = TableJson.table,
    force: bool = False,
    merge: bool = False,
    show_diff: bool = True,
    check: Callable[[], None] | None = None,
) -> None:
    run_generations(
        app,
        [generation],
        dry_run=dry_run,
        fmt=fmt,
        force=force,
        merge=merge,
        show_diff=show_diff,
        check=check,
    )


def run_generations(
    app: App,
    generations: list[Generation],
    *,
    dry_run: bool,
    fmt: TableJson | str = TableJson.table,
    force: bool = False,
    merge: bool = False,
    show_diff: bool = True,
    check: Callable[[], None] | None = None,
) -> None:
    """Plan every generation first; if any is blocked (conflict, refused patch) nothing at all is
    written, then apply them one by one (`check`, if given, after each: see `engine.apply`)."""
    from propctl.api.generate import GenerateRequest, generate

    result = generate(GenerateRequest(app.repo, generations, dry_run, force, merge, check))
    as_json = TableJson(fmt) == TableJson.json
    if not result.applied:
        if as_json:
            app.emit_json({"dry_run": dry_run, **result.as_json(diffs=dry_run and show_diff)})
        else:
            for the_plan in result.plans:
                _print_plan(app, the_plan, show_diff and dry_run)
        for note in (n for p in result.plans for n in p.generation.notes):
            app.warn(note)
        if result.blocked and not force:
            raise result.conflict()
        return
    if as_json:
        app.emit_json({"dry_run": False, **result.as_json()})
    else:
        for the_plan, report in zip(result.plans, result.reports, strict=True):
            _print_plan(app, the_plan, show_diff=False)
            _print_report(app, report)
    for note in (n for p in result.plans for n in p.generation.notes):
        app.warn(note)
    if result.markers:
        raise FailureFound(
            f"{len(result.markers)} file(s) merged with conflict markers: "
            + ", ".join(result.markers),
            hint="resolve the <<<<<<< / >>>>>>> regions, then run again",
        )


def _print_plan(app: App, the_plan: Plan, show_diff: bool) -> None:
    from propctl.reporting.plan_table import plan_view, quiet_lines

    if app.verbosity < 0 and not show_diff:
        app.emit(quiet_lines(the_plan))  # plain: no Rich
        return
    app.show(plan_view(the_plan, verbosity=app.verbosity, show_diff=show_diff))


def _print_report(app: App, report: ApplyReport) -> None:
    app.info(f"wrote {len(report.written)} file(s), {report.unchanged} unchanged")
    for backup in report.backups:
        app.warn(f"your version is kept in {backup}")
    for instruction in report.manual:
        app.warn(f"not patched; do it by hand: {instruction}")
