"""YAML read the way GitHub Actions reads a workflow: close to YAML 1.2's core schema.

PyYAML's `safe_load` follows YAML 1.1, where the key `on:` is the boolean true, `yes`/`no`/
`on`/`off` are booleans, `010` is octal, `1:20` is a base-60 integer and `2024-01-01` a date.
GitHub keeps all of those as strings (only true/false are booleans), so a workflow check that
read them as PyYAML does would look for its triggers under `True`. The `structured` kind keeps
PyYAML's reading on purpose: it is a general query over files whose consumers vary."""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class GitHubLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars: no yes/no/on/off booleans, no base-60
    or underscore integers, no timestamps."""


GitHubLoader.yaml_implicit_resolvers = {}
for _tag, _regex, _first in (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), "<"),  # anchors: GitHub reads them
):
    GitHubLoader.add_implicit_resolver(_tag, _regex, list(_first))


def _int_1_2(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 0) if text.startswith("0x") else int(text, 10)


GitHubLoader.add_constructor("tag:yaml.org,2002:int", _int_1_2)


def load_github_yaml(text: str) -> Any:
    """One YAML document as GitHub Actions reads it. Raises yaml.YAMLError."""
    from propctl.checks.support.safeyaml import safe_load

    return safe_load(text, GitHubLoader)  # under the roadmap's alias and depth caps
