"""`checklist schema`: every check kind's parameters in the roadmap's JSON Schema, taken from the
same Params models the checks validate with; judged by check-jsonschema, as an editor would."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest

from propctl.api.schema import check_models, roadmap_schema
from propctl.checks.engine.base import registry
from propctl.resources import bundled_roadmap, data_dir

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
SCHEMA_FILE = data_dir("checklists") / "roadmap.schema.json"


def test_every_kind_is_a_member_with_its_own_parameters() -> None:
    schema = roadmap_schema()
    defs = schema["$defs"]
    check = defs["Check"]
    kinds = registry()
    assert check["properties"]["kind"]["enum"] == sorted(kinds)
    assert [b["if"]["properties"]["kind"]["const"] for b in check["allOf"]] == sorted(kinds)
    models = check_models()
    for branch in check["allOf"]:
        kind = branch["if"]["properties"]["kind"]["const"]
        member = defs[branch["then"]["$ref"].split("/")[-1]]
        params = kinds[kind].Params.model_fields
        names = {info.alias or name for name, info in params.items()}
        assert set(member.get("properties", {})) == names | {"kind"}, kind
        assert member["additionalProperties"] is False, kind
        required = {info.alias or n for n, info in params.items() if info.is_required()}
        assert set(member.get("required", [])) == required | {"kind"}, kind
        for name, info in params.items():
            if info.description:
                assert member["properties"][info.alias or name]["description"] == info.description
        assert models[kind].model_fields["kind"].annotation == typing.Literal[kind]


def test_enums_and_nested_checks_come_from_the_models() -> None:
    defs = roadmap_schema()["$defs"]
    assert defs["PathExistsCheck"]["properties"]["type"]["enum"] == ["any", "file", "dir"]
    assert defs["AllCheck"]["properties"]["checks"]["items"] == {"$ref": "#/$defs/Check"}
    subtask_check = defs["Subtask"]["properties"]["check"]
    assert {"$ref": "#/$defs/Check"} in subtask_check["anyOf"]


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(SCHEMA_FILE), str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_jsonschema_accepts_the_bundled_roadmap() -> None:
    done = check_jsonschema(bundled_roadmap())
    assert done.returncode == 0, done.stdout + done.stderr


BAD = [
    # a parameter of another name: text has `files`
    (
        "check: {kind: text, files: '{api}/database.py'",
        "check: {kind: text, file: '{api}/database.py'",
        "'file' was unexpected",
    ),
    # a value outside the enum
    (
        "check: {kind: path_exists, path: ",
        "check: {kind: path_exists, type: folder, path: ",
        "'folder' is not one of ['any', 'file', 'dir']",
    ),
    # a kind that does not exist
    (
        "check: {kind: text, files: '{api}/database.py'",
        "check: {kind: txt, files: '{api}/database.py'",
        "'txt' is not one of",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD, ids=["unknown", "enum", "kind"])
def test_check_jsonschema_rejects_bad_check_parameters(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = bundled_roadmap().read_text("utf-8")
    assert old in text
    bad = tmp_path / "roadmap.yaml"
    bad.write_text(text.replace(old, new, 1), "utf-8")
    done = check_jsonschema(bad)
    assert done.returncode == 1, done.stdout
    verbose = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--verbose", "--schemafile", str(SCHEMA_FILE), str(bad)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert message in verbose.stdout + verbose.stderr
