"""Check parameters are validated by their kind's model, located, with a did-you-mean, and
reported together with the roadmap's own problems: by `checklist validate` and by `verify`
(cases in data/check_param_cases.yaml)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from propctl.cli.main import main
from propctl.resources import bundled_roadmap

CASES = yaml.safe_load((Path(__file__).parent / "data" / "check_param_cases.yaml").read_text())
BUNDLED = bundled_roadmap().read_text("utf-8")


def bad_roadmap(tmp_path: Path, case: dict[str, Any]) -> Path:
    text = BUNDLED
    for old, new in case["replace"].items():
        assert old in text, f"{case['name']}: {old!r} is not in the bundled roadmap"
        text = text.replace(old, new, 1)
    path = tmp_path / "roadmap.yaml"
    path.write_text(text, "utf-8")
    return path


def assert_reported(err: str, case: dict[str, Any], path: Path) -> None:
    lines = err.splitlines()
    for text in case["expect"]:
        located = [
            line
            for line in lines
            if text in line and re.search(re.escape(str(path)) + r":\d+:\d+: tiers\.", line)
        ]
        assert located, f"{case['name']}: {text!r} not on a located line:\n{err}"
    assert "Traceback" not in err


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_checklist_validate_reports_every_problem(
    case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert case.get("why")
    path = bad_roadmap(tmp_path, case)
    code = main(["checklist", "validate", "--roadmap", str(path)])
    assert code == 2
    assert_reported(" ".join(capsys.readouterr().err.split(" \n")), case, path)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_verify_reports_the_same_before_running_anything(
    case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bad_roadmap(tmp_path, case)
    repo = tmp_path / "repo"
    repo.mkdir()
    code = main(["--roadmap", str(path), "verify", "--repo", str(repo), "--no-history"])
    assert code == 2
    assert_reported(capsys.readouterr().err, case, path)
    assert not (repo / ".propctl").exists()
