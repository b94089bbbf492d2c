"""`infra preview|up|destroy|outputs` through the StackRunner interface: a fake runner records
what propctl asks; the real one needs the pulumi CLI (absent here: exit 2, how to install)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.provision import runner
from propctl.provision.runner import RunResult, Target


@dataclass
class FakeRunner:
    target: Target
    calls: list[str] = field(default_factory=list)

    def preview(self, on_output: runner.OnOutput) -> RunResult:
        self.calls.append("preview")
        on_output("Previewing update (production)")
        return RunResult("preview", self.target.stack, {"create": 64})

    def up(self, on_output: runner.OnOutput) -> RunResult:
        self.calls.append("up")
        on_output("+ aws:eks:Cluster cluster creating")
        return RunResult(
            "up",
            self.target.stack,
            {"create": 64},
            {"clusterName": "propmubi-production-eks", "token": "[secret]"},
        )

    def destroy(self, on_output: runner.OnOutput) -> RunResult:
        self.calls.append("destroy")
        return RunResult("destroy", self.target.stack, {"delete": 64})

    def preview_destroy(self, on_output: runner.OnOutput) -> RunResult:
        self.calls.append("preview_destroy")
        return RunResult("preview_destroy", self.target.stack, {"delete": 64})

    def outputs(self) -> RunResult:
        self.calls.append("outputs")
        return RunResult("outputs", self.target.stack, outputs={"cacheEndpoint": "master.x"})


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> list[FakeRunner]:
    made: list[FakeRunner] = []

    def factory(target: Target) -> FakeRunner:
        made.append(FakeRunner(target))
        return made[-1]

    monkeypatch.setattr(runner, "FACTORY", factory)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "correct horse")
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    return made


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["infra", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_up_asks_the_runner_to_go_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fake: list[FakeRunner]
) -> None:
    code, out, err = _run(
        capsys, "up", "--stack", "staging", "--repo", str(tmp_path), "--format", "json"
    )
    assert code == 0
    assert [f.calls for f in fake] == [["up"]]
    assert json.loads(out)["outputs"]["token"] == "[secret]"
    assert "aws:eks:Cluster cluster creating" in err  # the engine's output is streamed


def test_the_local_backend_is_a_git_ignored_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fake: list[FakeRunner]
) -> None:
    assert _run(capsys, "preview", "--stack", "staging", "--repo", str(tmp_path))[0] == 0
    target = fake[0].target
    state = tmp_path / ".propctl" / "pulumi-state"
    assert target.backend_url == state.resolve().as_uri() and state.is_dir()
    assert "pulumi-state/" in (tmp_path / ".propctl" / ".gitignore").read_text().splitlines()
    assert target.env["PULUMI_BACKEND_URL"] == target.backend_url
    assert target.env["PULUMI_CONFIG_PASSPHRASE"] == "correct horse"
    # the bundled program is copied (Pulumi writes to its stack files), the copy is used
    assert target.work_dir == (tmp_path / ".propctl" / "pulumi-program").resolve()
    assert (target.work_dir / "Pulumi.production.yaml").is_file()


def test_pulumi_backend_url_is_respected(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: list[FakeRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://team-state")
    assert _run(capsys, "outputs", "--stack", "staging", "--repo", str(tmp_path))[0] == 0
    assert fake[0].target.backend_url == "s3://team-state"
    assert not (tmp_path / ".propctl" / "pulumi-state").exists()


def test_a_repo_program_is_run_where_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fake: list[FakeRunner]
) -> None:
    assert main(["scaffold", "infra", "--repo", str(tmp_path)]) == 0
    capsys.readouterr()
    assert _run(capsys, "preview", "--stack", "production", "--repo", str(tmp_path))[0] == 0
    assert fake[0].target.work_dir == tmp_path / "infra"


@pytest.mark.parametrize("action", ["up", "destroy"])
def test_production_needs_yes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fake: list[FakeRunner], action: str
) -> None:
    code, _, err = _run(capsys, action, "--stack", "production", "--repo", str(tmp_path))
    assert code == 2 and "--yes" in err
    assert fake == []  # nothing was asked of Pulumi
    code, _, _ = _run(capsys, action, "--stack", "production", "--yes", "--repo", str(tmp_path))
    assert code == 0 and fake[0].calls == [action]


@pytest.mark.parametrize(
    ("action", "asked", "shown"),
    [("up", "preview", "create: 64"), ("destroy", "preview_destroy", "delete: 64")],
)
def test_dry_run_previews_without_needing_yes(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: list[FakeRunner],
    action: str,
    asked: str,
    shown: str,
) -> None:
    code, out, _ = _run(
        capsys, action, "--stack", "production", "--dry-run", "--repo", str(tmp_path)
    )
    assert code == 0 and fake[0].calls == [asked] and shown in out


def test_without_a_passphrase_nothing_runs(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: list[FakeRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    code, _, err = _run(capsys, "preview", "--stack", "staging", "--repo", str(tmp_path))
    assert code == 2 and "PULUMI_CONFIG_PASSPHRASE is not set" in err and fake == []


def test_an_unknown_stack_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fake: list[FakeRunner]
) -> None:
    code, _, err = _run(capsys, "up", "--stack", "prod", "--repo", str(tmp_path))
    assert code == 2 and "no stack 'prod'" in err and fake == []


def test_a_pulumi_failure_exits_1(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: list[FakeRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from propctl.errors import FailureFound

    def broken(self: FakeRunner, on_output: runner.OnOutput) -> RunResult:
        raise FailureFound("pulumi failed on stack staging: error: 1 resource failed")

    monkeypatch.setattr(FakeRunner, "up", broken)
    code, _, err = _run(capsys, "up", "--stack", "staging", "--repo", str(tmp_path))
    assert code == 1 and "1 resource failed" in err and "Traceback" not in err


def test_missing_pulumi_cli_exits_2_with_install_instructions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no pulumi anywhere on it
    for action in ("preview", "outputs"):
        code, _, err = _run(capsys, action, "--stack", "staging", "--repo", str(tmp_path))
        assert code == 2
        assert "the `pulumi` CLI is not on PATH" in err
        assert "https://www.pulumi.com/docs/install/" in err and "Traceback" not in err
    assert not (tmp_path / ".propctl").exists()  # nothing written before the CLI was found


def test_missing_cli_through_a_real_process(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PATH": str(tmp_path), "PULUMI_CONFIG_PASSPHRASE": "x"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "propctl",
            "infra",
            "preview",
            "--stack",
            "staging",
            "--repo",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "install the Pulumi CLI" in done.stderr


class _StubStack:
    """What `pulumi.automation.Stack` returns, for the real runner's mapping."""

    def preview(self, on_output: runner.OnOutput, color: str) -> object:
        on_output("Previewing update (staging):")
        return type("R", (), {"change_summary": {"create": 64}})()

    def up(self, on_output: runner.OnOutput, color: str) -> object:
        from pulumi.automation._cmd import CommandResult
        from pulumi.automation.errors import CommandError

        raise CommandError(
            CommandResult(
                stdout="Updating (staging):\n",
                code=255,
                stderr="warning: A new version of Pulumi is available.\n"
                "error: update failed: creating RDS DB Instance: AccessDenied\n",
            )
        )

    def outputs(self) -> dict:
        from pulumi.automation import OutputValue

        return {
            "databaseEndpoint": OutputValue("db:5432", False),
            "token": OutputValue("s3cr3t", True),
        }


