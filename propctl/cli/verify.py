"""`propctl verify`: run every check, print the results, exit 1 when something that must hold
fails. Parse -> run (propctl.checks) -> judge (propctl.checks.gate) -> render -> exit code."""

from __future__ import annotations

import io
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import OutputOption, RepoOption

if TYPE_CHECKING:
    from propctl.checks.base import CheckContext
    from propctl.checks.engine import Item, ItemResult
    from propctl.checks.fileindex import FileIndex
    from propctl.checks.gate import Verdict
    from propctl.checks.replay import Recorded
    from propctl.cli.app import App
    from propctl.reporting.verify_sites import Sites
    from propctl.roadmap.models import Roadmap

SCHEMA_VERSION = 1
EPILOG = (
    "Examples:\n\n"
    "  propctl verify --repo examples/propmubi\n\n"
    "  propctl verify --format json -o verify.json --no-history\n\n"
    "  propctl verify --format junit -o junit.xml --base origin/main   (CI: the gate from main)\n\n"
    "  propctl verify --format markdown >> $GITHUB_STEP_SUMMARY\n\n"
    "  propctl verify --task 2 --criterion 2.a2 -v\n\n"
    "Exit codes: 0 nothing that must hold fails · 1 a criterion in the baseline, attested, or "
    "any with --strict fails or errors; a --ratchet regression; a score under --min-score; an "
    "expired waiver · 2 bad input (an untrusted roadmap with command checks, a bad flag)."
)


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
            help="Read baseline, waivers, attestations and the previous run from this git ref."
        ),
    ] = None,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Write nothing: no history line, no cache.")
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
            "--trust", help="Allow command checks from a roadmap other than the bundled one."
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
) -> None:
    """Check every acceptance criterion (and every subtask with a check) against the repo.

    A result is pass, fail, error (could not run), skip, manual or waived. Only a pass (a valid
    attestation is one) counts toward the score; an error is never a pass.
    """
    app = get_app(ctx).with_repo(repo)
    app.trust = app.trust or trust
    doc = run_verify(
        app,
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
        progress=fmt is VerifyFormat.table,
    )
    render(app, doc, fmt, output)
    if doc["exit_code"]:
        if fmt is not VerifyFormat.table or output is not None:
            for problem in doc["problems"]:
                app.err.print(f"failed: {problem}", markup=False, highlight=False)
        raise typer.Exit(doc["exit_code"])


