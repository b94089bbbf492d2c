"""`structured`: YAML, JSON or TOML files queried with JMESPath.

The query's result must be truthy (default), equal `equals`, contain `contains`, and, when
given, every string in it must match `every_match` and none may match `none_match`. Examples:
the pre-commit config has ruff and black hooks, package.json depends on @tanstack/react-query,
docker-compose takes its secrets from the environment (`none_match` a literal password).

YAML is read as PyYAML's `safe_load` reads it (YAML 1.1), whatever the file's consumer: a GitHub
workflow's `on:` key is the boolean true (no query can name it) and `yes`/`no`/`off` values are
booleans. Query workflows' triggers with the `workflow` kind, which reads YAML as GitHub does."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any, Literal

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.support.kind_helpers import MISSING_FIELD, Missing, cap, nothing_to_judge


class StructuredParams(CheckParams):
    file: str | list[str] = Field(description="File(s) or globs; every match is checked.")
    query: str = Field(description="JMESPath expression evaluated on each file.")
    format: Literal["auto", "yaml", "json", "toml"] = "auto"
    equals: Any = Field(default=None, description="Expected value (when given).")
    contains: Any = Field(default=None, description="An item, key or substring (when given).")
    truthy: bool = Field(default=True, description="The result must be non-empty / true.")
    every_match: str | None = Field(
        default=None,
        description="Python regex, searched, that every string in the result must match "
        "(fails when the result holds no string).",
    )
    none_match: str | None = Field(
        default=None,
        description="Python regex, searched, that no string in the result may match (fails "
        "when the result holds no string: absence proves nothing).",
    )
    min_files: int = Field(default=1, ge=1)
    missing: Missing = MISSING_FIELD


@register("structured")
class Structured(CheckKind):
    """JMESPath query over YAML/JSON/TOML files, with an expectation on the result."""

    Params = StructuredParams
    params: StructuredParams

    def patterns(self, ctx: CheckContext) -> list[str]:
        names = [self.params.file] if isinstance(self.params.file, str) else self.params.file
        return [ctx.expand(n) for n in names]

    def selected(self, ctx: CheckContext) -> list[str]:
        return ctx.files.select(self.patterns(ctx))

    def inputs(self, ctx: CheckContext) -> list[str]:
        return self.selected(ctx)

    def run(self, ctx: CheckContext) -> Result:
        import jmespath
        from jmespath.exceptions import JMESPathError

        files = self.selected(ctx)
        if not files and self.params.missing == "skip":
            return nothing_to_judge("skip", f"no file matches {', '.join(self.patterns(ctx))}")
        if len(files) < self.params.min_files:
            return Result.failed(
                f"{', '.join(self.patterns(ctx))}: {len(files)} file(s) found, "
                f"need {self.params.min_files}"
            )
        try:
            expression = jmespath.compile(self.params.query)
        except JMESPathError as exc:
            return Result.errored(f"bad JMESPath query {self.params.query!r}: {exc}")
        failures: list[Evidence] = []
        found: list[Evidence] = []
        for name in files:
            try:
                data = load(ctx.files.read_text(name), name, self.params.format)
            except ValueError as exc:
                failures.append(Evidence(f"cannot parse: {exc}", name))
                continue
            try:
                value = expression.search(data)
            except JMESPathError as exc:  # keys() of a list, say: the file is not that shape
                failures.append(Evidence(f"{self.params.query} does not apply: {exc}", name))
                continue
            problem = self._judge(value)
            shown = json.dumps(value, default=str)[:200]
            (failures if problem else found).append(
                Evidence(
                    f"{self.params.query} = {shown}" + (f": {problem}" if problem else ""), name
                )
            )
        if failures:
            return Result.failed(failures[0].detail, cap(failures + found))
        return Result.passed(f"{self.params.query} holds in {len(found)} file(s)", cap(found))

    def _judge(self, value: Any) -> str | None:
        p = self.params
        given = p.model_fields_set
        if "equals" in given and value != p.equals:
            return f"expected {json.dumps(p.equals)}"
        if "contains" in given and not _contains(value, p.contains):
            return f"expected it to contain {json.dumps(p.contains)}"
        if p.truthy and "equals" not in given and not value and value != 0:
            return "nothing found"
        strings = list(_strings(value))
        if (p.every_match or p.none_match) and not strings:
            # "every value is ..." over no values proves nothing
            return "nothing to judge: the query found no values to match"
        if p.every_match:
            bad = [s for s in strings if not re.search(p.every_match, s)]
            if bad:
                return f"{bad[0]!r} does not match /{p.every_match}/"
        if p.none_match:
            bad = [s for s in strings if re.search(p.none_match, s)]
            if bad:
                return f"{bad[0]!r} matches /{p.none_match}/"
        return None


def load(text: str | None, name: str, fmt: str) -> Any:
    if text is None:
        raise ValueError("unreadable or binary")
    if fmt == "auto":
        fmt = {"json": "json", "toml": "toml"}.get(name.rsplit(".", 1)[-1].lower(), "yaml")
    try:
        if fmt == "json":
            return json.loads(text)
        if fmt == "toml":
            return tomllib.loads(text)
        from propctl.checks.support.safeyaml import safe_load

        return safe_load(text)
    except Exception as exc:  # noqa: BLE001 - every parser's error is "cannot parse"
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def _contains(value: Any, wanted: Any) -> bool:
    if isinstance(value, dict):
        return wanted in value
    if isinstance(value, list):
        wanted_items = wanted if isinstance(wanted, list) else [wanted]
        return all(w in value for w in wanted_items)
    if isinstance(value, str):
        return str(wanted) in value
    return False


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]
