"""Run a Pulumi program under propctl's mocks inside a `@pulumi.runtime.test` test.

`planned(stack, check)` installs the mocks and the stack's config, runs the program and returns
an Output that resolves once every resource is registered and `check(plan)` has run: the test
returns it, so the decorator awaits it and an assertion inside `check` fails the test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi

from propctl.provision.plan import Plan, collect, execute, start
from propctl.provision.program import Program, load_program
from propctl.resources import infra_dir

STACKS = ("staging", "production")
# Every planned test runs on this day unless it says otherwise: the support windows in
# versions.yaml must not turn `make test` red as the calendar moves.
DATE = dt.date(2026, 12, 2)


def bundled() -> Program:
    return load_program(infra_dir())


def planned(
    stack: str,
    check: Callable[[Plan], None],
    *,
    overrides: dict[str, Any] | None = None,
    program: Program | None = None,
    date: dt.date = DATE,
) -> pulumi.Output[None]:
    program = program or bundled()
    mocks = start(program, stack, overrides, date)

    async def finish(outputs: dict[str, Any]) -> None:
        check(await collect(mocks, program, stack, outputs))

    return execute(program).apply(finish)


def write_program(folder: Path, main: str, config: str = "") -> Program:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text("name: tiny\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config:\n" + (config or "  tiny:x: 1\n"))
    (folder / "__main__.py").write_text(main)
    return load_program(folder)
