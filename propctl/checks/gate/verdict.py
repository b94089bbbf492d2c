"""What a verify run's results mean for CI: waivers and attestations applied, the score, and
the exit code (what must hold, the ratchet, --min-score, expired waivers).

With `--base REF` every state file is read at REF (`RepoState(repo, ref)`), so a pull request
cannot relax its own gate."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propctl.checks.engine.base import Evidence, Result
from propctl.checks.engine.runner import ItemResult
from propctl.checks.gate import rules
from propctl.checks.status import Status
from propctl.errors import RoadmapError, UserError
from propctl.roadmap.models import Roadmap, Waiver
from propctl.roadmap.score import Score, compute_score
from propctl.roadmap.yamlsrc import parse_yaml
from propctl.state import ATTESTATIONS, WAIVERS, RepoState, parse_date


@dataclass(frozen=True)
class Attestation:
    criterion: str
    by: str
    evidence: str
    date: datetime.date  # the field is named `date`: the type by its module
    expires: datetime.date | None = None

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and self.expires < today

    def as_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "criterion": self.criterion,
            "by": self.by,
            "evidence": self.evidence,
            "date": self.date.isoformat(),
        }
        if self.expires:
            out["expires"] = self.expires.isoformat()
        return out


# ---- reading state, here or at a git ref (`RepoState(repo, ref)`) --------------------------
def _records(text: str | None, source: str) -> list[dict[str, Any]]:
    if text is None or not any(
        line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return []  # no file, or nothing but comments: no entries (parse_yaml rejects it)
    try:
        data = parse_yaml(text, source).data
    except RoadmapError as exc:  # the YAML reader's message; a state file, not a roadmap
        raise UserError(exc.message, hint="fix the entry, or restore the file from git") from None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise UserError(f"{source}: expected a list of mappings (one per entry)")
    return data


def load_attestations(state: RepoState, known: set[str] | None = None) -> dict[str, Attestation]:
    """The attestations; with `known` (the roadmap's criteria), one for any other id is an
    error rather than silently nothing."""
    source = state.source(ATTESTATIONS)
    out: dict[str, Attestation] = {}
    for number, raw in enumerate(_records(state.read(ATTESTATIONS), source), 1):
        where = f"{source}: entry {number}"
        missing = [k for k in ("criterion", "by", "evidence", "date") if not raw.get(k)]
        if missing:
            raise UserError(
                f"{where}: missing {', '.join(missing)}",
                hint="write entries with `propctl attest CRITERION --by NAME --evidence URL`",
            )
        if known is not None and str(raw["criterion"]) not in known:
            raise UserError(
                f"{where}: unknown criterion {raw['criterion']!r}",
                hint="criterion ids look like 2.a4; remove attestations for "
                "criteria that no longer exist",
            )
        expires = raw.get("expires")
        out[str(raw["criterion"])] = Attestation(
            str(raw["criterion"]),
            str(raw["by"]),
            str(raw["evidence"]),
            parse_date(raw["date"], f"{where}: date"),
            parse_date(expires, f"{where}: expires") if expires else None,
        )
    return out


def load_waivers(roadmap: Roadmap, state: RepoState) -> list[Waiver]:
    """The roadmap's waivers and those of `.propctl/waivers.yaml`."""
    return list(roadmap.waivers) + file_waivers(roadmap, state)


def file_waivers(roadmap: Roadmap, state: RepoState) -> list[Waiver]:
    source = state.source(WAIVERS)
    waivers = []
    known = {c.id for _, c in roadmap.criteria()}
    for number, raw in enumerate(_records(state.read(WAIVERS), source), 1):
        try:
            waiver = Waiver.model_validate(raw)
        except ValueError as exc:
            raise UserError(
                f"{source}: entry {number}: {exc}".splitlines()[0],
                hint="each waiver has criterion, owner, reason, expires",
            ) from None
        if waiver.criterion not in known:
            raise UserError(
                f"{source}: entry {number}: unknown criterion {waiver.criterion!r}",
                hint="criterion ids look like 2.a2; remove waivers for criteria "
                "that no longer exist",
            )
        waivers.append(waiver)
    return waivers


# ---- applying waivers --------------------------------------------------------------------
def apply_waivers(results: list[ItemResult], waivers: list[Waiver], today: date) -> list[str]:
    """Mark waived results; return the problems (expired waivers) that fail the run."""
    problems: list[str] = []
    by_id = {r.item.id: r for r in results}
    for waiver in waivers:
        target = by_id.get(waiver.criterion)
        if waiver.expires < today:
            fix = (
                "it passes now: remove the waiver"
                if target is not None and target.status is Status.PASS
                else "fix the criterion or renew the waiver"
            )
            problems.append(
                f"the waiver for {waiver.criterion} (owner {waiver.owner}) expired "
                f"on {waiver.expires}: {fix}"
            )
            continue
        if target is None or target.status is Status.PASS:
            continue
        original = target.result
        target.result = Result(
            Status.WAIVED,
            f"waived by {waiver.owner} until {waiver.expires}: {waiver.reason}",
            [
                Evidence(f"unwaived result: {original.status.value}: {original.message}"),
                *original.evidence,
            ],
            original.duration_s,
        )
    return problems


# ---- the verdict -------------------------------------------------------------------------
@dataclass
class Verdict:
    results: list[ItemResult]
    score: Score
    problems: list[str] = field(default_factory=list)  # why the run fails (exit 1)
    # a filtered run (--tier/--task/--criterion): the last recorded status of every id it did
    # not check, so the score and the history line stand for the whole roadmap
    carried: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def summary(self) -> dict[str, int]:
        return rules.summary(r.status.value for r in self.results)


def rows(results: list[ItemResult]) -> list[rules.Row]:
    return [rules.Row(r.item.id, r.item.role, r.status.value, r.result.message) for r in results]


def holding(results: list[ItemResult]) -> set[str]:
    return rules.holding(rows(results))


@dataclass
class GateOptions:
    strict: bool = False
    ratchet: bool = False
    min_score: float | None = None
    baseline: set[str] = field(default_factory=set)
    attested: set[str] = field(default_factory=set)
    previous: dict[str, Any] | None = None
    carried: dict[str, str] = field(default_factory=dict)


def carried_statuses(previous: dict[str, Any] | None, ran: set[str]) -> dict[str, str]:
    """For a filtered run: the previous run's statuses of the ids this run did not check."""
    statuses = (previous or {}).get("statuses") or {}
    return {k: str(v) for k, v in statuses.items() if k not in ran}


def judge(
    roadmap: Roadmap, results: list[ItemResult], options: GateOptions, problems: list[str]
) -> Verdict:
    table = rows(results)
    held = rules.holding(table) | {k for k, v in options.carried.items() if v == "pass"}
    score = compute_score(roadmap, held)
    verdict = Verdict(results, score, list(problems), dict(options.carried))
    verdict.problems += rules.must_hold(
        table, baseline=options.baseline, attested=options.attested, strict=options.strict
    )
    if options.ratchet:
        verdict.problems += rules.regressions(table, score.overall, options.previous)
    verdict.problems += rules.under_min_score(score.overall, options.min_score)
    return verdict


def history_record(
    verdict: Verdict,
    roadmap: Roadmap,
    commit: str | None,
    change: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One line of history.jsonl (see `rules.history_line`), with every error's message."""
    return rules.history_line(
        {r.item.id: r.status.value for r in verdict.results},
        verdict.carried,
        verdict.score.as_json(),
        roadmap.name,
        commit,
        errors={r.item.id: r.result.message for r in verdict.results if r.status.value == "error"},
        change=change,
    )
