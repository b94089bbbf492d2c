"""How an existing FastAPI app is laid out, so that `scaffold add` writes imports that resolve in
it (issue 18.7): a flat app (`apps/api/main.py` importing `routers`, run from its own folder) or
a package (`backend/app/main.py` importing `app.core.config`, run from `backend/`), and the
settings module it already has, which the concerns extend instead of adding a second one."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SKIP = {"tests", "test", "alembic", "migrations", "node_modules", ".venv", "venv", "__pycache__"}


@dataclass(frozen=True)
class SettingsModule:
    """A module of the app defining a pydantic-settings class (`class Settings(BaseSettings)`)."""

    path: str  # repo-relative file
    module: str  # dotted name as the app imports it
    class_name: str


@dataclass(frozen=True)
class AppLayout:
    api: str  # repo-relative folder holding main.py (the roadmap's paths.api)
    root: str  # repo-relative folder the app is imported from (its sys.path entry and cwd)
    package: str | None  # dotted package of `api` ("app"); None: main.py is a top-level module
    settings: SettingsModule | None = None  # the app's own settings, when it has some

    def module(self, relative: str) -> str:
        """`middleware/auth.py` (relative to the app's folder) -> the name the app imports."""
        name = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        return f"{self.package}.{name}" if self.package else name

    @property
    def top(self) -> str | None:
        """The first-party top-level package (ruff's isort section), None for a flat app."""
        return self.package.split(".")[0] if self.package else None

    @property
    def app_module(self) -> str:
        return self.module("main.py")


FLAT = AppLayout("apps/api", "apps/api", None)


def detect_layout(repo: Path, api: str, main_text: str) -> AppLayout:
    """A package when the app's folder has an `__init__.py` (or main.py imports its own folder
    by name, as a namespace package): the import root is the first folder above it that is not
    a package. Otherwise flat: main.py's folder is the import root."""
    folder = repo / api
    parts = api.split("/")
    regular = (folder / "__init__.py").is_file()
    if not regular and not _imports_itself(main_text, parts[-1]):
        layout = AppLayout(api, api, None)
    else:
        depth = 1
        while depth < len(parts) and (repo.joinpath(*parts[:-depth]) / "__init__.py").is_file():
            depth += 1
        root = "/".join(parts[:-depth]) or "."
        layout = AppLayout(api, root, ".".join(parts[-depth:]))
    return AppLayout(layout.api, layout.root, layout.package, _settings(repo, layout))


def _imports_itself(text: str, name: str) -> bool:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.ImportFrom)
        and node.level == 0
        and (node.module or "").split(".")[0] == name
        for node in tree.body
    )


def _settings(repo: Path, layout: AppLayout) -> SettingsModule | None:
    """The app's own settings class: the first module (shallowest, then by name) defining a
    subclass of `BaseSettings`; files propctl generated are left to the caller to exclude."""
    from propctl.state import RepoState

    generated = RepoState(repo).generated()
    folder = repo / layout.api
    candidates = sorted(
        (p for p in folder.rglob("*.py") if not SKIP & set(p.relative_to(folder).parts[:-1])),
        key=lambda p: (len(p.relative_to(folder).parts), p.as_posix()),
    )
    for path in candidates:
        relative = path.relative_to(repo).as_posix()
        if relative in generated:
            continue
        found = _settings_class(path)
        if found:
            inner = path.relative_to(folder).as_posix()
            return SettingsModule(relative, layout.module(inner), found)
    return None


def _settings_class(path: Path) -> str | None:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "BaseSettings" not in text:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            ast.unparse(base).split(".")[-1] == "BaseSettings" for base in node.bases
        ):
            return node.name
    return None
