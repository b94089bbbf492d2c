"""Real runs (preview, up, destroy, outputs) through Pulumi's Automation API.

Everything propctl asks of Pulumi goes through `StackRunner`, a small interface: the real one
(`AutomationRunner`) drives the `pulumi` CLI; tests pass a fake and check what was asked.
Before a runner is made, `prepare` settles what propctl itself requires, writing nothing: the
production guard (`--yes`), the state backend and the secrets provider. Both come from the
stack file (`propctl:stateBackendUrl`, e.g. `s3://bucket`, and `propctl:secretsProvider`, e.g.
`awskms://alias/key`); PULUMI_BACKEND_URL overrides the backend; without them the state is a
local `file://` folder under `.propctl/pulumi-state/` and the secrets provider a passphrase
(PULUMI_CONFIG_PASSPHRASE), for trying it out.
Only once a runner exists (the CLI is there) does `materialize` create those folders."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from propctl.errors import MissingToolError, UserError
from propctl.provision.program import Program

ACTIONS = ("preview", "up", "destroy", "preview_destroy", "outputs")
CHANGING = frozenset({"up", "destroy"})
PROTECTED_STACKS = frozenset({"production"})
STATE_DIR = Path(".propctl") / "pulumi-state"
BACKEND_KEY = "propctl:stateBackendUrl"
SECRETS_KEY = "propctl:secretsProvider"
BACKEND_SCHEMES = ("s3://", "gs://", "azblob://", "file://", "https://")
SECRETS_SCHEMES = ("awskms://", "gcpkms://", "azurekeyvault://", "hashivault://")
WORK_DIR = Path(".propctl") / "pulumi-program"
INSTALL_HINT = (
    "install the Pulumi CLI (https://www.pulumi.com/docs/install/): "
    "`curl -fsSL https://get.pulumi.com | sh` on Linux/macOS or `brew install pulumi`, then make "
    "sure `pulumi version` works; `propctl infra plan` needs no CLI and works offline"
)

OnOutput = Callable[[str], None]


@dataclass
class RunResult:
    action: str
    stack: str
    changes: dict[str, int] = field(default_factory=dict)  # operation -> count
    outputs: dict[str, Any] = field(default_factory=dict)  # secrets shown as "[secret]"

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "stack": self.stack,
            "changes": self.changes,
            "outputs": self.outputs,
        }


class StackRunner(Protocol):
    def preview(self, on_output: OnOutput) -> RunResult: ...
    def up(self, on_output: OnOutput) -> RunResult: ...
    def destroy(self, on_output: OnOutput) -> RunResult: ...
    def preview_destroy(self, on_output: OnOutput) -> RunResult: ...
    def outputs(self) -> RunResult: ...


@dataclass(frozen=True)
class Target:
    """Where a run happens: the program's folder, the stack, the backend, the environment."""

    program: Program
    work_dir: Path
    stack: str
    backend_url: str
    env: dict[str, str]
    secrets_provider: str = "passphrase"


def prepare(
    program: Program, stack: str, action: str, repo: Path, env: Mapping[str, str], *, yes: bool
) -> Target:
    if action not in ACTIONS:
        raise UserError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    config = program.config(stack)  # a stack the program does not have is the user's error
    if action in CHANGING and stack in PROTECTED_STACKS and not yes:
        raise UserError(
            f"`infra {action}` on {stack} changes real infrastructure; add --yes to go ahead",
            hint=f"run `propctl infra preview --stack {stack}` first to see what would change",
        )
    where = program.stack_file(stack)
    secrets = _setting(config, SECRETS_KEY, SECRETS_SCHEMES, where) or "passphrase"
    if secrets == "passphrase" and not (
        env.get("PULUMI_CONFIG_PASSPHRASE") or env.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    ):
        raise UserError(
            "PULUMI_CONFIG_PASSPHRASE is not set: Pulumi encrypts the stack's secrets with it",
            hint="export PULUMI_CONFIG_PASSPHRASE=... (keep it in "
            "your password manager; the same one is needed for every later run), or set "
            f"{SECRETS_KEY} (awskms://alias/...) in {where.name}",
        )
    backend = (
        env.get("PULUMI_BACKEND_URL")
        or _setting(config, BACKEND_KEY, BACKEND_SCHEMES, where)
        or (repo / STATE_DIR).resolve().as_uri()
    )
    work_dir = program.dir if not program.bundled else (repo / WORK_DIR).resolve()
    run_env = {
        k: env[k]
        for k in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
        if env.get(k) and secrets == "passphrase"
    }
    return Target(
        program, work_dir, stack, backend, {**run_env, "PULUMI_BACKEND_URL": backend}, secrets
    )


def _setting(config: Mapping[str, str], key: str, schemes: tuple[str, ...], where: Path) -> str:
    value = config.get(key, "").strip()
    if value and not value.startswith(schemes):
        raise UserError(
            f"{where}: config {key}: {value!r} is not a URL Pulumi understands",
            hint=f"start it with one of {', '.join(schemes)}",
        )
    return value


