"""A Pulumi program on disk: its folder, project name, stacks and each stack's configuration."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propctl.errors import UserError

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class Program:
    dir: Path
    project: str

    @property
    def bundled(self) -> bool:
        from propctl.resources import infra_dir

        return self.dir.resolve() == infra_dir().resolve()

    def stacks(self) -> list[str]:
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in self.dir.glob("Pulumi.*.yaml")
        )

    def stack_file(self, stack: str) -> Path:
        return self.dir / f"Pulumi.{stack}.yaml"

    def config(self, stack: str) -> dict[str, str]:
        """The stack's configuration as the Pulumi runtime holds it: `namespace:key` -> string
        (objects as JSON). Keys without a namespace belong to the project, as in Pulumi."""
        path = self.stack_file(stack)
        if not path.is_file():
            known = ", ".join(self.stacks()) or "none"
            raise UserError(
                f"no stack {stack!r} in {self.dir} (no {path.name})", hint=f"stacks there: {known}"
            )
        data = _read_yaml(path)
        raw = data.get("config") or {}
        if not isinstance(raw, dict):
            raise UserError(f"{path}: `config` must be a mapping of key: value")
        return {_qualify(self.project, str(k)): _as_config(v) for k, v in raw.items()}


def load_program(folder: Path) -> Program:
    manifest = folder / "Pulumi.yaml"
    if not manifest.is_file():
        raise UserError(
            f"{folder} is not a Pulumi project (no Pulumi.yaml)",
            hint="run `propctl scaffold infra` to write one",
        )
    name = _read_yaml(manifest).get("name")
    if not isinstance(name, str) or not name:
        raise UserError(f"{manifest}: field `name` (the project name) is missing")
    return Program(folder, name)


def find_program(repo: Path | None) -> Program:
    """The target repo's `infra/`, else the program bundled with propctl."""
    if repo is not None and (repo / "infra" / "Pulumi.yaml").is_file():
        return load_program(repo / "infra")
    from propctl.resources import infra_dir

    return load_program(infra_dir())


def _read_yaml(path: Path) -> dict[str, Any]:
    from propctl.roadmap.yamlsrc import read_yaml

    data = read_yaml(path).data  # a located RoadmapError (exit 2) when it does not parse
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping at the top level")
    return data


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _as_config(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER  # encrypted with the stack's key: not readable offline
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)