def run_verify(
    app: App,
    *,
    tier: int | None = None,
    task: int | None = None,
    criterion: str | None = None,
    ratchet: bool = False,
    strict: bool = False,
    min_score: float | None = None,
    update_baseline: bool = False,
    base: str | None = None,
    write: bool = True,
    use_cache: bool = True,
    jobs: int = 4,
    timeout: float = 120.0,
    live: bool = False,
    python: Path | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """The verify document (`--format json`); its `exit_code` and `problems` are the gate's."""
    from propctl.checks import replay
    from propctl.checks.fileindex import FileIndex
    from propctl.roadmap.locate import find_roadmap

    repo = app.repo.resolve()
    whole = tier is None and task is None and criterion is None and base is None
    files = FileIndex(repo)
    path, _ = find_roadmap(app.repo, app.roadmap_path)
    chosen = _python_for(repo, python)
    if whole and use_cache and not update_baseline:
        recorded, why = replay.lookup(repo, files, path)
        app.debug(f"verify: {why}" + ("" if recorded else ": running the checks"))
        if recorded is not None:
            return _replayed(
                app,
                repo,
                recorded,
                ratchet=ratchet,
                strict=strict,
                min_score=min_score,
                write=write,
            )
    return _full_run(
        app,
        repo,
        files,
        path,
        tier=tier,
        task=task,
        criterion=criterion,
        ratchet=ratchet,
        strict=strict,
        min_score=min_score,
        update_baseline=update_baseline,
        base=base,
        write=write,
        use_cache=use_cache,
        jobs=jobs,
        timeout=timeout,
        progress=progress,
        whole=whole,
        python=chosen,
        live=live,
    )


def _full_run(
    app: App,
    repo: Path,
    files: FileIndex,
    roadmap_path: Path,
    *,
    tier: int | None,
    task: int | None,
    criterion: str | None,
    ratchet: bool,
    strict: bool,
    min_score: float | None,
    update_baseline: bool,
    base: str | None,
    write: bool,
    use_cache: bool,
    jobs: int,
    timeout: float,
    progress: bool,
    whole: bool,
    python: str,
    live: bool,
) -> dict[str, Any]:
    from propctl.checks import engine, gate, replay
    from propctl.checks.asgi_pool import RunnerPool
    from propctl.checks.services import RedisServer
    from propctl.state import RepoState, git_commit

    roadmap = _check_params(app, roadmap_path)
    items = engine.select_items(roadmap, tier=tier, task=task, criterion=criterion)
    engine.refuse_untrusted(items, app.roadmap_trusted, str(roadmap_path))
    attestations = gate.load_attestations(repo, base, {c.id for _, c in roadmap.criteria()})
    waivers = gate.load_waivers(roadmap, repo, base)
    redis = RedisServer()
    pool = RunnerPool()
    ctx = _context(
        app,
        repo,
        files,
        python,
        live,
        {"redis": redis, "asgi_pool": pool, "attestations": attestations, "today": date.today()},
        timeout,
    )
    # read unless --no-cache; written only when the run may write
    cache = engine.ResultCache.load(repo, fresh=not use_cache)
    if cache.note:
        app.debug(f"verify: {cache.note}")
    try:
        results = _run(app, items, ctx, jobs, cache, progress)
    finally:
        pool.close()
        redis.stop()
    # every result a function of its inputs (no command ran, nothing errored): a run with none
    # of them changed may replay this one
    replay_this = (
        whole
        and cache.replayable == len(items)
        and not engine.executing_items(items)
        and all(r.status.value != "error" for r in results)
    )
    problems = gate.apply_waivers(results, waivers, date.today())
    commit = git_commit(repo)
    baseline = gate.load_baseline(repo, base)
    if update_baseline:  # ids outside --tier/--task/--criterion did not run: keep them
        ran = {i.id for i in items}
        baseline = {b for b in baseline if b not in ran} | {
            r.item.id for r in results if r.status.value == "pass"
        }
        if write:
            RepoState(repo).write_baseline(baseline, commit)
            app.info(f"baseline: {len(baseline)} passing ids recorded in .propctl/baseline.json")
    filtered = tier is not None or task is not None or criterion is not None
    latest = gate.previous_run(repo) if filtered else None
    options = gate.GateOptions(
        strict=strict,
        ratchet=ratchet,
        min_score=min_score,
        baseline=baseline,
        attested=set(attestations),
        previous=gate.previous_run(repo, base) if ratchet else None,
        carried=gate.carried_statuses(latest, {i.id for i in items}),
    )
    verdict = gate.judge(roadmap, results, options, problems)
    doc = document(app, verdict, commit)
    if write:
        RepoState(repo).append_history(gate.history_record(verdict, roadmap, commit))
        cache.save()
        if replay_this:
            replay.record(
                repo,
                files,
                roadmap_path,
                cache.used,
                replay.Recorded(
                    results=doc["results"],
                    problems=problems,
                    score=doc["score"],
                    roadmap=doc["roadmap"],
                    tasks=doc["tasks"],
                    attested=sorted(attestations),
                ),
            )
        elif whole:
            replay.forget(repo)
    return doc


def _replayed(
    app: App,
    repo: Path,
    recorded: Recorded,
    *,
    ratchet: bool,
    strict: bool,
    min_score: float | None,
    write: bool,
) -> dict[str, Any]:
    """A run with nothing changed: the recorded results, judged as a full run judges them."""
    from propctl.checks import rules
    from propctl.state import RepoState, git_commit

    table = [rules.Row(r["id"], r["type"], r["status"], r["message"]) for r in recorded.results]
    overall = float(recorded.score["overall"])
    problems = list(recorded.problems)
    problems += rules.must_hold(
        table, baseline=RepoState(repo).baseline(), attested=set(recorded.attested), strict=strict
    )
    if ratchet:
        problems += rules.regressions(table, overall, RepoState(repo).latest())
    problems += rules.under_min_score(overall, min_score)
    commit = git_commit(repo)
    if write:
        RepoState(repo).append_history(
            rules.history_line(
                {r.id: r.status for r in table}, {}, recorded.score, recorded.roadmap, commit
            )
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "roadmap": recorded.roadmap,
        "repo": str(app.repo),
        "commit": commit,
        "summary": rules.summary(r.status for r in table),
        "score": recorded.score,
        "exit_code": 1 if problems else 0,
        "problems": problems,
        "tasks": recorded.tasks,
        "results": [{**r, "cached": True} for r in recorded.results],
    }


def _check_params(app: App, path: Path) -> Roadmap:
    from propctl.checks.validate import load_validated

    return load_validated(path, app.load_roadmap)  # model and parameter problems in one message


def _python_for(repo: Path, python: Path | None) -> str:
    """The target's interpreter (one rule, shared with scaffold add and doctor)."""
    from propctl.checks.target_python import target_python

    return target_python(repo, python)


def _context(
    app: App,
    repo: Path,
    files: FileIndex,
    python: str,
    live: bool,
    services: dict[str, Any],
    timeout: float,
) -> CheckContext:
    from propctl.checks.base import CheckContext

    return CheckContext(
        repo=repo,
        roadmap=app.load_roadmap(),
        files=files,
        python=python,
        timeout_s=timeout,
        trusted=app.roadmap_trusted,
        live=live,
        services=services,
    )


def _run(
    app: App, items: list[Item], ctx: CheckContext, jobs: int, cache: Any, progress: bool
) -> list[ItemResult]:
    from propctl.checks.engine import run_items

    if not progress or app.verbosity < 0 or not app.err.is_terminal:
        return run_items(items, ctx, jobs=jobs, cache=cache)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=app.err,
        transient=True,
    ) as bar:
        handle = bar.add_task("", total=len(items))
        return run_items(
            items,
            ctx,
            jobs=jobs,
            cache=cache,
            on_done=lambda r: bar.update(handle, advance=1, description=r.item.id),
        )


