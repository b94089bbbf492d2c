"""Throwaway servers for the tests: a PostgreSQL 15 cluster and a redis-server, each on a free
loopback port under a temporary directory, stopped when the test session ends (also when tests
fail). PostgreSQL refuses to run as root, so the cluster runs as the `postgres` user."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian package postgresql)")
    return path


def _as_postgres() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid}


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """Yields a URL `postgresql+psycopg://propctl:propctl@127.0.0.1:PORT/propctl`."""
    root = Path(tempfile.mkdtemp(prefix="propctl-pg-"))
    data = root / "data"
    port = free_port()
    run_as = _as_postgres()
    if run_as:
        os.chown(root, int(run_as["user"]), int(run_as["group"]))  # type: ignore[arg-type]
    pwfile = root / "pw"
    pwfile.write_text("propctl\n")
    if run_as:
        os.chown(pwfile, int(run_as["user"]), int(run_as["group"]))  # type: ignore[arg-type]
    try:
        subprocess.run(
            [
                _pg_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "propctl",
                "--pwfile",
                str(pwfile),
                "-A",
                "md5",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
            **run_as,  # type: ignore[arg-type]
        )
        subprocess.run(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off",
                "start",
            ],
            check=True,
            capture_output=True,
            **run_as,  # type: ignore[arg-type]
        )
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "propctl", "propctl"],
            check=True,
            capture_output=True,
            env={**os.environ, "PGPASSWORD": "propctl"},
        )
        yield f"postgresql+psycopg://propctl:propctl@127.0.0.1:{port}/propctl"
    finally:
        if data.exists():
            subprocess.run(
                [_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                check=False,
                **run_as,
            )  # type: ignore[arg-type]
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def redis() -> Iterator[str]:
    """Yields `redis://127.0.0.1:PORT/0` for a fresh redis-server with no persistence."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError("redis-server is not installed (Debian package redis-server)")
    root = Path(tempfile.mkdtemp(prefix="propctl-redis-"))
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start in {timeout}s")
