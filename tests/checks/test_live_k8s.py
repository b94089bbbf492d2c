"""The `k8s_live` check against a stub Kubernetes API server on 127.0.0.1 that serves recorded
API responses (data/k8s/<scenario>/): a compliant cluster (namespaces propmubi-staging and
propmubi-production, the bundled roadmap's environments, nine available Deployments each with
probes and an HPA) and a drifted one."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from checkkit import roadmap

from propctl.checks.engine.base import CheckContext, Result
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.engine.runner import instantiate, run_check
from propctl.checks.status import Status
from propctl.roadmap.models import Roadmap

RECORDED = Path(__file__).resolve().parent / "data" / "k8s"
ROUTES = [
    (re.compile(r"^/api/v1/namespaces$"), "namespaces"),
    (re.compile(r"^/apis/apps/v1/namespaces/([a-z0-9-]+)/deployments$"), "deployments-{0}"),
    (
        re.compile(r"^/apis/autoscaling/v2/namespaces/([a-z0-9-]+)/horizontalpodautoscalers$"),
        "hpas-{0}",
    ),
]


class RecordedApi(BaseHTTPRequestHandler):
    """GET /<scenario>/<Kubernetes API path> -> the recorded response; `forbidden` -> 403."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        scenario, _, rest = self.path.split("?")[0].lstrip("/").partition("/")
        if scenario == "forbidden":
            return self._send(
                403,
                _status(
                    403,
                    "Forbidden",
                    'namespaces is forbidden: User "system:anonymous" cannot list resource',
                ),
            )
        for pattern, name in ROUTES:
            match = pattern.match("/" + rest)
            if match:
                path = RECORDED / scenario / (name.format(*match.groups()) + ".json")
                if path.is_file():
                    return self._send(200, json.loads(path.read_text()))
                return self._send(404, _status(404, "NotFound", f"{rest} not found"))
        return self._send(404, _status(404, "NotFound", "the server could not find it"))

    def _send(self, code: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


def _status(code: int, reason: str, message: str) -> dict:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def kubeconfig(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "stub",
                "clusters": [{"name": "stub", "cluster": {"server": server}}],
                "users": [{"name": "stub", "user": {"token": "stub-token"}}],
                "contexts": [{"name": "stub", "context": {"cluster": "stub", "user": "stub"}}],
            }
        )
    )
    return path


def check(
    params: dict, tmp_path: Path, *, live: bool = True, plan: Roadmap | None = None
) -> Result:
    body = {"kind": "k8s_live", **params}
    ctx = CheckContext(
        repo=tmp_path,
        roadmap=plan or roadmap(),
        files=FileIndex(tmp_path),
        python=sys.executable,
        live=live,
        item_id="13.a2",
    )
    return run_check(instantiate(body, "13.a2"), "k8s_live", ctx)


def test_the_compliant_cluster_passes(api: str, tmp_path: Path) -> None:
    result = check(
        {"kubeconfig": str(kubeconfig(tmp_path, f"{api}/compliant")), "min_deployments": 9},
        tmp_path,
    )
    assert result.status is Status.PASS, result.message
    details = " ".join(e.detail for e in result.evidence)
    assert "propmubi-production: 9 deployments, 9 HPAs" in details


def test_the_kubeconfig_from_the_environment(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig(tmp_path, f"{api}/compliant")))
    assert check({"require": ["namespaces"]}, tmp_path).status is Status.PASS


