"""`propctl checklist import --lenient`: the command line around the importer."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from propctl.cli.main import app
from propctl.roadmap.loader import load_roadmap

PLAN = """# Plan
## TIER 1: NOW (Weeks 1-2)
### Task 1 - One
**Priority:** P0 | **Effort:** 4h | **Score Impact:** +1
#### Notes
- remember this
#### Acceptance Criteria
- [ ] done
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout + " ".join(result.stderr.split())


def test_what_has_no_place_fails_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "plan.md").write_text(PLAN, "utf-8")
    target = tmp_path / "roadmap.yaml"
    code, out = run("checklist", "import", str(tmp_path / "plan.md"), "-o", str(target))
    assert code == 2 and "plan.md:5: #### 'Notes'" in out and "--lenient" in out
    assert not target.exists() and "Traceback" not in out


def test_lenient_imports_the_rest_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "plan.md").write_text(PLAN, "utf-8")
    target = tmp_path / "roadmap.yaml"
    code, out = run(
        "checklist", "import", str(tmp_path / "plan.md"), "--lenient", "-o", str(target)
    )
    assert code == 0 and "warning:" in out and "plan.md:5: #### 'Notes'" in out
    roadmap = load_roadmap(target)
    assert [(t.id, t.title) for t in roadmap.tasks()] == [(1, "One")]
    assert [c.text for _, c in roadmap.criteria()] == ["done"]


def test_a_bad_check_parameter_in_a_comment_names_its_line(tmp_path: Path) -> None:
    bad = PLAN.replace(
        "- [ ] done",
        '- [ ] done <!-- propctl: {"check": {"kind": "path_exists", "paths": "x"}} -->',
    ).replace("#### Notes\n- remember this\n", "")
    (tmp_path / "plan.md").write_text(bad, "utf-8")
    code, out = run("checklist", "import", str(tmp_path / "plan.md"), "--dry-run")
    assert code == 2, out
    assert "plan.md:6:1: tiers.0.tasks.0.acceptance.0.check.paths: unknown parameter 'paths'" in out
