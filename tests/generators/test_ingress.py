"""`scaffold ingress`: Ingress validated offline with kubernetes-validate after each overlay's
patches; cert-manager ClusterIssuers checked structurally against the v1 fields they use."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from propctl.cli.main import main
from propctl.generators.engine import apply, plan
from propctl.generators.ingress import ingress_generation

# The part of cert-manager's ClusterIssuer v1 CRD schema these manifests rely on (the CRD ships
# with the chart, not offline): ACME with HTTP-01 through an ingress class.
CLUSTER_ISSUER = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "cert-manager.io/v1"},
        "kind": {"const": "ClusterIssuer"},
        "metadata": {"type": "object", "required": ["name"], "not": {"required": ["namespace"]}},
        "spec": {
            "type": "object",
            "required": ["acme"],
            "additionalProperties": False,
            "properties": {
                "acme": {
                    "type": "object",
                    "required": ["server", "privateKeySecretRef", "solvers"],
                    "additionalProperties": False,
                    "properties": {
                        "server": {"type": "string", "pattern": "^https://"},
                        "email": {"type": "string", "format": "email"},
                        "privateKeySecretRef": {
                            "type": "object",
                            "required": ["name"],
                            "additionalProperties": False,
                            "properties": {"name": {"type": "string"}},
                        },
                        "solvers": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["http01"],
                                "properties": {
                                    "http01": {
                                        "type": "object",
                                        "required": ["ingress"],
                                        "properties": {
                                            "ingress": {
                                                "type": "object",
                                                "additionalProperties": False,
                                                "properties": {
                                                    "ingressClassName": {"type": "string"},
                                                    "class": {"type": "string"},
                                                },
                                            }
                                        },
                                    }
                                },
                            },
                        },
                    },
                }
            },
        },
    },
}


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("edge")
    apply(repo, plan(repo, ingress_generation(acme_email="platform@propmubi.com")))
    return repo / "k8s/ingress"


def load(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def json_patch(doc: dict, ops: list[dict]) -> dict:
    """RFC 6902 `replace`, enough for the overlays (and strict: the path must exist)."""
    doc = copy.deepcopy(doc)
    for op in ops:
        assert op["op"] == "replace", op
        *parents, last = [
            p.replace("~1", "/").replace("~0", "~") for p in op["path"].lstrip("/").split("/")
        ]
        node = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            assert int(last) < len(node), op["path"]
            node[int(last)] = op["value"]
        else:
            assert last in node, op["path"]
            node[last] = op["value"]
    return doc


def overlay(edge: Path, env: str) -> list[dict]:
    """What `kustomize build overlays/<env>` gives for these simple overlays."""
    kustomization = yaml.safe_load((edge / f"overlays/{env}/kustomization.yaml").read_text())
    docs = []
    for resource in kustomization["resources"]:
        base = (edge / f"overlays/{env}" / resource).resolve()
        for name in yaml.safe_load((base / "kustomization.yaml").read_text())["resources"]:
            docs += load(base / name)
    for patch in kustomization["patches"]:
        ops = yaml.safe_load((edge / f"overlays/{env}" / patch["path"]).read_text())
        docs = [
            json_patch(d, ops)
            if d["kind"] == patch["target"]["kind"]
            and d["metadata"]["name"] == patch["target"]["name"]
            else d
            for d in docs
        ]
    for doc in docs:
        doc["metadata"]["namespace"] = kustomization["namespace"]
    return docs


@pytest.mark.parametrize(
    ("env", "host", "issuer"),
    [
        ("staging", "api.staging.propmubi.com", "letsencrypt-staging"),
        ("production", "api.propmubi.com", "letsencrypt-production"),
    ],
)
def test_each_overlay_gives_a_valid_tls_ingress(
    edge: Path, env: str, host: str, issuer: str
) -> None:
    import kubernetes_validate

    [ingress] = overlay(edge, env)
    kubernetes_validate.validate(ingress, "1.30", strict=True)
    assert ingress["metadata"]["namespace"] == f"propmubi-{env}"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == issuer
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [{"hosts": [host], "secretName": "api-tls"}]
    [rule] = ingress["spec"]["rules"]
    assert rule["host"] == host
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "kong-proxy",
        "port": {"number": 80},
    }


def test_cluster_issuers_are_lets_encrypt_http01_on_the_nginx_class(edge: Path) -> None:
    issuers = {d["metadata"]["name"]: d for d in load(edge / "issuers/letsencrypt.yaml")}
    assert set(issuers) == {"letsencrypt-staging", "letsencrypt-production"}
    checker = jsonschema.Draft202012Validator(
        CLUSTER_ISSUER, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for issuer in issuers.values():
        checker.validate(issuer)
        assert issuer["spec"]["acme"]["email"] == "platform@propmubi.com"
    assert "acme-staging-v02" in issuers["letsencrypt-staging"]["spec"]["acme"]["server"]
    assert issuers["letsencrypt-production"]["spec"]["acme"]["server"] == (
        "https://acme-v02.api.letsencrypt.org/directory"
    )
    values = yaml.safe_load((edge / "controllers/ingress-nginx-values.yaml").read_text())
    assert values["controller"]["ingressClassResource"]["name"] == "nginx"
    cert_manager = yaml.safe_load((edge / "controllers/cert-manager-values.yaml").read_text())
    assert cert_manager["crds"]["enabled"] is True and cert_manager["prometheus"]["enabled"]


def test_the_structural_check_rejects_a_broken_issuer(edge: Path) -> None:
    issuer = load(edge / "issuers/letsencrypt.yaml")[0]
    checker = jsonschema.Draft202012Validator(CLUSTER_ISSUER)
    for breaking in (
        lambda d: d["spec"]["acme"].pop("solvers"),
        lambda d: d["metadata"].__setitem__("namespace", "staging"),
        lambda d: d["spec"]["acme"].__setitem__("sever", "typo"),
    ):
        broken = copy.deepcopy(issuer)
        breaking(broken)
        assert not checker.is_valid(broken)


def test_install_script_pins_both_charts(edge: Path) -> None:
    script = edge / "controllers/install.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    assert text.count("--version ") == 2 and "kubectl apply -k" in text
    assert script.stat().st_mode & 0o100


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
