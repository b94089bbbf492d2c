"""`scaffold ingress`: the Gateway API edge as deployed. Each overlay rendered with
`kubectl kustomize`, built-in kinds judged by kubernetes-validate, the Gateway API, cert-manager
and External Secrets resources by their CRD schemas (npm kubernetes-models), Envoy Gateway's own
policies structurally (no registry package ships their schemas), then checkov: 0 failures.
Client addresses: proxy protocol into Envoy, Kong trusting X-Forwarded-For only from the VPC."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from propctl.cli.main import main
from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.gateway import gateway_generation
from propctl.generators.ingress import (
    CERT_MANAGER_VERSION,
    ENVOY_GATEWAY_VERSION,
    ingress_generation,
)
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap

sys.path.insert(0, str(Path(__file__).parent))
import k8s_judges  # noqa: E402

TARGET_REFS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["group", "kind", "name"],
        "additionalProperties": False,
        "properties": {"group": {"type": "string"}, "kind": {"type": "string"}, "name": {}},
    },
}
# The parts of Envoy Gateway's v1alpha1 CRDs these manifests use (its CRDs ship in its Helm chart,
# in no registry package): unknown fields are errors, so a typo cannot pass.
ENVOY_GATEWAY = {
    "gateway.envoyproxy.io/v1alpha1/ClientTrafficPolicy": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "spec": {
                "type": "object",
                "required": ["targetRefs"],
                "additionalProperties": False,
                "properties": {
                    "targetRefs": TARGET_REFS,
                    "enableProxyProtocol": {"type": "boolean"},
                    "clientIPDetection": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "xForwardedFor": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"numTrustedHops": {"type": "integer", "minimum": 0}},
                            }
                        },
                    },
                    "tls": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "minVersion": {"enum": ["Auto", "1.0", "1.1", "1.2", "1.3"]}
                        },
                    },
                },
            }
        },
    },
    "gateway.envoyproxy.io/v1alpha1/EnvoyProxy": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "provider": {
                        "type": "object",
                        "required": ["type"],
                        "additionalProperties": False,
                        "properties": {
                            "type": {"const": "Kubernetes"},
                            "kubernetes": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "envoyDeployment": {
                                        "type": "object",
                                        "properties": {"replicas": {"type": "integer"}},
                                    },
                                    "envoyService": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {
                                            "externalTrafficPolicy": {"enum": ["Local", "Cluster"]},
                                            "annotations": {
                                                "type": "object",
                                                "additionalProperties": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    }
                },
            }
        },
    },
}
ENVIRONMENTS = {"staging": "api.staging.propmubi.com", "production": "api.propmubi.com"}


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("edge")
    roadmap = load_roadmap(bundled_roadmap())
    for generation in (
        gateway_generation(roadmap),
        ingress_generation(acme_email="platform@propmubi.com"),
    ):
        apply(repo, plan(repo, generation))
    return repo / "k8s/ingress"


@pytest.fixture(scope="module")
def rendered(edge: Path) -> dict[str, list[dict[str, Any]]]:
    found = {env: k8s_judges.render(edge / f"overlays/{env}") for env in ENVIRONMENTS}
    found["controllers"] = k8s_judges.render(edge / "controllers")
    return found


def _one(objects: list[dict], kind: str, name: str | None = None) -> dict:
    (found,) = [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]
    return found


@pytest.mark.parametrize("part", [*ENVIRONMENTS, "controllers"])
def test_every_part_passes_its_schemas(rendered: dict, part: str) -> None:
    assert k8s_judges.validate(rendered[part], structural=ENVOY_GATEWAY) == []


@pytest.mark.slow
def test_the_edge_passes_checkov_with_no_failure(
    edge: Path, rendered: dict, tmp_path: Path
) -> None:
    for part, objects in rendered.items():
        (tmp_path / f"{part}.yaml").write_text(yaml.safe_dump_all(objects))
    results = k8s_judges.checkov(tmp_path, edge / ".checkov.yaml")
    assert [(c["check_id"], c["resource"]) for c in results["failed_checks"]] == []
    assert results["skipped_checks"] == []
    assert any(c["resource"].startswith("Deployment.") for c in results["passed_checks"])


def test_the_schemas_reject_broken_edge_objects(rendered: dict) -> None:
    objects = rendered["production"]
    for kind, breaking in (
        ("Gateway", lambda d: d["spec"]["listeners"][1].__setitem__("port", 0)),
        ("Issuer", lambda d: d["spec"]["acme"].pop("server")),
        ("ClientTrafficPolicy", lambda d: d["spec"].__setitem__("enableProxyProtocl", True)),
        ("Deployment", lambda d: d["spec"]["template"]["spec"].__setitem__("hostNetwerk", True)),
    ):
        broken = copy.deepcopy(_one(objects, kind))
        breaking(broken)
        assert k8s_judges.validate([broken], structural=ENVOY_GATEWAY), kind


@pytest.mark.parametrize(("env", "host"), ENVIRONMENTS.items())
def test_tls_for_the_host_from_cert_manager_to_kong(rendered: dict, env: str, host: str) -> None:
    objects = rendered[env]
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {
        f"propmubi-{env}"
    }
    gateway = _one(objects, "Gateway")
    assert gateway["spec"]["gatewayClassName"] == "propmubi"
    assert gateway["metadata"]["annotations"]["cert-manager.io/issuer"] == "letsencrypt"
    listeners = {entry["name"]: entry for entry in gateway["spec"]["listeners"]}
    assert {entry["hostname"] for entry in listeners.values()} == {host}
    assert listeners["https"]["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "api-tls"}]
    issuer = _one(objects, "Issuer")
    assert ("acme-staging-v02" in issuer["spec"]["acme"]["server"]) == (env == "staging")
    (solver,) = issuer["spec"]["acme"]["solvers"]
    assert solver["http01"]["gatewayHTTPRoute"]["parentRefs"][0]["sectionName"] == "http"
    route = _one(objects, "HTTPRoute", "api")
    assert route["spec"]["hostnames"] == [host]
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "kong-proxy", "port": 80}]
    redirect = _one(objects, "HTTPRoute", "http-to-https")
    assert redirect["spec"]["rules"][0]["filters"][0]["requestRedirect"]["scheme"] == "https"
    service = _one(objects, "Service", "kong-proxy")
    assert service["spec"]["ports"][0]["port"] == 80
    assert (
        service["spec"]["selector"]
        == _one(objects, "Deployment", "kong")["spec"]["selector"]["matchLabels"]
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kong_is_db_less_on_the_generated_config_and_trusts_only_the_vpc(
    rendered: dict, env: str
) -> None:
    objects = rendered[env]
    kong = _one(objects, "Deployment", "kong")
    (container,) = kong["spec"]["template"]["spec"]["containers"]
    env_vars = {e["name"]: e["value"] for e in container["env"]}
    cidr = {"staging": "10.30.0.0/16", "production": "10.20.0.0/16"}[env]
    assert env_vars["KONG_DATABASE"] == "off" and env_vars["KONG_ADMIN_LISTEN"] == "off"
    assert env_vars["KONG_TRUSTED_IPS"] == cidr
    assert env_vars["KONG_REAL_IP_HEADER"] == "X-Forwarded-For"
    assert env_vars["KONG_REAL_IP_RECURSIVE"] == "on"
    assert "@sha256:" in container["image"]
    config = _one(objects, "ExternalSecret", "kong-config")
    (source,) = config["spec"]["target"]["template"]["templateFrom"]
    assert source["configMap"]["name"] == "kong-config-template"
    assert config["spec"]["data"][0]["remoteRef"] == {
        "key": f"propmubi/{env}/auth-service",
        "property": "JWT_SECRET",
    }
    template = _one(objects, "ConfigMap", "kong-config-template")
    text = template["data"]["kong.yaml"]
    assert 'secret: "{{ .JWT_SECRET }}"' in text  # what the operator fills in
    assert "url: http://auth-service:3001" in text  # short names: Kong's own namespace
    policy = _one(objects, "NetworkPolicy", "kong")
    sources = [
        rule["from"][0]["namespaceSelector"]["matchLabels"] for rule in policy["spec"]["ingress"]
    ]
    assert {"kubernetes.io/metadata.name": "envoy-gateway-system"} in sources
    traffic = _one(objects, "ClientTrafficPolicy")
    assert traffic["spec"]["enableProxyProtocol"] is True
    assert traffic["spec"]["clientIPDetection"] == {"xForwardedFor": {"numTrustedHops": 0}}


def test_the_load_balancer_speaks_proxy_protocol(rendered: dict) -> None:
    proxy = _one(rendered["controllers"], "EnvoyProxy")
    annotations = proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"] == "*"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    gateway_class = _one(rendered["controllers"], "GatewayClass")
    assert gateway_class["spec"]["parametersRef"]["name"] == proxy["metadata"]["name"]


def test_install_script_pins_supported_controllers(edge: Path) -> None:
    script = edge / "controllers/install.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    assert f"--version {ENVOY_GATEWAY_VERSION} " in text
    assert f"--version {CERT_MANAGER_VERSION} " in text
    assert "ingress-nginx" not in text and "kubectl apply -k" in text
    assert script.stat().st_mode & 0o100
    values = yaml.safe_load((edge / "controllers/cert-manager-values.yaml").read_text())
    assert values["config"]["enableGatewayAPI"] is True and values["crds"]["enabled"] is True


def test_without_the_gateway_it_says_to_scaffold_it_first(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["scaffold", "ingress", "--email", "a@b.co", "--repo", str(tmp_path)]) == 2
    assert "propctl scaffold gateway" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert main(["scaffold", "gateway", "--repo", str(tmp_path)]) == 0
    assert main(["scaffold", "ingress", "--email", "a@b.co", "--repo", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email"], "is not an e-mail address"),
        (["--email", "a@b.co", "--host", "../etc"], "is not a DNS host name"),
        (["--email", "a@b.co", "--host", "{{ 7*7 }}"], "is not a DNS host name"),
        (["--email", "a@b.co", "--backend", "kong"], "must be SERVICE:PORT"),
        (["--email", "a@b.co", "--backend", "kong:\u00b2"], "must be SERVICE:PORT"),
        (["--email", "a@b.co\n"], "is not an e-mail address"),
        (["--email", "a@b.co", "--host", "api.b.co\n"], "is not a DNS host name"),
        (["--email", "a@b.co", "--backend", "kong:80\n"], "must be SERVICE:PORT"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    assert main(["scaffold", "ingress", "--repo", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
