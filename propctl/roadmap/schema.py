"""The roadmap's own JSON Schema, generated from its pydantic models. A check's parameters are
left open here (the roadmap layer knows no check kind): `propctl.api.schema` adds each kind's
parameters, and that is what `propctl checklist schema` prints."""

from __future__ import annotations

import json
from typing import Any

from propctl.roadmap.models import Roadmap

SCHEMA_ID = "https://propctl.dev/schemas/roadmap.schema.json"


def roadmap_schema() -> dict[str, Any]:
    schema = Roadmap.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def roadmap_schema_text() -> str:
    return json.dumps(roadmap_schema(), indent=2, ensure_ascii=False) + "\n"
