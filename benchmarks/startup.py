"""Start-up time of `propctl --help` as a whole process, against `python -c "import typer"` (the
floor any Typer CLI pays) and `cookiecutter --version` (a comparable Python CLI), interleaved in
one run, median of 10 each. Targets (issue 2): under 120 ms, and no more than 0.8x cookiecutter.

    .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_MS = 120.0
TARGET_RATIO = 0.8


def commands() -> dict[str, list[str]]:
    return {
        "propctl --help": [str(BIN / "propctl"), "--help"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "cookiecutter --version": [str(BIN / "cookiecutter"), "--version"],
    }


def once(argv: list[str]) -> float:
    env = {**os.environ, "COLUMNS": "100"}
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    return (time.perf_counter() - start) * 1000


def measure(runs: int) -> dict[str, float]:
    cmds = commands()
    for argv in cmds.values():  # warm the page cache and .pyc files
        once(argv)
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            samples[name].append(once(argv))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    medians = measure(args.runs)
    for name, ms in medians.items():
        print(f"{name:<28} median {ms:7.1f} ms")
    ours = medians["propctl --help"]
    vs_typer = ours / medians["python -c 'import typer'"]
    vs_cookie = ours / medians["cookiecutter --version"]
    print(f"propctl --help / import typer       {vs_typer:5.2f}x")
    print(f"propctl --help / cookiecutter       {vs_cookie:5.2f}x (target <= {TARGET_RATIO}x)")
    ok = ours < TARGET_MS and vs_cookie <= TARGET_RATIO
    print(f"target: < {TARGET_MS:.0f} ms and <= {TARGET_RATIO}x cookiecutter: "
          f"{'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
