"""`propctl verify`: parse -> call `propctl.api.verify` -> render -> exit code."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import OutputOption, RepoOption

if TYPE_CHECKING:
    from propctl.api.verify import VerifyRun
    from propctl.cli.app import App
    from propctl.reporting.verify_sites import Sites

EPILOG = (
    "Examples:\n\n"
    "  propctl verify --repo examples/propmubi\n\n"
    "  propctl verify --format json -o verify.json --no-history\n\n"
    "  propctl verify --format junit -o junit.xml --base origin/main   (CI: the gate from main)\n\n"
    "  propctl verify --format markdown >> $GITHUB_STEP_SUMMARY\n\n"
    "  propctl verify --task 2 --criterion 2.a2 -v\n\n"
    '  propctl verify --changed-by generator --label "scaffold add all"   (the report says who '
    "turned each criterion green)\n\n"
    "The bundled roadmap's command and asgi checks run only in a repo declared its target by "
    "`propctl init` (or with --trust); verify writes nothing into a repo that was not "
    "initialised. With --base REF the gate is REF's roadmap and .propctl/ state.\n\n"
    "Exit codes: 0 nothing that must hold fails · 1 a criterion in the baseline, attested, or "
    "any with --strict fails or errors; a --ratchet regression; a score under --min-score; an "
    "expired waiver · 2 bad input (an untrusted roadmap with command checks, a bad flag, a "
    "broken .propctl/ file, an unknown --base ref)."
)


class ChangedBy(str, Enum):  # noqa: UP042 - Typer needs a str Enum
    generator = "generator"
    engineer = "engineer"


class VerifyFormat(str, Enum):  # noqa: UP042 - Typer needs a str Enum
    table = "table"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    markdown = "markdown"


def register(root: typer.Typer) -> None:
    root.command("verify", epilog=EPILOG)(verify)


def verify(
    ctx: typer.Context,
    repo: RepoOption = None,
    tier: Annotated[Optional[int], typer.Option(help="Only this tier (1, 2, 3).")] = None,  # noqa: UP045
    task: Annotated[Optional[int], typer.Option(help="Only this task.")] = None,  # noqa: UP045
    criterion: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            help="Only this criterion or subtask id (e.g. 2.a2)."
        ),
    ] = None,
    fmt: Annotated[
        VerifyFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = VerifyFormat.table,
    output: OutputOption = None,
    ratchet: Annotated[
        bool,
        typer.Option(
            "--ratchet",
            help="Fail when anything that passed in the previous run regressed, or the score fell.",
        ),
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Every criterion must hold.")] = False,
    min_score: Annotated[
        Optional[float],
        typer.Option(  # noqa: UP045
            min=0, max=10, help="Fail when the overall score (0-10) is under this."
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline", help="Record the current passes in .propctl/baseline.json."
        ),
    ] = False,
    base: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            help="The gate comes from this git ref: its roadmap (checks, waivers), baseline, "
            "waivers, attestations and history; what the tree changes in them is reported, "
            "not applied."
        ),
    ] = None,
    no_history: Annotated[
        bool,
        typer.Option("--no-history", help="Write nothing: no history line, no cache."),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Same as --no-history.")] = False,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Run every check, even those whose inputs did not change."),
    ] = False,
    jobs: Annotated[int, typer.Option(min=1, max=64, help="Checks run in parallel.")] = 4,
    timeout: Annotated[float, typer.Option(min=1, help="Default per-check timeout (s).")] = 120.0,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Allow command checks from a roadmap other than the bundled one, and the "
            "bundled roadmap's programs in a repo that `propctl init` did not declare its target.",
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option("--live", help="Also run live checks (AWS, cluster); they need credentials."),
    ] = False,
    python: Annotated[
        Optional[Path],
        typer.Option(  # noqa: UP045
            help="The target's Python for checks that run its code (default: <repo>/.venv/bin/"
            "python, else propctl's own).",
            dir_okay=False,
        ),
    ] = None,
    changed_by: Annotated[
        Optional[ChangedBy],
        typer.Option(  # noqa: UP045
            "--changed-by",
            case_sensitive=False,
            help="Who made the change this run verifies, recorded in the history line: the "
            "report attributes each criterion this run turns green to them.",
        ),
    ] = None,
    label: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            "--label",
            help="What that change was, in a few words (recorded with --changed-by).",
        ),
    ] = None,
) -> None:
    """Check every acceptance criterion (and every subtask with a check) against the repo.

    A result is pass, fail, error (could not run), skip, manual or waived. Only a pass (a valid
    attestation is one) counts toward the score; an error is never a pass.
    """
    from propctl.api.verify import VerifyRequest
    from propctl.api.verify import verify as run_verify
    from propctl.reporting.verify_progress import progress_bar

    app = get_app(ctx).with_repo(repo)
    bar = fmt is VerifyFormat.table and app.verbosity >= 0
    with progress_bar(app.err, enabled=bar) as progress:
        run = run_verify(
            VerifyRequest(
                repo=app.repo,
                roadmap=app.roadmap_path,
                tier=tier,
                task=task,
                criterion=criterion,
                ratchet=ratchet,
                strict=strict,
                min_score=min_score,
                update_baseline=update_baseline,
                base=base,
                write=not (no_history or dry_run),
                use_cache=not no_cache,
                jobs=jobs,
                timeout=timeout,
                live=live,
                python=python,
                trust=app.trust or trust,
                changed_by=changed_by.value if changed_by else None,
                label=label,
                progress=progress,
            )
        )
    for line in run.details:
        app.debug(line)
    for line in run.notes:
        app.info(line)
    render(app, run, fmt, output)
    if run.exit_code:
        if fmt is not VerifyFormat.table or output is not None:
            for problem in run.problems:
                app.err.print(f"failed: {problem}", markup=False, highlight=False)
        raise typer.Exit(run.exit_code)


def render(app: App, run: VerifyRun, fmt: VerifyFormat, output: Path | None) -> None:
    from propctl.reporting import verify_formats

    doc = run.as_json()
    if fmt is VerifyFormat.json:
        app.emit_json(doc, output)
    elif fmt is VerifyFormat.junit:
        app.emit(verify_formats.render_junit(doc), output)
    elif fmt is VerifyFormat.sarif:
        app.emit_json(verify_formats.render_sarif(doc, _sarif_sites(app)), output)
    elif fmt is VerifyFormat.markdown:
        app.emit(verify_formats.render_markdown(doc), output)
    else:
        from propctl.reporting.verify_table import verify_view

        app.show(verify_view(doc, verbose=app.verbosity > 0), output)


def _sarif_sites(app: App) -> Sites:
    """Where each criterion stands in the roadmap file, for SARIF locations (the bundled
    roadmap's when the tree's cannot be read: with --base the gate did not need it)."""
    from propctl.errors import PropctlError
    from propctl.reporting.verify_sites import find_sites
    from propctl.roadmap.loader import load_roadmap
    from propctl.roadmap.locate import find_roadmap

    path = find_roadmap(app.repo, app.roadmap_path)[0]
    try:
        roadmap = load_roadmap(path)
    except PropctlError:
        from propctl.resources import bundled_roadmap

        path = bundled_roadmap()
        roadmap = load_roadmap(path)
    return find_sites(roadmap, path, app.repo)
