"""What a pull request changes in its own gate, reported and never applied: with `--base REF`
the gate is REF's (its roadmap's criteria, checks and waivers, `.propctl/waivers.yaml`,
`attestations.yaml` and `baseline.json`); the tree's versions are compared with it here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from propctl.checks.gate.verdict import Attestation, file_waivers, load_attestations
from propctl.errors import PropctlError
from propctl.roadmap.models import Roadmap, Waiver
from propctl.state import ATTESTATIONS, BASELINE, WAIVERS, RepoState


@dataclass
class GateInputs:
    """One side of the comparison: what a roadmap and a state folder say the gate is."""

    roadmap: Roadmap | None
    roadmap_label: str
    waivers: list[Waiver] = field(default_factory=list)
    attestations: dict[str, Attestation] = field(default_factory=dict)
    baseline: set[str] = field(default_factory=set)
    broken: list[dict[str, str]] = field(default_factory=list)  # what could not be read


def read_inputs(roadmap: Roadmap | None, label: str, state: RepoState) -> GateInputs:
    """A side's gate; a file that does not load is recorded as a change, not raised: the
    pull request's broken state must not stop the base's gate from running."""
    inputs = GateInputs(roadmap, label)
    known = {c.id for _, c in roadmap.criteria()} if roadmap else None
    loaders: list[tuple[str, Callable[[], None]]] = [
        (BASELINE, lambda: setattr(inputs, "baseline", state.baseline())),
        (ATTESTATIONS, lambda: setattr(inputs, "attestations", load_attestations(state, known))),
    ]
    if roadmap is not None:
        loaders.append((WAIVERS, lambda: setattr(inputs, "waivers", file_waivers(roadmap, state))))
    for name, load in loaders:
        try:
            load()
        except PropctlError as exc:
            inputs.broken.append(change("state", name, "invalid", state.source(name), exc.message))
    return inputs


def change(what: str, ident: str, kind: str, file: str, detail: str) -> dict[str, str]:
    return {"what": what, "id": ident, "change": kind, "file": file, "detail": detail}


def compare(base: GateInputs, pr: GateInputs, pr_state: RepoState) -> list[dict[str, str]]:
    """Every difference between the base's gate and the pull request's, base first."""
    out = list(pr.broken)
    if base.roadmap is not None and pr.roadmap is not None:
        out += _roadmap_changes(base.roadmap, pr.roadmap, pr.roadmap_label)
    out += _set_changes(
        "waiver",
        {_waiver_key(w): w.criterion for w in base.waivers},
        {_waiver_key(w): w.criterion for w in pr.waivers},
        pr_state.source(WAIVERS),
    )
    out += _set_changes(
        "attestation",
        {json.dumps(a.as_yaml(), sort_keys=True): a.criterion for a in base.attestations.values()},
        {json.dumps(a.as_yaml(), sort_keys=True): a.criterion for a in pr.attestations.values()},
        pr_state.source(ATTESTATIONS),
    )
    out += _set_changes(
        "baseline",
        {i: i for i in base.baseline},
        {i: i for i in pr.baseline},
        pr_state.source(BASELINE),
    )
    return out


def _waiver_key(waiver: Waiver) -> str:
    return json.dumps(waiver.model_dump(mode="json"), sort_keys=True)


def _set_changes(
    what: str, base: dict[str, str], pr: dict[str, str], file: str
) -> list[dict[str, str]]:
    removed = [change(what, base[k], "removed", file, k) for k in sorted(set(base) - set(pr))]
    added = [change(what, pr[k], "added", file, k) for k in sorted(set(pr) - set(base))]
    return removed + added


def _checks(roadmap: Roadmap) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    """Every criterion and checked subtask: (role, text, check)."""
    out: dict[str, tuple[str, str, dict[str, Any] | None]] = {}
    for task in roadmap.tasks():
        for s in task.subtasks:
            out[s.id] = ("subtask", s.text, s.check.model_dump() if s.check else None)
        for c in task.acceptance:
            out[c.id] = ("criterion", c.text, c.check.model_dump())
    return out


def _roadmap_changes(base: Roadmap, pr: Roadmap, file: str) -> list[dict[str, str]]:
    old, new = _checks(base), _checks(pr)
    out = [change(old[i][0], i, "removed", file, old[i][1]) for i in old if i not in new]
    out += [change(new[i][0], i, "added", file, new[i][1]) for i in new if i not in old]
    for ident in (i for i in old if i in new):
        (role, text, check), (_, new_text, new_check) = old[ident], new[ident]
        if check != new_check:
            out.append(
                change("check", ident, "changed", file, f"{_short(check)} -> {_short(new_check)}")
            )
        elif text != new_text:
            out.append(change(role, ident, "changed", file, f"{text!r} -> {new_text!r}"))
    out += _set_changes(
        "waiver",
        {_waiver_key(w): w.criterion for w in base.waivers},
        {_waiver_key(w): w.criterion for w in pr.waivers},
        file,
    )
    skip = {"tiers", "waivers"}
    fields = [
        name
        for name in type(base).model_fields
        if name not in skip and getattr(base, name) != getattr(pr, name)
    ]
    if _scoring(base) != _scoring(pr):
        fields.append("tiers (impacts, weights, targets)")
    if fields:
        out.append(change("roadmap", base.name, "changed", file, ", ".join(fields)))
    return out


def _scoring(roadmap: Roadmap) -> list[Any]:
    return [
        (t.id, t.target_score, [(k.id, k.impacts, k.effort_hours) for k in t.tasks])
        for t in roadmap.tiers
    ]


def _short(check: dict[str, Any] | None) -> str:
    text = json.dumps(check, sort_keys=True, default=str) if check is not None else "no check"
    return text if len(text) <= 120 else text[:117] + "..."
