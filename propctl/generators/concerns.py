"""`scaffold add CONCERN --service api` (issue 9): the service scaffold's per-concern parts,
rendered into an existing FastAPI app at the roadmap's file names, wired in one generated module.

One source per concern: the files come from `templates/parts/<part>/files/app/**` (the same
parts `scaffold service` uses), written for a service's `app/` package. A layout map turns each
logical module (`app/settings.py`, imported as `app.settings`) into the existing app's file and
import name (`config.py`, `config`); for a service the map is the identity.

Every run re-renders the files of every concern installed so far (read from
`.propctl/generated.json`), so `app_platform.py` (one `install(app)` calling each concern's
installer) and `config.py` (one `Settings`) always list them all. `main.py` gets two anchored
patches: `from app_platform import install as install_platform` after its last top-level import
and `install_platform(app)` at its end (after the routers are included). The module is not called
`platform.py`: that name would shadow the standard library's `platform` and break pydantic.
`main.py` must create exactly one module-level `<name> = FastAPI(...)`; anything else (an app
factory, two apps, a syntax error) is refused with the lines to add by hand. `health` also writes
the API's Kubernetes manifests, with the probes on its endpoints (`api_k8s.py`)."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.api_k8s import api_k8s_files
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.generators.pyimports import regroup_imports
from propctl.generators.target.app_layout import FLAT, AppLayout, detect_layout
from propctl.generators.token_signing import signing_patches
from propctl.state import RepoState

if TYPE_CHECKING:
    from propctl.roadmap.facts import RoadmapView

GENERATOR = "add"
PLATFORM = "app_platform"


@dataclass(frozen=True)
class Concern:
    name: str
    task: int
    parts: tuple[str, ...]
    imports: tuple[str, ...]  # lines for app_platform.py, logical module names in {}
    setup: tuple[str, ...]  # statements in install(app)
    dependencies: tuple[str, ...] = ()
    last: tuple[str, ...] = ()  # statements after every concern's setup


# install order: later middleware wraps earlier (logging, which sets the correlation id, is last
# so every other layer sees it; versioning re-prefixes the routes the others added)
CONCERNS: dict[str, Concern] = {
    c.name: c
    for c in (
        Concern(
            "errors",
            3,
            ("errors", "exceptions"),
            ("from {app.errors} import install as install_errors",),
            ("install_errors(app)",),
        ),
        Concern(
            "health",
            9,
            ("health", "metrics"),
            (
                "from {app.health} import router as health_router",
                "from {app.metrics} import install as install_metrics",
                "from {app.metrics} import metrics as metrics_endpoint",
            ),
            (
                "app.include_router(health_router)",
                "install_metrics(app)",
                # tagged: an app whose generate_unique_id_function reads route.tags[0] (the
                # full-stack-fastapi-template) fails at import on an untagged route
                'app.add_api_route(\n        "/health/metrics",\n        metrics_endpoint,\n'
                '        methods=["GET"],\n        include_in_schema=False,\n'
                '        tags=["health"],\n    )',
            ),
            ("sqlalchemy>=2.0", "psycopg[binary]>=3.1", "redis>=5.0", "prometheus-client>=0.20"),
        ),
        Concern(
            "cache",
            6,
            ("redis", "cache"),
            ("from {app.cache.install} import install as install_cache",),
            ("install_cache(app)",),
            ("redis>=5.0",),
        ),
        Concern(
            "security",
            2,
            ("redis", "auth", "security"),
            (
                "from {app.security} import cors_outermost",
                "from {app.security} import install as install_security",
            ),
            ("install_security(app, add_cors={add_cors})",),
            ("redis>=5.0", "twilio>=9.0"),
            ("cors_outermost(app)",),
        ),
        Concern(
            "versioning",
            7,
            ("versioning", "deprecation"),
            (
                "from {app.middleware.deprecation} import install as install_deprecation",
                "from {app.versioning} import install as install_versioning",
            ),
            ("install_deprecation(app, settings)", "install_versioning(app)"),
        ),
        Concern(
            "logging",
            5,
            ("logging", "request_logger"),
            (
                "from {app.logs} import install as install_logging",
                "from {app.middleware.request_logger} import install as install_request_logger",
            ),
            ("install_request_logger(app)", "install_logging(app, settings)"),
        ),
    )
}
BASE_DEPENDENCIES = ("pydantic-settings>=2.2", "pyjwt>=2.8")
PART_ORDER = (
    "settings",
    "errors",
    "exceptions",
    "auth",
    "redis",
    "security",
    "health",
    "metrics",
    "cache",
    "versioning",
    "deprecation",
    "logging",
    "request_logger",
)

# logical file (service layout) -> file in the existing app's folder (the roadmap's names)
API_LAYOUT = {
    "app/settings.py": "config.py",
    "app/errors.py": "middleware/error_handler.py",
    "app/logs.py": "logging_config.py",
    "app/health.py": "routers/health.py",
    "app/metrics.py": "middleware/metrics.py",
    "app/versioning.py": "middleware/versioning.py",
    "app/auth.py": "security/dependencies.py",
}
# beside an app's own settings module: the concerns' fields, in a subclass of the app's class
PLATFORM_SETTINGS = "platform_settings.py"


def module_of(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def layout_map(layout: AppLayout = FLAT) -> dict[str, str]:
    """API_LAYOUT for this app: with a settings module of its own, the concerns' settings go
    beside it (`core/platform_settings.py` next to `core/config.py`), never a second config.py."""
    if layout.settings is None:
        return API_LAYOUT
    own = layout.settings.path.removeprefix(layout.api.rstrip("/") + "/")
    folder = own.rpartition("/")[0]
    return {**API_LAYOUT, "app/settings.py": f"{folder}/{PLATFORM_SETTINGS}".lstrip("/")}


def api_module(logical: str, layout: AppLayout = FLAT) -> str:
    """`app.settings` -> `config` (flat) or `app.core.platform_settings` (the package `app` with
    its own `core/config.py`); `app.cache.redis_client` -> `cache.redis_client`/`app.cache...`."""
    mapping = layout_map(layout)
    for source, target in mapping.items():
        if module_of(source) == logical:
            return layout.module(target)
    if logical == "app":  # `from app import __version__`: the settings module defines it
        return layout.module(mapping["app/settings.py"])
    return layout.module(logical.removeprefix("app.").replace(".", "/") + ".py")


_IMPORT = re.compile(r"^(\s*(?:from|import)\s+)(app(?:\.\w+)*)\b", re.M)


_MAIN = re.compile(r"^(\s*from\s+)main(\s+import\b)", re.M)


def relocate_imports(text: str, layout: AppLayout = FLAT) -> str:
    text = _IMPORT.sub(lambda m: m.group(1) + api_module(m.group(2), layout), text)
    # parts written for the flat app import its `main`; a package imports `app.main`
    return _MAIN.sub(lambda m: m.group(1) + layout.app_module + m.group(2), text)


def parse_concerns(names: list[str]) -> list[str]:
    chosen: set[str] = set()
    for raw in names:
        for name in (n.strip().lower() for n in raw.split(",")):
            if name == "all":
                chosen |= set(CONCERNS)
            elif name in CONCERNS:
                chosen.add(name)
            elif name:
                raise UserError(
                    f"unknown concern {name!r}", hint=f"choose from {', '.join(CONCERNS)} or all"
                )
    if not chosen:
        raise UserError("name at least one concern", hint=f"choose from {', '.join(CONCERNS)}")
    return [name for name in CONCERNS if name in chosen]


def generated_paths(repo: Path) -> set[str]:
    return set(RepoState(repo).generated())


def installed(repo: Path, service: str) -> set[str]:
    found: set[str] = set()
    for entry in RepoState(repo).generated().values():
        params = entry.get("params") or {}
        if entry.get("generator") == GENERATOR and params.get("service") == service:
            found |= set(params.get("concerns") or [])
    return found & set(CONCERNS)


# ---- main.py --------------------------------------------------------------------------------
@dataclass
class MainShape:
    app_name: str
    last_import: str | None  # text of the last line of the last top-level import
    main_guard: bool  # an `if __name__ == "__main__":` block at the end
    cors_wildcard: bool
    has_cors: bool
    version: str
    # top-level `from M import ...` before the app: (M, the statement's first and last line)
    from_imports: tuple[tuple[str, str, str], ...] = ()


def platform_import(layout: AppLayout = FLAT) -> str:
    return f"from {layout.module(PLATFORM + '.py')} import install as install_platform"


def manual_lines(main_path: str, layout: AppLayout = FLAT) -> str:
    return (
        f"add to {main_path} by hand:\n"
        f"    {platform_import(layout)}   (with the imports)\n"
        "    install_platform(app)   (once, after every include_router: at the end of the "
        "module, or in your app factory before it returns the app)\n"
        "then run the command again"
    )


def wired_by_hand(text: str, layout: AppLayout = FLAT) -> bool:
    return platform_import(layout) in text and bool(
        re.search(r"^\s*install_platform\(\w+\)", text, re.M)
    )


def inspect_main(text: str, main_path: str, layout: AppLayout = FLAT) -> MainShape:
    try:
        tree = ast.parse(text, main_path)
    except SyntaxError as exc:
        raise UserError(
            f"{main_path}:{exc.lineno}: cannot parse: {exc.msg}",
            hint=manual_lines(main_path, layout),
        ) from None
    apps = [node for node in tree.body if _creates_fastapi(node)]
    if len(apps) != 1:
        what = (
            "no module-level `app = FastAPI(...)` (an app factory?)"
            if not apps
            else f"{len(apps)} FastAPI apps (lines {', '.join(str(n.lineno) for n in apps)})"
        )
        raise UserError(
            f"{main_path}: {what}; propctl only wires an app it understands",
            hint=manual_lines(main_path, layout),
        )
    node = apps[0]
    target = node.targets[0] if isinstance(node, ast.Assign) else node.target  # type: ignore
    imports = [
        n
        for n in tree.body
        if isinstance(n, ast.Import | ast.ImportFrom) and n.lineno < node.lineno
    ]
    lines = text.splitlines()
    last = lines[(imports[-1].end_lineno or imports[-1].lineno) - 1] if imports else None
    guard = (
        bool(tree.body)
        and isinstance(tree.body[-1], ast.If)
        and "__name__" in ast.unparse(tree.body[-1].test)
    )
    cors = [
        c
        for c in ast.walk(tree)
        if isinstance(c, ast.Call)
        and c.args
        and ast.unparse(c.func).endswith("add_middleware")
        and ast.unparse(c.args[0]).endswith("CORSMiddleware")
    ]
    wildcard = any(
        k.arg == "allow_origins"
        and isinstance(k.value, ast.List | ast.Tuple)
        and any(isinstance(e, ast.Constant) and e.value == "*" for e in k.value.elts)
        for c in cors
        for k in c.keywords
    )
    version = next(
        (
            k.value.value
            for k in getattr(getattr(node, "value", None), "keywords", [])  # FastAPI(...)
            if k.arg == "version"
            and isinstance(k.value, ast.Constant)
            and isinstance(k.value.value, str)
        ),
        "0.0.0",
    )
    froms = tuple(
        (n.module, lines[n.lineno - 1], lines[(n.end_lineno or n.lineno) - 1])
        for n in imports
        if isinstance(n, ast.ImportFrom) and n.module and not n.level
    )
    return MainShape(target.id, last, guard, wildcard, bool(cors), version, froms)  # type: ignore


def _creates_fastapi(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return False
    return (
        isinstance(target, ast.Name)
        and isinstance(value, ast.Call)
        and ast.unparse(value.func).split(".")[-1] == "FastAPI"
    )


def _literal(line: str) -> str:
    """A regex matching exactly this line (readable: spaces are not escaped)."""
    return "^" + re.escape(line).replace("\\ ", " ") + "$"


def main_patches(
    main_path: str, shape: MainShape, security: bool, layout: AppLayout = FLAT
) -> list[PatchSpec]:
    anchor = _literal(shape.last_import) if shape.last_import else None
    before = anchor is None
    first = r"\A" if before else anchor
    imports = [(layout.module(PLATFORM + ".py"), platform_import(layout))]
    if security and shape.cors_wildcard:
        settings = api_module("app.settings", layout)
        imports.append((settings, f"from {settings} import get_settings"))
    groups: dict[tuple[str | None, bool], list[PatchSpec]] = {}
    for module, line in sorted(imports, key=lambda i: i[0].lower()):
        where, in_front = _sorted_anchor(shape, layout, module)
        manual = manual_lines(main_path, layout) if line == imports[0][1] else ""
        spec = PatchSpec(
            main_path, line, where or first, before=in_front if where else before, manual=manual
        )
        groups.setdefault((spec.anchor, spec.before), []).append(spec)
    # imports at one anchor: in front of it in order; after it in reverse order (each lands
    # right after the anchor), so they end up sorted either way
    patches = [
        spec
        for (_, in_front), specs in groups.items()
        for spec in (specs if in_front else reversed(specs))
    ]
    if security and shape.cors_wildcard:
        patches.append(
            PatchSpec(
                main_path,
                "allow_origins=get_settings().cors_origins",
                r"""allow_origins\s*=\s*\[\s*["']\*["']\s*\]""",
                replace=True,
                manual=f"in {main_path}, use allow_origins=get_settings().cors_origins",
            )
        )
    call = f"install_platform({shape.app_name})"
    if shape.main_guard:
        patches.append(PatchSpec(main_path, call + "\n", r"^if __name__\s*==", before=True))
    else:
        patches.append(PatchSpec(main_path, "\n" + call))
    return patches


