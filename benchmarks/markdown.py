"""How long `checklist import` and `checklist render` take on the bundled roadmap (15 tasks, 199
subtasks, 73 criteria): render -> Markdown, and that Markdown -> roadmap data, in-process.

    python benchmarks/markdown.py                       # this checkout
    python benchmarks/markdown.py --baseline ../main    # and another checkout, in the same run

The importer parses with markdown-it-py and the renderer checks that every line reads back, so
both cost more than line regexes did; the baseline shows by how much. Best of REPEAT runs (the
machine is shared), the median beside it."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPEAT = 7
ROOT = Path(__file__).resolve().parents[1]

MEASURE = """
import json, statistics, time
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.markdown import import_markdown, render_markdown
roadmap = load_roadmap(bundled_roadmap())
text = render_markdown(roadmap)
import_markdown(text, "warm.md")
out = {}
for name, run in (("render", lambda: render_markdown(roadmap)),
                  ("import", lambda: import_markdown(text, "bench.md"))):
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter(); run(); times.append(time.perf_counter() - start)
    out[name] = [min(times), statistics.median(times)]
out["lines"] = text.count("\\n")
import propctl
out["from"] = propctl.__file__
print(json.dumps(out))
"""


def measure(checkout: Path) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", f"REPEAT = {REPEAT}\n" + MEASURE],
        capture_output=True,
        text=True,
        env=env,
        cwd=checkout,  # `python -c` puts the working folder first on sys.path
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    runs = [("this checkout", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    print(f"load average {os.getloadavg()[0]:.2f}; best / median of {REPEAT} runs")
    for label, checkout in runs:
        found = measure(checkout.resolve())
        lines = int(found.pop("lines"))  # type: ignore[arg-type]
        print(f"{label}: {found.pop('from')}")
        for name, (best, median) in found.items():
            print(
                f"{label:14} {name:7} {best * 1000:8.1f} ms best {median * 1000:8.1f} ms median"
                f"  ({lines} lines)"
            )


if __name__ == "__main__":
    main()
