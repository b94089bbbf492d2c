"""Wall time of the bundled roadmap's `propctl verify` of the example (examples/propmubi, a
declared target: every command and asgi check runs), as a whole process with `--no-cache`, for
this propctl and a baseline checkout in the same run, interleaved, best and median of N each.
Target (the house issue): at most 5 s wall on a 2-core machine, from 11.7-14 s.

    .venv/bin/python benchmarks/verify_example.py [--runs 3] [--baseline DIR]

DIR is another propctl checkout (e.g. `git worktree add /tmp/propctl-base 690da29`): it runs
with its own source first on the path, in this venv. The copy of the example is made fresh for
each run, so the result cache and history of one run never help the next.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 5.0


def one_run(source: Path, work: Path) -> tuple[float, int]:
    repo = work / "propmubi"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(ROOT / "examples" / "propmubi", repo)
    env = {**os.environ, "PYTHONPATH": str(source), "PROPCTL_CACHE_DIR": str(work / "cache")}
    shutil.rmtree(work / "cache", ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "propctl",
        "verify",
        "--repo",
        str(repo),
        "--no-cache",
        "--format",
        "json",
        "-o",
        str(work / "out.json"),
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=source, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another propctl checkout to compare")
    args = parser.parse_args()
    sources = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    times: dict[str, list[float]] = {name: [] for name in sources}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for name, source in sources.items():
                elapsed, code = one_run(source, Path(tmp))
                if code > 1:
                    sys.exit(f"{name}: verify exited {code}")
                times[name].append(elapsed)
    for name, values in times.items():
        print(
            f"{name:>9}: best {min(values):6.2f} s  median {statistics.median(values):6.2f} s"
            f"  ({len(values)} runs)"
        )
    best = min(times["this"])
    print(f"target {TARGET_S:g} s: {'met' if best <= TARGET_S else 'MISSED'} (best {best:.2f} s)")
    if "baseline" in times:
        print(
            f"ratio this/baseline (medians): "
            f"{statistics.median(times['this']) / statistics.median(times['baseline']):.2f}x"
        )


if __name__ == "__main__":
    main()
