"""`verify --format sarif` as GitHub code scanning ingests it, judged by the 2.1.0 schema, by
Microsoft's SARIF multitool (npm, offline) and by GitHub's own ingestion rules: a location on
every result, every URI relative and non-empty, help on every rule, fingerprints that hold
still across runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from propctl.cli.main import main
from tests.cachelock import installing

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json"
MULTITOOL_PACKAGE = ROOT / "tests" / "data" / "sarif-multitool" / "package.json"


ROADMAP = """\
version: 1
name: a roadmap of the repo's own
start: 2026-01-12
dimensions:
- {id: security, name: Security, baseline: 4.0, targets: {tier1: 5}}
overall_targets: {baseline: 4.0, tier1: 5}
tiers:
- id: tier1
  number: 1
  name: Immediate
  weeks: [1, 4]
  target_score: 5.0
  tasks:
  - id: 1
    title: Files
    priority: P0
    effort_hours: 1
    score_impact: 1.0
    impacts: {security: 1.0}
    acceptance:
    - id: 1.a1
      text: a file that names nothing in particular
      check: {kind: path_exists, path: "*.nothing"}
"""


def _copy_example(dest: Path) -> Path:
    shutil.copytree(
        ROOT / "examples" / "propmubi",
        dest,
        # .propctl/ stays: its target.yaml declares the example the roadmap's target
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache"),
    )
    return dest


def _sarif(repo: Path, out: Path, *args: str) -> dict[str, Any]:
    code = main(
        ["verify", "--repo", str(repo), "--no-history", "--format", "sarif", "-o", str(out)]
        + list(args)
    )
    assert code in (0, 1)
    return json.loads(out.read_text("utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def example_sarif(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The example's SARIF from one full verify (the slow part, done once)."""
    repo = _copy_example(tmp_path_factory.mktemp("example") / "propmubi")
    out = tmp_path_factory.mktemp("out") / "verify.sarif"
    code = main(
        ["verify", "--repo", str(repo), "--no-history", "--format", "sarif", "-o", str(out)]
    )
    assert code == 0
    return out, json.loads(out.read_text("utf-8"))


def ingestion_problems(sarif: dict[str, Any]) -> list[str]:
    """What GitHub code scanning refuses or cannot place: a result without a location
    ("locationFromSarifResult: expected at least one location"), a URI that is empty,
    absolute, or leaves the repository, a rule without help."""
    problems: list[str] = []
    for run in sarif["runs"]:
        rules = run["tool"]["driver"]["rules"]
        for name, base in (run.get("originalUriBaseIds") or {}).items():
            if "uri" in base:  # resolves results elsewhere than the checkout: refused
                problems.append(f"uri base {name}: {base['uri']!r} is not the checkout")
        for rule in rules:
            for field in ("shortDescription", "fullDescription"):
                if not rule.get(field, {}).get("text"):
                    problems.append(f"rule {rule['id']}: no {field}")
            help_ = rule.get("help") or {}
            if not help_.get("text") or not help_.get("markdown"):
                problems.append(f"rule {rule['id']}: no help text and markdown")
            if not urlsplit(rule.get("helpUri", "")).scheme:
                problems.append(f"rule {rule['id']}: no absolute helpUri")
        for n, result in enumerate(run["results"]):
            where = f"result {n} ({result.get('ruleId')})"
            index = result.get("ruleIndex", -1)
            if not 0 <= index < len(rules) or rules[index]["id"] != result["ruleId"]:
                problems.append(f"{where}: ruleIndex points at another rule")
            if not result.get("locations"):
                problems.append(f"{where}: no location")
            if not result.get("partialFingerprints"):
                problems.append(f"{where}: no partialFingerprints")
            for loc in result.get("locations", []) + result.get("relatedLocations", []):
                uri = loc["physicalLocation"]["artifactLocation"].get("uri", "")
                parts = uri.split("/")
                if not uri or urlsplit(uri).scheme or uri.startswith("/") or ".." in parts:
                    problems.append(f"{where}: URI {uri!r} is not relative inside the repo")
    return problems


def test_the_examples_sarif_validates_against_the_2_1_0_schema(
    example_sarif: tuple[Path, dict[str, Any]],
) -> None:
    _, sarif = example_sarif
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)


def test_the_examples_sarif_passes_githubs_ingestion_rules(
    example_sarif: tuple[Path, dict[str, Any]],
) -> None:
    _, sarif = example_sarif
    results = sarif["runs"][0]["results"]
    assert len(results) > 200  # every fail of the example, not a handful
    assert ingestion_problems(sarif) == []


