"""The external judges over what `scaffold workflow` generates for all nine services and the
verify workflow: the GitHub workflow JSON Schema (check-jsonschema) and zizmor, offline, with no
finding at any severity or confidence (the `auditor` persona reports everything). A control
shows each judge does reject a bad workflow, so the clean results mean something."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.workflow import workflow_generation
from propctl.generators.workflow_verify import verify_generation
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    assert path, f"{name} is not installed (pyproject [dev] extra)"
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    roadmap = load_roadmap(bundled_roadmap())
    for generation in (
        workflow_generation(roadmap, [s.name for s in roadmap.services]),
        verify_generation(),
    ):
        apply(repo, plan(repo, generation))
    return repo


def _workflows(repo: Path) -> list[Path]:
    found = sorted((repo / ".github/workflows").glob("*.yml"))
    assert len(found) == 10  # nine services + propctl-verify
    return found


def _schema(files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _zizmor(folder: Path) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    done = subprocess.run(
        [
            _tool("zizmor"),
            "--offline",
            "--persona",
            "auditor",
            "--format",
            "json",
            "--no-progress",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        pytest.fail(f"zizmor printed no JSON (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return done, findings


def test_workflows_are_schema_valid(generated: Path) -> None:
    done = _schema(_workflows(generated))
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing(generated: Path) -> None:
    files = _workflows(generated)
    done, findings = _zizmor(generated / ".github/workflows")
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert done.returncode == 0, done.stderr[-2000:]
    audited = [line for line in done.stderr.splitlines() if "completed" in line]
    assert len(audited) == len(files), done.stderr[-2000:]  # nothing skipped as unparsable


def test_the_judges_reject_a_bad_workflow(generated: Path, tmp_path: Path) -> None:
    source = (generated / ".github/workflows/auth.yml").read_text()
    folder = tmp_path / ".github/workflows"
    folder.mkdir(parents=True)
    injected = source.replace(
        'run: ruff check --output-format=github "$SERVICE_DIR"',
        'run: echo "${{ github.event.pull_request.title }}"',
    )
    unpinned = source.replace(source.split("uses: ")[1].split("\n")[0], "actions/checkout@v4")
    assert injected != source and unpinned != source
    (folder / "injected.yml").write_text(injected)
    (folder / "unpinned.yml").write_text(unpinned)
    _, findings = _zizmor(folder)
    idents = {f["ident"] for f in findings}
    assert {"template-injection", "unpinned-uses"} <= idents, idents
    invalid = folder / "invalid.yml"
    invalid.write_text(source.replace("runs-on: ubuntu-24.04", "runs-onn: ubuntu-24.04", 1))
    assert _schema([invalid]).returncode != 0


def test_shell_scripts_parse(generated: Path) -> None:
    for script in sorted((generated / ".github/propctl").glob("*.sh")):
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, (script, done.stderr)