def _section(module: str, package: str | None) -> str:
    top = module.split(".")[0]
    if module.startswith("."):
        return "local"
    if top == "__future__":
        return "future"
    if package is not None and top == package:
        return "first"
    return "stdlib" if top in sys.stdlib_module_names else "third"


def _sorted_anchor(shape: MainShape, layout: AppLayout, ours: str) -> tuple[str | None, bool]:
    """Where ruff's isort puts `from OURS import ...` among main.py's `from M import` lines of
    its section (the app's own package's in a package; in a flat app the top-level modules,
    which ruff counts as third-party, like fastapi): before the first that sorts after it, else
    after the last of the section, so the edit does not turn Task 4's `ruff check` red (I001).
    None: no line of that section (after the last import)."""
    section = _section(ours, layout.top)
    same = [i for i in shape.from_imports if _section(i[0], layout.top) == section]
    later = [first for module, first, _ in same if module.lower() > ours.lower()]
    if later:
        return _literal(later[0]), True
    return (_literal(same[-1][2]), False) if same else (None, False)


# ---- docker-compose -------------------------------------------------------------------------
_SECRET_KEY = re.compile(
    r"(?i)^(\s*-?\s*)([\w.]*(password|passwd|secret|token|api_key|"
    r"access_key)[\w.]*)(\s*[:=]\s*)(?!\"?\$\{)(\S.*?)\s*$"
)
_URL_KEY = re.compile(r"^(\s*-?\s*)(\w+)(\s*[:=]\s*)(?!\"?\$\{)(\S*://[^/\s:@$]*:[^@\s/]+@\S*)\s*$")
_FLAG = re.compile(r"(--requirepass\s+)(?!\$\{)(\S+)")


