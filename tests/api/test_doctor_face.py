"""`doctor(DoctorRequest) -> DoctorResult`: the optional tools, and with a repo what its checks
need; the tables `propctl doctor` draws come from the same JSON document."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from propctl.api.doctor import DoctorRequest, doctor
from propctl.api.doctor_tools import TOOLS
from propctl.reporting.doctor_table import doctor_view
from propctl.reporting.terminal import drawing, plain_text
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap


def test_without_a_repo_only_the_tools_are_probed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # nothing on PATH: every program is missing
    doc = doctor(DoctorRequest()).as_json()
    assert list(doc) == ["tools"]
    assert [t["name"] for t in doc["tools"]] == [t.name for t in TOOLS]
    git = next(t for t in doc["tools"] if t["name"] == "git")
    assert git == {**git, "found": False, "detail": "not on PATH"}
    assert git["install"] == "apt-get install git"
    text = plain_text(drawing(doctor_view(doc)))
    assert "  install git: apt-get install git" in text


def test_with_a_repo_the_target_python_is_the_one_asked_for(tmp_path: Path) -> None:
    python = Path(sys.executable)
    result = doctor(DoctorRequest(tmp_path, load_roadmap(bundled_roadmap()), python))
    assert result.target is not None
    assert result.target.repo == tmp_path and result.target.python == str(python)
    first = result.target.findings[0]
    assert first.name == "the target's Python" and first.ok and "--python" in first.detail
    doc = result.as_json()
    assert list(doc) == ["target", "tools"]
    assert doc["target"]["findings"][0]["fix"] is None  # nothing to fix when it runs
    text = plain_text(drawing(doctor_view(doc)))
    assert f"checks that run code in {tmp_path}" in text and "problem(s)" in text


def test_a_python_that_does_not_exist_is_a_user_error(tmp_path: Path) -> None:
    from propctl.errors import UserError

    roadmap = load_roadmap(bundled_roadmap())
    with pytest.raises(UserError, match="no such file"):
        doctor(DoctorRequest(tmp_path, roadmap, tmp_path / "python"))
