"""Speed of `propctl scaffold service` as a whole process (render, plan, write 38 files, record
hashes and snapshots), beside `cookiecutter` and `copier` rendering a template with the same
files (the generated service itself, with the name as a variable), interleaved in one run,
median of 10 each. Targets (issue 4): under 150 ms, at most 0.5x cookiecutter and 0.35x copier.

    .venv/bin/python benchmarks/scaffold.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
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
    _run([str(BIN / "propctl"), "-q", "scaffold", "service", "auth", "--port", "3001",
          "--repo", str(repo)])
    root = repo / "apps" / "auth-service"
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file()}


def cookiecutter_template(work: Path, files: dict[str, str]) -> Path:
    root = work / "cookiecutter-service"
    raw = [path for path, text in files.items() if any(m in text for m in JINJA_MARKS)]
    (root / "{{cookiecutter.name}}-service").mkdir(parents=True)
    (root / "cookiecutter.json").write_text(json.dumps(
        {"name": "auth", "_copy_without_render": [f"*/{p}" for p in raw]}))
    for path, text in files.items():
        target = root / "{{cookiecutter.name}}-service" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if path in raw else text.replace("auth", "{{ cookiecutter.name }}"))
    return root


def copier_template(work: Path, files: dict[str, str]) -> Path:
    root = work / "copier-service"
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text(
        "_subdirectory: template\n_templates_suffix: .jinja\nname:\n  type: str\n"
        "  default: auth\n")
    for path, text in files.items():
        raw = any(m in text for m in JINJA_MARKS)
        target = root / "template" / "{{ name }}-service" / (path if raw else path + ".jinja")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if raw else text.replace("auth", "{{ name }}"))
    return root


def _run(argv: list[str]) -> None:
    env = {**os.environ, "COLUMNS": "100"}
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   env=env)


def timed(argv_for: Callable[[Path], list[str]], out: Path) -> float:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    start = time.perf_counter()
    _run(argv_for(out))
    return (time.perf_counter() - start) * 1000


def commands(cookie: Path, copier: Path) -> dict[str, Callable[[Path], list[str]]]:
    return {
        "propctl scaffold service": lambda out: [
            str(BIN / "propctl"), "-q", "scaffold", "service", "auth", "--port", "3001",
            "--repo", str(out)],
        "cookiecutter": lambda out: [str(BIN / "cookiecutter"), "--no-input", "-o", str(out),
                                     str(cookie)],
        "copier copy": lambda out: [str(BIN / "copier"), "copy", "--defaults", "--quiet",
                                    str(copier), str(out / "dest")],
    }


def measure(runs: int, work: Path) -> tuple[dict[str, float], int]:
    files = service_files(work)
    cmds = commands(cookiecutter_template(work, files), copier_template(work, files))
    for name, argv_for in cmds.items():  # warm page cache, .pyc files, Jinja's bytecode cache
        timed(argv_for, work / "warm" / name.replace(" ", "-"))
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for index in range(runs):
        for name, argv_for in cmds.items():
            samples[name].append(timed(argv_for, work / "runs" / f"{index}-{name[:4]}"))
    return {name: statistics.median(values) for name, values in samples.items()}, len(files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="propctl-bench-") as tmp:
        medians, count = measure(args.runs, Path(tmp))
    print(f"files per render: {count}; median of {args.runs} runs each, whole processes")
    for name, ms in medians.items():
        print(f"  {name:<26} {ms:7.1f} ms")
    ours = medians["propctl scaffold service"]
    vs_cookie = ours / medians["cookiecutter"]
    vs_copier = ours / medians["copier copy"]
    print(f"propctl / cookiecutter  {vs_cookie:5.2f}x (target <= {TARGET_VS_COOKIECUTTER}x)")
    print(f"propctl / copier        {vs_copier:5.2f}x (target <= {TARGET_VS_COPIER}x)")
    print(f"propctl absolute        {ours:7.1f} ms (target < {TARGET_MS:.0f} ms)")
    met = (ours < TARGET_MS and vs_cookie <= TARGET_VS_COOKIECUTTER
           and vs_copier <= TARGET_VS_COPIER)
    print("targets met" if met else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
