"""`asgi`: import the target's app in a subprocess of the target's Python and send it real
requests in-process (a tiny ASGI client of propctl's own; the target needs no httpx).

Each step is a request (or, with `routes`, one request per route of the app) and an `expect`:
`status` (a code or a list), `headers` ({name: regex, or null for "must be absent"}), `json`
(a JMESPath expression that must be truthy on the JSON body), `body` (a regex). `path` may be
a list: the first path the app routes is used (so a check holds before and after versioning).
`openapi_prefix` requires every OpenAPI path to start with it; `docs_url` the docs' URL.
`redis: up` gives the app REDIS_URL (from the environment, else a throwaway redis-server on
loopback); `redis: down` points it at a closed port.

The app is the repository's code and runs with a minimal environment (PATH, HOME, LANG,
LC_ALL, TMPDIR, then the check's `env`): verify's credentials never reach it. `app_dir` must
resolve inside the repo. Only what the runner's private channel carries is judged
(propctl.checks.kinds.asgi.pool), and a request the app never answered is a failure."""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.engine.redact import redact
from propctl.checks.kinds.asgi.pool import ForgedReply, RunnerCrashed, RunnerPool, RunnerTimeout
from propctl.checks.support.kind_helpers import cap
from propctl.checks.support.target_python import see_doctor
from propctl.checks.support.untrusted import minimal_env
from propctl.errors import MissingToolError

_DATABASES = itertools.cycle(range(1, 16))


def _client_address() -> str:
    """A loopback address of the check's own for the ASGI scope's `client` (no traffic is sent:
    the app sees it as the caller's address, e.g. for rate limits)."""
    return "127.{}.{}.{}".format(*secrets.token_bytes(3))


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int | list[int] | None = None
    headers: dict[str, str | None] = Field(default_factory=dict)
    json_: str | None = Field(default=None, alias="json")
    body: str | None = None
    logs: str | None = Field(default=None, description="Regex over what the request logged.")
    logs_json: bool = Field(default=False, description="It logged, and every line is JSON.")
    logs_header: str | None = Field(
        default=None, description="This response header's value appears in the logs."
    )
    redis_keys_added: int | None = Field(default=None, description="Redis keys the step added.")
    redis_keys_before: int | None = Field(
        default=None, description="Redis keys present before the step (e.g. a warmed cache)."
    )


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str = "GET"
    path: str | list[str] | None = None
    routes: dict[str, Any] | None = Field(
        default=None,
        description="{methods: [GET], include: regex, exclude: regex}: one "
        "request per matching route of the app.",
    )
    headers: dict[str, str] = Field(default_factory=dict)
    json_: Any = Field(default=None, alias="json")
    body: str | None = None
    repeat: int = Field(default=1, ge=1, le=1000, description="expect judges the last one")
    expect: Expect = Field(default_factory=Expect)
    name: str | None = None

    @model_validator(mode="after")
    def _path_or_routes(self) -> Step:
        if (self.path is None) == (self.routes is None):
            raise ValueError("a step has either `path` or `routes`")
        return self


class AsgiParams(CheckParams):
    app: str = Field(default="main:app", description="module:attribute of the ASGI app.")
    app_dir: str = Field(default="{api}", description="Folder the module is imported from.")
    steps: list[Step] = Field(default_factory=list)
    openapi_prefix: str | None = None
    docs_url: str | None = None
    redis: Literal["none", "up", "down"] = "none"
    env: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(default=120.0, gt=0, description="Seconds for import and requests.")

    @model_validator(mode="after")
    def _asks_something(self) -> AsgiParams:
        if not self.steps and self.openapi_prefix is None and self.docs_url is None:
            raise ValueError("an asgi check needs `steps`, `openapi_prefix` or `docs_url`")
        return self


