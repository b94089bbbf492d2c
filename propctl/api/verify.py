"""`verify(VerifyRequest) -> VerifyRun`: the use case behind `propctl verify`, for the CLI,
benchmarks, tests and Python users alike. It owns what a run needs around the checks: the
helper services (Redis, the asgi runner pool), the replayed run, attestations and waivers, the
gate's rules, the baseline and the history; `VerifyRun.as_json()` is the document.

Two rules decide what runs and what is written:
- with `--base REF` the gate is REF's (`propctl.api.gate_source`); what the tree changes in it
  is reported as `gate_changes` and not applied;
- the bundled roadmap runs programs (command and asgi checks) only in a repo that declared
  itself its target (`propctl init`, `.propctl/target.yaml`) or with `--trust`, and verify writes
  nothing into a repo that was not initialised."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl import clock
from propctl.api.verify_checks import NOT_A_TARGET, Progress, run_items_in_services, runs_programs
from propctl.checks.engine.shared_runs import SharedRuns
from propctl.checks.gate import rules
from propctl.errors import UserError
from propctl.roadmap.offline import offline_summary
from propctl.state import RepoState, git_commit

if TYPE_CHECKING:
    from propctl.api.gate_source import GateSource
    from propctl.checks.engine.base import CheckContext
    from propctl.checks.engine.fileindex import FileIndex
    from propctl.checks.engine.runner import Item, ItemResult, ResultCache
    from propctl.checks.gate.replay import Recorded
    from propctl.checks.gate.verdict import Verdict

SCHEMA_VERSION = 1
__all__ = ["NOT_A_TARGET", "Progress", "VerifyRequest", "VerifyRun", "verify"]


@dataclass(frozen=True)
class VerifyRequest:
    repo: Path = Path(".")
    roadmap: Path | None = None  # default: <repo>/checklists/roadmap.yaml, else the bundled one
    tier: int | None = None
    task: int | None = None
    criterion: str | None = None
    ratchet: bool = False
    strict: bool = False
    min_score: float | None = None
    update_baseline: bool = False
    base: str | None = None  # the git ref whose roadmap and state decide the gate
    write: bool = True  # history, baseline, caches (never into a repo that is not initialised)
    use_cache: bool = True
    jobs: int = 4
    timeout: float = 120.0
    live: bool = False
    python: Path | None = None
    trust: bool = False
    changed_by: str | None = None  # who made the change this run verifies: generator | engineer
    label: str | None = None  # what that change was ("scaffold add all", "routers on repos")
    progress: Progress | None = field(default=None, compare=False)

    @property
    def filtered(self) -> bool:
        return self.tier is not None or self.task is not None or self.criterion is not None

    def change(self) -> dict[str, str] | None:
        """The history line's `change` (`verify --changed-by/--label`); bad values are exit 2."""
        return change_record(self.changed_by, self.label)


CHANGED_BY = ("generator", "engineer")
MAX_LABEL_CHARS = 120


def change_record(changed_by: str | None, label: str | None) -> dict[str, str] | None:
    """`{"by": "generator", "label": "scaffold add all"}` for the history line, or None."""
    if changed_by is not None and changed_by not in CHANGED_BY:
        raise UserError(
            f"--changed-by {changed_by!r}: not one of {', '.join(CHANGED_BY)}",
            hint="generator: a propctl generator made the change; engineer: a person did",
        )
    if label is not None:
        if not label.strip() or len(label) > MAX_LABEL_CHARS or not label.isprintable():
            raise UserError(
                f"--label {label[:40]!r}: must be 1-{MAX_LABEL_CHARS} printable characters "
                "on one line",
                hint='e.g. --label "scaffold add all"',
            )
    out = {"by": changed_by} if changed_by else {}
    return {**out, "label": label.strip()} if label else out or None


@dataclass
class VerifyRun:
    """A verify run's outcome: the results as the gate judged them, and why it fails."""

    repo: str
    roadmap: str
    commit: str | None
    score: dict[str, Any]
    problems: list[str]
    tasks: dict[str, str]
    results: list[dict[str, Any]]
    gate_changes: list[dict[str, str]] | None = None
    base: dict[str, str] | None = None
    replayed: bool = False
    notes: list[str] = field(default_factory=list)  # for the user (stderr)
    details: list[str] = field(default_factory=list)  # for -v
    _doc: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def summary(self) -> dict[str, int]:
        return rules.summary(r["status"] for r in self.results)

    def as_json(self) -> dict[str, Any]:
        """The `--format json` document (built once)."""
        if self._doc is None:
            self._doc = {
                "schema_version": SCHEMA_VERSION,
                "roadmap": self.roadmap,
                "repo": self.repo,
                "commit": self.commit,
                "summary": self.summary(),
                "offline": offline_summary(self.results),
                "score": self.score,
                "exit_code": self.exit_code,
                "problems": self.problems,
                "tasks": self.tasks,
                "results": self.results,
                **({"base": self.base} if self.base else {}),
                **({"gate_changes": self.gate_changes} if self.gate_changes is not None else {}),
            }
        return self._doc


