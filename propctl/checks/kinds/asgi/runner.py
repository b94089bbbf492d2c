"""Runs INSIDE the target's Python: imports the app and sends it requests in-process through a
tiny ASGI client. Standard library only, so the target needs nothing of propctl's (not even
httpx).

`python runner.py --serve IN OUT`: IN and OUT are pipe descriptors that only propctl and
this process hold (the pool passes them; they are not inherited by anything the app starts).
Each request is one JSON line on IN, `{"id": n, "spec": {...}}`; each reply is one JSON line on
OUT, `{"id": n, "result": {...}}`. The app's stdout and stderr go to a log file that propctl only
shows as evidence, so nothing the app prints can pass for a result.

spec: {"root": dir, "app_dir": dir, "app": "main:app", "env": {...}, "steps": [{"method", "path"
(a path or a list: the first one the app routes is used), "headers", "json", "body", "repeat"}
or {"routes": {"methods": [...], "exclude": regex}, "headers"...}], "openapi": bool}
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import urlsplit

MAX_BODY = 8192
PR_SET_CHILD_SUBREAPER = 36

Json = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Json, Receive, Send], Awaitable[None]]

OWN_PID = os.getpid()


def main() -> None:
    if len(sys.argv) != 4 or sys.argv[1] != "--serve":
        sys.exit("usage: runner.py --serve IN_FD OUT_FD (started by propctl)")
    inbox, outbox = open_channel(int(sys.argv[2]), int(sys.argv[3]))
    become_subreaper()
    serve(inbox, outbox)


def open_channel(fd_in: int, fd_out: int) -> tuple[BinaryIO, BinaryIO]:
    """The private pipes; not inheritable, so a program the app starts does not get them."""
    for fd in (fd_in, fd_out):
        os.set_inheritable(fd, False)
    return os.fdopen(fd_in, "rb"), os.fdopen(fd_out, "wb", buffering=0)


def become_subreaper() -> None:
    """Orphans of the app (a double fork, setsid) become this process's children instead of
    init's, so propctl still finds and kills them after the check (Linux; a no-op elsewhere)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def serve(inbox: BinaryIO, outbox: BinaryIO) -> None:
    """One request per line, one reply per request: a warm process that keeps the heavy
    imports (fastapi, pydantic) and imports the target's own modules afresh."""
    base_path = list(sys.path)
    base_cwd = os.getcwd()
    for line in inbox:
        reap_children()
        if not line.strip():
            continue
        request = json.loads(line)
        spec: Json = request["spec"]
        forget(spec["root"])
        sys.path[:] = base_path
        os.chdir(base_cwd)
        os.environ.clear()
        os.environ.update(spec.get("env") or {})
        result = run_spec(spec)
        if os.getpid() != OWN_PID:
            os._exit(0)  # a child the app forked came back here: it must not answer
        outbox.write(json.dumps({"id": request["id"], "result": result}, default=str).encode())
        outbox.write(b"\n")
        forget(spec["root"])  # the next spec may name the same modules in another tree


def reap_children() -> None:
    """Collect the children propctl killed after the last check (no zombies pile up)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def forget(root: str) -> None:
    """Drop the target's modules (so the next import runs them again) and its logging set-up."""
    root = os.path.realpath(root)
    for name, module in list(sys.modules.items()):
        source = getattr(module, "__file__", None) or ""
        if source and os.path.realpath(source).startswith(root + os.sep):
            del sys.modules[name]
    for logger in [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]:
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET if logger.name != "root" else logging.WARNING)
        logger.propagate = True
        logger.disabled = False


def run_spec(spec: Json) -> Json:
    app_dir = os.path.join(spec["root"], spec["app_dir"])
    sys.path[:0] = [app_dir, spec["root"]]
    os.chdir(app_dir)
    module_name, _, attr = spec["app"].partition(":")
    try:
        module = importlib.import_module(module_name)
        app: App = getattr(module, attr or "app")
    except BaseException as exc:  # noqa: BLE001 - any import failure is reported, not raised
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        return {
            "error": f"cannot import {spec['app']} from {spec['app_dir']}: "
            f"{type(exc).__name__}: {exc}",
            "traceback": "".join(lines)[-2000:],
        }
    if os.getpid() != OWN_PID:
        os._exit(0)  # the app's import forked: only the runner itself sends the requests
    try:
        return asyncio.run(run(app, spec))
    except BaseException as exc:  # noqa: BLE001
        return {
            "error": f"the requests failed: {type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc()[-2000:],
        }


