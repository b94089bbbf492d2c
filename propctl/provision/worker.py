"""`python -m propctl.provision.worker DIR STACK OVERRIDES_JSON [DATE]`: plan in a fresh
interpreter and print the plan as JSON (the Pulumi runtime's global state makes one plan per
process safest)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from propctl.errors import PropctlError
from propctl.provision.plan import run_in_process
from propctl.provision.program import load_program


def main(argv: list[str]) -> int:
    folder, stack, overrides, *rest = argv
    date = dt.date.fromisoformat(rest[0]) if rest else None
    try:
        plan = run_in_process(load_program(Path(folder)), stack, json.loads(overrides), date)
    except PropctlError as exc:
        # on stdout, as JSON: stderr's last line may be the Pulumi runtime's shutdown noise
        json.dump({"error": str(exc).splitlines()[0]}, sys.stdout)
        return 2
    json.dump(plan.as_json(), sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
