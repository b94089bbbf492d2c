"""`propctl verify --changed-by generator|engineer --label TEXT` records who made the change a
run verifies, and every run records the message of each `error`, in .propctl/history.jsonl; the
report reads both (tests/reporting/test_report_errors_attribution.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propctl.cli.main import main


def _history(repo: Path) -> list[dict[str, object]]:
    lines = (repo / ".propctl/history.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_a_run_records_its_change_and_its_errors(
    example_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no node tools: 4.a3 (prettier) is an error
    (example_repo / ".prettierrc").write_text("{}\n")  # so that 4.a3 gets to run prettier
    assert main(["init", "--repo", str(example_repo)]) == 0
    args = ["verify", "--repo", str(example_repo), "--task", "4", "--format", "json"]
    main([*args, "--changed-by", "generator", "--label", "scaffold lint"])
    capsys.readouterr()
    (line,) = _history(example_repo)
    assert line["change"] == {"by": "generator", "label": "scaffold lint"}
    errors = line["errors"]
    assert isinstance(errors, dict) and "4.a3" in errors
    assert "node_modules/.bin/prettier is not installed" in errors["4.a3"]
    assert set(errors) == {k for k, v in line["statuses"].items() if v == "error"}  # type: ignore[union-attr]
    assert main(["report", "--repo", str(example_repo), "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert "### Errors first" in text and "install prettier (npm): `npm --prefix" in text


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--changed-by", "robot"], "--changed-by"),
        (["--label", "x" * 200], "--label"),
        (["--label", "two\nlines"], "--label"),
        (["--label", "  "], "--label"),
    ],
)
def test_a_bad_change_is_exit_2_and_writes_nothing(
    example_repo: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["init", "--repo", str(example_repo)]) == 0
    code = main(["verify", "--repo", str(example_repo), "--criterion", "2.a2", *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (example_repo / ".propctl/history.jsonl").exists()
