"""How `propctl verify` scales with the size of the repository (issue 3, item 6).

Builds synthetic monorepos (the example repo plus N copies of a service, up to ~20,000 files,
as a git work tree), then times `propctl verify --format json` with the bundled roadmap
restricted to static kinds (checks that run code or scanners become manual), cold (no cache)
and warm (nothing changed: every result from the cache), and a raw read of the same files.

    python benchmarks/verify_scale.py                 # 1k, 5k, 10k, 20k files
    python benchmarks/verify_scale.py --sizes 2000 20000 --keep /tmp/bench

Targets: cold under 1.5 s at 20,000 files, time growing linearly, within 3x of the raw read;
a second run with nothing changed under 0.3 s. Both figures are whole processes (`cold cli`,
`warm cli`); the in-process engine time is printed beside them. A warm run of this static
roadmap is a replay (propctl.checks.gate.replay): the last run's results, nothing imported or
listed beyond what proves that nothing changed, every input hashed again.

The cache lives in a folder of the benchmark's own (PROPCTL_CACHE_DIR), emptied before each
cold run. `hash vs stat` compares what a warm run does to prove its inputs unchanged (read and
hash each one) with what a stat record would cost (one stat each), for the replay's inputs and
for every file of the repo (a roadmap whose checks read everything).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "propmubi"
STATIC = {
    "path_exists",
    "text",
    "structured",
    "python",
    "coverage",
    "junit",
    "k8s",
    "workflow",
    "manual",
}
FILES_PER_SERVICE = 40
PROPCTL = [sys.executable, "-m", "propctl"]


def static_only(check: dict[str, Any]) -> dict[str, Any]:
    kinds = _kinds(check)
    return check if kinds <= STATIC | {"all", "any"} else {"kind": "manual"}


def _kinds(check: dict[str, Any]) -> set[str]:
    out = {str(check.get("kind"))}
    for nested in check.get("checks") or []:
        out |= _kinds(nested)
    return out


def write_static_roadmap(target: Path) -> Path:
    data = yaml.safe_load((ROOT / "checklists" / "roadmap.yaml").read_text())
    for tier in data["tiers"]:
        for task in tier["tasks"]:
            for item in task.get("subtasks", []) + task.get("acceptance", []):
                if item.get("check"):
                    item["check"] = static_only(item["check"])
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def build_repo(root: Path, files: int) -> int:
    shutil.copytree(
        EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".venv", ".propctl")
    )
    count = sum(1 for p in root.rglob("*") if p.is_file())
    service = 0
    while count < files:
        folder = root / "apps" / f"svc-{service:04d}"
        (folder / "routers").mkdir(parents=True)
        for i in range(FILES_PER_SERVICE):
            if i % 10 == 9:
                text = f"service: svc-{service}\nport: {3000 + i}\n"
                (folder / f"config_{i}.yaml").write_text(text)
            else:
                (folder / "routers" / f"module_{i}.py").write_text(_module(service, i))
        count += FILES_PER_SERVICE
        service += 1
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return count


def _module(service: int, index: int) -> str:
    body = "\n".join(
        f"def handler_{n}(item_id: int) -> dict:\n    return {{'id': item_id, "
        f"'service': {service}, 'n': {n}}}\n"
        for n in range(12)
    )
    return (
        f'"""Service {service}, module {index}."""\nfrom fastapi import APIRouter\n\n'
        f"router = APIRouter(prefix='/m{index}')\n\n{body}"
    )


def raw_read(root: Path) -> float:
    start = time.perf_counter()
    total = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", ".propctl")]
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                total += len(handle.read())
    return time.perf_counter() - start


def run_cli(root: Path, roadmap: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [
            *PROPCTL,
            "--roadmap",
            str(roadmap),
            "verify",
            "--repo",
            str(root),
            "--format",
            "json",
            "-o",
            str(root / ".." / "verify.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"verify failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def initialise(root: Path, roadmap: Path) -> None:
    from propctl.api.init import InitRequest, init

    init(InitRequest(repo=root, roadmap=roadmap))


def run_in_process(root: Path, roadmap: Path) -> tuple[float, int]:
    from propctl.api.verify import VerifyRequest, verify

    start = time.perf_counter()
    run = verify(VerifyRequest(repo=root, roadmap=roadmap))
    return time.perf_counter() - start, sum(1 for r in run.results if r.get("cached"))


def deadline_cost(root: Path, roadmap: Path, cache: Path) -> tuple[float, float]:
    """The cold engine in-process, best of 3: static checks in forked workers killed at their
    deadline (what verify does) vs in threads that cannot be stopped (what it did)."""
    from propctl.checks.engine import runner

    def cold(fork: bool) -> float:
        runner.CAN_FORK, saved = fork, runner.CAN_FORK
        try:
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(root / ".propctl", ignore_errors=True)
            initialise(root, roadmap)
            return run_in_process(root, roadmap)[0]
        finally:
            runner.CAN_FORK = saved

    return min(cold(True) for _ in range(3)), min(cold(False) for _ in range(3))


def hash_vs_stat(root: Path) -> tuple[int, float, float, float, float]:
    """(inputs, hashing them, stat of them, hashing every file, stat of every file), seconds."""
    from propctl.checks.engine.fileindex import FileIndex
    from propctl.checks.engine.usercache import RepoCache
    from propctl.checks.gate import replay

    inputs = list(RepoCache.of(root).read(replay.NAME)["inputs"])
    every = FileIndex(root).files

    def hashed(names: list[str]) -> float:
        files = FileIndex(root)
        start = time.perf_counter()
        for name in names:
            files.hash(name)
        return time.perf_counter() - start

    def stat(names: list[str]) -> float:
        start = time.perf_counter()
        for name in names:
            try:
                os.stat(root / name)
            except OSError:
                pass
        return time.perf_counter() - start

    return (
        len(inputs),
        min(hashed(inputs) for _ in range(3)),
        min(stat(inputs) for _ in range(3)),
        min(hashed(every) for _ in range(3)),
        min(stat(every) for _ in range(3)),
    )


def startup() -> float:
    start = time.perf_counter()
    subprocess.run([*PROPCTL, "--version"], capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000, 20000])
    parser.add_argument("--keep", type=Path, help="Build the repos here and keep them.")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="propctl-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    cache = base / "cache"
    os.environ["PROPCTL_CACHE_DIR"] = str(cache)  # this process and every run it starts
    roadmap = write_static_roadmap(base / "roadmap-static.yaml")
    print(f"python startup + CLI import: {startup():.3f}s (included in every subprocess time)")
    print(
        f"{'files':>7} {'raw read':>9} {'cold cli':>9} {'cold/1k':>8} {'cold/raw':>9} "
        f"{'engine':>8} {'warm cli':>9} {'warm engine':>12} {'cached':>7}"
    )
    rows = []
    try:
        for size in args.sizes:
            repo = base / f"repo-{size}"
            if repo.exists():
                shutil.rmtree(repo)
            files = build_repo(repo, size)
            raw = min(raw_read(repo) for _ in range(3))
            shutil.rmtree(cache, ignore_errors=True)
            initialise(repo, roadmap)  # verify writes nothing (no cache) into other repos
            cold_engine, _ = run_in_process(repo, roadmap)
            shutil.rmtree(repo / ".propctl")
            shutil.rmtree(cache)
            initialise(repo, roadmap)
            cold = run_cli(repo, roadmap)
            warm = min(run_cli(repo, roadmap) for _ in range(3))
            warm_engine, cached = min(run_in_process(repo, roadmap) for _ in range(3))
            rows.append((files, raw, cold, cold_engine, warm, warm_engine))
            print(
                f"{files:>7} {raw:>8.3f}s {cold:>8.3f}s {cold / files * 1000:>7.3f}s "
                f"{cold / raw:>8.1f}x {cold_engine:>7.3f}s {warm:>8.3f}s {warm_engine:>11.3f}s "
                f"{cached:>7}"
            )
            workers, threads = deadline_cost(repo, roadmap, cache)
            print(
                f"{'':>7} deadline: the engine cold with static checks in worker processes "
                f"{workers:.3f}s vs on threads (no deadline) {threads:.3f}s"
            )
            n, hash_in, stat_in, hash_all, stat_all = hash_vs_stat(repo)
            print(
                f"{'':>7} hash vs stat: {n} replay inputs {hash_in * 1000:.1f} ms vs "
                f"{stat_in * 1000:.1f} ms; all {files} files {hash_all:.3f}s vs {stat_all:.3f}s"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    if rows:
        files, raw, cold, cold_engine, warm, _ = rows[-1]
        print(
            f"at {files} files: cold {cold:.3f}s (target < 1.5), {cold / raw:.1f}x the raw read "
            f"(engine {cold_engine / raw:.1f}x; target <= 3), warm {warm:.3f}s (target < 0.3)"
        )
    if len(rows) >= 2:
        (f0, _, c0, e0, *_), (f1, _, c1, e1, *_) = rows[0], rows[-1]
        print(
            f"growth {f0} -> {f1} files (x{f1 / f0:.1f}): cold cli x{c1 / c0:.2f}, "
            f"engine x{e1 / e0:.2f}"
        )
    print(
        json.dumps(
            {
                "rows": [
                    dict(
                        zip(
                            (
                                "files",
                                "raw_s",
                                "cold_cli_s",
                                "cold_engine_s",
                                "warm_cli_s",
                                "warm_engine_s",
                            ),
                            r,
                            strict=True,
                        )
                    )
                    for r in rows
                ]
            }
        )
    )


if __name__ == "__main__":
    main()
