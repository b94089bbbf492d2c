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

from typing import TYPE_CHECKING, Annotated

import typer

from propctl.cli.options import DryRunOption, FormatOption, RepoOption, TableJson
from propctl.errors import FailureFound

if TYPE_CHECKING:
    from propctl.cli.app import App
    from propctl.generators.engine import ApplyReport, Generation, Plan

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

_STYLE = {
    "create": "green",
    "update": "cyan",
    "merge": "cyan",
    "patch": "cyan",
    "identical": "dim",
    "skip": "dim",
    "conflict": "bold red",
    "refused": "bold red",
    "deleted": "yellow",
    "obsolete": "yellow",
}


def run_generation(
    app: App,
    generation: Generation,
    *,
    dry_run: bool,
    fmt: TableJson | str = TableJson.table,
    force: bool = False,
    merge: bool = False,
    show_diff: bool = True,
) -> None:
    run_generations(
        app, [generation], dry_run=dry_run, fmt=fmt, force=force, merge=merge, show_diff=show_diff
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
) -> None:
    """Plan every generation first; if any is blocked (conflict, refused patch) nothing at all is
    written, then apply them one by one."""
    from propctl.generators.engine import Conflict, apply, plan

    plans = [plan(app.repo, g, merge=merge) for g in generations]
    as_json = TableJson(fmt) == TableJson.json
    blocked = [p for p in plans if p.blocking]
    if dry_run or (blocked and not force):
        if as_json:
            app.emit_json(_json(plans, dry_run=dry_run, diffs=dry_run and show_diff))
        else:
            for the_plan in plans:
                _print_plan(app, the_plan, show_diff and dry_run)
        if blocked and not force:
            raise _combined(blocked, Conflict)
        return
    reports = [apply(app.repo, the_plan, force=force, merge=merge) for the_plan in plans]
    if as_json:
        app.emit_json(_json(plans, dry_run=False, diffs=False, reports=reports))
    else:
        for the_plan, report in zip(plans, reports, strict=True):
            _print_plan(app, the_plan, show_diff=False)
            _print_report(app, report)
    markers = [path for report in reports for path in report.markers]
    if markers:
        raise FailureFound(
            f"{len(markers)} file(s) merged with conflict markers: " + ", ".join(markers),
            hint="resolve the <<<<<<< / >>>>>>> regions, then run again",
        )


def _json(
    plans: list[Plan], *, dry_run: bool, diffs: bool, reports: list[ApplyReport] | None = None
) -> dict[str, object]:
    items = [p.to_json(diffs=diffs) for p in plans]
    for item, report in zip(items, reports or [], strict=False):
        item["report"] = report.to_json()
    applied = reports is not None
    if len(items) == 1:
        return {"dry_run": dry_run, "applied": applied, **items[0]}
    return {"dry_run": dry_run, "applied": applied, "generations": items}


def _combined(blocked: list[Plan], conflict: type[Exception]) -> Exception:
    if len(blocked) == 1:
        return conflict(blocked[0])
    from propctl.generators.engine import Generation, Plan

    merged = Plan(
        Generation("several", {}, []),
        [a for p in blocked for a in p.blocking],
        merge=any(p.merge for p in blocked),
    )
    return conflict(merged)


def _print_plan(app: App, the_plan: Plan, show_diff: bool) -> None:
    counts = ", ".join(f"{n} {name}" for name, n in the_plan.counts().items())
    if app.verbosity < 0 and not show_diff:  # --quiet: the counts, and the files that matter
        lines = [
            f"{a.action} {a.path}: {a.reason}"
            for a in the_plan.by_action("conflict", "refused", "deleted", "obsolete", "merge")
        ]
        app.emit("\n".join([*lines, f"plan: {counts or 'nothing to do'}"]))  # plain: no Rich
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{the_plan.generation.generator}: {_params(the_plan)}",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("action")
    table.add_column("path", overflow="fold")
    table.add_column("why", overflow="fold")
    quiet_rows = ("identical", "skip") if app.verbosity <= 0 else ()
    for action in the_plan.actions:
        if action.action not in quiet_rows:
            table.add_row(
                Text(action.action, style=_STYLE.get(action.action, "")),
                Text(action.path),
                Text(action.reason),
            )
    if table.row_count:
        app.console.print(table)
    hidden = " (-v lists the unchanged files)" if table.row_count < len(the_plan.actions) else ""
    app.console.print(f"plan: {counts or 'nothing to do'}{hidden}", markup=False, highlight=False)
    if show_diff:
        for action in the_plan.actions:
            _print_diff(app, action.diff())


def _print_diff(app: App, diff: str) -> None:
    for line in diff.splitlines():
        style = (
            "bold"
            if line.startswith(("---", "+++"))
            else "green"
            if line.startswith("+")
            else "red"
            if line.startswith("-")
            else "cyan"
            if line.startswith("@@")
            else ""
        )
        app.console.print(line, style=style or None, markup=False, highlight=False, soft_wrap=True)


def _params(the_plan: Plan) -> str:
    return " ".join(f"{k}={v}" for k, v in the_plan.generation.params.items()) or "-"


def _print_report(app: App, report: ApplyReport) -> None:
    app.info(f"wrote {len(report.written)} file(s), {report.unchanged} unchanged")
    for backup in report.backups:
        app.warn(f"your version is kept in {backup}")
    for instruction in report.manual:
        app.warn(f"not patched; do it by hand: {instruction}")
