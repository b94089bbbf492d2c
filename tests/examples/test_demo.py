"""The demo end to end (issue 17's "Done means"): examples/demo.sh on a fixed day, then from its
final verify run: 0 errors; every offline criterion passes but those `checklist validate`
reports as contradicting others; the final score is the one in examples/demo-expected.md
(the per-task table worked by hand from the score model, `examples/demo_summary.py table`);
and the example's own tests passed after every step (the script's log says so per step)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "examples" / "demo-expected.md"
TODAY = "2026-12-02"


def _final_figure() -> float:
    found = re.findall(r"^Final overall: (\d+\.\d\d)$", EXPECTED.read_text("utf-8"), re.M)
    assert len(found) == 1, f"{EXPECTED}: one `Final overall: N.NN` line expected"
    return float(found[0])


@pytest.mark.slow  # examples/demo.sh end to end: minutes
@pytest.mark.timeout(1800)
def test_the_demo_walks_the_roadmap_and_ends_as_expected(tmp_path: Path) -> None:
    missing = [
        t for t in ("07", "10") if not list((ROOT / "examples" / "engineer").glob(f"{t}-*.patch"))
    ]
    if missing:  # issue 17 stays open until they land: the end state cannot be reached without them
        pytest.skip(f"engineer patches for Tasks {', '.join(missing)} are not written yet")
    out = tmp_path / "demo"
    env = {
        **os.environ,
        "PROPCTL_TODAY": TODAY,
        "PROPCTL_DEMO_OUT": str(out),
        "PROPCTL_DEMO_PYTHON": sys.executable,
        "NO_COLOR": "1",
    }
    env.pop("PROPCTL_DEMO_NO_ENGINEER", None)
    env["PROPCTL_DEMO_STRICT"] = "1"
    done = subprocess.run(
        ["bash", str(ROOT / "examples" / "demo.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=1790,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-6000:]

    runs = [line.split("\t") for line in (out / "runs.tsv").read_text().splitlines()]
    assert [r[1] for r in runs].count("engineer") >= 4, runs  # Tasks 1, 3, 7, 10 at least
    tasks_seen = [int(m) for m in re.findall(r"^==> Tier \d · Task (\d+):", log, re.M)]
    assert tasks_seen == list(range(1, 16)), tasks_seen  # the roadmap's order, all 15
    # the example's tests after every step: one "passed" line per committed step, no failure
    passed = re.findall(r"^tests: (.+): apps/api/tests passed", log, re.M)
    assert "FAILED" not in log
    assert len(passed) == len(runs), (passed, runs)

    final = json.loads((out / "runs" / f"{runs[-1][0]}.json").read_text())
    assert final["summary"]["error"] == 0, [
        (r["id"], r["message"]) for r in final["results"] if r["status"] == "error"
    ]
    validate = json.loads((out / "validate.json").read_text())
    contradictory = {c["id"] for c in validate["contradictions"]}
    assert "11.a5" in contradictory  # the monolith: the demo keeps apps/api/main.py
    offline = [r for r in final["results"] if r["type"] == "criterion" and r["offline"]]
    failing = {r["id"] for r in offline if r["status"] != "pass"}
    assert failing == contradictory & {r["id"] for r in offline}, sorted(failing)
    assert final["score"]["overall"] == pytest.approx(_final_figure(), abs=0.005)
    assert "cannot hold together with" in log and "$ propctl attest " in log
