"""The one definition of "judged offline", the contradiction finder behind `checklist
validate`, and `status --remaining` (its model and its command lines)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.resources import bundled_roadmap
from propctl.roadmap.contradictions import contradictions, contradictory_ids, glob_regex
from propctl.roadmap.loader import load_roadmap, parse_roadmap
from propctl.roadmap.models import Check
from propctl.roadmap.offline import judged_offline, needs, offline_criteria, offline_summary
from propctl.roadmap.remaining import compute_remaining, stacks_of

ROADMAP = load_roadmap(bundled_roadmap())
TEXT = bundled_roadmap().read_text("utf-8")
EXAMPLE = Path(__file__).parents[2] / "examples" / "propmubi"


@pytest.mark.parametrize(
    ("check", "offline", "kind"),
    [
        ({"kind": "text", "files": "a", "pattern": "x"}, True, "offline"),
        ({"kind": "manual"}, False, "manual"),
        ({"kind": "all", "checks": [{"kind": "infra_plan"}, {"kind": "aws"}]}, False, "live"),
        (
            {"kind": "any", "checks": [{"kind": "all", "checks": [{"kind": "k8s_live"}]}]},
            False,
            "live",
        ),
        ({"kind": "all", "checks": [{"kind": "aws"}, {"kind": "manual"}]}, False, "manual"),
        ({"kind": "all", "checks": [{"kind": "asgi"}, {"kind": "command"}]}, True, "offline"),
    ],
)
def test_offline_means_no_aws_k8s_live_or_manual_anywhere(
    check: dict[str, object], offline: bool, kind: str
) -> None:
    assert judged_offline(Check.model_validate(check)) is offline
    assert judged_offline(check) is offline  # the raw mapping too
    assert needs(check) == kind


def test_the_bundled_roadmap_has_59_offline_criteria() -> None:
    ids = offline_criteria(ROADMAP)
    assert len(ids) == 59
    assert "13.a4" not in ids  # infra_plan and aws: live
    assert "2.a4" not in ids and "2.a1" in ids


def test_offline_summary_counts_only_offline_criteria() -> None:
    rows = [
        {"type": "criterion", "offline": True, "status": "pass"},
        {"type": "criterion", "offline": True, "status": "error"},
        {"type": "criterion", "offline": True, "status": "skip"},
        {"type": "criterion", "offline": False, "status": "fail"},
        {"type": "subtask", "offline": True, "status": "fail"},
        {"type": "criterion", "status": "fail"},  # an old row that does not say
    ]
    assert offline_summary(rows) == {"criteria": 3, "pass": 1, "fail": 0, "error": 1, "other": 1}


def test_the_monolith_contradiction_is_found_with_both_sides() -> None:
    found = {c.absent.id: c for c in contradictions(ROADMAP)}
    assert sorted(found) == ["11.100", "11.a5"]
    assert contradictory_ids(ROADMAP) == ["11.100", "11.a5"]
    present = {r.id for r in found["11.a5"].present}
    assert {"2.6", "3.3", "5.3"} <= present
    assert found["11.a5"].patterns == ["apps/api/main.py", "apps/api/**/main.py"]


def _roadmap(old: str, new: str) -> object:
    assert old in TEXT, old
    return parse_roadmap(TEXT.replace(old, new))


def test_placeholders_are_expanded_before_comparing() -> None:
    moved = _roadmap("paths: {api: apps/api,", "paths: {api: backend,")
    found = contradictions(moved)  # type: ignore[arg-type]
    assert found and found[0].patterns[0] == "backend/main.py"
    assert {r.path for r in found[0].present} == {"backend/main.py"}


def test_checks_that_do_not_require_the_file_are_not_contradictions() -> None:
    # an `absent` inside an `any` is one alternative, not a requirement
    line = (
        "check: {kind: all, checks: [{kind: path_exists, "
        "path: '{services}/*-service/app/main.py', min: 9, absent:"
    )
    assert TEXT.count(line) == 2
    relaxed = parse_roadmap(TEXT.replace(line, line.replace("kind: all", "kind: any")))
    assert contradictions(relaxed) == []


@pytest.mark.parametrize(
    ("glob", "path", "hit"),
    [
        ("apps/api/**/main.py", "apps/api/main.py", True),
        ("apps/api/**/main.py", "apps/api/x/y/main.py", True),
        ("apps/*/main.py", "apps/api/x/main.py", False),
        ("apps/api/main.p?", "apps/api/main.py", True),
        ("apps/[!a]pi/main.py", "apps/api/main.py", False),
    ],
)
def test_glob_regex(glob: str, path: str, hit: bool) -> None:
    assert bool(glob_regex(glob).fullmatch(path)) is hit


def test_remaining_lists_live_and_manual_with_their_commands() -> None:
    statuses = {c.id: "fail" for _, c in ROADMAP.criteria()} | {"2.a1": "pass"}
    result = compute_remaining(ROADMAP, {"statuses": statuses}, "demo/propmubi")
    by_id = {o.id: o for o in result.open}
    assert "2.a1" not in by_id
    assert by_id["2.a4"].needs == "manual"
    assert by_id["2.a4"].commands == [
        "propctl attest 2.a4 --by 'YOUR NAME' --evidence https://EVIDENCE-URL --repo demo/propmubi"
    ]
    assert by_id["13.a1"].needs == "live"
    assert by_id["13.a1"].commands == [
        "propctl infra up --stack production --repo demo/propmubi --yes",
        "propctl verify --live --repo demo/propmubi --criterion 13.a1",
    ]
    assert by_id["11.a5"].contradicts == ["2.6", "3.3", "5.3"]
    counts = result.as_json()["counts"]
    assert counts == {"offline": 58, "live": 4, "manual": 10}


def test_stacks_of_live_checks() -> None:
    assert stacks_of(Check.model_validate({"kind": "aws", "resource": "eks", "name": "x"})) == [
        "production"
    ]
    k8s = {"kind": "k8s_live", "namespaces": ["propmubi-staging", "propmubi-production"]}
    assert stacks_of(Check.model_validate(k8s)) == ["staging", "production"]


def test_status_remaining_and_verify_offline_counts_on_the_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "propmubi"
    shutil.copytree(EXAMPLE, repo)
    assert main(["status", "--remaining", "--repo", str(repo), "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["source"] is None and before["counts"]["manual"] == 10
    out = tmp_path / "v.json"
    main(["-q", "verify", "--repo", str(repo), "--format", "json", "-o", str(out), "--task", "2"])
    doc = json.loads(out.read_text())
    assert doc["offline"]["criteria"] == 5  # 2.a4 (Twilio) is manual
    assert all("offline" in r for r in doc["results"])
    capsys.readouterr()
    assert main(["status", "--remaining", "--repo", str(repo)]) == 0
    text = capsys.readouterr().out
    assert "WHAT REMAINS" in text
    assert (
        f"$ propctl attest 2.a4 --by 'YOUR NAME' --evidence https://EVIDENCE-URL --repo {repo}"
        in text
    )
    assert "cannot hold together with 2.6, 3.3, 5.3" in text
