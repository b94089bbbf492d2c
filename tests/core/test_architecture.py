"""Import contracts (sqlfluff keeps its core from importing its CLI; so do we)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "propctl"
HEAVY = (
    "pulumi",
    "pulumi_aws",
    "boto3",
    "kubernetes",
    "sqlalchemy",
    "alembic",
    "jinja2",
    "detect_secrets",
    "jmespath",
    "kubernetes_validate",
)


def _module_level_imports(path: Path) -> set[str]:
    """Top-level names imported at module level (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _all_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py")) if sub else sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize(
    "sub", ["api", "roadmap", "checks", "generators", "provision", "reporting", "migrations", ""]
)
def test_core_never_imports_the_cli(sub: str) -> None:
    for path in _files(sub):
        if path.name == "__main__.py":
            continue  # `python -m propctl` is the command line
        bad = {n for n in _all_imports(path) if n == "typer" or n.startswith("propctl.cli")}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {bad}"


def test_roadmap_imports_nothing_of_propctl_but_errors_resources_and_the_clock() -> None:
    for path in _files("roadmap"):
        own = {n for n in _all_imports(path) if n.startswith("propctl.")}
        allowed = {
            n
            for n in own
            if n.startswith(("propctl.roadmap", "propctl.errors", "propctl.resources"))
            or n in ("propctl.clock", "propctl.globs")
        }
        assert own == allowed, f"{path.name} imports {own - allowed}"


def test_only_cli_and_reporting_touch_rich() -> None:
    for sub in ("api", "roadmap", "checks", "generators", "provision", "migrations", ""):
        for path in _files(sub):
            bad = {n for n in _module_level_imports(path) if n.split(".")[0] == "rich"}
            assert not bad, f"{path.relative_to(PACKAGE.parent)} imports rich at module level"


def test_heavy_libraries_are_imported_lazily() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_data" in path.parts:
            continue
        bad = {n for n in _module_level_imports(path) if n.split(".")[0] in HEAVY}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {bad} at module level"


def test_help_loads_no_heavy_library() -> None:
    code = (
        "import sys; from propctl.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "sub", ["roadmap", "checks", "generators", "provision", "reporting", "migrations", ""]
)
def test_only_the_cli_imports_the_library_face(sub: str) -> None:
    for path in _files(sub):
        if path.name == "__main__.py":
            continue
        bad = {n for n in _all_imports(path) if n.startswith("propctl.api")}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {bad}: propctl.api is the top"


# what cli/ may take from Rich: the App's two consoles and escaping its messages
RICH_IN_CLI = {"rich.console", "rich.markup"}
DRAWING = {"Table", "Panel", "Progress", "Text", "Tree", "Columns", "Syntax", "Console"}


