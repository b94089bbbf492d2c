from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_fixtures import small_roadmap  # noqa: E402

from propctl.roadmap.models import Roadmap  # noqa: E402


@pytest.fixture(scope="session")
def roadmap() -> Roadmap:
    return small_roadmap()
