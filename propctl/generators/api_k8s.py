"""The monolith API's Kubernetes manifests (Task 9.7, 9.8, 9.a4), written by
`scaffold add health --service api` beside the probes' endpoints it serves.

No new manifests: the service part `templates/parts/k8s/files/` (what every `scaffold service`
writes under `apps/<name>-service/k8s/`) rendered for the API (`api`, port 8000), moved to the
roadmap's `paths.k8s`: `base/api-<object>.yaml` (the roadmap names `k8s/base/api-deployment.yaml`)
with its kustomization, and `overlays/{staging,production}/` in the roadmap's `environments`
namespaces. Two changes make them fit a folder the `k8s` check globs whole (`{k8s}/**/*.yaml`,
rules valid and probes): the overlays' patch files are inlined into their kustomization.yaml
(a partial Deployment on its own is no valid object, and has no probes), and the base's files
carry the `api-` prefix (k8s/base/ is shared by whatever else deploys from k8s/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from propctl.generators.engine import names
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec
from propctl.generators.target import k8s_environments

if TYPE_CHECKING:
    from propctl.roadmap.facts import RoadmapView

SERVICE = "api"
PORT = 8000  # what the API's settings and its Dockerfile serve on (concerns._variables)
PART = "parts/k8s/files"
_PATCH_REF = re.compile(r"^(?P<indent>\s*)- path: (?P<file>[\w.-]+-patch\.yaml)\s*$", re.M)


def k8s_dir(roadmap: RoadmapView) -> str:
    return names.safe_relpath(str(roadmap.paths.get("k8s", "k8s")).strip("/") or "k8s")


def api_k8s_files(roadmap: RoadmapView, repo: Path) -> list[FileSpec]:
    from propctl.generators.service import IMAGE_REGISTRY

    variables = {
        "name": SERVICE,
        "service": SERVICE,
        "port": PORT,
        "image": f"{IMAGE_REGISTRY}/{SERVICE}",
        **k8s_environments.variables(roadmap.environments, repo),
    }
    rendered = {
        spec.path.removeprefix("k8s/"): spec.content for spec in render_dir(PART, variables)
    }
    out: dict[str, str] = {}
    for path, content in rendered.items():
        folder, _, name = path.rpartition("/")
        if folder == "base":
            out[f"base/{_base_name(name)}"] = (
                _prefix_resources(content) if name == "kustomization.yaml" else content
            )
        elif name == "kustomization.yaml":
            out[path] = _inline_patches(content, folder, rendered)
        elif not name.endswith("-patch.yaml"):
            out[path] = content
    dest = k8s_dir(roadmap)
    return [FileSpec(f"{dest}/{path}", text) for path, text in sorted(out.items())]


def _base_name(name: str) -> str:
    return name if name == "kustomization.yaml" else f"{SERVICE}-{name}"


def _prefix_resources(kustomization: str) -> str:
    """`resources:` entries of the base (plain `- x.yaml` lines) -> `- api-x.yaml`."""
    return re.sub(
        r"(?m)^(\s*- )([\w-]+\.yaml)\s*$", lambda m: m[1] + _base_name(m[2]), kustomization
    )


def _inline_patches(kustomization: str, folder: str, rendered: dict[str, str]) -> str:
    """`- path: x-patch.yaml` -> `- patch: |-` with the file's text: the same patch, no file."""

    def inline(match: re.Match[str]) -> str:
        indent = match["indent"]
        body = rendered[f"{folder}/{match['file']}"].rstrip("\n")
        lines = "\n".join(f"{indent}    {line}" if line else "" for line in body.splitlines())
        return f"{indent}- patch: |-\n{lines}"

    return _PATCH_REF.sub(inline, kustomization)