def _drawing(source: str, *, consoles_allowed: bool = False) -> set[str]:
    """What a cli/ module draws itself: Rich modules beyond RICH_IN_CLI, and calls that
    build a renderable (`Table(...)`, `rich.table.Table(...)`), `Console(...)` but in app.py."""
    tree = ast.parse(source)
    bad = {n for n in (_imports(tree) - RICH_IN_CLI) if n == "rich" or n.startswith("rich.")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in DRAWING and not (consoles_allowed and name == "Console"):
                bad.add(f"{name}(")
    return bad


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_cli_draws_nothing_itself() -> None:
    for path in _files("cli"):
        if path.name == "_fastrich.py":
            continue  # defers Rich's own imports for start-up; it draws nothing
        bad = _drawing(path.read_text("utf-8"), consoles_allowed=path.name == "app.py")
        assert not bad, f"{path.relative_to(PACKAGE.parent)} draws ({bad}): use propctl.reporting"


@pytest.mark.parametrize(
    "source",
    [
        "from rich.table import Table\nTable()",
        "def f():\n    from rich.table import Table\n    return Table(box=None)",
        "def f():\n    import rich.panel\n    return rich.panel.Panel('x')",
        "def f(mod):\n    return mod.Table()",
        "from rich.console import Console\nConsole(record=True)",
        "from rich.progress import BarColumn",
    ],
)
def test_the_drawing_rule_catches_a_table_built_in_the_cli(source: str) -> None:
    assert _drawing(source)


def test_the_drawing_rule_lets_the_cli_hand_renderables_on() -> None:
    source = (
        "from rich.markup import escape\n"
        "def f(app, doc):\n"
        "    from propctl.reporting.verify_table import verify_view\n"
        "    app.show(verify_view(doc), None)\n"
    )
    assert not _drawing(source)
    assert not _drawing("from rich.console import Console\nConsole()", consoles_allowed=True)


def test_the_check_schema_is_assembled_above_roadmap_and_checks() -> None:
    # the roadmap's schema knows no check kind; propctl.api.schema joins the two, and no core
    # package imports the library face
    schema = PACKAGE / "roadmap" / "schema.py"
    assert not {n for n in _all_imports(schema) if n.startswith("propctl.checks")}
    assert "propctl.checks.engine.base" in _all_imports(PACKAGE / "api" / "schema.py")
    for sub in ("roadmap", "checks", "generators", "provision", "reporting", "migrations"):
        for path in _files(sub):
            bad = {n for n in _all_imports(path) if n.startswith("propctl.api")}
            assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {bad}"


# ---- propctl.generators: the engine, what generators read of the target repo, one generator
# per module, and the support code of a single generator beside it
GENERATORS = PACKAGE / "generators"
# support modules at the top of generators/ that hold no generator: the generator modules that
# use them (and nothing else in propctl does)
GENERATOR_SUPPORT = {
    "action_pins": {"workflow", "workflow_verify"},
    "api_k8s": {"concerns"},
    "pyimports": {"concerns"},
    "token_signing": {"concerns"},
}


def _generator_modules() -> list[Path]:
    return sorted(p for p in GENERATORS.glob("*.py") if p.name != "__init__.py")


def _generator_names(path: Path) -> set[str]:
    """The generator names a module builds `Generation`s for (`Generation("lint", ...)`,
    `Generation(generator="infra", ...)`, `Generation(GENERATOR, ...)`)."""
    tree = ast.parse(path.read_text("utf-8"))
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Generation"):
            continue
        first = next((k.value for k in node.keywords if k.arg == "generator"), None)
        first = first if first is not None else (node.args[0] if node.args else None)
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
        elif isinstance(first, ast.Name) and first.id in constants:
            names.add(constants[first.id])
        else:
            names.add(f"<unknown: {ast.dump(first) if first else 'no name'}>")
    return names


def test_each_generator_module_holds_one_generator() -> None:
    for path in _generator_modules():
        found = _generator_names(path)
        if path.stem in GENERATOR_SUPPORT:
            assert not found, f"generators/{path.name} is support code, yet builds {found}"
        else:
            assert len(found) == 1, f"generators/{path.name} builds {found or 'no generator'}"


def test_a_generators_support_module_serves_that_generator_only() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")
        for support, users in GENERATOR_SUPPORT.items():
            if module == f"propctl.generators.{support}":
                continue
            if f"propctl.generators.{support}" in _all_imports(path):
                assert module.removeprefix("propctl.generators.") in users, (
                    f"{module} imports propctl.generators.{support}, support code of {users}"
                )


def test_the_engine_and_the_target_readers_import_no_generator() -> None:
    allowed = ("propctl.generators.engine", "propctl.generators.target")
    for sub in ("generators/engine", "generators/target"):
        for path in _files(sub):
            own = {n for n in _all_imports(path) if n.startswith("propctl.generators")}
            bad = {n for n in own if not n.startswith(allowed)}
            if sub == "generators/engine":
                bad |= {n for n in own if n.startswith("propctl.generators.target")}
            assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {bad}"


def test_generators_take_typed_roadmaps() -> None:
    """A roadmap is a `Roadmap` or a `RoadmapView` (propctl.roadmap.facts), its environments and
    services sequences of the models or their views: never `Any`."""
    for path in _files("generators"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if "roadmap" in arg.arg or "environments" in arg.arg or arg.arg == "services":
                    shown = ast.unparse(arg.annotation) if arg.annotation else "Any"
                    untyped = shown.removesuffix(" | None") == "Any" or "[Any]" in shown
                    assert not untyped, (
                        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}"
                        f"({arg.arg}: {shown})"
                    )


# what a replayed run loads (it answers before the roadmap or any check kind is imported) and the
# statuses the engine, the gate and the report share
STDLIB_ONLY = ("checks/status.py", "checks/gate/rules.py", "checks/gate/replay.py")


def _own_module(name: str) -> Path | None:
    """The file of a propctl module (`propctl.checks.status`), None when `name` is no module
    (`from propctl import __version__`)."""
    rel = PACKAGE.joinpath(*name.split(".")[1:])
    for path in (rel.with_suffix(".py"), rel / "__init__.py"):
        if path.is_file():
            return path
    return None


def _loads(path: Path) -> set[str]:
    """The top-level modules `path` may load: everything it imports, in functions too, and what
    importing the propctl modules it names (and their packages) loads in turn."""
    found: set[str] = set()
    seen: set[Path] = set()
    todo = [(path, True)]
    while todo:
        here, whole = todo.pop()
        if here in seen:
            continue
        seen.add(here)
        nodes = ast.walk(ast.parse(here.read_text("utf-8"))) if whole else _top(here)
        for name in _named(nodes):
            if name != "propctl" and not name.startswith("propctl."):
                found.add(name.split(".")[0])
            elif (own := _own_module(name)) is not None:
                todo.append((own, False))
        package = here.parent
        while package != PACKAGE.parent:
            todo.append((package / "__init__.py", False))
            package = package.parent
    return found


def _top(path: Path) -> list[ast.stmt]:
    return ast.parse(path.read_text("utf-8")).body


def _named(nodes: Iterable[ast.AST]) -> set[str]:
    """Modules the import statements among `nodes` name: `from a import b` names a and a.b."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("rel", STDLIB_ONLY)
def test_replay_and_the_statuses_load_the_standard_library_only(rel: str) -> None:
    bad = _loads(PACKAGE / rel) - set(sys.stdlib_module_names) - {"__future__"}
    assert not bad, f"propctl/{rel} loads {sorted(bad)}: it must stay standard library only"


def test_a_replayed_run_loads_the_standard_library_only() -> None:
    code = (
        "import sys; before = set(sys.modules); import propctl.checks.gate.replay\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['propctl']"


def test_the_stdlib_rule_catches_a_library_behind_a_propctl_import() -> None:
    assert "pydantic" in _loads(PACKAGE / "checks" / "engine" / "runner.py")
    assert "yaml" in _loads(PACKAGE / "checks" / "kinds" / "workflow" / "kind.py")
