"""Start-up time of `propctl --help` as a whole process, against `python -c "import typer"` (the
floor any Typer CLI pays) and `cookiecutter --version` (a comparable Python CLI), interleaved in
one run, median of 10 each, wall-clock and CPU time. Targets (issue 2): under 120 ms, and no
more than 0.8x cookiecutter. A two-command Typer app with Rich help is measured too: the floor
for any CLI built this way.

    .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_MS = 120.0
TARGET_RATIO = 0.8


# The floor for any Typer CLI that keeps Rich-formatted help: two commands, nothing else.
MINIMAL_APP = (
    "import typer\n"
    "app = typer.Typer(rich_markup_mode='rich', add_completion=False)\n"
    "app.command('a')(lambda: None)\napp.command('b')(lambda: None)\napp()"
)


def commands() -> dict[str, list[str]]:
    return {
        "propctl --help": [str(BIN / "propctl"), "--help"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "cookiecutter --version": [str(BIN / "cookiecutter"), "--version"],
        "2-command Typer app --help": [sys.executable, "-c", MINIMAL_APP, "--help"],
    }


def once(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) milliseconds of one run. CPU time is the steadier
    figure on a busy machine: it does not count time spent waiting for a core."""
    # as installed: byte-code cached (an installed wheel's modules are compiled at install time;
    # PYTHONDONTWRITEBYTECODE would make every run of a fresh checkout compile it from source)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["COLUMNS"] = "100"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def measure(runs: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and median CPU milliseconds per command, runs interleaved."""
    cmds = commands()
    for argv in cmds.values():  # warm the page cache and .pyc files
        once(argv)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            samples[name].append(once(argv))
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in samples.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    medians = measure(args.runs)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, {args.runs} runs each")
    for name, (wall, cpu) in medians.items():
        print(f"{name:<28} median {wall:7.1f} ms wall, {cpu:7.1f} ms cpu")
    for i, label in ((0, "wall"), (1, "cpu")):
        ours = medians["propctl --help"][i]
        vs_typer = ours / medians["python -c 'import typer'"][i]
        vs_cookie = ours / medians["cookiecutter --version"][i]
        floor = medians["2-command Typer app --help"][i]
        ok = ours < TARGET_MS and vs_cookie <= TARGET_RATIO
        print(
            f"{label:>4}: propctl --help {ours:6.1f} ms · {vs_typer:4.2f}x import typer · "
            f"{vs_cookie:4.2f}x cookiecutter · target (< {TARGET_MS:.0f} ms, <= "
            f"{TARGET_RATIO}x cookiecutter) {'met' if ok else 'NOT met'}; a bare Typer app "
            f"with Rich help takes {floor:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
