"""Target YAML is read under the roadmap's caps: alias bombs, recursive aliases and deep nesting
are errors (yaml.YAMLError, as from yaml.safe_load), found before any value is built."""

from __future__ import annotations

import time

import pytest
import yaml

from propctl.checks.support import safeyaml
from propctl.roadmap.yamlsrc import MAX_DEPTH

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "repos: [*i]",
    ]
)


def test_plain_documents_load_as_yaml_safe_load_does() -> None:
    text = "a: 1\nb: [x, {c: 2026-01-12}]\nanchor: &x {k: v}\nuse: *x\n"
    assert safeyaml.safe_load(text) == yaml.safe_load(text)
    assert safeyaml.safe_load("") is None
    assert safeyaml.safe_load_all("a: 1\n---\nb: 2\n") == [{"a": 1}, {"b": 2}]


def test_a_billion_laughs_is_refused_quickly() -> None:
    assert len(BOMB) < 600
    start = time.monotonic()
    with pytest.raises(yaml.YAMLError, match="alias bomb"):
        safeyaml.safe_load(BOMB)
    with pytest.raises(yaml.YAMLError, match="alias bomb"):
        safeyaml.safe_load_all("ok: 1\n---\n" + BOMB)
    assert time.monotonic() - start < 2


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(yaml.YAMLError, match="contains it"):
        safeyaml.safe_load("on: &a [push, *a]\n")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    with pytest.raises(yaml.YAMLError, match="levels deep|nesting depth"):
        safeyaml.safe_load("[" * depth + "]" * depth)


def test_a_shared_value_reached_deep_counts_at_its_depth() -> None:
    deep = "[" * 40 + "x" + "]" * 40
    text = f"a: &d {deep}\nb: {'[' * 40}*d{']' * 40}\n"
    with pytest.raises(yaml.YAMLError, match="levels deep"):
        safeyaml.safe_load(text)


def test_nesting_up_to_the_cap_loads() -> None:
    depth = MAX_DEPTH - 1
    assert safeyaml.safe_load("[" * depth + "]" * depth) is not None
