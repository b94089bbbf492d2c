"""propctl's one clock (`propctl.clock`): `PROPCTL_TODAY=YYYY-MM-DD` fixes every date propctl
uses, a bad value is exit 2 naming the variable and the format, and unset it is the calendar."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from propctl import clock
from propctl.checks.gate import rules
from propctl.cli.main import main
from propctl.errors import UserError
from propctl.provision import plan
from propctl.reporting.report_model import build_report
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.mdsyntax import monday_after

FIXED = date(2026, 2, 23)


def test_unset_it_is_the_real_date() -> None:
    assert clock.fixed_today() is None
    assert clock.today() == datetime.now(UTC).date()
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_the_variable_fixes_the_date_and_keeps_the_time_of_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(clock.ENV, FIXED.isoformat())
    assert clock.today() == FIXED
    now = clock.now()
    assert now.date() == FIXED and now.tzinfo is not None
    real = datetime.now(UTC)
    same_day = now.replace(year=real.year, month=real.month, day=real.day)
    assert abs((same_day - real).total_seconds()) < 5
    assert clock.stamp().startswith("2026-02-23T") and clock.stamp().endswith("Z")


@pytest.mark.parametrize("bad", ["2026-13-01", "23/02/2026", "2026-2-3", "today", "2026-02-23T10"])
def test_a_bad_value_names_the_variable_and_the_format(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv(clock.ENV, bad)
    with pytest.raises(UserError) as caught:
        clock.today()
    assert "PROPCTL_TODAY" in str(caught.value) and "YYYY-MM-DD" in str(caught.value)
    assert caught.value.exit_code == 2


def test_the_cli_refuses_a_bad_value_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "propctl", "status", "--repo", str(tmp_path)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PROPCTL_TODAY": "next tuesday", "HOME": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "PROPCTL_TODAY" in done.stderr and "YYYY-MM-DD" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_date_user_goes_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """History times, the infra plan's support date, the Markdown import's start."""
    monkeypatch.setenv(clock.ENV, FIXED.isoformat())
    line = rules.history_line({"1.a1": "pass"}, {}, {"overall": 5.1}, "r", None)
    assert line["time"].startswith("2026-02-23T")
    assert plan.today() == FIXED
    assert monday_after(None) == date(2026, 3, 2)


def test_the_report_plan_line_is_the_fixed_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan line is read at the latest run's date, which verify stamps with the clock: two
    fixed dates give two different plan values, the same date gives the same one."""
    roadmap = load_roadmap(bundled_roadmap())

    def plan_now(day: str) -> tuple[float, str]:
        monkeypatch.setenv(clock.ENV, day)
        record = rules.history_line({}, {}, {"overall": 5.1}, roadmap.name, None)
        built = build_report(roadmap, [record])
        return built.headline.plan_now, built.generated_at.date().isoformat()

    assert plan_now("2026-02-23") == plan_now("2026-02-23")
    assert plan_now("2026-02-23")[1] == "2026-02-23"
    assert plan_now("2026-01-12")[0] == 5.1  # week 0 of the plan: the baseline
    assert plan_now("2026-02-23")[0] > 5.86  # past tier 1's end (2026-02-08)


def test_attest_records_the_fixed_date(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(clock.ENV, FIXED.isoformat())
    args = ["attest", "2.a4", "--by", "Asha", "--evidence", "https://t.example/1"]
    assert main([*args, "--repo", str(example_repo)]) == 0
    assert "2026-02-23" in (example_repo / ".propctl/attestations.yaml").read_text()
    assert main(["report", "--repo", str(example_repo), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["generated_at"].startswith("2026-02-23T")
