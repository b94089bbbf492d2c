"""`propctl scaffold gateway`: Kong's declarative config. Kong's own schema is not available
offline (it lives in Kong's Lua code; `deck gateway validate` needs the binary), so the test
checks the file against a closed JSON Schema of every field it uses, with Kong's field names and
types, and routes requests through it the way Kong does (longest prefix, strip, append)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from propctl.cli.main import main
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap

PLUGIN_CONFIG = {
    "jwt": {
        "key_claim_name": {"type": "string"},
        "claims_to_verify": {"type": "array", "items": {"enum": ["exp", "nbf"]}},
        "header_names": {"type": "array"},
        "maximum_expiration": {"type": "integer", "minimum": 0},
    },
    "cors": {
        "origins": {"type": "array", "items": {"type": "string"}},
        "methods": {
            "type": "array",
            "items": {
                "enum": [
                    "GET",
                    "HEAD",
                    "PUT",
                    "PATCH",
                    "POST",
                    "DELETE",
                    "OPTIONS",
                    "TRACE",
                    "CONNECT",
                ]
            },
        },
        "headers": {"type": "array"},
        "exposed_headers": {"type": "array"},
        "credentials": {"type": "boolean"},
        "max_age": {"type": "number"},
    },
    "rate-limiting": {
        "minute": {"type": "integer", "minimum": 1},
        "limit_by": {
            "enum": ["consumer", "credential", "ip", "service", "header", "path", "consumer-group"]
        },
        "policy": {"enum": ["local", "cluster", "redis"]},
        "fault_tolerant": {"type": "boolean"},
        "hide_client_headers": {"type": "boolean"},
    },
    "correlation-id": {
        "header_name": {"type": "string"},
        "generator": {"enum": ["uuid", "uuid#counter", "tracker"]},
        "echo_downstream": {"type": "boolean"},
    },
}


def _closed(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


PLUGIN = {
    "oneOf": [
        _closed({"name": {"const": name}, "config": _closed(config)}, ("name",))
        for name, config in PLUGIN_CONFIG.items()
    ]
}
ROUTE = _closed(
    {
        "name": {"type": "string"},
        "paths": {"type": "array", "items": {"type": "string", "pattern": "^/"}},
        "strip_path": {"type": "boolean"},
        "protocols": {"type": "array", "items": {"enum": ["http", "https"]}},
        "plugins": {"type": "array", "items": PLUGIN},
    },
    ("name", "paths"),
)
SERVICE = _closed(
    {
        "name": {"type": "string"},
        "url": {"type": "string", "pattern": "^https?://"},
        "connect_timeout": {"type": "integer"},
        "read_timeout": {"type": "integer"},
        "write_timeout": {"type": "integer"},
        "retries": {"type": "integer"},
        "routes": {"type": "array", "items": ROUTE},
    },
    ("name", "url"),
)
SCHEMA = _closed(
    {
        "_format_version": {"enum": ["3.0"]},
        "_info": _closed({"select_tags": {"type": "array"}}),
        "plugins": {"type": "array", "items": PLUGIN},
        "consumers": {
            "type": "array",
            "items": _closed(
                {
                    "username": {"type": "string"},
                    "jwt_secrets": {
                        "type": "array",
                        "items": _closed(
                            {
                                "key": {"type": "string"},
                                "algorithm": {"enum": ["HS256", "HS384", "HS512"]},
                                "secret": {"type": "string"},
                            },
                            ("key", "algorithm", "secret"),
                        ),
                    },
                }
            ),
        },
        "services": {"type": "array", "items": SERVICE},
    },
    ("_format_version", "services"),
)


@pytest.fixture(scope="module")
def config_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("gateway")
    assert main(["scaffold", "gateway", "--repo", str(repo)]) == 0
    return repo / "gateway" / "kong.yaml"


@pytest.fixture(scope="module")
def config(config_path: Path) -> dict:
    return yaml.safe_load(config_path.read_text())


def route(config: dict, path: str) -> tuple[str, list[str]]:
    """Kong's prefix routing: the longest matching path wins; it is stripped and what is left is
    appended to the service URL. Returns the upstream URL and the plugins that apply."""
    candidates = [
        (p, s, r)
        for s in config["services"]
        for r in s["routes"]
        for p in r["paths"]
        if path == p or path.startswith(p.rstrip("/") + "/")
    ]
    assert candidates, f"no route for {path}"
    prefix, service, matched = max(candidates, key=lambda c: len(c[0]))
    rest = path[len(prefix) :] if matched.get("strip_path", True) else path
    plugins = [p["name"] for p in config.get("plugins", []) + matched.get("plugins", [])]
    return service["url"].rstrip("/") + rest, plugins


def test_config_matches_the_schema(config: dict) -> None:
    jsonschema.validate(config, SCHEMA)


def test_schema_catches_a_misspelt_plugin_field(config: dict) -> None:
    broken = json.loads(json.dumps(config))
    broken["plugins"][2]["config"]["minutes"] = 5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_every_roadmap_service_is_routed(config: dict) -> None:
    roadmap = load_roadmap(bundled_roadmap())
    for service in roadmap.services:
        host = f"http://{service.name}-service:{service.port}"  # in Kong's own namespace
        url, plugins = route(config, f"/{service.name}/api/v1/me")
        assert url == f"{host}/api/v1/me" and "jwt" in plugins and "cors" in plugins
        assert route(config, f"/{service.name}/health") == (
            f"{host}/health",
            ["correlation-id", "cors", "rate-limiting"],
        )
        url, plugins = route(config, f"/{service.name}/api/v1/auth/verify")
        assert url == f"{host}/api/v1/auth/verify" and "jwt" not in plugins
        assert plugins.count("rate-limiting") == 2  # global + the strict login limit


def test_cors_origins_come_from_the_roadmap(config: dict) -> None:
    cors = next(p for p in config["plugins"] if p["name"] == "cors")
    assert cors["config"]["origins"] == load_roadmap(bundled_roadmap()).cors_origins


def test_no_secret_in_the_file(config_path: Path, config: dict) -> None:
    secret = config["consumers"][0]["jwt_secrets"][0]["secret"]
    assert secret == "{{ .JWT_SECRET }}"  # the External Secrets Operator fills it in
    out = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "scan", str(config_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["results"] == {}


def test_namespace_option(tmp_path: Path) -> None:
    assert (
        main(["scaffold", "gateway", "--namespace", "propmubi-staging", "--repo", str(tmp_path)])
        == 0
    )
    assert "auth-service.propmubi-staging.svc" in (tmp_path / "gateway/kong.yaml").read_text()


@pytest.mark.parametrize("namespace", ["../evil", "", "Upper", "a\nb", "{{ 7*7 }}", "x" * 64])
def test_bad_namespace_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], namespace: str
) -> None:
    assert main(["scaffold", "gateway", "--namespace", namespace, "--repo", str(tmp_path)]) == 2
    assert "not a Kubernetes namespace" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