def compose_patches(path: str, text: str) -> tuple[list[PatchSpec], list[str]]:
    """Literal credentials in a compose file -> `${VAR:?set it in .env}`; returns the patches and
    the variables `.env.example` must list. The anchors name the key, not the secret, so plans
    and logs do not repeat it."""
    patches: list[PatchSpec] = []
    names: list[str] = []
    for line in text.splitlines():
        new, keep = line, None
        for pattern in (_SECRET_KEY, _URL_KEY):
            match = pattern.match(line)
            if match:
                keep = line[: match.start(len(match.groups()))]
                new = keep + f"${{{match.group(2).upper()}:?set it in .env}}"
                break
        flag = _FLAG.search(new)
        if flag:
            keep = keep or new[: flag.start(2)]
            new = (
                new[: flag.start()]
                + flag.group(1)
                + "${REDIS_PASSWORD:?set it in .env}"
                + new[flag.end() :]
            )
        if keep is not None:
            anchor = _literal(keep).removesuffix("$") + r"(?!\$\{).*$"
            patches.append(PatchSpec(path, new, anchor, replace=True))
        names += re.findall(r"\$\{(\w+):\?set it in \.env\}", new)
    return patches, list(dict.fromkeys(names))


# ---- the generation ---------------------------------------------------------------------------
def add_generation(repo: Path, roadmap: RoadmapView, service: str, wanted: list[str]) -> Generation:
    if service != "api":
        raise UserError(
            f"--service {service}: `scaffold add` hardens the existing API only",
            hint="services made by `propctl scaffold service` already have every "
            "concern; use --service api",
        )
    api = roadmap.paths.get("api", "apps/api").strip("/")
    main_path = f"{api}/main.py"
    main_file = repo / main_path
    if not main_file.is_file():
        raise UserError(
            f"{main_path}: not found (the roadmap's paths.api is {api!r})",
            hint="run from the repository root or pass --repo",
        )
    text = main_file.read_text("utf-8")
    layout = detect_layout(repo, api, text)
    try:
        shape: MainShape | None = inspect_main(text, main_path, layout)
    except UserError:
        if not wired_by_hand(text, layout):
            raise
        shape = None  # the user wired it (an app factory...): main.py is left alone
    concerns = [c for c in CONCERNS if c in installed(repo, service) | set(wanted)]
    parts = [
        p for p in PART_ORDER if p == "settings" or any(p in CONCERNS[c].parts for c in concerns)
    ]
    files = _render(layout, parts, shape.version if shape else "0.0.0", roadmap)
    if "health" in concerns:  # Task 9.7-9.8: the probes of the API's Deployment
        files += api_k8s_files(roadmap, repo)
    compose = _compose(repo) if "security" in concerns else None
    env_names: list[str] = []
    patches: list[PatchSpec] = []
    if compose is not None:
        compose_specs, env_names = compose_patches(compose, (repo / compose).read_text("utf-8"))
        patches += compose_specs
    if "security" in concerns:
        patches.append(PatchSpec(".gitignore", ".env", create=True))
    override = _override_name(repo, compose) if compose is not None else None
    if compose is not None and override is not None and "security" in concerns:
        # Task 2.12: local secrets live in a git-ignored override that reads .env
        files.append(_compose_override(repo / compose, override))
        patches.append(PatchSpec(".gitignore", override, create=True))
    files.append(_env_example(parts, roadmap, env_names))
    has_cors = shape.has_cors if shape else "CORSMiddleware" in text
    files.append(_platform(layout, concerns, add_cors=not has_cors))
    if shape is not None:
        patches += main_patches(main_path, shape, "security" in concerns, layout)
    if "security" in concerns:  # the app's own tokens must pass the middleware's check
        patches += signing_patches(
            repo, layout.api, api_module("app.settings", layout), generated_paths(repo), layout.top
        )
    patches += _dependency_patches(repo, api, concerns)
    notes = []
    if compose is not None and override is None:
        notes.append(
            f"{_first_override(repo)} is yours and docker compose loads only that override: "
            "propctl wrote none (Task 2.12); give its services `env_file: [{path: .env, "
            "required: false}]` by hand if they should read .env"
        )
    params = {"service": service, "concerns": concerns}
    return Generation(GENERATOR, params, [*files, *patches], notes)


