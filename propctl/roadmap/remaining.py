"""What a verify run leaves open among the acceptance criteria, and the command that would
close each: `propctl infra up` then `propctl verify --live` for a live criterion, a ready
`propctl attest` line for a manual one. An offline criterion that fails is listed as work for
the repo, and one the roadmap's own checks contradict (`propctl checklist validate` warns)
says which checks it cannot hold together with."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from propctl.roadmap.contradictions import contradictions
from propctl.roadmap.models import Check, Roadmap
from propctl.roadmap.offline import needs
from propctl.roadmap.progress import passing_ids

STACKS = ("staging", "production")


@dataclass(frozen=True)
class Open:
    """One acceptance criterion the latest run does not count as holding."""

    id: str
    task: int
    text: str
    needs: str  # offline, live or manual
    status: str  # as the latest run recorded it ("none": never run)
    commands: list[str]
    note: str | None = None
    contradicts: list[str] = field(default_factory=list)  # ids it cannot hold together with

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "task": self.task,
            "text": self.text,
            "needs": self.needs,
            "status": self.status,
            "commands": self.commands,
            "note": self.note,
            "contradicts": self.contradicts,
        }


@dataclass
class Remaining:
    record: dict[str, Any] | None
    open: list[Open]
    stacks: list[str]  # what `infra up` needs, in order, before `verify --live`
    repo: str

    def group(self, needs_: str) -> list[Open]:
        return [o for o in self.open if o.needs == needs_]

    def as_json(self) -> dict[str, Any]:
        return {
            "source": None
            if self.record is None
            else {"time": self.record.get("time"), "commit": self.record.get("commit")},
            "counts": {k: len(self.group(k)) for k in ("offline", "live", "manual")},
            "live_commands": live_commands(self.stacks, self.repo),
            "open": [o.as_json() for o in self.open],
        }


def compute_remaining(roadmap: Roadmap, record: dict[str, Any] | None, repo: str) -> Remaining:
    """Every criterion `record` (a history line) does not count as holding, in roadmap order;
    `repo` is the --repo repo in the commands."""
    statuses = {str(k): str(v) for k, v in ((record or {}).get("statuses") or {}).items()}
    held = passing_ids(statuses)
    against = {c.absent.id: sorted({p.id for p in c.present}) for c in contradictions(roadmap)}
    out: list[Open] = []
    stacks: set[str] = set()
    for task, crit in roadmap.criteria():
        if crit.id in held:
            continue
        kind = needs(crit.check)
        commands: list[str] = []
        if kind == "live":
            wanted = stacks_of(crit.check)
            stacks.update(wanted)
            commands = [*live_commands(wanted, repo)[:-1], verify_live(repo, crit.id)]
        elif kind == "manual":
            commands = [attest_line(crit.id, repo)]
        out.append(
            Open(
                id=crit.id,
                task=task.id,
                text=crit.text,
                needs=kind,
                status=statuses.get(crit.id, "none"),
                commands=commands,
                note=crit.note,
                contradicts=against.get(crit.id, []),
            )
        )
    ordered = [s for s in STACKS if s in stacks] + sorted(stacks - set(STACKS))
    return Remaining(record, out, ordered, repo)


def stacks_of(check: Check) -> list[str]:
    """The stacks a live check tree looks at: an aws check's `stack` (default production), a
    k8s_live check's namespaces that name a stack (production otherwise)."""
    found: list[str] = []
    for data in _nodes(check.model_dump()):
        kind = data.get("kind")
        if kind == "aws":
            found.append(str(data.get("stack") or "production"))
        elif kind == "k8s_live":
            names = [n for n in data.get("namespaces") or STACKS if isinstance(n, str)]
            hits = [s for s in STACKS if any(n == s or n.endswith(f"-{s}") for n in names)]
            found += hits or ["production"]
    return list(dict.fromkeys(found))


def _nodes(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = [data]
    for nested in data.get("checks") or []:
        if isinstance(nested, dict):
            out += _nodes(nested)
    return out


def live_commands(stacks: list[str], repo: str) -> list[str]:
    """`propctl infra up` for each stack, then the live verify."""
    r = shlex.quote(repo)
    ups = [f"propctl infra up --stack {s} --repo {r} --yes" for s in stacks]
    return [*ups, f"propctl verify --live --repo {r}"]


def verify_live(repo: str, criterion: str) -> str:
    return f"propctl verify --live --repo {shlex.quote(repo)} --criterion {criterion}"


def attest_line(criterion: str, repo: str) -> str:
    """A ready `propctl attest` line (cli/attest.py: ID --by NAME --evidence URL)."""
    return (
        f"propctl attest {criterion} --by 'YOUR NAME' --evidence https://EVIDENCE-URL "
        f"--repo {shlex.quote(repo)}"
    )
