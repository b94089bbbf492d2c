"""Static facts about a FastAPI app, read from its Python source with `ast` (nothing is
imported or run). Each function answers one question and returns evidence with line numbers."""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass
from typing import Any

MUTABLE_CALLS = {"list", "dict", "set", "defaultdict", "OrderedDict", "deque", "Counter"}


@dataclass
class Found:
    line: int
    detail: str
    value: Any = None


# CPython 3.11 counts the AST conversion's recursion depth per interpreter, not per thread:
# two threads parsing at once can fail with "SystemError: AST constructor recursion depth
# mismatch" (python/cpython#106905). Checks run in threads, so parsing takes turns.
_PARSE_LOCK = threading.Lock()


def parse(text: str, name: str) -> ast.Module:
    with _PARSE_LOCK:
        return ast.parse(text, filename=name)


def call_name(node: ast.AST) -> str:
    """`app.add_middleware` -> 'app.add_middleware'; `CORSMiddleware` -> 'CORSMiddleware'."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return f"{call_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return "?"


def calls(tree: ast.AST, method: str) -> list[ast.Call]:
    """Every call whose name ends with `.method` (or is `method`)."""
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and (call_name(n) == method or call_name(n).endswith("." + method))
    ]


def kwarg(call: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def module_assignments(tree: ast.Module) -> dict[str, ast.expr]:
    out: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            out[node.target.id] = node.value
    return out


def class_defaults(tree: ast.Module) -> dict[str, ast.expr]:
    """`field = value` / `field: T = value` / `Field(default=...)` in every class body."""
    out: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.value is not None
            ):
                out[stmt.target.id] = _unwrap_field(stmt.value)
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        out[target.id] = _unwrap_field(stmt.value)
    return out


def _unwrap_field(value: ast.expr) -> ast.expr:
    if isinstance(value, ast.Call) and call_name(value).split(".")[-1] == "Field":
        default = kwarg(value, "default", 0)
        if default is not None:
            return default
        factory = kwarg(value, "default_factory")
        if isinstance(factory, ast.Lambda):
            return factory.body
    return value


class Resolver:
    """Literal values for expressions: literals, module constants, `settings.X` defaults found
    in any class of the given modules, `os.getenv("X", default)` defaults. None = unknown."""

    def __init__(self, modules: list[ast.Module]) -> None:
        self.names: dict[str, ast.expr] = {}
        self.fields: dict[str, ast.expr] = {}
        for tree in modules:
            self.fields.update(class_defaults(tree))
            self.names.update(module_assignments(tree))

    def value(self, node: ast.expr | None, depth: int = 0) -> Any:
        if node is None or depth > 8:
            return None
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.value(self.names[node.id], depth + 1)
        if isinstance(node, ast.Attribute) and node.attr in self.fields:
            return self.value(self.fields[node.attr], depth + 1)
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name.endswith(("getenv", "environ.get", "config")) and len(node.args) >= 1:
                default = kwarg(node, "default", 1)
                return self.value(default, depth + 1) if default is not None else None
            if name.endswith(".split") and isinstance(node.func, ast.Attribute):
                base = self.value(node.func.value, depth + 1)
                sep = self.value(node.args[0], depth + 1) if node.args else None
                if isinstance(base, str):
                    return [s.strip() for s in base.split(sep)]
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.value(e, depth + 1) for e in node.elts]
            return None if any(i is None for i in items) else items
        if isinstance(node, ast.ListComp):
            return self._comprehension(node, depth)
        return None

    def _comprehension(self, node: ast.ListComp, depth: int) -> list[Any] | None:
        """`[str(o).rstrip("/") for o in settings.origins]`: the iterable's items through
        str() and string methods; anything else is unknown."""
        if len(node.generators) != 1 or node.generators[0].ifs:
            return None
        loop = node.generators[0]
        items = self.value(loop.iter, depth + 1)
        if not isinstance(loop.target, ast.Name) or not isinstance(items, list):
            return None
        out = [_apply(node.elt, loop.target.id, item) for item in items]
        return None if any(o is None for o in out) else out


_STR_METHODS = {"strip", "rstrip", "lstrip", "lower", "upper"}


def _apply(expr: ast.expr, name: str, item: Any) -> Any:
    if isinstance(expr, ast.Name) and expr.id == name:
        return item
    if not isinstance(expr, ast.Call):
        return None
    if call_name(expr) == "str" and len(expr.args) == 1:
        inner = _apply(expr.args[0], name, item)
        return None if inner is None else str(inner)
    func = expr.func
    if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS:
        base = _apply(func.value, name, item)
        args = [a.value for a in expr.args if isinstance(a, ast.Constant)]
        if isinstance(base, str) and len(args) == len(expr.args):
            return getattr(base, func.attr)(*args)
    return None


def alembic_revision(tree: ast.Module) -> tuple[str, list[str]] | None:
    """(revision, parents) of an Alembic migration module; None when it has no literal
    `revision`. `down_revision` may be None, a string, or a tuple/list (a merge)."""
    names = module_assignments(tree)
    try:
        revision = ast.literal_eval(names["revision"]) if "revision" in names else None
        down = ast.literal_eval(names["down_revision"]) if "down_revision" in names else None
    except ValueError:
        return None
    if not isinstance(revision, str):
        return None
    parents = [down] if isinstance(down, str) else list(down or [])
    return revision, [str(p) for p in parents]


def mutable_module_state(tree: ast.Module, allow: set[str]) -> list[Found]:
    """Module-level lists/dicts/sets (literals or constructor calls): in-memory 'databases'.
    A literal whose every element is the name of a function or class the module defines (a
    dispatch table: readiness checks by name) holds code, not data, and is not counted."""
    defined = {
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    out: list[Found] = []
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if not names or value is None or set(names) <= allow or "__all__" in names:
            continue
        mutable = isinstance(
            value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp
        ) or (isinstance(value, ast.Call) and call_name(value).split(".")[-1] in MUTABLE_CALLS)
        if mutable and not _dispatch_table(value, defined):
            out.append(
                Found(
                    node.lineno, f"module-level {type(value).__name__.lower()} {', '.join(names)}"
                )
            )
    return out


def _dispatch_table(value: ast.expr, defined: set[str]) -> bool:
    """A non-empty literal holding only names of the module's own functions and classes (and,
    for a dict, string keys)."""
    if isinstance(value, ast.Dict):
        keys_ok = all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys)
        elements: list[ast.expr] = list(value.values) if keys_ok else []
    elif isinstance(value, ast.List | ast.Set):
        elements = list(value.elts)
    else:
        return False
    return bool(elements) and all(isinstance(e, ast.Name) and e.id in defined for e in elements)
