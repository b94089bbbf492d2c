"""The offline plan: run a Pulumi program under propctl's mocks and collect what it would create.

`plan()` is the entry point. The Pulumi runtime keeps global state, so a process runs the
program in-process once (`infra plan`); callers that plan repeatedly or from threads (the
`infra_plan` check) pass `isolated=True` and get a fresh interpreter per plan
(`python -m propctl.provision.worker`). Tests drive `start`/`execute`/`collect` themselves under
`@pulumi.runtime.test`."""

from __future__ import annotations

import datetime as dt
import json
import os
import runpy
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.provision.program import SECRET_PLACEHOLDER, Program

if TYPE_CHECKING:
    import pulumi

    from propctl.provision.mocks import PlanMocks

PROGRAM_PACKAGE_PREFIXES = ("propmubi_infra", "__main__pulumi")


@dataclass
class PlannedResource:
    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]

    def get(self, *path: str | int, default: Any = None) -> Any:
        value: Any = self.inputs
        for step in path:
            if isinstance(value, dict) and isinstance(step, str):
                value = value.get(step)
            elif (
                isinstance(value, list)
                and isinstance(step, int)
                and -len(value) <= step < len(value)
            ):
                value = value[step]
            else:
                return default
            if value is None:
                return default
        return value


@dataclass
class Plan:
    stack: str
    project: str
    program_dir: str
    resources: list[PlannedResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    leaked_outputs: list[str] = field(default_factory=list)  # outputs holding a secret
    # a computed value (an id, an ARN) -> [resource name, attribute] that produces it
    provenance: dict[str, list[str]] = field(default_factory=dict)
    # the day the plan is judged on (support windows); the program sees it as `propctl:date`
    date: str = field(default_factory=lambda: today().isoformat())

    def of_type(self, token: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == token]

    def by_id(self, rid: str) -> PlannedResource | None:
        return next((r for r in self.resources if r.id == rid), None)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        resources = [PlannedResource(**r) for r in data.pop("resources")]
        return cls(resources=resources, **data)


# ---- running the program ------------------------------------------------------------------

DATE_KEY = "propctl:date"


def today() -> dt.date:
    from propctl import clock

    return clock.today()


def start(
    program: Program,
    stack: str,
    overrides: dict[str, Any] | None = None,
    date: dt.date | None = None,
) -> PlanMocks:
    """Install fresh mocks and the stack's configuration (plus `overrides`, keys without a
    namespace belonging to the project, and the plan's date as `propctl:date`)."""
    import pulumi
    from pulumi.runtime import settings as pulumi_settings

    from propctl.provision.mocks import PlanMocks

    config = program.config(stack)
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"{program.project}:{key}"
        config[full] = value if isinstance(value, str) else json.dumps(value)
    config[DATE_KEY] = (date or today()).isoformat()  # the plan's, never the stack file's
    mocks = PlanMocks(region=config.get("aws:region", "eu-west-1"))
    mocks.date = config[DATE_KEY]
    pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]  # a new Stack per run
    pulumi.runtime.set_mocks(  # PlanMocks has Mocks' shape without importing it at load time
        mocks,  # type: ignore[arg-type]
        project=program.project,
        stack=stack,
        preview=False,
    )
    pulumi.runtime.set_all_config(config, [k for k, v in config.items() if v == SECRET_PLACEHOLDER])
    return mocks


def execute(program: Program) -> pulumi.Output[dict[str, Any]]:
    """Run the program's `__main__.py` (its folder first on sys.path); returns its stack
    outputs. Call inside a `@pulumi.runtime.test` function, after `start`."""
    import pulumi
    from pulumi.runtime.settings import get_root_resource

    for name in [m for m in sys.modules if m.startswith(PROGRAM_PACKAGE_PREFIXES)]:
        del sys.modules[name]  # another program (or stack) may have loaded its own copy
    folder = str(program.dir.resolve())
    sys.path.insert(0, folder)
    try:
        runpy.run_path(str(program.dir / "__main__.py"), run_name="__main__pulumi")
    finally:
        sys.path.remove(folder)
    stack = get_root_resource()
    outputs: dict[str, Any] = dict(getattr(stack, "outputs", {}) or {})
    return pulumi.Output.all(**outputs) if outputs else pulumi.Output.from_input({})