def test_results_sit_at_the_evidence_the_named_file_or_the_criterions_line(
    example_sarif: tuple[Path, dict[str, Any]],
) -> None:
    _, sarif = example_sarif
    run = sarif["runs"][0]
    by_id = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in run["results"]}
    # 1.6's evidence names the router and its line
    assert by_id["1.6"]["artifactLocation"]["uri"] == "apps/api/routers/agent.py"
    assert by_id["1.6"]["region"]["startLine"] >= 1
    # 1.1 names a file that does not exist yet: the place to create it
    assert by_id["1.1"]["artifactLocation"] == {
        "uri": "apps/api/database.py",
        "uriBaseId": "%SRCROOT%",
    }
    # nothing named: the bundled roadmap (the example has none) at the criterion's line
    roadmap = [
        loc for loc in by_id.values() if loc["artifactLocation"]["uriBaseId"] == "PROPCTLROOT"
    ]
    assert roadmap and all(loc["region"]["startLine"] > 1 for loc in roadmap)
    # described, with no URI of its own: code scanning refuses URIs that resolve outside the
    # checkout's scheme
    base = run["originalUriBaseIds"]["PROPCTLROOT"]
    assert "uri" not in base and "bundled roadmap" in base["description"]["text"]


def test_a_roadmap_in_the_repo_is_the_fallback_location(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "checklists").mkdir(parents=True)
    (repo / "checklists" / "roadmap.yaml").write_text(ROADMAP)
    sarif = _sarif(repo, tmp_path / "out.sarif")
    (result,) = sarif["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "checklists/roadmap.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    lines = (repo / "checklists" / "roadmap.yaml").read_text().splitlines()
    assert "1.a1" in lines[physical["region"]["startLine"] - 1]
    assert ingestion_problems(sarif) == []


def test_fingerprints_hold_still_when_lines_and_messages_move(
    example_repo: Path, tmp_path: Path
) -> None:
    first = _sarif(example_repo, tmp_path / "a.sarif", "--task", "1")
    agent = example_repo / "apps/api/routers/agent.py"
    agent.write_text("# a comment that moves every line down\n\n" + agent.read_text())
    second = _sarif(example_repo, tmp_path / "b.sarif", "--task", "1")

    def prints(sarif: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
        return {
            r["ruleId"]: (
                r["partialFingerprints"]["propctlItem/v1"],
                r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
            )
            for r in sarif["runs"][0]["results"]
        }

    before, after = prints(first), prints(second)
    assert before.keys() == after.keys() and "1.6" in before
    assert before["1.6"][1] != after["1.6"][1]  # the line moved ...
    assert {k: v[0] for k, v in before.items()} == {
        k: v[0] for k, v in after.items()
    }  # ... not the prints
    assert len({v[0] for v in before.values()}) == len(before)  # one per result


def test_manual_criteria_carry_the_attest_line_as_help(
    example_sarif: tuple[Path, dict[str, Any]],
) -> None:
    _, sarif = example_sarif
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels["2.a4"] == "note"
    assert "propctl attest 2.a4 --by NAME --evidence URL" in rules["2.a4"]["help"]["text"]
    assert "propctl verify --criterion 2.a2" in rules["2.a2"]["help"]["markdown"]


# ---- Microsoft's judge -------------------------------------------------------------------
@pytest.fixture(scope="session")
def multitool() -> Path:
    """`@microsoft/sarif-multitool`, installed once into the user's cache from the pinned
    package.json beside the schema, and reused."""
    npm = shutil.which("npm") or pytest.fail(
        "npm is not installed (.ci/system-deps.sh installs it)"
    )
    package = json.loads(MULTITOOL_PACKAGE.read_text())
    version = package["dependencies"]["@microsoft/sarif-multitool"]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = cache / "propctl-tests" / f"sarif-multitool-{version}"
    binary = prefix / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    with installing(prefix):  # one xdist worker installs, another waits for it
        if not binary.is_file():
            prefix.mkdir(parents=True, exist_ok=True)
            shutil.copy(MULTITOOL_PACKAGE, prefix / "package.json")
            done = subprocess.run(
                [
                    npm,
                    "install",
                    "--prefix",
                    str(prefix),
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ],
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0 and binary.is_file(), done.stdout + done.stderr
        binary.chmod(0o755)  # its postinstall only does this, and npm may not run install scripts
    return binary


def multitool_errors(binary: Path, sarif: Path, tmp_path: Path) -> list[str]:
    log = tmp_path / "validation.sarif"
    done = subprocess.run(
        [str(binary), "validate", str(sarif), "--output", str(log)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"},
    )
    assert log.is_file(), done.stdout + done.stderr
    findings = json.loads(log.read_text("utf-8-sig"))["runs"][0]["results"]
    return [
        f"{f['ruleId']}: {f['message'].get('arguments')}"
        for f in findings
        if f.get("level") == "error"
    ]


@pytest.mark.slow
def test_the_sarif_multitool_finds_no_error_in_the_examples_sarif(
    multitool: Path, example_sarif: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, _ = example_sarif
    assert multitool_errors(multitool, path, tmp_path) == []


@pytest.mark.slow
def test_the_sarif_multitool_can_fail(
    multitool: Path, example_sarif: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The judge is awake: an absolute URI and a dangling rule index are errors to it."""
    _, sarif = example_sarif
    broken = json.loads(json.dumps(sarif))
    results = broken["runs"][0]["results"]
    results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "/etc/passwd"
    results[1]["ruleIndex"] = 99999
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(broken))
    errors = multitool_errors(multitool, path, tmp_path)
    assert any(e.startswith("SARIF1004") for e in errors), errors
    assert any(e.startswith("SARIF1009") for e in errors), errors
    assert len(ingestion_problems(broken)) >= 2
