"""Speed of `propctl scaffold service` as a whole process (render, plan, write ~40 files, record
hashes and snapshots), beside `cookiecutter` and `copier` rendering a template with the same
files (the generated service itself, with the name as a variable), interleaved in one run,
median of 10 each. Targets (issue 4): under 150 ms, at most 0.5x cookiecutter and 0.35x copier.
Both wall-clock and CPU time (user + system of the child) are reported: on a shared, loaded
machine the CPU figures are the steadier comparison.

    .venv/bin/python benchmarks/scaffold.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_MS = 150.0
TARGET_VS_COOKIECUTTER = 0.5
TARGET_VS_COPIER = 0.35
JINJA_MARKS = ("{{", "{%", "{#")


def service_files(work: Path) -> dict[str, str]:
    repo = work / "reference"
    repo.mkdir()
    _run(
        [
            str(BIN / "propctl"),
            "-q",
            "scaffold",
            "service",
            "auth",
            "--port",
            "3001",
            "--repo",
            str(repo),
        ]
    )
    root = repo / "apps" / "auth-service"
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def cookiecutter_template(work: Path, files: dict[str, str]) -> Path:
    root = work / "cookiecutter-service"
    raw = [path for path, text in files.items() if any(m in text for m in JINJA_MARKS)]
    (root / "{{cookiecutter.name}}-service").mkdir(parents=True)
    (root / "cookiecutter.json").write_text(
        json.dumps({"name": "auth", "_copy_without_render": [f"*/{p}" for p in raw]})
    )
    for path, text in files.items():
        target = root / "{{cookiecutter.name}}-service" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if path in raw else text.replace("auth", "{{ cookiecutter.name }}"))
    return root


def copier_template(work: Path, files: dict[str, str]) -> Path:
    root = work / "copier-service"
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text(
        "_subdirectory: template\n_templates_suffix: .jinja\nname:\n  type: str\n  default: auth\n"
    )
    for path, text in files.items():
        raw = any(m in text for m in JINJA_MARKS)
        target = root / "template" / "{{ name }}-service" / (path if raw else path + ".jinja")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if raw else text.replace("auth", "{{ name }}"))
    return root


def _run(argv: list[str]) -> None:
    # as installed: byte-code cached (an installed wheel's modules are compiled at install time;
    # PYTHONDONTWRITEBYTECODE would make every run recompile propctl from source)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["COLUMNS"] = "100"
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)


def timed(argv_for: Callable[[Path], list[str]], out: Path) -> tuple[float, float]:
    """Wall and CPU milliseconds of one whole process."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    _run(argv_for(out))
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def commands(cookie: Path, copier: Path) -> dict[str, Callable[[Path], list[str]]]:
    return {
        "propctl scaffold service": lambda out: [
            str(BIN / "propctl"),
            "-q",
            "scaffold",
            "service",
            "auth",
            "--port",
            "3001",
            "--repo",
            str(out),
        ],
        "cookiecutter": lambda out: [
            str(BIN / "cookiecutter"),
            "--no-input",
            "-o",
            str(out),
            str(cookie),
        ],
        "copier copy": lambda out: [
            str(BIN / "copier"),
            "copy",
            "--defaults",
            "--quiet",
            str(copier),
            str(out / "dest"),
        ],
    }


def measure(runs: int, work: Path) -> tuple[dict[str, tuple[float, float]], int]:
    files = service_files(work)
    cmds = commands(cookiecutter_template(work, files), copier_template(work, files))
    for name, argv_for in cmds.items():  # warm page cache, .pyc files, Jinja's bytecode cache
        timed(argv_for, work / "warm" / name.replace(" ", "-"))
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for index in range(runs):
        for name, argv_for in cmds.items():
            samples[name].append(timed(argv_for, work / "runs" / f"{index}-{name[:4]}"))
    medians = {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in samples.items()
    }
    return medians, len(files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="propctl-bench-") as tmp:
        medians, count = measure(args.runs, Path(tmp))
    print(
        f"files per render: {count}; median of {args.runs} runs each, whole processes; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)"
    )
    print(f"  {'':<26} {'wall':>9} {'cpu':>9}")
    for name, (wall, cpu) in medians.items():
        print(f"  {name:<26} {wall:6.1f} ms {cpu:6.1f} ms")
    met = True
    for index, label in ((0, "wall"), (1, "cpu")):
        ours = medians["propctl scaffold service"][index]
        vs_cookie = ours / medians["cookiecutter"][index]
        vs_copier = ours / medians["copier copy"][index]
        print(
            f"{label:>4}: propctl {ours:6.1f} ms (target < {TARGET_MS:.0f}), "
            f"{vs_cookie:4.2f}x cookiecutter (target <= {TARGET_VS_COOKIECUTTER}), "
            f"{vs_copier:4.2f}x copier (target <= {TARGET_VS_COPIER})"
        )
        met = met and (
            ours < TARGET_MS
            and vs_cookie <= TARGET_VS_COOKIECUTTER
            and vs_copier <= TARGET_VS_COPIER
        )
    print("targets met" if met else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
