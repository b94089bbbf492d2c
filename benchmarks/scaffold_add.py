"""What the import check costs `propctl scaffold add` (issue 18.7): on a fresh copy of
examples/propmubi each run, `scaffold add errors` with `--dry-run` (render and plan, no import),
applied (plan, write, and the app imported before and after in the target's Python), and, as
the baseline in the same run, one bare import of the app in that Python (what each of the two
checks costs at least). Median of N runs each, interleaved; wall-clock and CPU of the children.

    .venv/bin/python benchmarks/scaffold_add.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "propmubi"


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    propctl = [sys.executable, "-m", "propctl", "-q", "scaffold", "add", "errors"]
    cases = {
        "bare import of main:app": lambda repo: timed(
            [sys.executable, "-c", "import main; main.app"], repo / "apps" / "api"
        ),
        "scaffold add --dry-run": lambda repo: timed(
            [*propctl, "--repo", str(repo), "--dry-run"], repo
        ),
        "scaffold add (2 import checks)": lambda repo: timed([*propctl, "--repo", str(repo)], repo),
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory() as work:
        for run in range(runs):
            for number, (name, case) in enumerate(cases.items()):
                repo = Path(work) / f"run{run}-case{number}"
                shutil.copytree(EXAMPLE, repo)
                figures[name].append(case(repo))
    for name, values in figures.items():
        wall = statistics.median(v[0] for v in values) * 1000
        cpu = statistics.median(v[1] for v in values) * 1000
        print(f"{name:32} wall {wall:7.0f} ms   cpu {cpu:7.0f} ms   (median of {runs})")


if __name__ == "__main__":
    main()
