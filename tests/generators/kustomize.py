"""A small kustomize for the tests (no kubectl here): resources, namespace, labels, images and
strategic-merge patches, the subset the generated overlays use. Unknown kustomization fields are
an error, so a typo in a template cannot pass unnoticed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

KNOWN = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}


def build(folder: Path) -> list[dict[str, Any]]:
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(spec) - KNOWN
    assert not unknown, f"{folder}: kustomization fields this renderer does not know: {unknown}"
    assert spec["kind"] == "Kustomization"
    docs: list[dict[str, Any]] = []
    for resource in spec.get("resources", []):
        target = (folder / resource).resolve()
        if target.is_dir():
            docs.extend(build(target))
        else:
            docs.extend(d for d in yaml.safe_load_all(target.read_text()) if d)
    for patch in spec.get("patches", []):
        body = yaml.safe_load((folder / patch["path"]).read_text())
        matches = [
            d
            for d in docs
            if d["kind"] == body["kind"] and d["metadata"]["name"] == body["metadata"]["name"]
        ]
        assert len(matches) == 1, f"{folder}/{patch['path']}: patch matches {len(matches)}"
        merged = merge(matches[0], body)
        matches[0].clear()
        matches[0].update(merged)
    for doc in docs:
        _labels(doc, spec.get("labels", []))
        if spec.get("namespace") and doc["kind"] not in CLUSTER_SCOPED:
            doc["metadata"]["namespace"] = spec["namespace"]
        _images(doc, spec.get("images", []))
    return docs


def merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and patch
        and all(isinstance(x, dict) and "name" in x for x in base + patch)
    ):
        out = copy.deepcopy(base)
        for item in patch:
            same = [i for i, x in enumerate(out) if x["name"] == item["name"]]
            if same:
                out[same[0]] = merge(out[same[0]], item)
            else:
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(patch)


def _labels(doc: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        doc["metadata"].setdefault("labels", {}).update(entry["pairs"])


def _images(doc: dict[str, Any], images: list[dict[str, Any]]) -> None:
    pod = doc.get("spec", {}).get("template", {}).get("spec", {})
    for container in pod.get("containers", []):
        for image in images:
            if container["image"] == image["name"]:
                container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