async def collect(mocks: PlanMocks, program: Program, stack: str, outputs: dict[str, Any]) -> Plan:
    """Wait until every resource has been registered, then build the plan."""
    from pulumi.runtime.stack import wait_for_rpcs

    await wait_for_rpcs(await_all_outstanding_tasks=False)
    return build_plan(mocks, program, stack, outputs)


def build_plan(mocks: PlanMocks, program: Program, stack: str, outputs: dict[str, Any]) -> Plan:
    shown: dict[str, Any] = {}
    leaked = []
    for name, value in outputs.items():
        text = json.dumps(value, default=str)
        if any(secret in text for secret in mocks.secrets):
            leaked.append(name)
            shown[name] = SECRET_PLACEHOLDER
        else:
            shown[name] = value
    resources = sorted(
        (
            PlannedResource(r.urn, r.type, r.name, r.id, r.inputs)
            for r in mocks.resources
            if r.custom
        ),
        key=lambda r: (r.type, r.name),
    )
    # sorted: registration order depends on the event loop, a plan should diff cleanly
    return Plan(
        stack=stack,
        project=program.project,
        program_dir=str(program.dir),
        resources=resources,
        outputs=shown,
        leaked_outputs=leaked,
        provenance={k: list(v) for k, v in mocks.provenance.items()},
        date=mocks.date,
    )


def run_in_process(
    program: Program,
    stack: str,
    overrides: dict[str, Any] | None = None,
    date: dt.date | None = None,
) -> Plan:
    import pulumi

    _ensure_event_loop()
    mocks = start(program, stack, overrides, date)
    holder: list[Plan] = []

    async def finish(outputs: dict[str, Any]) -> None:
        holder.append(await collect(mocks, program, stack, outputs))

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> pulumi.Output[None]:
        return execute(program).apply(finish)

    import contextlib

    try:  # the program's print()s are diagnostics: stdout carries the plan (JSON, the worker's)
        with contextlib.redirect_stdout(sys.stderr):
            run()
    except UserError:
        raise
    except Exception as exc:  # the user's program failed: say where, not a propctl traceback
        raise UserError(
            f"the Pulumi program in {program.dir} failed for stack {stack!r}"
            f"{_where(exc, program)}: {type(exc).__name__}: {exc}",
            hint=f"fix the program or {program.stack_file(stack).name}",
        ) from exc
    return holder[0]


def _ensure_event_loop() -> None:
    """Pulumi's runtime asks asyncio for the current loop. After an `asyncio.run()` in the same
    thread there is none (it sets the loop to None), or it is closed: give it a fresh one."""
    import asyncio

    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        asyncio.set_event_loop(asyncio.new_event_loop())


def _where(exc: BaseException, program: Program) -> str:
    """` at FILE:LINE`: the deepest frame of the traceback inside the program's folder."""
    import traceback

    folder = str(program.dir.resolve())
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(folder)]
    return f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""


def plan(
    program: Program,
    stack: str,
    overrides: dict[str, Any] | None = None,
    *,
    isolated: bool = False,
    timeout_s: float = 120.0,
    date: dt.date | None = None,
) -> Plan:
    program.config(stack)  # a missing stack is the user's error, before any process starts
    if not isolated:
        return run_in_process(program, stack, overrides, date)
    cmd = [
        sys.executable,
        "-m",
        "propctl.provision.worker",
        str(program.dir),
        stack,
        json.dumps(overrides or {}),
        (date or today()).isoformat(),
    ]
    env = {**os.environ, "PYTHONPATH": _own_path()}
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout_s, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise UserError(
            f"planning {program.dir} (stack {stack}) took over {timeout_s:.0f}s"
        ) from None
    if done.returncode != 0:
        raise UserError(f"planning {program.dir} (stack {stack}) failed: {_failure(done)}")
    return Plan.from_json(json.loads(done.stdout))


def _failure(done: subprocess.CompletedProcess[str]) -> str:
    """The worker's own error (JSON on stdout), else the last line it wrote to stderr."""
    try:
        reply = json.loads(done.stdout)
    except ValueError:
        reply = None
    error = reply.get("error") if isinstance(reply, dict) else None
    if isinstance(error, str):
        return error
    return (done.stderr.strip().splitlines() or ["(no output)"])[-1]


def _own_path() -> str:
    here = str(Path(__file__).resolve().parents[2])
    current = os.environ.get("PYTHONPATH")
    return here if not current else f"{here}{os.pathsep}{current}"