def verify(request: VerifyRequest) -> VerifyRun:
    """Run the checks and judge them. Bad input (a roadmap, a state file, a flag, a ref) is a
    `PropctlError` (exit 2); a failure found is `VerifyRun.exit_code == 1`."""
    from propctl.checks.engine.fileindex import FileIndex

    request.change()  # a bad --changed-by/--label is refused before anything runs
    repo = request.repo.resolve()
    if not repo.is_dir():
        raise UserError(f"--repo {request.repo}: not a directory")
    state = RepoState(repo)
    state.check_layout()
    initialised = state.target() is not None
    if request.update_baseline and request.write and not initialised:
        raise UserError(
            f"{repo}: not initialised: verify writes nothing here, the baseline included",
            hint=f"run `propctl init --repo {request.repo}` first",
        )
    files = FileIndex(repo)
    may_write = request.write and initialised
    whole = not request.filtered and request.base is None
    why = None
    # a repo never initialised was never written to: a cache or replay record in it is planted
    if whole and request.use_cache and not request.update_baseline and initialised:
        recorded, why = _lookup(request, repo, files)
        if recorded is not None:
            run = _replayed(request, repo, recorded, may_write)
            run.details.append(f"verify: {why}")
            return run
    run = _full_run(request, repo, files, may_write, whole, initialised)
    if why is not None:
        run.details.insert(0, f"verify: {why}: running the checks")
    return run


def _lookup(request: VerifyRequest, repo: Path, files: FileIndex) -> tuple[Recorded | None, str]:
    from propctl.checks.gate import replay
    from propctl.roadmap.locate import find_roadmap

    path, _ = find_roadmap(repo, request.roadmap)
    return replay.lookup(repo, files, path)


def _replayed(request: VerifyRequest, repo: Path, recorded: Recorded, write: bool) -> VerifyRun:
    """A run with nothing changed: the recorded results, judged as a full run judges them."""
    state = RepoState(repo)
    table = [rules.Row(r["id"], r["type"], r["status"], r["message"]) for r in recorded.results]
    overall = float(recorded.score["overall"])
    problems = list(recorded.problems)
    problems += rules.must_hold(
        table, baseline=state.baseline(), attested=set(recorded.attested), strict=request.strict
    )
    if request.ratchet:
        problems += rules.regressions(table, overall, state.latest())
    problems += rules.under_min_score(overall, request.min_score)
    commit = git_commit(repo)
    if write:
        with state.lock():
            state.append_history(
                rules.history_line(
                    {r.id: r.status for r in table},
                    {},
                    recorded.score,
                    recorded.roadmap,
                    commit,
                    errors={r.id: r.message for r in table if r.status == "error"},
                    change=request.change(),
                )
            )
    return VerifyRun(
        repo=str(request.repo),
        roadmap=recorded.roadmap,
        commit=commit,
        score=recorded.score,
        problems=problems,
        tasks=recorded.tasks,
        results=[{**r, "cached": True} for r in recorded.results],
        replayed=True,
    )


def _full_run(
    request: VerifyRequest,
    repo: Path,
    files: FileIndex,
    write: bool,
    whole: bool,
    initialised: bool,
) -> VerifyRun:
    from propctl.checks.engine import runner
    from propctl.checks.gate.verdict import (
        apply_waivers,
        history_record,
        load_attestations,
        load_waivers,
    )

    source = _gate_source(request, repo)
    roadmap = source.roadmap  # its check parameters validated with it (gate_source)
    items = runner.select_items(
        roadmap, tier=request.tier, task=request.task, criterion=request.criterion
    )
    runner.refuse_untrusted(items, source.trusted, source.label)
    gated = source.bundled and not request.trust and not source.state.declares(roadmap.name)
    attestations = load_attestations(source.state, {c.id for _, c in roadmap.criteria()})
    waivers = load_waivers(roadmap, source.state)
    # nothing cached is read from a pull request's tree (--base) or from a repo propctl never
    # wrote to (not initialised)
    fresh = not request.use_cache or request.base is not None or not initialised
    cache = runner.ResultCache.load(repo, fresh=fresh)
    ctx = _context(request, repo, files, source, attestations)
    if write and not fresh:  # per-file findings kept between runs (secrets), as the results are
        ctx.services["findings_store"] = cache.store
    results = run_items_in_services(
        items, ctx, cache, gated, jobs=request.jobs, progress=request.progress
    )
    replay_this = (
        whole
        and cache.replayable == len(items)
        and not runner.executing_items(items)
        and all(r.status.value != "error" for r in results)
    )
    expired = apply_waivers(results, waivers, clock.today())
    commit = git_commit(repo)
    run, verdict = _judge(request, source, items, results, expired, attestations, commit, write)
    if request.base is not None:
        run.gate_changes = _gate_changes(repo, request, source)
        run.base = {"ref": request.base, "commit": source.state.commit, "roadmap": source.label}
    if gated and runs_programs(items):
        run.notes.append(f"command, asgi and infra_plan checks skipped: {NOT_A_TARGET}")
    if request.write and not initialised:
        run.details.append(f"{repo}: not initialised (`propctl init`): nothing written")
    if cache.note:
        run.details.append(f"verify: {cache.note}")
    if write:
        with RepoState(repo).lock():
            RepoState(repo).append_history(
                history_record(verdict, roadmap, commit, request.change())
            )
        cache.save()
        if replay_this and source.path is not None:
            _record(repo, files, source.path, cache, run, expired, sorted(attestations))
        elif whole:
            _forget(repo)
    return run