def _first_override(repo: Path) -> str:
    return next(name for name in OVERRIDE_NAMES if (repo / name).is_file())


def app_target(repo: Path, roadmap: RoadmapView) -> tuple[AppLayout, str]:
    """The layout `add_generation` writes for and the app's attribute in main.py ('' when
    main.py is not a shape propctl reads): what the import check after applying imports."""
    api = roadmap.paths.get("api", "apps/api").strip("/")
    main_file = repo / api / "main.py"
    text = main_file.read_text("utf-8") if main_file.is_file() else ""
    layout = detect_layout(repo, api, text)
    try:
        return layout, inspect_main(text, f"{api}/main.py", layout).app_name
    except UserError:
        return layout, ""


def _variables(
    parts: list[str], roadmap: RoadmapView, layout: AppLayout | None = None
) -> dict[str, Any]:
    if "security" in parts:  # its settings and .env lines supersede the auth part's
        parts = [p for p in parts if p != "auth"]
    return {
        "name": "api",
        "service": "api",
        "port": 8000,
        "parts": parts,
        "cors_origins": list(roadmap.cors_origins or ["http://localhost:3005"]),
        "settings_base": layout.settings if layout else None,
    }


def _render(
    layout: AppLayout, parts: list[str], version: str, roadmap: RoadmapView
) -> list[FileSpec]:
    variables = _variables(parts, roadmap, layout)
    mapping = layout_map(layout)
    out: dict[str, FileSpec] = {}
    for part in parts:
        for spec in render_dir(f"parts/{part}/files", variables):
            if not spec.path.startswith("app/"):
                continue  # tests, Dockerfile, .env.example: service-only
            target = mapping.get(spec.path, spec.path.removeprefix("app/"))
            content = spec.content
            if target.endswith(".py"):
                content = regroup_imports(
                    relocate_imports(content, layout), _first_party(target, layout)
                )
            if target == mapping["app/settings.py"]:
                content += f'\n\n__version__ = "{version}"\n'
            spec = FileSpec(f"{layout.api}/{target}", content, spec.executable)
            if spec.path in out and out[spec.path].content != spec.content:
                raise UserError(f"parts disagree about {spec.path}")
            out[spec.path] = spec
    return list(out.values())


