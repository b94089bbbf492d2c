"""An editor on the roadmap: yaml-language-server (npm, installed by the fixture into a cache
folder) reads the schema from the file's first line, completes a check kind's parameters and
flags an unknown one; spoken to over stdio as an editor does (LSP)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import pytest

from propctl.resources import data_dir
from tests.cachelock import installing

pytestmark = pytest.mark.slow  # installs an npm package, starts a server

VERSION = "1.15.0"
ROADMAP = """# yaml-language-server: $schema=roadmap.schema.json
version: 1
name: Shop
start: 2026-01-05
dimensions:
  - {id: security, name: Security, baseline: 5.0, targets: {tier1: 7.0}}
overall_targets: {baseline: 5.0, tier1: 7.0}
tiers:
  - id: tier1
    number: 1
    name: Now
    weeks: [1, 2]
    target_score: 7.0
    tasks:
      - id: 1
        title: One
        priority: P0
        effort_hours: 4
        score_impact: 2.0
        acceptance:
          - id: 1.a1
            text: the migrations exist
            check:
              kind: path_exists
              paths: alembic.ini
              {indent}
""".replace("{indent}", " " * 14)
CURSOR = (len(ROADMAP.split("\n")) - 2, 14)  # the empty line under the check's parameters


@pytest.fixture(scope="module")
def server() -> Path:
    """yaml-language-server, installed once into the cache folder (npm's own install)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = cache / "propctl-tests" / f"yaml-language-server-{VERSION}"
    binary = prefix / "node_modules" / ".bin" / "yaml-language-server"
    with installing(prefix):  # one xdist worker installs, another waits for it
        if not binary.exists():
            npm = shutil.which("npm") or pytest.fail("npm is not installed (.ci/system-deps.sh)")
            done = subprocess.run(
                [
                    npm,
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                    "--prefix",
                    str(prefix),
                    f"yaml-language-server@{VERSION}",
                ],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
    return binary


class Client:
    """Just enough LSP: framed JSON-RPC over the server's stdin/stdout."""

    def __init__(self, binary: Path, root: Path) -> None:
        self.proc = subprocess.Popen(
            [str(binary), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
        )
        self.messages: Queue[dict[str, Any]] = Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = self.proc.stdout.read(1)
                if not byte:
                    return
                header += byte
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            self.messages.put(json.loads(self.proc.stdout.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)["result"]

    def wait(self, wanted: Any, what: str = "an answer", timeout: float = 60) -> dict[str, Any]:
        while True:
            try:
                message = self.messages.get(timeout=timeout)
            except Empty:
                raise AssertionError(f"yaml-language-server sent no {what}") from None
            if "method" in message and "id" in message:  # the server asks: configuration, ...
                settings = {"validate": True, "completion": True, "schemaStore": {"enable": False}}
                answer = [settings] if message["method"] == "workspace/configuration" else None
                self.send({"id": message["id"], "result": answer})
                continue
            if wanted(message):
                return message

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def editor(server: Path, tmp_path: Path) -> Iterator[tuple[Client, str]]:
    folder = tmp_path / "checklists"
    folder.mkdir()
    shutil.copy(data_dir("checklists") / "roadmap.schema.json", folder / "roadmap.schema.json")
    path = folder / "roadmap.yaml"
    path.write_text(ROADMAP, "utf-8")
    client = Client(server, tmp_path)
    try:
        client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": tmp_path.as_uri(),
                "capabilities": {"workspace": {"configuration": True}},
            },
        )
        client.send({"method": "initialized", "params": {}})
        client.send(
            {
                "method": "workspace/didChangeConfiguration",
                "params": {"settings": {"yaml": {"validate": True, "completion": True}}},
            }
        )
        uri = path.as_uri()
        client.send(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": uri,
                        "languageId": "yaml",
                        "version": 1,
                        "text": ROADMAP,
                    }
                },
            }
        )
        yield client, uri
    finally:
        client.close()


def test_the_editor_flags_an_unknown_check_parameter(editor: tuple[Client, str]) -> None:
    client, uri = editor
    found = client.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"]["diagnostics"]
        ),
        "diagnostic for the roadmap",
    )
    messages = [(d["range"]["start"]["line"], d["message"]) for d in found["params"]["diagnostics"]]
    paths_line = ROADMAP.split("\n").index("              paths: alembic.ini")
    assert any(line == paths_line and "paths" in text for line, text in messages), messages


def test_the_editor_completes_the_parameters_of_the_kind(editor: tuple[Client, str]) -> None:
    client, uri = editor
    line, character = CURSOR
    result = client.request(
        "textDocument/completion",
        {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
    )
    items = result["items"] if isinstance(result, dict) else result
    labels = {item["label"] for item in items}
    assert {"path", "min", "type"} <= labels, sorted(labels)
    assert "pattern" not in labels  # text's parameter, not path_exists'
