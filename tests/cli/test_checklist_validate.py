"""`propctl checklist validate`: every roadmap error (YAML, schema, references, ids) exits 2
with a located message and no traceback; hostile YAML is refused the same way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest

from propctl.checks.engine.base import CheckKind, CheckParams
from propctl.checks.engine.validate import param_problems
from propctl.cli.main import main
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.yamlsrc import read_yaml

BUNDLED = bundled_roadmap().read_text("utf-8")


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["checklist", "validate", "--roadmap", str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def mutated(tmp_path: Path, old: str, new: str) -> Path:
    assert old in BUNDLED, old
    path = tmp_path / "roadmap.yaml"
    path.write_text(BUNDLED.replace(old, new, 1), "utf-8")
    return path


def test_the_bundled_roadmap_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(bundled_roadmap(), capsys)
    assert code == 0, err
    assert "3 tiers, 15 tasks, 199 subtasks, 73 criteria" in out
    assert "7 warning(s)" in out
    assert "declares 6.5, but the mean of its own dimension column is 5.86" in err
    # the monolith: 11.100 and 11.a5 retire apps/api/main.py, Tasks 2, 3 and 5 judge it
    assert re.search(r"11\.a5 \(\S*roadmap\.yaml:\d+:\d+\) requires apps/api/main\.py", err)
    assert re.search(r"2\.6 \(\S*roadmap\.yaml:\d+:\d+: apps/api/main\.py\)", err)
    assert "declares 960 h, the tasks add up to 772 h" in err
    assert "services.trust.port 3006 equals the port of CORS origin" in err


MUTATIONS = [
    pytest.param(
        "check: {kind: manual}",
        "check: {kind: fle_exists}",
        r"tiers\.\d+\.tasks\.\d+\.acceptance\.\d+\.check\.kind: unknown check kind "
        r"'fle_exists' \(did you mean 'path_exists'\?\)",
        id="unknown-kind",
    ),
    pytest.param(
        "id: '1.2'", "id: '1.1'", r"subtasks\.1\.id: duplicate id '1\.1'", id="duplicate-subtask-id"
    ),
    pytest.param(
        "  - id: 2\n", "  - id: 1\n", r"tasks\.1\.id: duplicate task id '1'", id="duplicate-task-id"
    ),
    pytest.param(
        "impacts: {database: 2.0",
        "impacts: {databse: 2.0",
        r"impacts\.databse: unknown dimension 'databse' \(did you mean 'database'\?\)",
        id="unknown-dimension",
    ),
    pytest.param(
        "{name: property, port: 3002}",
        "{name: property, port: 3001}",
        r"services\.1\.port: port 3001 is already used by service 'auth'",
        id="clashing-ports",
    ),
    pytest.param(
        "\ntiers:\n",
        "\ntasks: []\ntiers:\n",
        r"tasks: tasks must be listed under a tier",
        id="tasks-at-top-level",
    ),
    pytest.param(
        "    effort_hours: 40\n",
        "    effort_hours: lots\n",
        r"tiers\.0\.tasks\.0\.effort_hours: .*number",
        id="wrong-type",
    ),
    pytest.param(
        "    priority: P0\n",
        "    priority: P0\n    owner: me\n",
        r"tiers\.0\.tasks\.0\.owner: unknown field 'owner'",
        id="unknown-field",
    ),
    pytest.param(
        "    title: Database Persistence Layer\n",
        "",
        r"tiers\.0\.tasks\.0\.title: field required",
        id="missing-field",
    ),
    pytest.param(
        "tiers:\n- id: tier1\n",
        "tiers:\n- id: tier1\n  id: tier9\n",
        r"duplicate key 'id'",
        id="duplicate-key",
    ),
    pytest.param(
        "weeks: [1, 4]",
        "weeks: [4, 1]",
        r"weeks \[4, 1\] end before they start",
        id="weeks-reversed",
    ),
    pytest.param(
        "name: 'IMPLEMENTATION",
        "name: [unclosed\nx: 'IMPLEMENTATION",
        r"invalid YAML",
        id="bad-yaml",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), MUTATIONS)
def test_invalid_roadmaps_exit_2_with_a_located_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    message: str,
) -> None:
    path = mutated(tmp_path, old, new)
    code, _, err = validate(path, capsys)
    assert code == 2
    assert "Traceback" not in err
    assert re.search(re.escape(str(path)) + r":\d+:\d+: ", err), err
    assert re.search(message, err), err


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            BILLION_LAUGHS.encode(),
            r":\d+:\d+: more than \d+ values once aliases are "
            r"expanded",
            id="billion-laughs",
        ),
        pytest.param(
            ("x: " + "[" * 200 + "]" * 200 + "\n").encode(),
            r":1:\d+: nested more than 64 levels deep",
            id="deep-nesting",
        ),
        pytest.param(
            ("x: " + "[" * 50_000 + "]" * 50_000 + "\n").encode(),
            r":1:\d+: .*(nesting is too deep|nested more than|maximum nesting depth)",
            id="very-deep-nesting",
        ),
        pytest.param(bytes(range(256)) * 4, r"not UTF-8 text|NUL byte", id="binary-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(64), r"not UTF-8 text|NUL byte", id="png"),
        pytest.param(
            b"name: !!python/object/apply:os.system ['touch /tmp/propctl-pwned']\n",
            r":1:7: cannot read value",
            id="python-object-tag",
        ),
        pytest.param(b"!!python/name:os.system\n", r"cannot read value", id="python-name-tag"),
        pytest.param(b"", r"the file is empty", id="empty"),
        pytest.param(
            b"name: x\nstart: 2026-02-30\n",
            r":2:8: cannot read value: day is out of range",
            id="impossible-date",
        ),
        pytest.param(
            b"name: x\nstart: 2026-13-01\n",
            r":2:8: cannot read value: month must be",
            id="month-13",
        ),
        pytest.param(b"- just\n- a list\n", r":1:1: a roadmap is a mapping", id="a-list"),
    ],
)
def test_hostile_yaml_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_bytes(content)
    code, _, err = validate(path, capsys)
    assert code == 2
    assert "Traceback" not in err and str(path) in err
    assert re.search(message, err), err
    assert not Path("/tmp/propctl-pwned").exists()


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = validate(tmp_path / "nope.yaml", capsys)
    assert code == 2 and "no such file" in err


class _Params(CheckParams):
    path: str
    min: int = 1


class _FakeKind(CheckKind):
    Params: ClassVar[type[CheckParams]] = _Params


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (
            "{kind: path_exists, pth: apps/api}",
            r"check\.pth: unknown parameter 'pth' \(did you mean 'path'\?\) for check "
            r"kind 'path_exists'",
        ),
        ("{kind: path_exists}", r"check\.path: parameter required by check kind 'path_exists'"),
        ("{kind: path_exists, path: x, min: many}", r"check\.min: .*integer"),
    ],
)
def test_check_parameters_are_validated_by_their_kind(
    tmp_path: Path, check: str, message: str
) -> None:
    path = mutated(tmp_path, "check: {kind: manual}", f"check: {check}")
    doc = read_yaml(path)
    problems = param_problems(load_roadmap(path), doc, kinds={"path_exists": _FakeKind})
    line = BUNDLED[: BUNDLED.index("check: {kind: manual}")].count("\n") + 1
    pattern = (
        re.escape(str(path)) + rf":{line}:\d+: tiers\.\d+\.tasks\.\d+\.acceptance\.\d+\." + message
    )
    assert any(re.search(pattern, p) for p in problems), problems


def test_unregistered_kinds_are_left_alone(tmp_path: Path) -> None:
    path = mutated(tmp_path, "check: {kind: manual}", "check: {kind: text, anything: 1}")
    kinds: dict[str, Any] = {"path_exists": _FakeKind}
    line = BUNDLED[: BUNDLED.index("check: {kind: manual}")].count("\n") + 1
    problems = param_problems(load_roadmap(path), read_yaml(path), kinds=kinds)
    assert not [p for p in problems if f"roadmap.yaml:{line}:" in p], problems


def test_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["checklist", "validate", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is True and data["counts"]["criteria"] == 73
    assert len(data["warnings"]) == 7
    assert [c["id"] for c in data["contradictions"]] == ["11.100", "11.a5"]
