"""How long `propctl infra plan --stack production` takes as a whole process (interpreter start,
imports, running the Pulumi program under mocks, 35 policies, rendering), for each format, and
how that splits: `propctl --help` alone, and the plan in-process without the process start.
Target (issue 7): the whole command under 3 s. The machine is shared, so the verdict uses the
best of the runs (as `timeit` does) and the CPU time the process used is printed beside it;
the load average shows how busy the machine was.

`--baseline REPO` also plans REPO's infra/ (another version of the program, e.g. a checkout of
main's `infra/` copied into an empty folder), alternating with the bundled program run for
run, so both see the same load; the CPU times compare them."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 5
TARGET_S = 3.0
PROPCTL = [sys.executable, "-m", "propctl"]


def whole(args: list[str]) -> tuple[list[float], float]:
    """Wall times of REPEAT runs, and the median CPU time (user + system) of one run."""
    times, cpu = [], []
    for _ in range(REPEAT):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(PROPCTL + args, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr}")
    return times, statistics.median(cpu)


def in_process() -> float:
    code = (
        "import time; t=time.perf_counter()\n"
        "from propctl.provision.plan import plan\n"
        "from propctl.provision.program import find_program\n"
        "from propctl.provision.policies import evaluate\n"
        "evaluate(plan(find_program(None), 'production'))\n"
        "print(time.perf_counter()-t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(REPEAT)
    ]
    return statistics.median(runs)


def compare(baseline: str, empty: str) -> None:
    """The bundled program and the baseline's, alternating, table format."""
    args = ["infra", "plan", "--stack", "production", "--date", "2026-12-02", "--repo"]
    ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
    for _ in range(REPEAT):
        for repo, times, cpus in ((empty, ours, ours_cpu), (baseline, theirs, theirs_cpu)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(PROPCTL + args + [repo], capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    for label, times, cpus in (("this program", ours, ours_cpu), ("baseline", theirs, theirs_cpu)):
        print(
            f"alternating, -f table, {label:12}                 {min(times):6.2f} s best, "
            f"{statistics.median(times):.2f} s median, {statistics.median(cpus):.2f} s CPU"
        )


def main() -> int:
    baseline = sys.argv[sys.argv.index("--baseline") + 1] if "--baseline" in sys.argv else None
    with tempfile.TemporaryDirectory() as tmp:
        empty = str(Path(tmp))
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        help_s = min(whole(["--help"])[0])
        print(
            f"propctl --help                                       {help_s:6.2f} s (best of "
            f"{REPEAT})"
        )
        print(
            f"plan in-process (imports + program + policies)       {in_process():6.2f} s (median)"
        )
        worst = 0.0
        for fmt in ("table", "json", "tfplan-json"):
            runs, cpu = whole(
                ["infra", "plan", "--stack", "production", "--format", fmt, "--repo", empty]
            )
            best = min(runs)
            worst = max(worst, best)
            print(
                f"propctl infra plan --stack production -f {fmt:11} {best:6.2f} s best, "
                f"{statistics.median(runs):.2f} s median, {cpu:.2f} s CPU; "
                f"{best / help_s:4.1f}x --help"
            )
        if baseline:
            compare(baseline, empty)
    verdict = "meets" if worst < TARGET_S else "MISSES"
    print(
        f"target < {TARGET_S:.0f} s for the whole command: {verdict} "
        f"({worst / TARGET_S:.0%} of the budget, slowest format)"
    )
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
