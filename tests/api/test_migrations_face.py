"""The `propctl migrations` faces called directly: an unknown service is a user error before
Alembic loads, and a check's verdict is a result whose JSON is the one the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from propctl.api.migrations import MigrationsRequest, SyncCheck, check, heads
from propctl.errors import UserError
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap


def test_an_unknown_service_is_a_user_error(tmp_path: Path) -> None:
    request = MigrationsRequest(tmp_path, load_roadmap(bundled_roadmap()), "nope")
    with pytest.raises(UserError, match="not a service of this roadmap"):
        heads(request)
    with pytest.raises(UserError, match="not a service of this roadmap"):
        check(request)


def test_a_sync_check_says_base_when_there_is_no_revision() -> None:
    agree = SyncCheck(True, [], [], "apps/api/migrations: models and migrations agree (head base)")
    assert agree.as_json() == {"in_sync": True, "heads": ["base"]}
    differ = SyncCheck(False, ["abc"], ["add table x"], "disagree")
    assert differ.as_json() == {"in_sync": False, "heads": ["abc"], "differences": ["add table x"]}
