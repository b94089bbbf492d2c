"""`checklist schema`: the roadmap's JSON Schema with every check kind's parameters in it.

The roadmap's models (propctl.roadmap) leave a check's parameters open: they belong to the
check kinds (propctl.checks), and the roadmap layer imports nothing of the checks. Here, above
both, the `Check` definition becomes a union discriminated on `kind`, one member per kind, each
the kind's own `Params` model (the one its parameters are validated with, descriptions and
enums included) plus `kind`, closed (`additionalProperties: false`). Editors
(yaml-language-server) then complete and validate check parameters;
`checklists/roadmap.schema.json` is this text (a test keeps it in sync:
`propctl checklist schema -o checklists/roadmap.schema.json` refreshes it)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, TypeAdapter, create_model

from propctl.roadmap.schema import roadmap_schema as roadmap_only_schema

# nested checks of `all` and `any` are checks too
_NESTED = {"all": "checks", "any": "checks"}


def check_models() -> dict[str, type[BaseModel]]:
    """One model per registered kind: its Params with `kind` as a literal."""
    from propctl.checks.engine.base import registry

    models: dict[str, type[BaseModel]] = {}
    for kind, cls in sorted(registry().items()):
        summary = (cls.__doc__ or "").strip().split("\n")[0] or f"A `{kind}` check."
        models[kind] = create_model(
            f"{cls.__name__.rstrip('_')}Check",
            __base__=cls.Params,
            __doc__=summary,
            kind=(Literal[kind], Field(description=summary)),  # type: ignore[arg-type]
        )
    return models


def check_union_schema() -> dict[str, Any]:
    """The `Check` definition, discriminated on `kind`, and the definitions it refers to.

    pydantic's discriminated union is a `oneOf`; its members are used as they are, but joined
    with `if kind is K then K's model`: a validator then reports the one member that `kind`
    names ("'paths' was unexpected"), where `oneOf` reports that no member matched, and
    yaml-language-server completes the parameters of the kind already written."""
    models = check_models()
    union: Any = Annotated[Union[tuple(models.values())], Field(discriminator="kind")]  # noqa: UP007
    adapter: TypeAdapter[Any] = TypeAdapter(union)
    generated = adapter.json_schema(mode="validation", ref_template="#/$defs/{model}")
    defs: dict[str, Any] = generated["$defs"]
    for kind, field in _NESTED.items():
        defs[models[kind].__name__]["properties"][field]["items"] = {"$ref": "#/$defs/Check"}
    mapping: dict[str, str] = generated["discriminator"]["mapping"]
    check = {
        "title": "Check",
        "description": "A machine check: `kind` and that kind's parameters "
        "(`{kind: manual}` for a person's attestation).",
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {
                "description": "The check kind; the other keys are its parameters.",
                "enum": sorted(mapping),
            }
        },
        "allOf": [
            {"if": {"properties": {"kind": {"const": kind}}}, "then": {"$ref": ref}}
            for kind, ref in sorted(mapping.items())
        ],
    }
    return {"check": check, "$defs": defs}


def roadmap_schema() -> dict[str, Any]:
    schema = roadmap_only_schema()
    union = check_union_schema()
    defs: dict[str, Any] = schema["$defs"]
    for name, definition in union.pop("$defs").items():
        if name in defs and defs[name] != definition:
            raise RuntimeError(f"schema definition {name!r} is both a roadmap and a check model")
        defs[name] = definition
    defs["Check"] = union["check"]
    return schema


def roadmap_schema_text() -> str:
    return json.dumps(roadmap_schema(), indent=2, ensure_ascii=False) + "\n"
