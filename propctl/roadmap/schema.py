"""The roadmap's JSON Schema, generated from the pydantic models (`propctl checklist schema`;
`checklists/roadmap.schema.json` is this text, kept in sync by a test)."""

from __future__ import annotations

import json
from typing import Any

from propctl.roadmap.models import Roadmap

SCHEMA_ID = "https://propctl.dev/schemas/roadmap.schema.json"


def roadmap_schema() -> dict[str, Any]:
    # The check kinds are not listed as an enum: the list grows with every new kind, and the
    # loader names an unknown kind with a did-you-mean anyway.
    schema = Roadmap.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def roadmap_schema_text() -> str:
    return json.dumps(roadmap_schema(), indent=2, ensure_ascii=False) + "\n"