def document(app: App, verdict: Verdict, commit: str | None) -> dict[str, Any]:
    roadmap = app.load_roadmap()
    return {
        "schema_version": SCHEMA_VERSION,
        "roadmap": roadmap.name,
        "repo": str(app.repo),
        "commit": commit,
        "summary": verdict.summary(),
        "score": verdict.score.as_json(),
        "exit_code": verdict.exit_code,
        "problems": verdict.problems,
        "tasks": {str(t.id): t.title for t in roadmap.tasks()},
        "results": [r.as_json() for r in verdict.results],
    }


def render(app: App, doc: dict[str, Any], fmt: VerifyFormat, output: Path | None) -> None:
    from propctl.reporting import verify_formats

    if fmt is VerifyFormat.json:
        app.emit_json(doc, output)
    elif fmt is VerifyFormat.junit:
        app.emit(verify_formats.render_junit(doc), output)
    elif fmt is VerifyFormat.sarif:
        app.emit_json(verify_formats.render_sarif(doc, _sarif_sites(app)), output)
    elif fmt is VerifyFormat.markdown:
        app.emit(verify_formats.render_markdown(doc), output)
    else:
        _print_table(app, doc, output)


def _sarif_sites(app: App) -> Sites:
    from propctl.reporting.verify_sites import find_sites
    from propctl.roadmap.locate import find_roadmap

    return find_sites(app.load_roadmap(), find_roadmap(app.repo, app.roadmap_path)[0], app.repo)


def _print_table(app: App, doc: dict[str, Any], output: Path | None) -> None:
    from rich.console import Console

    from propctl.reporting.verify_table import render_table

    items = render_table(doc, verbose=app.verbosity > 0)
    if output is None:
        for item in items:
            app.console.print(item)
        return
    console = Console(record=True, width=120, no_color=True, file=io.StringIO())
    for item in items:
        console.print(item)
    app.emit(console.export_text(), output)