def _gate_source(request: VerifyRequest, repo: Path) -> GateSource:
    from propctl.api import gate_source

    if request.base is not None:
        return gate_source.from_ref(repo, request.base, request.roadmap, request.trust)
    return gate_source.from_tree(repo, request.roadmap, request.trust)


def _judge(
    request: VerifyRequest,
    source: GateSource,
    items: list[Item],
    results: list[ItemResult],
    problems: list[str],
    attestations: dict[str, Any],
    commit: str | None,
    write: bool,
) -> tuple[VerifyRun, Verdict]:
    from propctl.checks.gate.verdict import GateOptions, carried_statuses, judge

    roadmap, state = source.roadmap, source.state
    baseline = state.baseline()
    notes = []
    if request.update_baseline:  # ids outside --tier/--task/--criterion did not run: keep them
        ran = {i.id for i in items}
        baseline = {b for b in baseline if b not in ran} | {
            r.item.id for r in results if r.status.value == "pass"
        }
        if write:
            RepoState(state.repo).write_baseline(baseline, commit)
            notes.append(
                f"baseline: {len(baseline)} passing ids recorded in .propctl/baseline.json"
            )
    latest = state.latest() if request.filtered else None
    options = GateOptions(
        strict=request.strict,
        ratchet=request.ratchet,
        min_score=request.min_score,
        baseline=baseline,
        attested=set(attestations),
        previous=state.latest() if request.ratchet else None,
        carried=carried_statuses(latest, {i.id for i in items}),
    )
    verdict = judge(roadmap, results, options, problems)
    run = _from_verdict(request, roadmap.name, verdict, commit, source)
    run.notes += notes
    return run, verdict


def _from_verdict(
    request: VerifyRequest, name: str, verdict: Verdict, commit: str | None, source: GateSource
) -> VerifyRun:
    return VerifyRun(
        repo=str(request.repo),
        roadmap=name,
        commit=commit,
        score=verdict.score.as_json(),
        problems=verdict.problems,
        tasks={str(t.id): t.title for t in source.roadmap.tasks()},
        results=[r.as_json() for r in verdict.results],
    )


def _record(
    repo: Path,
    files: FileIndex,
    roadmap_path: Path,
    cache: ResultCache,
    run: VerifyRun,
    expired: list[str],
    attested: list[str],
) -> None:
    """The replay record of a run whose every result is a function of its inputs."""
    from propctl.checks.gate import replay

    replay.record(
        repo,
        files,
        roadmap_path,
        cache.used,
        replay.Recorded(
            results=run.results,
            problems=expired,
            score=run.score,
            roadmap=run.roadmap,
            tasks=run.tasks,
            attested=attested,
        ),
    )


def _forget(repo: Path) -> None:
    from propctl.checks.gate import replay

    replay.forget(repo)


def python_for(repo: Path, python: Path | None) -> str:
    """The target's interpreter (one rule, shared with scaffold add and doctor)."""
    from propctl.checks.support.target_python import target_python

    return target_python(repo, python)


def _context(
    request: VerifyRequest,
    repo: Path,
    files: FileIndex,
    source: GateSource,
    attestations: dict[str, Any],
) -> CheckContext:
    from propctl.checks.engine.base import CheckContext

    return CheckContext(
        repo=repo,
        roadmap=source.roadmap,
        files=files,
        python=python_for(repo, request.python),
        timeout_s=request.timeout,
        trusted=source.trusted,
        live=request.live,
        services={
            "attestations": attestations,
            "today": clock.today(),
            "command_runs": SharedRuns(),
        },
    )


def _gate_changes(repo: Path, request: VerifyRequest, source: GateSource) -> list[dict[str, str]]:
    """What the tree changes in the gate REF defines (reported, not applied). The tree's own
    roadmap failing to load is one more change to report, not a reason to stop the gate."""
    from propctl.api import gate_source
    from propctl.checks.gate import changes
    from propctl.errors import PropctlError

    out: list[dict[str, str]] = []
    pr_roadmap, label = None, str(repo / gate_source.DEFAULT_ROADMAP)
    try:
        tree = gate_source.from_tree(repo, request.roadmap, trust=False)
        pr_roadmap, label = tree.roadmap, tree.label
    except PropctlError as exc:
        detail = "; ".join(line.strip() for line in str(exc).splitlines()[:3])
        out.append(changes.change("roadmap", "", "invalid", label, detail))
    pr_state = RepoState(repo)
    base = changes.read_inputs(source.roadmap, source.label, source.state)
    pr = changes.read_inputs(pr_roadmap, label, pr_state)
    out += changes.compare(base, pr, pr_state)
    prefix = f"{repo}/"  # the tree's files as the pull request names them
    return [{**c, "file": c["file"].removeprefix(prefix)} for c in out]