def test_the_automation_runner_maps_results_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from propctl.errors import FailureFound
    from propctl.provision.program import find_program

    monkeypatch.setattr(runner.shutil, "which", lambda name: f"/opt/bin/{name}")
    target = runner.prepare(
        find_program(tmp_path),
        "staging",
        "up",
        tmp_path,
        {"PULUMI_CONFIG_PASSPHRASE": "x"},
        yes=False,
    )
    real = runner.AutomationRunner(target)
    real._stack = _StubStack()  # what create_or_select_stack would open
    lines: list[str] = []
    assert real.preview(lines.append).changes == {"create": 64} and lines
    assert real.outputs().outputs == {"databaseEndpoint": "db:5432", "token": "[secret]"}
    with pytest.raises(
        FailureFound, match="error: update failed: creating RDS DB Instance: AccessDenied$"
    ):
        real.up(lines.append)


def _stack_with(tmp_path: Path, lines: str) -> Path:
    """A repo whose scaffolded production stack file ends with `lines` (under `config:`)."""
    assert main(["scaffold", "infra", "--repo", str(tmp_path)]) == 0
    stack = tmp_path / "infra" / "Pulumi.production.yaml"
    stack.write_text(stack.read_text() + lines)
    return stack


def test_the_state_backend_and_secrets_provider_come_from_the_stack_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: list[FakeRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stack_with(
        tmp_path,
        "  propctl:stateBackendUrl: s3://propmubi-state?region=eu-west-1\n"
        "  propctl:secretsProvider: awskms://alias/propmubi-pulumi-secrets?region=eu-west-1\n",
    )
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")  # a KMS provider needs no passphrase
    capsys.readouterr()
    code, _, err = _run(capsys, "preview", "--stack", "production", "--repo", str(tmp_path))
    assert code == 0, err
    target = fake[0].target
    assert target.backend_url == "s3://propmubi-state?region=eu-west-1"
    assert target.env["PULUMI_BACKEND_URL"] == target.backend_url
    assert target.secrets_provider.startswith("awskms://alias/propmubi-pulumi-secrets")
    assert "PULUMI_CONFIG_PASSPHRASE" not in target.env
    assert not (tmp_path / ".propctl" / "pulumi-state").exists()  # nothing local


def test_pulumi_backend_url_overrides_the_stack_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: list[FakeRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stack_with(tmp_path, "  propctl:stateBackendUrl: s3://from-the-file\n")
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://from-the-environment")
    capsys.readouterr()
    assert _run(capsys, "preview", "--stack", "production", "--repo", str(tmp_path))[0] == 0
    assert fake[0].target.backend_url == "s3://from-the-environment"
    assert fake[0].target.secrets_provider == "passphrase"


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("  propctl:stateBackendUrl: propmubi-state\n", "propctl:stateBackendUrl"),
        ("  propctl:secretsProvider: alias/propmubi\n", "propctl:secretsProvider"),
    ],
)
def test_a_backend_or_provider_that_is_not_a_url_is_refused_naming_the_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: list[FakeRunner],
    line: str,
    named: str,
) -> None:
    _stack_with(tmp_path, line)
    capsys.readouterr()
    code, _, err = _run(capsys, "preview", "--stack", "production", "--repo", str(tmp_path))
    assert code == 2 and named in err and "Pulumi.production.yaml" in err and fake == []
