"""The demo's own arithmetic and summaries (examples/demo.sh calls it; so may a person).

  python examples/demo_summary.py line RUN.json ACTOR WHAT   one score line per verify run
  python examples/demo_summary.py summary OUT                the end of the demo (OUT = demo/)
  python examples/demo_summary.py table RUN.json             the per-task table, worked by hand

`table` redoes the score model from checklists/roadmap.yaml alone, with exact fractions (it does
not call propctl's score code): a task's completion is passing criteria / criteria; a dimension
is its baseline plus each task's completion x impact, capped at 10; the overall score is the
weighted mean of the dimensions. examples/demo-expected.md is its output for the final run of
the demo, checked by hand; tests/examples/test_demo.py compares the demo's final score with the
figure on its `Final overall:` line."""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
ROADMAP = HERE / "checklists" / "roadmap.yaml"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def _criteria(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in run["results"] if r.get("type") == "criterion"}


def line(path: Path, actor: str, what: str) -> str:
    run = _load(path)
    s, off = run["summary"], run.get("offline") or {}
    offline = f"offline {off.get('pass', 0)}/{off.get('criteria', 0)}" if off else "offline ?"
    return (
        f"score {run['score']['overall']:.2f}/10  pass {s['pass']}  fail {s['fail']}  "
        f"error {s['error']}  manual {s['manual']}  {offline}  [{actor}: {what}]"
    )


def _runs(out: Path) -> list[tuple[str, str, dict[str, Any]]]:
    rows = []
    for entry in (out / "runs.tsv").read_text("utf-8").splitlines():
        number, actor, what = entry.split("\t", 2)
        rows.append((actor, what, _load(out / "runs" / f"{number}.json")))
    return rows


def flips(out: Path) -> list[tuple[str, str, list[str]]]:
    """Per verify run: the criteria that passed there and not in the run before."""
    held: set[str] = set()
    found = []
    for actor, what, run in _runs(out):
        now = {i for i, r in _criteria(run).items() if r["status"] == "pass"}
        found.append((actor, what, sorted(now - held, key=_order)))
        held = now
    return found


def _order(criterion: str) -> tuple[int, int]:
    task, _, number = criterion.partition(".a")
    return int(task), int(number or 0)


def contradictory(out: Path) -> dict[str, list[str]]:
    """The ids `checklist validate` reports as contradicting others (11.a5: the monolith)."""
    doc = _load(out / "validate.json")
    return {c["id"]: sorted({p["id"] for p in c["present"]}) for c in doc["contradictions"]}


def summary(out: Path) -> tuple[list[str], int]:
    runs = _runs(out)
    final = runs[-1][2]
    results = _criteria(final)
    against = contradictory(out)
    lines = [f"score {final['score']['overall']:.2f}/10"]
    for actor, title in (("generator", "What the tool did"), ("engineer", "What engineers did")):
        steps = [(what, ids) for a, what, ids in flips(out) if a == actor]
        total = sum(len(ids) for _, ids in steps)
        lines.append(f"{title}: {total} criteria flipped to pass")
        lines += [f"  {what}: {', '.join(ids) or '-'}" for what, ids in steps]
    errors = [r for r in final["results"] if r["status"] == "error"]
    lines.append(f"errors: {len(errors)}")
    lines += [f"  {r['id']}: {r['message']}" for r in errors]
    offline = [r for r in results.values() if r.get("offline")]
    failing = [r["id"] for r in offline if r["status"] != "pass" and r["id"] not in against]
    held = sum(r["status"] == "pass" for r in offline)
    lines.append(
        f"offline criteria: {held}/{len(offline)} pass; failing: {len(failing)}"
        + (f" ({', '.join(failing)})" if failing else "")
    )
    for cid, others in against.items():
        if cid in results:
            lines.append(
                f"  {cid} ({results[cid]['status']}) cannot hold together with "
                f"{', '.join(others)}: the demo keeps the monolith they judge "
                "(`propctl checklist validate` says so)"
            )
    remaining = _load(out / "remaining.json")
    counts = remaining["counts"]
    lines.append(f"What remains: {counts['live']} live, {counts['manual']} manual criteria")
    lines += [f"  $ {c}" for c in remaining["live_commands"]]
    for item in remaining["open"]:
        if item["needs"] == "manual":
            lines.append(f"  $ {item['commands'][0]}")
    bad = len(errors) + len(failing)
    lines.append(
        f"demo: {'ok' if not bad else 'NOT DONE'}: {len(errors)} errors, "
        f"{len(failing)} failing offline criteria besides {', '.join(against) or '-'}"
    )
    return lines, bad


def table(path: Path) -> list[str]:
    import yaml

    roadmap = yaml.safe_load(ROADMAP.read_text("utf-8"))
    run = _load(path)
    statuses = {r["id"]: r["status"] for r in run["results"]}
    out = [
        "| Task | Title | Subtasks done | Criteria passing | Completion |",
        "|---:|---|---:|---:|---:|",
    ]
    completion: dict[int, Fraction] = {}
    tasks = [task for tier in roadmap["tiers"] for task in tier["tasks"]]
    for task in tasks:
        crits = [c["id"] for c in task.get("acceptance") or []]
        subs = [s["id"] for s in task.get("subtasks") or [] if s.get("check")]
        passing = sum(statuses.get(c) == "pass" for c in crits)
        done = sum(statuses.get(s) == "pass" for s in subs)
        completion[task["id"]] = Fraction(passing, len(crits)) if crits else Fraction(0)
        out.append(
            f"| {task['id']} | {task['title']} | {done}/{len(subs)} | {passing}/{len(crits)} | "
            f"{_frac(completion[task['id']])} |"
        )
    out += ["", "| Dimension | Arithmetic | Score |", "|---|---|---:|"]
    total, weights = Fraction(0), Fraction(0)
    for dim in roadmap["dimensions"]:
        baseline = Fraction(str(dim["baseline"]))
        terms, raw = [], baseline
        for task in tasks:
            impact = (task.get("impacts") or {}).get(dim["id"])
            if impact is None:
                continue
            raw += completion[task["id"]] * Fraction(str(impact))
            terms.append(f"{_frac(completion[task['id']])}×{impact:g} (T{task['id']})")
        score = min(raw, Fraction(10))
        cap = " → capped at 10" if raw > 10 else ""
        weight = Fraction(str(dim.get("weight", 1)))
        total += score * weight
        weights += weight
        out.append(
            f"| {dim['id']} | {dim['baseline']:g} + {' + '.join(terms) or '0'}{cap} | "
            f"{float(score):.4f} |"
        )
    overall = total / weights
    out += [
        "",
        f"Overall: the weighted mean of the ten dimensions = {float(overall):.4f}",
        "",
        f"Final overall: {float(overall):.2f}",
    ]
    return out


def _frac(value: Fraction) -> str:
    return "1" if value == 1 else ("0" if value == 0 else f"{value.numerator}/{value.denominator}")


def main(argv: list[str]) -> int:
    if len(argv) >= 4 and argv[0] == "line":
        print(line(Path(argv[1]), argv[2], argv[3]))
        return 0
    if len(argv) == 2 and argv[0] == "summary":
        lines, _ = summary(Path(argv[1]))
        print("\n".join(lines))
        return 0
    if len(argv) == 2 and argv[0] == "table":
        print("\n".join(table(Path(argv[1]))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
