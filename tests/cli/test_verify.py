"""`propctl verify` on the example repo: the score it starts from, a fix that moves it by the
model's amount, and the machine formats (JUnit parses, SARIF validates against 2.1.0)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from propctl.cli.main import main
from propctl.reporting.verify_formats import render_junit, render_markdown, render_sarif
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.score import compute_score

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json"
OPEN_CORS = 'allow_origins=["*"]'
CLOSED_CORS = 'allow_origins=["http://localhost:3005", "http://localhost:3006"]'


def verify(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["verify", "--repo", str(repo), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def example_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One full verify of a pristine copy of the example (the slow part, done once)."""
    repo = tmp_path_factory.mktemp("example") / "propmubi"
    shutil.copytree(
        ROOT / "examples" / "propmubi",
        repo,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache"),
    )
    out = tmp_path_factory.mktemp("out") / "verify.json"
    assert main(["verify", "--repo", str(repo), "--format", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    doc["_repo"] = str(repo)
    return doc


def test_the_example_scores_5_1_and_explains_every_failure(example_doc: dict[str, Any]) -> None:
    assert example_doc["summary"]["error"] == 0, [
        (r["id"], r["message"]) for r in example_doc["results"] if r["status"] == "error"
    ]
    assert example_doc["summary"]["pass"] == 0, [
        r["id"] for r in example_doc["results"] if r["status"] == "pass"
    ]
    assert example_doc["score"]["overall"] == 5.1
    for result in example_doc["results"]:
        if result["status"] == "fail":
            assert result["message"].strip(), result["id"]


@pytest.mark.parametrize(
    ("criterion", "reason"),
    [
        ("2.a1", "possible secret"),  # literal credentials in code and compose
        ("2.a2", "access-control-allow-origin"),  # CORS * answers a foreign origin
        ("2.a3", "expected status [401, 403]"),  # routes answer without a token
        ("2.a5", "expected status 429"),  # no rate limit
        ("3.a1", "correlation_id"),  # FastAPI's plain {"detail": ...}
        ("5.a1", "no log line"),  # no logging middleware
        ("7.a1", "not under /api/v1"),  # unversioned routers
        ("9.a1", "404"),  # no health router
        ("10.a1", "need 120"),  # a handful of tests
        ("10.a2", "no coverage report"),
        ("4.a1", "black --check"),  # really unformatted (Task 4's check)
    ],
)
def test_each_criterion_fails_for_the_documents_reason(
    example_doc: dict[str, Any], criterion: str, reason: str
) -> None:
    result = next(r for r in example_doc["results"] if r["id"] == criterion)
    assert result["status"] == "fail"
    assert reason in result["message"] + json.dumps(result["evidence"])


def test_a_history_line_with_the_agreed_keys(example_doc: dict[str, Any]) -> None:
    lines = (Path(example_doc["_repo"]) / ".propctl/history.jsonl").read_text().splitlines()
    record = json.loads(lines[-1])
    assert set(record) == {
        "schema_version",
        "time",
        "commit",
        "roadmap",
        "statuses",
        "score",
        "summary",
    }
    assert record["time"].endswith("Z") and record["score"]["overall"] == 5.1
    assert record["statuses"]["2.a2"] == "fail" and record["statuses"]["2.6"] == "fail"
    attributes = (Path(example_doc["_repo"]) / ".gitattributes").read_text()
    assert ".propctl/history.jsonl merge=union" in attributes


def test_json_document_shape(example_doc: dict[str, Any]) -> None:
    assert example_doc["schema_version"] == 1
    assert set(example_doc["summary"]) == {"pass", "fail", "error", "skip", "manual", "waived"}
    assert set(example_doc["score"]["dimensions"]) == set(
        load_roadmap(bundled_roadmap()).dimension_ids()
    )
    result = example_doc["results"][0]
    assert {"id", "task", "status", "message", "evidence", "duration_s"} <= set(result)


def test_junit_parses_with_one_testcase_per_result(example_doc: dict[str, Any]) -> None:
    root = ET.fromstring(render_junit(example_doc))
    cases = root.findall(".//testcase")
    assert len(cases) == len(example_doc["results"])
    assert int(root.get("failures", -1)) == example_doc["summary"]["fail"]
    assert len(root.findall(".//failure")) == example_doc["summary"]["fail"]


def test_junit_stays_well_formed_with_control_characters_in_output() -> None:
    # a command check's output tail can carry colour codes (FORCE_COLOR in CI) or NULs
    doc = {
        "roadmap": "r",
        "tasks": {"1": "t"},
        "results": [
            {
                "id": "1.a1",
                "task": 1,
                "type": "criterion",
                "text": "x\x07",
                "kind": "command",
                "status": status,
                "message": "exit 1 \x1b[31mred\x1b[0m",
                "evidence": [{"detail": "out \x1b[1m\x00 end"}],
                "duration_s": 0.1,
            }
            for status in ("fail", "error", "skip", "pass")
        ],
    }
    root = ET.fromstring(render_junit(doc).encode("utf-8"))
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "exit 1 [31mred[0m"
    assert failure.text == "out [1m end"


def test_sarif_validates_against_the_2_1_0_schema(example_doc: dict[str, Any]) -> None:
    sarif = render_sarif(example_doc)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    located = [r for r in sarif["runs"][0]["results"] if r.get("locations")]
    assert located, "file/line locations where a check has one"
    region = located[0]["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"]


def test_markdown_summary(example_doc: dict[str, Any]) -> None:
    text = render_markdown(example_doc)
    # the run exits 0 (nothing is in the baseline), and the headline says why in the same breath
    assert text.startswith("## gate passed: nothing that must hold failed · 0 of 73 criteria met")
    assert "score 5.1/10" in text
    failing = {**example_doc, "exit_code": 1, "problems": ["2.a2 must hold (--strict) but is fail"]}
    assert render_markdown(failing).startswith("## gate failed: 1 problem · 0 of 73 criteria met")
    assert "| ❌ | 2.a2 | asgi |" in text


def test_fixing_cors_flips_2a2_and_moves_the_score_by_the_models_amount(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main_py = example_repo / "apps/api/main.py"
    main_py.write_text(main_py.read_text().replace(OPEN_CORS, CLOSED_CORS))
    code, out, _ = verify(capsys, example_repo, "--task", "2", "--format", "json", "--no-history")
    doc = json.loads(out)
    statuses = {r["id"]: r["status"] for r in doc["results"]}
    assert code == 0 and statuses["2.a2"] == "pass" and statuses["2.6"] == "pass"
    expected = compute_score(load_roadmap(bundled_roadmap()), {"2.a2"})
    assert doc["score"]["overall"] == round(expected.overall, 2) > 5.1
    assert doc["score"]["dimensions"]["security"] == round(4.0 + 2.5 / 6, 2)


@pytest.mark.parametrize("fmt", ["junit", "sarif", "markdown", "table"])
def test_every_format_writes_to_a_file(
    example_repo: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / f"out.{fmt}"
    code, _, err = verify(
        capsys, example_repo, "--task", "7", "--format", fmt, "-o", str(target), "--no-history"
    )
    assert code == 0 and target.stat().st_size > 0 and "Traceback" not in err
    assert not (example_repo / ".propctl" / "history.jsonl").exists()
