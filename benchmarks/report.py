"""How long `propctl report` takes on a year of history: 365 daily verify runs over the bundled
roadmap (criteria turning green over the year, some regressing), written to a temporary
`.propctl/history.jsonl`. Prints the time to read the history, to build the report model, to
render each format, and a whole `propctl report` command per format (including start-up).
Target (issue 8): a history of 365 daily runs renders in under a second."""

from __future__ import annotations

import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from propctl.reporting import report_html, report_json, report_markdown, report_table
from propctl.reporting.report_model import build_report
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.state import RepoState

RUNS = 365
REPEAT = 5


def year_of_history(roadmap_ids: list[str], subtask_ids: list[str]) -> list[dict[str, object]]:
    rng = random.Random(8)
    order = roadmap_ids[:]
    rng.shuffle(order)
    start = datetime(2026, 1, 12, 6, tzinfo=UTC)
    records = []
    for day in range(RUNS):
        green = set(order[: len(order) * day // RUNS])
        statuses = {
            i: "pass" if i in green else rng.choice(["fail", "fail", "error", "manual"])
            for i in roadmap_ids
        }
        statuses.update({s: rng.choice(["pass", "fail"]) for s in subtask_ids})
        for flaky in rng.sample(sorted(green), k=min(2, len(green))):
            statuses[flaky] = "fail"
        records.append(
            {
                "time": (start + timedelta(days=day)).isoformat(),
                "commit": f"{day:040x}",
                "roadmap": "bench",
                "statuses": statuses,
                "score": {},
                "summary": {},
            }
        )
    return records


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def table_text(report: object) -> str:
    buffer = io.StringIO()
    report_table.render(report, Console(file=buffer, width=120, no_color=True))  # type: ignore[arg-type]
    return buffer.getvalue()


def main() -> int:
    roadmap = load_roadmap(bundled_roadmap())
    criteria = [c.id for _, c in roadmap.criteria()]
    subtasks = [s.id for t in roadmap.tasks() for s in t.subtasks if s.check is not None]
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / ".propctl").mkdir()
        history = repo / ".propctl" / "history.jsonl"
        history.write_text(
            "".join(json.dumps(r) + "\n" for r in year_of_history(criteria, subtasks)),
            encoding="utf-8",
        )
        print(
            f"history: {RUNS} runs, {len(criteria)} criteria + {len(subtasks)} subtasks each, "
            f"{history.stat().st_size / 1e6:.1f} MB; best of {REPEAT}"
        )
        records = RepoState(repo).history()
        report = build_report(roadmap, records)
        read_s = best(lambda: RepoState(repo).history())
        model_s = best(lambda: build_report(roadmap, records))
        print(f"  read history.jsonl       {read_s * 1000:8.1f} ms")
        print(f"  build report model       {model_s * 1000:8.1f} ms")
        renderers = {
            "json": report_json.render,
            "markdown": report_markdown.render,
            "html": report_html.render,
            "table": table_text,
        }
        for name, render in renderers.items():
            render_s = best(lambda render=render: render(report))
            total = read_s + model_s + render_s
            print(
                f"  render {name:<9}         {render_s * 1000:8.1f} ms   read+model+render "
                f"{total * 1000:7.1f} ms ({total / 1.0:.2f} of the 1 s target)"
            )
        exe = Path(sys.executable).with_name("propctl")
        for fmt in renderers:
            wall = []
            for _ in range(3):
                t0 = time.perf_counter()
                subprocess.run(
                    [
                        str(exe),
                        "report",
                        "--repo",
                        str(repo),
                        "--format",
                        fmt,
                        "-o",
                        str(repo / f"r.{fmt}"),
                    ],
                    check=True,
                    capture_output=True,
                )
                wall.append(time.perf_counter() - t0)
            size = (repo / f"r.{fmt}").stat().st_size
            print(
                f"  propctl report --format {fmt:<9} {min(wall) * 1000:7.0f} ms wall "
                f"(median {statistics.median(wall) * 1000:.0f} ms), {size / 1e3:.0f} kB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