@pytest.mark.parametrize(
    ("params", "problems"),
    [
        ({}, ["namespace propmubi-staging does not exist"]),
        (
            {"environments": ["production"], "require": ["available"]},
            ["propmubi-production/legal-service: 0/2 replicas available"],
        ),
        (
            {"environments": ["production"], "require": ["hpa"]},
            ["propmubi-production/marketing-service: no HorizontalPodAutoscaler targets it"],
        ),
        (
            {"environments": ["production"], "require": ["probes"]},
            [
                "propmubi-production/crm-service: container crm-service has no liveness or "
                "readiness probe"
            ],
        ),
        (
            {"environments": ["production"], "min_deployments": 10, "require": ["available"]},
            ["propmubi-production: 9 deployments, want at least 10"],
        ),
        # 13.3 asks for 9 available Deployments in production: no such namespace is no pass
        (
            {"environments": ["staging"], "require": ["available"], "min_deployments": 9},
            ["namespace propmubi-staging does not exist"],
        ),
    ],
    ids=["namespaces", "available", "hpa", "probes", "count", "workloads-without-namespace"],
)
def test_the_drifted_cluster_fails_naming_the_problem(
    api: str, tmp_path: Path, params: dict, problems: list[str]
) -> None:
    config = str(kubeconfig(tmp_path, f"{api}/drifted"))
    result = check({"kubeconfig": config, **params}, tmp_path)
    assert result.status is Status.FAIL
    for problem in problems:
        assert problem in result.message


def test_only_what_is_required_is_judged(api: str, tmp_path: Path) -> None:
    config = str(kubeconfig(tmp_path, f"{api}/drifted"))
    result = check(
        {"kubeconfig": config, "environments": ["production"], "require": ["namespaces"]},
        tmp_path,
    )
    assert result.status is Status.PASS


def test_a_refusing_api_is_an_error(api: str, tmp_path: Path) -> None:
    result = check({"kubeconfig": str(kubeconfig(tmp_path, f"{api}/forbidden"))}, tmp_path)
    assert result.status is Status.ERROR and "403" in result.message


def test_no_cluster_is_an_error(tmp_path: Path) -> None:
    from servers import free_port

    config = kubeconfig(tmp_path, f"http://127.0.0.1:{free_port()}")
    result = check({"kubeconfig": str(config)}, tmp_path)
    assert result.status is Status.ERROR and "cannot reach the cluster" in result.message


def test_no_kubeconfig_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    result = check({}, tmp_path)
    assert result.status is Status.ERROR and "no kubeconfig" in result.message


def test_without_live_it_skips(tmp_path: Path) -> None:
    assert check({}, tmp_path, live=False).status is Status.SKIP


def test_environments_resolve_through_the_roadmaps_section(api: str, tmp_path: Path) -> None:
    """Rename production's namespace in the roadmap: the same check looks there instead."""
    base = roadmap()
    envs = [
        e.model_copy(update={"namespace": "pm-prod"}) if e.name == "production" else e
        for e in base.environments
    ]
    renamed = base.model_copy(update={"environments": envs})
    config = str(kubeconfig(tmp_path, f"{api}/compliant"))
    params = {"kubeconfig": config, "environments": ["production"], "require": ["namespaces"]}
    assert check(params, tmp_path).status is Status.PASS
    result = check(params, tmp_path, plan=renamed)
    assert result.status is Status.FAIL
    assert "namespace pm-prod does not exist" in result.message


def test_literal_namespaces_still_load(api: str, tmp_path: Path) -> None:
    """A roadmap written before `environments` names namespaces directly; they are taken as
    they are, and only they are checked."""
    config = str(kubeconfig(tmp_path, f"{api}/compliant"))
    result = check({"kubeconfig": config, "namespaces": ["staging"]}, tmp_path)
    assert result.status is Status.FAIL
    assert result.message == "namespace staging does not exist"
    both = {"kubeconfig": config, "namespaces": ["propmubi-staging"], "require": ["namespaces"]}
    assert check(both, tmp_path).status is Status.PASS


def test_an_unknown_environment_is_refused_when_the_roadmap_is_checked() -> None:
    from propctl.checks.engine.validate import param_problems
    from propctl.roadmap.yamlsrc import parse_yaml

    doc = parse_yaml(
        "tiers:\n- tasks:\n  - acceptance:\n    - id: 13.a2\n"
        "      check: {kind: k8s_live, environments: [prod]}\n",
        "roadmap.yaml",
    )
    (problem,) = param_problems(doc=doc)
    assert problem.startswith("roadmap.yaml:5:")
    assert "environments.0" in problem and "'staging' or 'production'" in problem
