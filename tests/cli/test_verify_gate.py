"""Exit codes of `propctl verify`: what must hold (baseline, attested, --strict), the ratchet,
--min-score, waivers (an expired one fails the run), --base REF, untrusted command checks."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.resources import bundled_roadmap

OPEN_CORS = 'allow_origins=["*"]'
CLOSED_CORS = 'allow_origins=["http://localhost:3005", "http://localhost:3006"]'


def verify(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["verify", "--repo", str(repo), "--task", "2", *args])
    out, err = capsys.readouterr()
    return code, out, err


def set_cors(repo: Path, closed: bool) -> None:
    main_py = repo / "apps/api/main.py"
    text = main_py.read_text()
    main_py.write_text(
        text.replace(OPEN_CORS, CLOSED_CORS) if closed else text.replace(CLOSED_CORS, OPEN_CORS)
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_nothing_must_hold_at_the_start(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify(capsys, example_repo, "--format", "json")[0] == 0


def test_strict_fails_on_any_failing_criterion(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = verify(capsys, example_repo, "--strict", "--format", "json", "--no-history")
    assert code == 1 and "2.a2 must hold (--strict)" in err


def test_a_baseline_criterion_that_regresses_fails(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_cors(example_repo, closed=True)
    assert verify(capsys, example_repo, "--update-baseline", "--format", "json")[0] == 0
    baseline = json.loads((example_repo / ".propctl/baseline.json").read_text())
    assert "2.a2" in baseline["passing"]
    set_cors(example_repo, closed=False)
    code, _, err = verify(capsys, example_repo, "--format", "json", "--no-history")
    assert code == 1 and "2.a2 must hold (it is in the baseline)" in err


def test_update_baseline_on_a_selection_keeps_the_rest(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(example_repo / ".propctl/baseline.json", json.dumps({"passing": ["4.2", "2.a1", "2.a2"]}))
    set_cors(example_repo, closed=True)  # 2.a2 passes, 2.a1 (secrets) does not
    assert verify(capsys, example_repo, "--update-baseline", "--format", "json")[0] == 0
    passing = json.loads((example_repo / ".propctl/baseline.json").read_text())["passing"]
    assert "4.2" in passing  # outside --task 2: not run, so not dropped
    assert "2.a2" in passing and "2.a1" not in passing


def test_the_ratchet_catches_a_regression(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_cors(example_repo, closed=True)
    assert verify(capsys, example_repo, "--format", "json")[0] == 0  # recorded in history
    set_cors(example_repo, closed=False)
    assert verify(capsys, example_repo, "--format", "json", "--no-history")[0] == 0
    code, _, err = verify(capsys, example_repo, "--ratchet", "--format", "json", "--no-history")
    assert code == 1
    assert "regression: 2.a2 passed in the previous run and is now fail" in err
    assert "regression: the score fell" in err


@pytest.mark.parametrize(("minimum", "code"), [(5.0, 0), (6.5, 1)])
def test_min_score(
    example_repo: Path, capsys: pytest.CaptureFixture[str], minimum: float, code: int
) -> None:
    got, _, err = verify(
        capsys, example_repo, "--min-score", str(minimum), "--format", "json", "--no-history"
    )
    assert got == code
    assert ("under --min-score" in err) is bool(code)


def test_a_valid_waiver_waives_and_does_not_count(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    until = date.today() + timedelta(days=30)
    write(
        example_repo / ".propctl/waivers.yaml",
        f"- {{criterion: 2.a2, owner: platform, reason: partner demo, expires: {until}}}\n",
    )
    code, out, _ = verify(
        capsys, example_repo, "--format", "json", "--strict", "--no-history", "--criterion", "2.a2"
    )
    doc = json.loads(out)
    assert code == 0 and doc["results"][0]["status"] == "waived"
    assert doc["score"]["overall"] == 5.1 and "partner demo" in doc["results"][0]["message"]


def test_an_expired_waiver_fails_the_run(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        example_repo / ".propctl/waivers.yaml",
        "- {criterion: 2.a2, owner: platform, reason: demo, expires: 2020-01-31}\n",
    )
    code, out, err = verify(capsys, example_repo, "--format", "json", "--no-history")
    flat = " ".join(err.split())  # the console wraps long lines
    assert code == 1 and "expired on 2020-01-31: fix the criterion or renew the waiver" in flat
    assert next(r for r in json.loads(out)["results"] if r["id"] == "2.a2")["status"] == "fail"
    set_cors(example_repo, closed=True)  # fixed since: the expired waiver is only clutter now
    code, _, err = verify(capsys, example_repo, "--format", "json", "--no-history")
    assert code == 1 and "expired on 2020-01-31: it passes now: remove the waiver" in " ".join(
        err.split()
    )


def test_an_expired_attestation_fails(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "attest",
                "2.a4",
                "--by",
                "Asha",
                "--evidence",
                "https://t.example/1",
                "--repo",
                str(example_repo),
            ]
        )
        == 0
    )
    code, out, _ = verify(capsys, example_repo, "--format", "json", "--no-history")
    result = next(r for r in json.loads(out)["results"] if r["id"] == "2.a4")
    assert code == 0 and result["status"] == "pass" and "attested by Asha" in result["message"]
    past = (date.today() - timedelta(days=1)).isoformat()
    path = example_repo / ".propctl/attestations.yaml"
    path.write_text(path.read_text() + f"  expires: '{past}'\n")
    code, out, err = verify(capsys, example_repo, "--format", "json", "--no-history")
    result = next(r for r in json.loads(out)["results"] if r["id"] == "2.a4")
    assert code == 1 and result["status"] == "fail" and "expired" in result["message"]
    assert "2.a4 must hold (it is attested)" in err


def test_an_attestation_whose_dates_carry_a_time_still_counts(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # YAML reads an unquoted `2030-01-01 10:00:00` as a datetime, not a date
    write(
        example_repo / ".propctl/attestations.yaml",
        "- {criterion: 2.a4, by: Asha, evidence: e, date: 2026-01-01 09:00:00, "
        "expires: 2030-01-01 10:00:00}\n",
    )
    code, out, _ = verify(capsys, example_repo, "--format", "json", "--no-history")
    result = next(r for r in json.loads(out)["results"] if r["id"] == "2.a4")
    assert code == 0 and result["status"] == "pass", result


@pytest.mark.parametrize("name", ["waivers.yaml", "attestations.yaml"])
def test_an_empty_waivers_or_attestations_file_has_no_entries(
    example_repo: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    write(example_repo / ".propctl" / name, "# nothing yet\n")
    code, _, err = verify(capsys, example_repo, "--criterion", "2.2", "--no-history")
    assert code == 0, err
    assert (
        main(["attest", "2.a4", "--by", "a", "--evidence", "b", "--repo", str(example_repo)]) == 0
    )


def test_attest_prints_a_name_with_brackets_as_written(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["attest", "2.a4", "--by", "[/x] Asha", "--evidence", "e", "--repo", str(example_repo)]
        )
        == 0
    )
    assert "attested by [/x] Asha" in " ".join(capsys.readouterr().err.split())


def test_attest_rejects_unknown_criteria_and_past_dates(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["attest", "2.a99", "--by", "a", "--evidence", "b", "--repo", str(example_repo)]) == 2
    )
    assert (
        main(
            [
                "attest",
                "2.a4",
                "--by",
                "a",
                "--evidence",
                "b",
                "--expires",
                "2020-01-01",
                "--repo",
                str(example_repo),
            ]
        )
        == 2
    )
    assert "no such criterion" in capsys.readouterr().err
    assert not (example_repo / ".propctl/attestations.yaml").exists()


def test_base_ref_reads_the_gate_from_git(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(example_repo), *args], check=True, capture_output=True)

    set_cors(example_repo, closed=True)
    assert verify(capsys, example_repo, "--update-baseline", "--format", "json")[0] == 0
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    # the pull request breaks CORS and empties its own baseline to get through the gate
    set_cors(example_repo, closed=False)
    (example_repo / ".propctl/baseline.json").write_text('{"passing": []}')
    assert verify(capsys, example_repo, "--format", "json", "--no-history")[0] == 0
    code, _, err = verify(
        capsys, example_repo, "--base", "HEAD", "--format", "json", "--no-history"
    )
    assert code == 1 and "2.a2 must hold (it is in the baseline)" in err
    assert verify(capsys, example_repo, "--base", "no-such-ref")[0] == 2


def test_an_untrusted_roadmap_with_a_command_check_exits_2(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        example_repo / "checklists/roadmap.yaml",
        bundled_roadmap().read_text() + "\n# edited by a pull request\n",
    )
    capsys.readouterr()
    code = main(["verify", "--repo", str(example_repo), "--task", "4", "--no-history"])
    err = capsys.readouterr().err
    assert code == 2 and "4.a1" in err and "--trust" in err and "Traceback" not in err
    assert (
        main(
            [
                "verify",
                "--repo",
                str(example_repo),
                "--task",
                "4",
                "--no-history",
                "--trust",
                "--format",
                "json",
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--criterion", "2.a99"],
        ["--tier", "9"],
        ["--format", "yaml"],
        ["--jobs", "0"],
        ["--python", "/no/such/python"],
    ],
)
def test_bad_input_exits_2(
    example_repo: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _, err = verify(capsys, example_repo, *args, "--no-history")
    assert code == 2 and "Traceback" not in err


def test_bad_check_parameters_are_located(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        bundled_roadmap()
        .read_text()
        .replace(
            "check: {kind: path_exists, path: .env.example}",
            "check: {kind: path_exists, paht: .env.example}",
            1,
        )
    )
    write(example_repo / "checklists/roadmap.yaml", text)
    code, _, err = verify(capsys, example_repo, "--no-history")
    assert code == 2 and "roadmap.yaml:" in err and "paht" in err


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("waivers.yaml", "- {criterion: 2.a99, owner: a, reason: b, expires: 2030-01-01}\n"),
        ("waivers.yaml", "- {criterion: 2.a2, owner: a}\n"),
        ("waivers.yaml", "- {criterion: 2.a2, owner: a, reason: b, expires: someday}\n"),
        ("waivers.yaml", "criterion: 2.a2\n"),
        ("waivers.yaml", "- {criterion: 2.a2, owner: a, reason: b, expires: 2030-02-30}\n"),
        # an attestation for a criterion the roadmap lacks is a mistake to fix, not nothing
        (
            "attestations.yaml",
            "- {criterion: 2.a99, by: qa, evidence: https://e, date: 2026-01-05}\n",
        ),
        ("attestations.yaml", "- {criterion: 2.a4, by: qa, date: 2026-01-05}\n"),
        ("attestations.yaml", "- {criterion: 2.a4, by: qa, evidence: e, date: 2026-02-30}\n"),
    ],
)
def test_bad_waivers_and_attestations_exit_2(
    example_repo: Path, capsys: pytest.CaptureFixture[str], name: str, body: str
) -> None:
    write(example_repo / ".propctl" / name, body)
    code, _, err = verify(capsys, example_repo, "--criterion", "2.2", "--no-history")
    flat = " ".join(err.split())  # the console wraps long lines
    assert code == 2 and name in flat and "Traceback" not in err
    assert "2.a99" in flat or "2.a99" not in body


def test_the_targets_python_without_the_apps_dependencies_is_an_error(
    example_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    code, out, _ = verify(
        capsys,
        example_repo,
        "--criterion",
        "2.a2",
        "--format",
        "json",
        "--no-history",
        "--python",
        str(venv / "bin" / "python"),
    )
    result = json.loads(out)["results"][0]
    assert code == 0 and result["status"] == "error"
    assert "cannot import main:app" in result["message"] and "fastapi" in result["message"]


def test_the_repos_own_venv_is_the_default_python(
    example_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(example_repo / ".venv")], check=True
    )
    code, out, _ = verify(
        capsys, example_repo, "--criterion", "2.a2", "--format", "json", "--no-history"
    )
    assert json.loads(out)["results"][0]["status"] == "error"  # that venv has no fastapi


@pytest.mark.parametrize("fmt", ["junit", "sarif", "json", "markdown"])
def test_secrets_in_command_output_never_reach_any_format(
    example_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    monkeypatch.setenv("PROPCTL_TEST_API_TOKEN", "tok-9f8e7d6c5b4a")
    leaky = (
        "check: {kind: command, run: [python, -c, \"import os; print('DB_PASSWORD=hunter22"
        " AWS AKIAABCDEFGHIJKLMNOP', os.environ['PROPCTL_TEST_API_TOKEN']);"
        ' raise SystemExit(1)"]}'
    )
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(
        bundled_roadmap()
        .read_text()
        .replace("check: {kind: path_exists, path: .env.example}", leaky, 1)
    )
    capsys.readouterr()
    code = main(
        [
            "--roadmap",
            str(roadmap),
            "--trust",
            "verify",
            "--repo",
            str(example_repo),
            "--criterion",
            "2.2",
            "--format",
            fmt,
            "--no-history",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "REDACTED" in out
    for secret in ("hunter22", "AKIAABCDEFGHIJKLMNOP", "tok-9f8e7d6c5b4a"):
        assert secret not in out


def test_a_filtered_run_carries_the_other_ids_forward(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`verify --task 2` after a full run: the history line still stands for the whole roadmap
    (the other ids carry their last status), so status, score and report do not drop to 0 for
    every other task, and the ratchet sees no false regression."""
    from propctl.state import RepoState

    set_cors(example_repo, closed=True)
    capsys.readouterr()
    assert main(["verify", "--repo", str(example_repo), "--task", "11", "--format", "json"]) == 0
    full = RepoState(example_repo).latest()
    assert full is not None
    code, out, _ = verify(capsys, example_repo, "--format", "json", "--ratchet")
    assert code == 0, out
    line = RepoState(example_repo).latest()
    assert line is not None
    assert set(full["statuses"]) < set(line["statuses"])  # task 11's ids kept
    assert {k: line["statuses"][k] for k in full["statuses"]} == full["statuses"]
    assert set(line["carried"]) == set(full["statuses"])
    assert line["statuses"]["2.a2"] == "pass"  # task 2's own result
    assert json.loads(out)["score"]["overall"] == line["score"]["overall"]


def test_min_score_outside_the_scale_is_a_usage_error(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--repo", str(example_repo), "--min-score", "11"]) == 2
    assert "--min-score" in capsys.readouterr().err
