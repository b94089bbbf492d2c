"""The JSON report: every figure the other formats show, for machines."""

from __future__ import annotations

import json

from propctl.reporting.report_model import Report


def render(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