def _env_example(parts: list[str], roadmap: RoadmapView, compose_names: list[str]) -> FileSpec:
    spec = render_dir("parts/settings/files", _variables(parts, roadmap))
    text = next(s.content for s in spec if s.path == ".env.example")
    if compose_names:
        text += "\n# docker-compose.yml reads these; put the real values in .env\n" + "".join(
            f"{name}=\n" for name in compose_names
        )
    return FileSpec(".env.example", text)


def _first_party(target: str, layout: AppLayout) -> str | None:
    """The package ruff's isort counts as first-party in this file: the app's own package, or
    in a flat app the file's own top-level folder (its siblings are third-party to ruff)."""
    if layout.top:
        return layout.top
    return target.split("/")[0] if "/" in target else None


def _platform(layout: AppLayout, concerns: list[str], add_cors: bool) -> FileSpec:
    mod = {name: api_module(name, layout) for name in ("app.settings",)}
    fill = {"add_cors": str(add_cors)}
    imports: list[str] = []
    setup: list[str] = []
    for name in concerns:
        concern = CONCERNS[name]
        imports += [_logical(line, layout) for line in concern.imports]
        setup += [line.format(**fill) for line in concern.setup]
    setup += [line for name in concerns for line in CONCERNS[name].last]
    from propctl.generators.engine.render import render_text
    from propctl.resources import templates_dir

    source = (templates_dir() / "add" / "app_platform.py.jinja").read_text("utf-8")
    imports += ["from fastapi import FastAPI", f"from {mod['app.settings']} import get_settings"]
    content = render_text(
        source,
        {
            "concerns": concerns,
            "service": "api",
            "mod": mod,
            "imports": sorted(set(imports)),
            "setup": setup,
            "uses_settings": any(re.search(r"\bsettings\b", line) for line in setup),
        },
    )
    if layout.top:  # in a package: fastapi third-party, the app's modules first-party
        content = regroup_imports(content, layout.top)
    return FileSpec(f"{layout.api}/{PLATFORM}.py", content)


