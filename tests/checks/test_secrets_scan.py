"""The secrets kind scans each file once per content: every secrets check of a run shares it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from checkkit import make_repo, run

from propctl.checks.status import Status


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from detect_secrets import SecretsCollection

    calls: list[str] = []
    original = SecretsCollection.scan_file

    def counting(self: Any, filename: str) -> None:
        calls.append(filename)
        original(self, filename)

    monkeypatch.setattr(SecretsCollection, "scan_file", counting)
    return calls


def test_two_checks_over_the_same_files_scan_them_once(tmp_path: Path, scanned: list[str]) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "apps/api/auth.py": 'JWT_SECRET = "propmubi-jwt-secret-2024-do-not-share-once"\n',
            "docker-compose.yml": "services: {db: {image: postgres}}\n",
        },
    )
    first = run({"kind": "secrets", "paths": ["{api}/", "docker-compose.yml"]}, repo)
    second = run({"kind": "secrets", "paths": ["{api}/"]}, repo)
    assert first.status is second.status is Status.FAIL
    assert sorted(scanned) == ["apps/api/auth.py", "docker-compose.yml"]


def test_a_changed_file_is_scanned_again(tmp_path: Path, scanned: list[str]) -> None:
    repo = make_repo(tmp_path / "repo", {"apps/api/auth.py": "x = 1  # scanned again\n"})
    assert run({"kind": "secrets", "paths": ["{api}/"]}, repo).status is Status.PASS
    (repo / "apps/api/auth.py").write_text('PASSWORD = "hunter2-but-longer-and-real-9f"\n')
    assert run({"kind": "secrets", "paths": ["{api}/"]}, repo).status is Status.FAIL
    assert scanned == ["apps/api/auth.py", "apps/api/auth.py"]


def test_checks_running_at_once_scan_a_file_once(tmp_path: Path, scanned: list[str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    repo = make_repo(tmp_path / "repo", {"apps/api/a.py": "x = 'scanned once at once'\n"})
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda _: run({"kind": "secrets", "paths": ["{api}/"]}, repo), range(4))
        )
    assert {r.status for r in results} == {Status.PASS}
    assert scanned == ["apps/api/a.py"]
