"""What the secrets kind's shared scan saves: three secrets checks over one repository (the
whole repo, its apps, its API, as the bundled 2.a1 and two narrower roadmap checks would), once
with the scan shared (each file scanned once per content, the way verify runs them) and once
with the memo emptied before each check (every check scanning for itself: the baseline).

    python benchmarks/secrets_scan.py                  # 500 and 2000 files
    python benchmarks/secrets_scan.py --sizes 5000

Prints seconds per configuration and per file scanned; no target is asserted here."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "checks"))

from checkkit import run  # noqa: E402

from propctl.checks.kinds.secrets import kind as secrets_kind  # noqa: E402

CHECKS = [
    {"kind": "secrets", "paths": ["./"]},
    {"kind": "secrets", "paths": ["apps/"]},
    {"kind": "secrets", "paths": ["{api}/"]},
]


def build(root: Path, files: int) -> None:
    for i in range(files):
        folder = root / "apps" / ("api" if i % 4 == 0 else f"svc-{i // 40:03d}")
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n".join(
            f"def handler_{n}(item_id: int) -> dict:\n    return {{'n': {n}}}" for n in range(12)
        )
        revision = f'revision = "{i:012x}"\ndown_revision = None\n' if i % 10 == 0 else ""
        (folder / f"module_{i}.py").write_text(f"{revision}{body}\n")


def timed(repo: Path, *, shared: bool) -> float:
    secrets_kind._MEMO.clear()
    start = time.perf_counter()
    for check in CHECKS:
        if not shared:
            secrets_kind._MEMO.clear()
        run(check, repo)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    args = parser.parse_args()
    print(f"{'files':>6} {'each scans':>11} {'shared':>9} {'saved':>6} {'per file':>9}")
    for size in args.sizes:
        root = Path(tempfile.mkdtemp(prefix="propctl-secrets-"))
        try:
            build(root, size)
            alone = min(timed(root, shared=False) for _ in range(2))
            shared = min(timed(root, shared=True) for _ in range(2))
            print(
                f"{size:>6} {alone:>10.2f}s {shared:>8.2f}s {1 - shared / alone:>5.0%} "
                f"{shared / size * 1000:>7.2f}ms"
            )
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