async def run(app: App, spec: Json) -> Json:
    lifespan = Lifespan(app)
    startup_error = await lifespan.start()
    out: Json = {"steps": [], "startup_error": startup_error}
    try:
        for step in spec["steps"]:
            out["steps"].append(await run_step(app, step))
        if spec.get("openapi"):
            out["openapi"] = openapi_facts(app)
    finally:
        await lifespan.stop()
    return out


async def run_step(app: App, step: Json) -> Json:
    before = redis_dbsize() if step.get("redis_keys") else None
    if "routes" in step:
        responses = []
        for method, path in list_routes(app, step["routes"]):
            responses.append(await request(app, method, path, step))
        out: Json = {"responses": responses}
    else:
        paths = step["path"] if isinstance(step["path"], list) else [step["path"]]
        path = choose_path(app, step.get("method", "GET"), paths)
        responses = [
            await request(app, step.get("method", "GET"), path, step)
            for _ in range(int(step.get("repeat", 1)))
        ]
        out = {"path": path, "responses": responses}
    if before is not None:
        out["redis_keys"] = {"before": before, "after": redis_dbsize()}
    return out


def redis_dbsize() -> int | None:
    """DBSIZE of the Redis at REDIS_URL, over a raw socket (RESP); None when unreachable."""
    import socket

    url = urlsplit(os.environ.get("REDIS_URL", ""))
    if url.scheme not in ("redis", "rediss") or not url.hostname:
        return None
    db = (url.path or "/0").strip("/") or "0"
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=5) as sock:
            commands: list[list[str]] = []
            if url.password:
                commands.append(["AUTH", url.password])
            commands += [["SELECT", db], ["DBSIZE"]]
            for command in commands:
                wire = f"*{len(command)}\r\n" + "".join(
                    f"${len(str(a))}\r\n{a}\r\n" for a in command
                )
                sock.sendall(wire.encode())
                reply = sock.recv(1024).decode()
            return int(reply[1:].strip()) if reply.startswith(":") else None
    except (OSError, ValueError):
        return None


def list_routes(app: Any, spec: Json) -> list[tuple[str, str]]:
    """(method, concrete path) for each route the app documents (its OpenAPI schema: the one
    view of every route that holds across FastAPI versions), path parameters set to 1."""
    methods = {m.upper() for m in spec.get("methods", ["GET"])}
    exclude = re.compile(spec.get("exclude") or r"(?!)")
    include = re.compile(spec.get("include") or "")
    try:
        paths = (app.openapi() or {}).get("paths", {})
    except Exception:  # noqa: BLE001 - not FastAPI, or a broken schema: walk the routes
        paths = {
            getattr(r, "path", ""): {m.lower(): {} for m in getattr(r, "methods", None) or ()}
            for r in getattr(app, "routes", [])
            if getattr(r, "path", None)
        }
    out: list[tuple[str, str]] = []
    for path, operations in sorted(paths.items()):
        if not path or exclude.search(path) or not include.search(path):
            continue
        for method in sorted(m.upper() for m in operations if m.upper() in methods):
            out.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return out


def choose_path(app: Any, method: str, paths: list[str]) -> str:
    try:
        from starlette.routing import Match
    except ImportError:
        return paths[0]
    for path in paths:
        scope = {
            "type": "http",
            "path": urlsplit(path).path,
            "method": method.upper(),
            "root_path": "",
            "headers": [],
            "query_string": b"",
        }
        for route in getattr(app, "routes", []):
            try:
                match, _ = route.matches(scope)
            except Exception:  # noqa: BLE001
                continue
            if match is not Match.NONE:
                return path
    return paths[0]


def openapi_facts(app: Any) -> Json:
    try:
        schema = app.openapi()
    except Exception as exc:  # noqa: BLE001
        return {"error": f"app.openapi() failed: {type(exc).__name__}: {exc}"}
    return {
        "paths": sorted((schema or {}).get("paths", {})),
        "docs_url": getattr(app, "docs_url", None),
        "openapi_url": getattr(app, "openapi_url", None),
    }


