"""`propctl scaffold infra`: the bundled program, file for file, into the repo's infra/."""

from __future__ import annotations

from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.generators.infra import infra_generation
from propctl.resources import infra_dir


def _bundled() -> dict[str, str]:
    return {
        p.relative_to(infra_dir()).as_posix(): p.read_text()
        for p in infra_dir().rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_one_source_every_file_as_it_ships(tmp_path: Path) -> None:
    assert main(["scaffold", "infra", "--repo", str(tmp_path)]) == 0
    written = {
        p.relative_to(tmp_path / "infra").as_posix(): p.read_text()
        for p in (tmp_path / "infra").rglob("*")
        if p.is_file()
    }
    assert written == _bundled()
    assert {
        "Pulumi.yaml",
        "Pulumi.staging.yaml",
        "Pulumi.production.yaml",
        "__main__.py",
        "propmubi_infra/network.py",
        "propmubi_infra/cluster.py",
        "propmubi_infra/database.py",
        "propmubi_infra/cache.py",
        "propmubi_infra/security.py",
    } <= set(written)


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scaffold", "infra", "--repo", str(tmp_path), "--dry-run"]) == 0
    assert "infra/Pulumi.yaml" in capsys.readouterr().out
    assert not (tmp_path / "infra").exists()


def test_a_user_edit_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scaffold", "infra", "--repo", str(tmp_path)]) == 0
    stack = tmp_path / "infra" / "Pulumi.production.yaml"
    stack.write_text(stack.read_text().replace("m6i.xlarge", "m7i.xlarge"))
    assert main(["scaffold", "infra", "--repo", str(tmp_path)]) == 1  # a conflict, not a loss
    assert "m7i.xlarge" in stack.read_text()


@pytest.mark.parametrize("path", ["../elsewhere", "/abs"])
def test_a_path_outside_the_repo_is_refused(path: str) -> None:
    from propctl.errors import UserError

    with pytest.raises(UserError, match="inside the repo"):
        infra_generation(path)


@pytest.mark.parametrize(
    "linter",
    [
        ["black", "--check", "--line-length", "100", "--target-version", "py311"],
        ["ruff", "check", "--no-cache", "--select", "E,F,W,I,B,UP", "--line-length", "100"],
        ["ruff", "format", "--check", "--no-cache", "--line-length", "100"],
    ],
    ids=["black", "ruff-check", "ruff-format"],
)
def test_the_scaffolded_program_passes_the_task_4_formatters(
    tmp_path: Path, linter: list[str]
) -> None:
    """Run from the repository's root, as the roadmap's Task 4 checks run them."""
    import subprocess
    import sys

    assert main(["scaffold", "infra", "--repo", str(tmp_path)]) == 0
    python = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "infra").rglob("*.py"))
    assert len(python) >= 10
    tool = str(Path(sys.executable).parent / linter[0])
    done = subprocess.run(
        [tool, *linter[1:], *python],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