def _logical(line: str, layout: AppLayout = FLAT) -> str:
    return re.sub(r"\{(app(?:\.\w+)*)\}", lambda m: api_module(m.group(1), layout), line)


OVERRIDE = "docker-compose.override.yml"
# what docker compose loads by itself, in its order (compose-go's DefaultFileNames and
# DefaultOverrideFileNames): the first base file, then the first override file beside it
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)


def _override_name(repo: Path, compose: str) -> str | None:
    """The override compose will load for `compose`: the repo's own, if it has one (compose
    loads only the first; a second file beside it would be ignored, so none is generated and
    the user's stays untouched), else the one named like the base file."""
    from propctl.state import RepoState

    generated = RepoState(repo).generated()
    present = [name for name in OVERRIDE_NAMES if (repo / name).is_file()]
    if present and present[0] not in generated:
        return None
    if present:
        return present[0]
    return OVERRIDE if compose.startswith("docker-compose") else "compose.override.yml"


def _compose_override(compose: Path, name: str = OVERRIDE) -> FileSpec:
    import yaml

    try:
        data = yaml.safe_load(compose.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(
            f"{compose.name}: not valid YAML ({exc})", hint="fix the compose file, then run again"
        ) from None
    services = sorted((data.get("services") or {}) if isinstance(data, dict) else {})
    body = "".join(
        f"  {name}:\n    env_file:\n      - path: .env\n        required: false\n"
        for name in services
    )
    return FileSpec(
        name,
        "# Local overrides, git-ignored (Task 2.12): secrets come from .env, "
        "never from a file in git.\n# docker compose merges this file into "
        f"{compose.name} by itself.\nservices:\n" + (body or "  {}\n"),
    )


def _compose(repo: Path) -> str | None:
    for name in COMPOSE_NAMES:
        if (repo / name).is_file():
            return name
    return None


def _dependency_patches(repo: Path, api: str, concerns: list[str]) -> list[PatchSpec]:
    requirements = f"{api}/requirements.txt"
    if not (repo / requirements).is_file():
        return []
    wanted = {*BASE_DEPENDENCIES, *(d for c in concerns for d in CONCERNS[c].dependencies)}
    present = (repo / requirements).read_text("utf-8").lower()
    out = []
    for dependency in sorted(wanted):
        name = re.split(r"[<>=\[]", dependency)[0].lower()
        if re.search(rf"(?m)^{re.escape(name)}\b", present):
            continue
        out.append(PatchSpec(requirements, dependency))
    return out
