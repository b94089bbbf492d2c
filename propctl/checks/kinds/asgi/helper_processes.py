"""Helpers some checks need from the machine, started on first use and stopped by whoever
created them (the verify command): a throwaway redis-server on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from propctl.errors import MissingToolError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (for 'the dependency is down')."""
    return free_port()


class RedisServer:
    """Callable: returns a `redis://127.0.0.1:PORT/0` URL, starting redis-server the first
    time. `stop()` ends it. Raises MissingToolError when redis-server is not installed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None
        self._url: str | None = None

    def __call__(self) -> str:
        with self._lock:
            if self._url is None:
                self._url = self._start()
            return self._url

    def _start(self) -> str:
        binary = shutil.which("redis-server")
        if binary is None:
            raise MissingToolError(
                "redis-server is not installed (Debian package redis-server); or set REDIS_URL"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="propctl-redis-"))
        port = free_port()
        self._proc = subprocess.Popen(
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
                str(self._dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise MissingToolError(f"redis-server exited with {self._proc.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return f"redis://127.0.0.1:{port}/0"
            time.sleep(0.05)
        self.stop()
        raise MissingToolError("redis-server did not start within 15s")

    @property
    def started(self) -> bool:
        return self._proc is not None

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self._url = None


def redis_command(url: str, *command: str) -> str | None:
    """One Redis command over a raw socket (RESP), after AUTH and SELECT from the URL; the
    reply's first line, or None when Redis cannot be reached."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "redis" or not parts.hostname:
        return None
    db = (parts.path or "/0").strip("/") or "0"
    sequence = ([["AUTH", parts.password]] if parts.password else []) + [
        ["SELECT", db],
        list(command),
    ]
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=5) as sock:
            reply = ""
            for words in sequence:
                wire = f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
                sock.sendall(wire.encode())
                reply = sock.recv(4096).decode("utf-8", "replace").splitlines()[0]
            return reply
    except (OSError, IndexError):
        return None
