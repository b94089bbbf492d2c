"""Every plan in these tests is judged on one fixed day (unless a test passes --date or
`date=`): support windows in infra/versions.yaml must not turn `make test` red as the calendar
moves. A test that wants today's date asks for `real_today`."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.provision.planning import DATE


@pytest.fixture(autouse=True)
def fixed_plan_date(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    from propctl.provision import plan

    monkeypatch.setattr(plan, "today", lambda: DATE)
    return DATE
