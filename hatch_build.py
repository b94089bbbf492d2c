"""Build hook: records where this propctl comes from in the wheel (`propctl/_build_info.json`),
so that `propctl scaffold workflow --verify` can make CI install exactly this propctl
(`propctl @ git+URL@COMMIT`) instead of a version the package index does not have.

The commit is `git rev-parse HEAD` of the checkout being built; a build from an sdist (no
.git) keeps the file the sdist carries. The repository is `[project.urls] Repository`. Either
may be missing: propctl then asks for `--propctl-spec` rather than guessing."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TARGET = "propctl/_build_info.json"


class BuildInfoHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if version == "editable" or (root / TARGET).is_file():
            # an editable install reads the live checkout (propctl.provenance); a wheel built
            # from an sdist ships the file the sdist carries
            return
        info = {"repository": _repository(root), "commit": _commit(root) or _carried(root)}
        folder = Path(tempfile.mkdtemp(prefix="propctl-build-info-"))
        path = folder / "_build_info.json"
        path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        build_data.setdefault("force_include", {})[str(path)] = TARGET


def _provenance() -> Any:
    """propctl/provenance.py (standard library only), loaded by path: the hook runs before
    propctl is importable, and one module reads the repository URL and the commit for both."""
    path = Path(__file__).resolve().parent / "propctl" / "provenance.py"
    spec = importlib.util.spec_from_file_location("_propctl_provenance", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _repository(root: Path) -> str | None:
    found: str | None = _provenance().repository_from_pyproject(root / "pyproject.toml")
    return found


def _commit(root: Path) -> str | None:
    found: str | None = _provenance().git_head(root)
    return found


def _carried(root: Path) -> str | None:
    """The commit an sdist recorded when it was built from git (an sdist rebuilt)."""
    try:
        commit = json.loads((root / TARGET).read_text("utf-8")).get("commit")
    except (OSError, ValueError, AttributeError):
        return None
    return commit if isinstance(commit, str) and len(commit) == 40 else None
