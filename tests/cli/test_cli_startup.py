"""`propctl --help` (and the roadmap commands' help) load no heavy library: checked with
`python -X importtime` on a real process, so nothing imported lazily can hide."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "pulumi",
    "pulumi_aws",
    "boto3",
    "botocore",
    "kubernetes",
    "sqlalchemy",
    "alembic",
    "jinja2",
    "detect_secrets",
    "jmespath",
    "kubernetes_validate",
)


def imported_modules(*args: str) -> set[str]:
    code = (
        f"import sys; sys.argv = ['propctl', *{list(args)!r}]\n"
        "from propctl.cli.main import main\nraise SystemExit(main())"
    )
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    names = set()
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert names, "no -X importtime output"
    return names


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["status", "--help"],
        ["score", "--help"],
        ["checklist", "--help"],
        ["doctor", "--help"],
    ],
)
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    modules = imported_modules(*args)
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"propctl {' '.join(args)} imports {heavy}"


def test_roadmap_commands_stay_light() -> None:
    """status and score need pydantic and YAML, never the heavy libraries."""
    modules = imported_modules("status", "--format", "json")
    assert "pydantic" in modules and "propctl.roadmap.score" in modules
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []
