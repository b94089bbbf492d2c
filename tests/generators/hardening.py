"""Hardening the example's API on a copy: `scaffold add all --service api`, then the edits that
stay the engineer's (as docs/hardening.md shows them): the login router sends the OTP through
`security.otp` and issues tokens through `security.tokens` (no hard-coded OTP or JWT secret), and
the routers raise the API's exceptions instead of HTTPException."""

from __future__ import annotations

import re
from pathlib import Path

from propctl.cli.main import main

AUTH_ROUTER = Path(__file__).parent / "fixtures_hardened_api" / "auth_router_after.py"
ROUTERS = ("agent", "crm", "builder", "projects")


def scaffold_all(repo: Path) -> None:
    assert main(["scaffold", "add", "all", "--service", "api", "--repo", str(repo)]) == 0


def engineer_edits(repo: Path) -> None:
    routers = repo / "apps/api/routers"
    (routers / "auth.py").write_text(AUTH_ROUTER.read_text())
    for name in ROUTERS:
        path = routers / f"{name}.py"
        text = path.read_text()
        text = text.replace(
            "from fastapi import APIRouter, HTTPException",
            "from fastapi import APIRouter\n\nfrom exceptions import NotFoundError",
        )
        text = re.sub(
            r'raise HTTPException\(status_code=404, detail=("[^"]*")\)',
            r"raise NotFoundError(\1)",
            text,
        )
        assert "HTTPException" not in text, name
        path.write_text(text)


def harden(repo: Path) -> None:
    scaffold_all(repo)
    engineer_edits(repo)
