"""`scaffold lint`: the code-quality gate of Task 4. propctl owns `.pre-commit-config.yaml`,
`.prettierrc` and `eslint.config.js`; `pyproject.toml` belongs to the user, so the ruff and black
settings go in as an appended block (a patch), and only the tables it does not have yet."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.generators.workflow import BLACK_VERSION, RUFF_VERSION

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap

LINE_LENGTH = 100
PYTHON_TARGET = "py311"
PRETTIER_VERSION = "3.10.1"
CHECK_JSONSCHEMA_VERSION = "0.39.0"  # the workflow judges propctl's own tests run
ZIZMOR_VERSION = "1.32.0"
ESLINT_PACKAGES = (
    "eslint@9.39.5",
    "@eslint/js@9.39.5",
    "@typescript-eslint/parser@8.73.0",
    "typescript@5.9.3",
)
# What Task 4.6 installs at the repository root: the roadmap's checks run these binaries.
JS_PACKAGES = (f"prettier@{PRETTIER_VERSION}", *ESLINT_PACKAGES)
JS_INSTALL = "npm install --save-dev " + " ".join(JS_PACKAGES)

TOOL_TABLES: dict[str, str] = {
    "ruff": f"""[tool.ruff]
line-length = {LINE_LENGTH}
target-version = "{PYTHON_TARGET}"
extend-exclude = ["node_modules", ".propctl"]
""",
    "ruff.lint": """[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP"]
ignore = ["E501"]  # black owns line length; ruff would flag what black cannot split
""",
    "black": f"""[tool.black]
line-length = {LINE_LENGTH}
target-version = ["{PYTHON_TARGET}"]
""",
}
HEADER = "# Code quality (Task 4), added by `propctl scaffold lint`."


def lint_variables(roadmap: Roadmap) -> dict[str, Any]:
    web = roadmap.paths.get("web", "apps/web").strip("/")
    return {
        "ruff_version": RUFF_VERSION,
        "black_version": BLACK_VERSION,
        "prettier_version": PRETTIER_VERSION,
        "check_jsonschema_version": CHECK_JSONSCHEMA_VERSION,
        "zizmor_version": ZIZMOR_VERSION,
        "line_length": LINE_LENGTH,
        "web_dir": web,
        "web_dir_regex": re.escape(web),
        "js_install": JS_INSTALL,
    }


def existing_tables(pyproject: Path) -> set[str]:
    """The `tool.*` tables already in pyproject.toml (`ruff`, `ruff.lint`, `black`)."""
    try:
        data = tomllib.loads(pyproject.read_text("utf-8"))
    except FileNotFoundError:
        return set()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{pyproject}: not valid TOML ({exc}); propctl will not edit it",
            hint="fix the file, then run `propctl scaffold lint` again",
        ) from None
    tool = data.get("tool", {})
    found = {name for name in ("ruff", "black") if name in tool}
    if isinstance(tool.get("ruff"), dict) and "lint" in tool["ruff"]:
        found.add("ruff.lint")
    return found


def pyproject_patch(repo: Path) -> PatchSpec | None:
    present = existing_tables(repo / "pyproject.toml")
    missing = [body for name, body in TOOL_TABLES.items() if name not in present]
    if not missing:
        return None
    block = "\n" + HEADER + "\n" + "\n".join(missing)
    return PatchSpec(
        "pyproject.toml",
        block,
        create=True,
        manual="add the [tool.ruff] and [tool.black] tables to pyproject.toml",
    )


def lint_generation(roadmap: Roadmap, repo: Path) -> Generation:
    files: list[FileSpec | PatchSpec] = list(render_dir("lint", lint_variables(roadmap)))
    patch = pyproject_patch(repo)
    if patch is not None:
        files.append(patch)
    return Generation("lint", {}, files)
