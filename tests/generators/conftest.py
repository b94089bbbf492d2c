"""The tree every generator wrote, built once per session (tests/generators/all_generators.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.generators.all_generators import build


@pytest.fixture(scope="session")
def all_generators_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("all-generators-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROPCTL_CACHE_DIR", str(cache))
        return build(tmp_path_factory.mktemp("all-generators") / "propmubi")