def materialize(target: Target) -> None:
    """Create the local state folder (git-ignored) and, for the bundled program, the copy Pulumi
    may write to (it records an encryption salt in the stack file)."""
    from propctl.state import atomic_write

    if target.backend_url.startswith("file://"):
        state = Path(target.backend_url[len("file://") :])
        state.mkdir(parents=True, exist_ok=True)
        ignore = state.parent / ".gitignore"
        lines = ignore.read_text("utf-8").splitlines() if ignore.is_file() else []
        missing = [e for e in (f"{state.name}/", f"{WORK_DIR.name}/") if e not in lines]
        if missing:
            atomic_write(ignore, "\n".join(lines + missing) + "\n")
    if target.work_dir != target.program.dir:
        shutil.copytree(
            target.program.dir,
            target.work_dir,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )


def run(action: str, runner: StackRunner, on_output: OnOutput) -> RunResult:
    if action == "outputs":
        return runner.outputs()
    method: Callable[[OnOutput], RunResult] = getattr(runner, action)
    return method(on_output)


class AutomationRunner:
    """The real runner: `pulumi.automation` over the `pulumi` CLI."""

    def __init__(self, target: Target) -> None:
        if shutil.which("pulumi") is None:
            raise MissingToolError(
                "the `pulumi` CLI is not on PATH: `infra preview`, `up`, "
                "`destroy` and `outputs` need it",
                hint=INSTALL_HINT,
            )
        from pulumi import automation as auto

        self.target = target
        self._auto = auto
        self._stack: Any = None

    @property
    def stack(self) -> Any:
        """The Automation API stack, opened on first use (after `materialize`)."""
        if self._stack is None:
            auto = self._auto
            try:
                self._stack = auto.create_or_select_stack(
                    stack_name=self.target.stack,
                    work_dir=str(self.target.work_dir),
                    opts=auto.LocalWorkspaceOptions(
                        env_vars=self.target.env, secrets_provider=self.target.secrets_provider
                    ),
                )
            except auto.CommandError as exc:
                raise UserError(
                    f"pulumi could not open stack {self.target.stack!r}: {_pulumi_error(exc)}"
                ) from None
        return self._stack

    def preview(self, on_output: OnOutput) -> RunResult:
        result = self._guard(lambda: self.stack.preview(on_output=on_output, color="never"))
        return RunResult("preview", self.target.stack, _counts(result.change_summary))

    def up(self, on_output: OnOutput) -> RunResult:
        result = self._guard(lambda: self.stack.up(on_output=on_output, color="never"))
        return RunResult(
            "up",
            self.target.stack,
            _counts(result.summary.resource_changes),
            _shown(result.outputs),
        )

    def destroy(self, on_output: OnOutput) -> RunResult:
        result = self._guard(lambda: self.stack.destroy(on_output=on_output, color="never"))
        return RunResult("destroy", self.target.stack, _counts(result.summary.resource_changes))

    def preview_destroy(self, on_output: OnOutput) -> RunResult:
        result = self._guard(lambda: self.stack.preview_destroy(on_output=on_output, color="never"))
        return RunResult("preview_destroy", self.target.stack, _counts(result.change_summary))

    def outputs(self) -> RunResult:
        return RunResult(
            "outputs", self.target.stack, outputs=_shown(self._guard(lambda: self.stack.outputs()))
        )

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except self._auto.CommandError as exc:
            from propctl.errors import FailureFound

            raise FailureFound(
                f"pulumi failed on stack {self.target.stack}: {_pulumi_error(exc)}"
            ) from None


def automation_runner(target: Target) -> StackRunner:
    return AutomationRunner(target)


# Tests replace this with a factory for a fake runner.
FACTORY: Callable[[Target], StackRunner] = automation_runner


def _counts(changes: Mapping[str, int] | None) -> dict[str, int]:
    return {str(k): int(v) for k, v in (changes or {}).items()}


def _shown(outputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: "[secret]" if getattr(o, "secret", False) else getattr(o, "value", o)
        for name, o in outputs.items()
    }


def _pulumi_error(exc: Exception) -> str:
    """The engine's own words: the last `error:` line of the command's stderr. CommandError
    keeps only `repr(CommandResult(stdout=..., stderr=..., code=...))`, so read it from there."""
    import ast
    import re

    text = str(exc)
    found = re.search(r"stderr=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")", text)
    if found:
        try:
            text = ast.literal_eval(found.group(1))
        except (ValueError, SyntaxError):
            pass
    errors = [x.strip() for x in text.splitlines() if "error:" in x]
    return errors[-1] if errors else _last_line(text)


def _last_line(text: str) -> str:
    lines = [x.strip() for x in text.strip().splitlines() if x.strip()]
    return lines[-1] if lines else "(no output)"