@register("asgi")
class Asgi(CheckKind):
    """Real requests to the target's ASGI app, run in the target's own Python."""

    Params = AsgiParams
    params: AsgiParams

    def run(self, ctx: CheckContext) -> Result:
        p = self.params
        app_dir = ctx.expand(p.app_dir)
        outside = _outside_repo(ctx, app_dir)
        if outside:
            return Result.errored(outside)
        if not (ctx.repo / app_dir).is_dir():
            return Result.failed(f"{app_dir}: no such folder (the app's folder)")
        try:
            env = self._env(ctx)
        except MissingToolError as exc:
            return Result.errored(f"needs Redis: {exc}" + see_doctor(ctx.repo))
        client = _client_address()
        steps = [
            {
                **s.model_dump(by_alias=True, exclude={"expect", "name"}, exclude_none=True),
                "client": client,
                "redis_keys": s.expect.redis_keys_added is not None
                or s.expect.redis_keys_before is not None,
            }
            for s in p.steps
        ]
        spec = {
            "root": str(ctx.repo.resolve()),
            "app_dir": app_dir,
            "app": p.app,
            "openapi": p.openapi_prefix is not None or p.docs_url is not None,
            "steps": steps,
        }
        spec["env"] = env
        pool = ctx.services.get("asgi_pool")
        own = pool is None
        pool = pool or RunnerPool()
        try:
            seen = pool.run(ctx.python, spec, p.timeout)
        except RunnerTimeout:
            return Result.errored(f"the app did not answer within {p.timeout:g}s")
        except ForgedReply as exc:
            return Result.errored(
                f"the result channel carried something the runner did not send: {exc}",
                [Evidence(redact(exc.tail))] if exc.tail.strip() else [],
            )
        except RunnerCrashed as exc:
            return Result.errored(
                f"the ASGI runner crashed under {ctx.python}: {exc}",
                [Evidence(redact(exc.tail))] if exc.tail.strip() else [],
            )
        except OSError as exc:
            return Result.errored(
                f"cannot run the target's Python {ctx.python}: {exc}" + see_doctor(ctx.repo)
            )
        finally:
            if own:
                pool.close()
        if "error" in seen:
            hint = see_doctor(ctx.repo) if seen["error"].startswith("cannot import") else ""
            return Result.errored(
                seen["error"] + hint, [Evidence(redact(seen.get("traceback", ""))[-800:])]
            )
        if seen.get("startup_error"):
            return Result.errored(f"the app's startup failed: {seen['startup_error']}")
        malformed = reply_problem(seen, len(p.steps))
        if malformed:
            return Result.errored(f"the runner's reply is malformed: {malformed}")
        return self._judge(seen)

    @staticmethod
    def _redis_url(ctx: CheckContext) -> str:
        """verify's own throwaway redis-server when one can start here: a database per check
        (1-15), emptied first, so that no check sees another's keys or an earlier run's. Else
        the user's REDIS_URL, used as it is and never emptied (each check's requests come from
        a client address of their own, so per-client state such as rate limits does not leak
        from one check into another)."""
        provider = ctx.services.get("redis")
        try:
            url = provider() if provider is not None else None
        except MissingToolError:
            url = None
        if url is None:
            if os.environ.get("REDIS_URL"):
                return os.environ["REDIS_URL"]
            raise MissingToolError("no redis-server to start here and no REDIS_URL")
        from propctl.checks.kinds.asgi.helper_processes import redis_command

        base = url.rsplit("/", 1)[0] if url.count("/") >= 3 else url.rstrip("/")
        own = f"{base}/{next(_DATABASES)}"
        redis_command(own, "FLUSHDB")
        return own

    def _env(self, ctx: CheckContext) -> dict[str, str]:
        env = minimal_env({**ctx.env, **{k: ctx.expand(v) for k, v in self.params.env.items()}})
        if self.params.redis == "up":
            env["REDIS_URL"] = self._redis_url(ctx)
        elif self.params.redis == "down":
            from propctl.checks.kinds.asgi.helper_processes import closed_port

            env["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
        return env

    def _judge(self, seen: dict[str, Any]) -> Result:
        problems: list[Evidence] = []
        good: list[Evidence] = []
        for step, outcome in zip(self.params.steps, seen["steps"], strict=True):
            responses = outcome["responses"]
            label = step.name or f"{step.method} {outcome.get('path') or 'each route'}"
            if not responses:
                problems.append(Evidence(f"{label}: the app has no route to request"))
                continue
            judged = responses if step.routes is not None else responses[-1:]
            for response in judged:
                where = f"{response['method']} {response['path']}"
                if step.repeat > 1:
                    where += f" (request {step.repeat} of {step.repeat})"
                issue = judge_response(step.expect, response) or judge_redis(
                    step.expect, outcome.get("redis_keys")
                )
                (problems if issue else good).append(
                    Evidence(f"{where} -> {response['status']}" + (f": {issue}" if issue else ""))
                )
        problems += self._openapi(seen.get("openapi"), good)
        if problems:
            return Result.failed(problems[0].detail, cap(problems + good))
        return Result.passed(
            good[0].detail if len(good) == 1 else f"{len(good)} responses as expected", cap(good)
        )

    def _openapi(self, facts: dict[str, Any] | None, good: list[Evidence]) -> list[Evidence]:
        p = self.params
        if facts is None:
            return []
        if "error" in facts:
            return [Evidence(facts["error"])]
        out: list[Evidence] = []
        if p.openapi_prefix is not None:
            outside = [x for x in facts["paths"] if not x.startswith(p.openapi_prefix)]
            if outside or not facts["paths"]:
                out.append(
                    Evidence(
                        f"{len(outside)} of {len(facts['paths'])} OpenAPI paths are "
                        f"not under {p.openapi_prefix}: {', '.join(outside[:8])}"
                    )
                )
            else:
                good.append(
                    Evidence(f"all {len(facts['paths'])} OpenAPI paths under {p.openapi_prefix}")
                )
        if p.docs_url is not None:
            if facts.get("docs_url") != p.docs_url:
                out.append(Evidence(f"docs are at {facts.get('docs_url')}, not {p.docs_url}"))
            else:
                good.append(Evidence(f"docs_url = {p.docs_url}"))
        return out


def _outside_repo(ctx: CheckContext, app_dir: str) -> str | None:
    """Why `app_dir` is refused: it would import code from outside the repo (`..`, an absolute
    path, a symlink out), which no roadmap may ask for."""
    root = ctx.repo.resolve()
    target = (root / app_dir).resolve()
    if target == root or target.is_relative_to(root):
        return None
    return (
        f"app_dir {app_dir!r} resolves to {target}, outside the repo: refused "
        "(set app_dir to the app's folder inside the repository)"
    )


def reply_problem(seen: dict[str, Any], steps: int) -> str | None:
    """What is wrong with the shape of the runner's reply, if anything: a reply that does not
    hold one outcome per step, each with well-formed responses, is never judged."""
    outcomes = seen.get("steps")
    if not isinstance(outcomes, list) or len(outcomes) != steps:
        return f"expected {steps} step outcome(s)"
    for outcome in outcomes:
        responses = outcome.get("responses") if isinstance(outcome, dict) else None
        if not isinstance(responses, list):
            return "a step outcome has no responses"
        for response in responses:
            if not isinstance(response, dict) or not isinstance(response.get("headers"), dict):
                return "a response is not an object with headers"
            if not all(isinstance(response.get(k), str) for k in ("method", "path")):
                return "a response does not say which request it answers"
            code = response.get("status")
            if code is not None and (not isinstance(code, int) or not 100 <= code <= 599):
                return f"status {code!r} is not an HTTP status"
    return None


def judge_response(expect: Expect, response: dict[str, Any]) -> str | None:
    status = response["status"]
    if "exception" in response:
        return f"unhandled {response['exception']}"
    if status is None:
        return "the app sent no response (no http.response.start)"
    wanted = expect.status
    if wanted is not None and status not in (wanted if isinstance(wanted, list) else [wanted]):
        return f"expected status {wanted}" + _body_hint(response)
    headers = response["headers"]
    for name, pattern in expect.headers.items():
        value = headers.get(name.lower())
        if pattern is None and value is not None:
            return f"header {name}: {value} should be absent"
        if pattern is not None and value is None:
            return f"no {name} header"
        if pattern and value is not None and not re.search(pattern, value):
            return f"header {name}: {value!r} does not match /{pattern}/"
    if expect.json_ is not None:
        import jmespath

        if response["json"] is None:
            return "the body is not JSON" + _body_hint(response)
        if not jmespath.search(expect.json_, response["json"]):
            return f"JSON body fails `{expect.json_}`" + _body_hint(response)
    if expect.body is not None and not re.search(expect.body, response["body"] or ""):
        return f"body does not match /{expect.body}/" + _body_hint(response)
    return judge_logs(expect, response)


def judge_logs(expect: Expect, response: dict[str, Any]) -> str | None:
    lines: list[str] = response.get("logs") or []
    records: list[dict[str, Any]] = response.get("records") or []
    everything = "\n".join(lines + [json.dumps(r, default=str) for r in records])
    if expect.logs is not None and not re.search(expect.logs, everything):
        return f"nothing logged matches /{expect.logs}/" + _log_hint(lines, records)
    if expect.logs_json:
        if not lines:
            return "the request wrote no log line" + _log_hint(lines, records)
        for line in lines:
            try:
                if not isinstance(json.loads(line), dict):
                    raise ValueError
            except ValueError:
                return f"a log line is not a JSON object: {line[:120]!r}"
    if expect.logs_header is not None:
        value = response["headers"].get(expect.logs_header.lower())
        if not value:
            return f"no {expect.logs_header} header to look for in the logs"
        if value not in everything:
            return f"{expect.logs_header} {value!r} does not appear in the logs" + _log_hint(
                lines, records
            )
    return None


def judge_redis(expect: Expect, keys: dict[str, Any] | None) -> str | None:
    if expect.redis_keys_added is None and expect.redis_keys_before is None:
        return None
    if not keys or keys.get("before") is None or keys.get("after") is None:
        return "could not count Redis keys (REDIS_URL unreachable from the app's process)"
    if expect.redis_keys_before is not None and keys["before"] < expect.redis_keys_before:
        return (
            f"{keys['before']} Redis keys before the first request (a warmed cache has "
            f"at least {expect.redis_keys_before})"
        )
    added = keys["after"] - keys["before"]
    if expect.redis_keys_added is not None and added < expect.redis_keys_added:
        return f"the requests added {added} Redis keys (nothing cached)"
    return None


def _log_hint(lines: list[str], records: list[dict[str, Any]]) -> str:
    if not lines and not records:
        return " (nothing was logged)"
    sample = lines[0] if lines else json.dumps(records[0], default=str)
    return f" (logged: {sample[:120]})"


def _body_hint(response: dict[str, Any]) -> str:
    body = (response.get("body") or "").strip().replace("\n", " ")
    return f" (body: {body[:80]})" if body else ""