async def request(app: App, method: str, target: str, step: Json) -> Json:
    parts = urlsplit(target)
    body = b""
    headers = {k.lower(): str(v) for k, v in (step.get("headers") or {}).items()}
    if step.get("json") is not None:
        body = json.dumps(step["json"]).encode()
        headers.setdefault("content-type", "application/json")
    elif step.get("body") is not None:
        body = str(step["body"]).encode()
    headers.setdefault("host", "testserver")
    headers["content-length"] = str(len(body))
    scope: Json = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": parts.path or "/",
        "raw_path": (parts.path or "/").encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": (step.get("client") or "127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent = {"body": False}
    status: Json = {"code": None, "headers": [], "body": b""}

    async def receive() -> Message:
        if not sent["body"]:
            sent["body"] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status["code"] = message["status"]
            status["headers"] = message.get("headers", [])
        elif message["type"] == "http.response.body":
            status["body"] += message.get("body", b"")

    capture = LogCapture()
    try:
        with capture:
            await app(scope, receive, send)
    except Exception as exc:  # noqa: BLE001 - an unhandled exception is what a server turns to 500
        if status["code"] is None:
            return {
                "method": method,
                "path": target,
                "status": 500,
                "headers": {},
                "body": "",
                "json": None,
                "logs": capture.lines(),
                "records": capture.records,
                "exception": f"{type(exc).__name__}: {exc}",
            }
    text = status["body"][:MAX_BODY].decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return {
        "method": method,
        "path": target,
        "status": status["code"],
        "headers": {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in status["headers"]},
        "body": text,
        "json": parsed,
        "logs": capture.lines(),
        "records": capture.records,
    }


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class LogCapture(logging.Handler):
    """While a request runs: every log record (message and extra fields), and what the app's
    own stream handlers and print() write (their formatted lines, e.g. JSON)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[dict[str, str]] = []
        self.buffer = io.StringIO()
        self.swapped: list[tuple[logging.StreamHandler[Any], Any]] = []
        self.redirects: list[contextlib.AbstractContextManager[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        extra = {k: str(v) for k, v in vars(record).items() if k not in _STANDARD}
        self.records.append(
            {
                "logger": record.name,
                "level": record.levelname,
                "message": record.getMessage(),
                **extra,
            }
        )

    def __enter__(self) -> LogCapture:
        logging.getLogger().addHandler(self)
        loggers = [logging.getLogger()] + [
            lg
            for lg in logging.Logger.manager.loggerDict.values()
            if isinstance(lg, logging.Logger)
        ]
        for logger in loggers:
            for handler in logger.handlers:
                if type(handler) is logging.StreamHandler or (
                    isinstance(handler, logging.StreamHandler)
                    and not isinstance(handler, logging.FileHandler)
                ):
                    self.swapped.append((handler, handler.setStream(self.buffer)))
        self.redirects = [
            contextlib.redirect_stdout(self.buffer),
            contextlib.redirect_stderr(self.buffer),
        ]
        for r in self.redirects:
            r.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for r in reversed(self.redirects):
            r.__exit__(None, None, None)
        for handler, old in self.swapped:
            if old is not None:
                handler.setStream(old)
        logging.getLogger().removeHandler(self)

    def lines(self) -> list[str]:
        return [line for line in self.buffer.getvalue().splitlines() if line.strip()][:200]


class Lifespan:
    """The ASGI lifespan protocol: startup before the requests, shutdown after."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.outbox: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> str | None:
        async def receive() -> Message:
            return await self.inbox.get()

        async def send(message: Message) -> None:
            await self.outbox.put(message)

        scope: Json = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        task = asyncio.ensure_future(self.app(scope, receive, send))
        self.task = task
        await self.inbox.put({"type": "lifespan.startup"})
        getter = asyncio.ensure_future(self.outbox.get())
        waiting: set[asyncio.Future[Any]] = {getter, task}
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            self.task = None  # the app does not speak lifespan: fine
            return None
        message = getter.result()
        if message["type"] == "lifespan.startup.failed":
            return str(message.get("message") or "startup failed")
        return None

    async def stop(self) -> None:
        if self.task is None or self.task.done():
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(self.outbox.get(), timeout=10)
        except (TimeoutError, Exception):  # noqa: BLE001
            pass


if __name__ == "__main__":
    main()
