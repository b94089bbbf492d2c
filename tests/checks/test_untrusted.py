"""How propctl runs the repository's code: a minimal environment, and nothing it started left
running after the check (propctl.checks.support.untrusted)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from propctl.checks.support.untrusted import kill_group, kill_strays, minimal_env


def test_the_minimal_environment_holds_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_canary")
    monkeypatch.setenv("LANG", "C.UTF-8")
    env = minimal_env({"JWT_SECRET": "named-by-the-check"})
    assert "AWS_SECRET_ACCESS_KEY" not in env and "GITHUB_TOKEN" not in env
    assert env["LANG"] == "C.UTF-8" and env["PATH"] == os.environ["PATH"]
    assert env["JWT_SECRET"] == "named-by-the-check"  # what the check names, it gets
    assert set(env) <= {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONDONTWRITEBYTECODE"} | {
        "JWT_SECRET"
    }


def test_a_path_is_there_even_when_verify_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATH")
    assert minimal_env()["PATH"] == "/usr/local/bin:/usr/bin:/bin"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_strays_are_killed_and_the_leader_is_not(tmp_path: Path) -> None:
    """A leader with a child in its group and a grandchild that left it (setsid)."""
    pids = tmp_path / "pids"
    script = (
        "import os, sys, time\n"
        "if os.fork() == 0:\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "r, w = os.pipe()\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    os.write(w, str(os.getpid()).encode())\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        f"open({str(pids)!r}, 'w').write(os.read(r, 32).decode())\n"
        "time.sleep(60)\n"
    )
    leader = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        escaped = int(pids.read_text())
        killed = kill_strays(leader.pid)
        assert escaped in killed and len(killed) == 2, killed
        time.sleep(0.2)
        assert not _alive(escaped) and leader.poll() is None
    finally:
        kill_group(leader.pid)
        leader.wait(timeout=10)
