"""Property: however the bundled roadmap is mutated (fields deleted, retyped, renamed; random
bytes spliced in), `checklist validate` exits 0 (the mutation was harmless) or 2 with a
`file:line` message; never a traceback, never exit 3."""

from __future__ import annotations

import contextlib
import functools
import io
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propctl.cli.main import app, main
from propctl.resources import bundled_roadmap

if TYPE_CHECKING:
    from typer import _click as click  # typer 0.26+ runs on its own copy of click

TEXT = bundled_roadmap().read_text("utf-8")
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: 20x faster
DATA = yaml.safe_load(TEXT)
Path_ = tuple[Any, ...]


def _paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    out: list[Path_] = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


PATHS = _paths(DATA)
REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just(date(2026, 1, 1)),
)


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _mutate(data: Any, path: Path_, how: str, value: Any) -> Any:
    data = _copy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "retype":
        parent[last] = value
    elif how == "rename" and isinstance(parent, dict):
        parent[f"{last}x"] = parent.pop(last)
    elif how == "duplicate" and isinstance(parent, list):
        parent.append(_copy(parent[last]))
    return data


@functools.cache
def _command() -> click.Command:
    # Building the command tree takes longer than validating a roadmap: build it once. Same
    # error boundary as `propctl.cli.main.main`; a bug propagates and fails the test.
    return typer.main.get_command(app)


def run_validate(path: Path) -> tuple[int, str]:
    err = io.StringIO()
    args = ["--no-color", "checklist", "validate", "--roadmap", str(path)]
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            _command().main(args=args, prog_name="propctl", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    return code, err.getvalue()


def check_outcome(path: Path, code: int, err: str) -> None:
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err and "hit a bug" not in err
    if code == 2:
        assert re.search(re.escape(str(path)) + r":\d+(:\d+)?: ", err), err


SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    index=st.integers(0, len(PATHS) - 1),
    how=st.sampled_from(["delete", "retype", "rename", "duplicate"]),
    value=REPLACEMENTS,
)
def test_mutated_fields(tmp_path_factory: Any, index: int, how: str, value: Any) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "roadmap.yaml"
    mutated = _mutate(DATA, PATHS[index], how, value)
    path.write_text(yaml.dump(mutated, Dumper=DUMPER, allow_unicode=True, sort_keys=False), "utf-8")
    check_outcome(path, *run_validate(path))


@SETTINGS
@given(
    offset=st.integers(0, len(TEXT.encode())),
    junk=st.binary(min_size=1, max_size=16),
    cut=st.integers(0, 64),
)
def test_random_bytes(tmp_path_factory: Any, offset: int, junk: bytes, cut: int) -> None:
    raw = TEXT.encode()
    path = tmp_path_factory.mktemp("fuzz") / "roadmap.yaml"
    path.write_bytes(raw[:offset] + junk + raw[offset + cut :])
    check_outcome(path, *run_validate(path))


def test_harmless_mutation_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text(TEXT.replace("purpose: Master checklist", "purpose: A checklist"), "utf-8")
    assert run_validate(path)[0] == 0
    assert main(["checklist", "validate", "--roadmap", str(path)]) == 0  # the real entry point
