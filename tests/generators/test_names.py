"""Name, port and path validation: bad input is exit 2 before anything is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from propctl.errors import UserError
from propctl.generators.engine import names
from propctl.roadmap.models import Service

BAD_NAMES = [
    "",
    " ",
    "../x",
    "/abs",
    "{{ 7*7 }}",
    "[[ x ]]",
    "a\x00b",
    "a\nb",
    "Auth",
    "1abc",
    "a",
    "a_b",
    "x" * 41,
    "auth-service",
    "a/b",
    "auth-",
    "trust-",
]
SERVICES = [Service(name="auth", port=3001), Service(name="property", port=3002)]


@pytest.mark.parametrize("value", BAD_NAMES)
def test_bad_service_names(value: str) -> None:
    with pytest.raises(UserError) as caught:
        names.service_name(value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("value", ["auth", "trust-score", "ab", "x" * 40])
def test_good_service_names(value: str) -> None:
    assert names.service_name(value) == value


@pytest.mark.parametrize(
    "value", ["", "1x", "class", "match", "a-b", "../x", "{{ 7*7 }}", "a\nb", "é"]
)
def test_bad_entity_names(value: str) -> None:
    with pytest.raises(UserError):
        names.entity_name(value)


@pytest.mark.parametrize("value", ["Property", "user_account", "_Private"])
def test_good_entity_names(value: str) -> None:
    assert names.entity_name(value) == value


@pytest.mark.parametrize(
    ("value", "service", "message"),
    [
        (80, "x", "out of range"),
        (70000, "x", "out of range"),
        ("abc", "x", "not a number"),
        (3001, "x", "gives port 3001 to the 'auth'"),
        (3002, "auth", "'property'"),
    ],
)
def test_bad_ports(value: object, service: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        names.port(value, service=service, roadmap_services=SERVICES)  # type: ignore[arg-type]


def test_roadmap_services_keep_their_ports_and_repo_ports_count(tmp_path: Path) -> None:
    assert names.port(3001, service="auth", roadmap_services=SERVICES) == 3001
    assert names.port("4000", service="new", roadmap_services=SERVICES) == 4000
    env = tmp_path / "apps" / "billing-service" / ".env.example"
    env.parent.mkdir(parents=True)
    env.write_text("APP_PORT=4100\n")
    with pytest.raises(UserError, match="'billing'"):
        names.port(4100, service="new", repo=tmp_path)
    assert names.port(4100, service="billing", repo=tmp_path) == 4100
    generated = {
        "apps/x-service/a": {"generator": "service", "params": {"name": "x", "port": 4200}}
    }
    with pytest.raises(UserError, match="'x'"):
        names.port(4200, service="y", generated=generated)


@pytest.mark.parametrize(("value", "expected"), [("a/b", "a/b"), ("./a//b/", "a/b")])
def test_safe_relpath_normalises(value: str, expected: str) -> None:
    assert names.safe_relpath(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "../x",
        "a/../../x",
        "/etc",
        "~/x",
        "C:/x",
        "a\\b",
        "",
        ".",
        "{{ 7*7 }}",
        "a\x00",
        "a\nb",
        ".git/hooks/x",
    ],
)
def test_safe_relpath_refuses(value: str) -> None:
    with pytest.raises(UserError):
        names.safe_relpath(value)
