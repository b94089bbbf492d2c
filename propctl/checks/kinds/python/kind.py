"""`python`: static checks on the AST of a FastAPI app (nothing is imported or run).

Rules: `cors_origins` (CORSMiddleware restricted to a list, no `*`, inside `allowed`),
`router_prefix` (every router mounted under `prefix`), `middleware` / `exception_handler`
(one registered whose name matches `name`), `no_module_state` (no module-level lists, dicts or
sets standing in for a database), `pool_size` (create_engine with pool_size + max_overflow
<= `max`), `alembic_single_head` (the migrations in `file`, by their `revision` and
`down_revision`, have exactly one head and no missing parent)."""

from __future__ import annotations

import ast
import re
from typing import Literal

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.kinds.python import pyast
from propctl.checks.support.kind_helpers import cap, expand_all, plural

Rule = Literal[
    "cors_origins",
    "router_prefix",
    "middleware",
    "exception_handler",
    "no_module_state",
    "pool_size",
    "alembic_single_head",
]


class PythonParams(CheckParams):
    rule: Rule
    file: str | list[str] = Field(default="{api}/main.py", description="Files or globs.")
    context: str | list[str] = Field(
        default="{api}/**/*.py", description="Where settings defaults are looked up."
    )
    allowed: list[str] | None = Field(default=None, description="cors_origins: allowed origins.")
    prefix: str = Field(default="/api/v1", description="router_prefix: required prefix.")
    name: str = Field(
        default=".*",
        description="middleware/exception_handler: Python regex, searched in the registered "
        "class or handler name (anchor with ^...$ for a whole name).",
    )
    min_count: int = Field(default=1, ge=1)
    max: int | None = Field(default=None, description="pool_size: most connections.")
    allow: list[str] = Field(default_factory=list, description="no_module_state: names allowed.")


@register("python")
class Python(CheckKind):
    """AST checks of a FastAPI app: CORS, router prefixes, middleware, state, pool size."""

    Params = PythonParams
    params: PythonParams

    def selected(self, ctx: CheckContext) -> list[str]:
        return ctx.files.select(expand_all(ctx, self.params.file))

    def inputs(self, ctx: CheckContext) -> list[str]:
        extra = ctx.files.select(expand_all(ctx, self.params.context))
        return self.selected(ctx) + extra

    def run(self, ctx: CheckContext) -> Result:
        files = self.selected(ctx)
        if not files:
            wanted = ", ".join(expand_all(ctx, self.params.file))
            return Result.failed(f"no Python file matches {wanted}")
        trees: dict[str, ast.Module] = {}
        for name in files:
            text = ctx.files.read_text(name)
            try:
                trees[name] = pyast.parse(text or "", name)
            except SyntaxError as exc:
                return Result.errored(
                    f"{name}:{exc.lineno}: cannot parse: {exc.msg}",
                    [Evidence(exc.msg or "syntax error", name, exc.lineno)],
                )
        result: Result = getattr(self, "_" + self.params.rule)(ctx, trees)
        return result

    # ---- rules -----------------------------------------------------------------------------
    def _resolver(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> pyast.Resolver:
        modules = list(trees.values())
        for name in ctx.files.select(expand_all(ctx, self.params.context)):
            if name not in trees:
                try:
                    modules.append(pyast.parse(ctx.files.read_text(name) or "", name))
                except SyntaxError:
                    continue
        return pyast.Resolver(modules)

    def _cors_origins(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> Result:
        resolver = self._resolver(ctx, trees)
        found: list[tuple[str, ast.Call]] = [
            (name, call)
            for name, tree in trees.items()
            for call in pyast.calls(tree, "add_middleware")
            if call.args and pyast.call_name(call.args[0]).endswith("CORSMiddleware")
        ]
        if not found:
            return Result.failed("no CORSMiddleware is registered (add_middleware)")
        evidence: list[Evidence] = []
        for name, call in found:
            if pyast.kwarg(call, "allow_origin_regex") is not None:
                return Result.failed(
                    "CORS allows origins by regex, not a list",
                    [Evidence("allow_origin_regex", name, call.lineno)],
                )
            origins = resolver.value(pyast.kwarg(call, "allow_origins"))
            if origins is None:
                return Result.errored(
                    "cannot tell the CORS origins statically (not a literal, "
                    "constant or settings default)",
                    [Evidence(ast.unparse(call)[:160], name, call.lineno)],
                )
            origins = [origins] if isinstance(origins, str) else list(origins)
            detail = f"allow_origins={origins}"
            # an empty list is a statement (CORSMiddleware then allows no origin), not absence
            if "*" in origins:
                return Result.failed(
                    f"CORS allows every origin ({detail})", [Evidence(detail, name, call.lineno)]
                )
            extra = sorted(set(origins) - set(self.params.allowed or origins))
            if extra:
                return Result.failed(
                    f"CORS allows origins outside the list: {extra}",
                    [Evidence(detail, name, call.lineno)],
                )
            evidence.append(Evidence(detail, name, call.lineno))
        return Result.passed("CORS restricted to " + evidence[0].detail.split("=", 1)[1], evidence)

    def _router_prefix(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> Result:
        resolver = self._resolver(ctx, trees)
        bad: list[Evidence] = []
        good: list[Evidence] = []
        for name, tree in trees.items():
            for line, router, prefix in _mounted_prefixes(tree, resolver):
                item = Evidence(f"{router} mounted at {prefix or '/'}", name, line)
                (good if (prefix or "").startswith(self.params.prefix) else bad).append(item)
        if not good and not bad:
            return Result.failed("no include_router call found")
        if bad:
            return Result.failed(
                f"{len(bad)} router(s) not under {self.params.prefix}", cap(bad + good)
            )
        return Result.passed(f"all {len(good)} router(s) under {self.params.prefix}", cap(good))

    def _registered(self, trees: dict[str, ast.Module], what: str) -> Result:
        pattern = re.compile(self.params.name)
        found: list[Evidence] = []
        for name, tree in trees.items():
            for label, line in _registrations(tree, what):
                if pattern.search(label):
                    found.append(Evidence(f"{what} {label}", name, line))
        label = f"{what} matching /{self.params.name}/"
        if len(found) >= self.params.min_count:
            return Result.passed(f"{len(found)} {label} registered", cap(found))
        return Result.failed(
            f"no {label} is registered"
            if not found
            else f"{len(found)} {label}, need {self.params.min_count}",
            found,
        )

    def _middleware(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> Result:
        return self._registered(_with_local_imports(ctx, trees), "middleware")

    def _exception_handler(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> Result:
        return self._registered(_with_local_imports(ctx, trees), "exception handler")

    def _no_module_state(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> Result:
        found = [
            Evidence(f.detail, name, f.line)
            for name, tree in trees.items()
            for f in pyast.mutable_module_state(tree, set(self.params.allow))
        ]
        if found:
            return Result.failed(
                f"{len(found)} module-level in-memory store(s) in "
                f"{len({e.file for e in found})} file(s)",
                cap(found),
            )
        return Result.passed(f"no module-level in-memory state in {len(trees)} file(s)")

    def _alembic_single_head(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> Result:
        graph = {
            rev: (name, parents)
            for name, tree in trees.items()
            if (found := pyast.alembic_revision(tree)) is not None
            for rev, parents in [found]
        }
        if not graph:
            return Result.failed(
                f"nothing to judge: no Alembic revision in {plural(len(trees), 'file')}"
            )
        parents = {p for _, ps in graph.values() for p in ps}
        missing = [
            Evidence(f"revises {p}, which no migration defines", name)
            for rev, (name, ps) in sorted(graph.items())
            for p in ps
            if p not in graph
        ]
        heads = [Evidence(f"head {rev}", graph[rev][0]) for rev in sorted(set(graph) - parents)]
        if missing:
            return Result.failed(missing[0].detail, cap(missing))
        if len(heads) != 1:
            return Result.failed(
                f"{plural(len(heads), 'head')} among {plural(len(graph), 'revision')}: "
                "merge them (alembic merge heads)",
                cap(heads),
            )
        return Result.passed(
            f"one head ({heads[0].detail.split()[-1]}) over {plural(len(graph), 'revision')}",
            heads,
        )

    def _pool_size(self, ctx: CheckContext, trees: dict[str, ast.Module]) -> Result:
        resolver = self._resolver(ctx, trees)
        engines = [
            (name, call)
            for name, tree in trees.items()
            for method in ("create_engine", "create_async_engine")
            for call in pyast.calls(tree, method)
        ]
        if not engines:
            return Result.failed("no create_engine call found")
        evidence: list[Evidence] = []
        for name, call in engines:
            size = resolver.value(pyast.kwarg(call, "pool_size"))
            overflow = resolver.value(pyast.kwarg(call, "max_overflow"))
            if pyast.kwarg(call, "pool_size") is None:
                return Result.failed(
                    "create_engine without pool_size (the default pool is 5 + 10 overflow)",
                    [Evidence("no pool_size", name, call.lineno)],
                )
            if not isinstance(size, int) or not isinstance(overflow, int | None):
                return Result.errored(
                    "cannot tell the pool size statically",
                    [Evidence(ast.unparse(call)[:160], name, call.lineno)],
                )
            total = size + (overflow if overflow is not None else 10)
            detail = f"pool_size={size}, max_overflow={overflow if overflow is not None else 10}"
            if self.params.max is not None and total > self.params.max:
                return Result.failed(
                    f"{total} connections possible, more than {self.params.max}",
                    [Evidence(detail, name, call.lineno)],
                )
            evidence.append(Evidence(detail, name, call.lineno))
        return Result.passed(f"pool configured ({evidence[0].detail})", evidence)


def _with_local_imports(
    ctx: CheckContext, trees: dict[str, ast.Module], depth: int = 3
) -> dict[str, ast.Module]:
    """The files and the app's own modules they import (a few levels deep): an app that
    registers its handlers in `install(app)` functions of other modules still registers them."""
    out = dict(trees)
    frontier = list(trees)
    for _ in range(depth):
        found: list[str] = []
        for name in frontier:
            for target in _local_modules(ctx, name, out[name]):
                if target not in out:
                    try:
                        out[target] = pyast.parse(ctx.files.read_text(target) or "", target)
                    except SyntaxError:
                        continue
                    found.append(target)
        frontier = found
    return out


def _local_modules(ctx: CheckContext, name: str, tree: ast.Module) -> list[str]:
    folder = name.rsplit("/", 1)[0] if "/" in name else ""
    # a package-layout app imports itself from the repo root (`from app.errors import ...`)
    roots = [folder, ctx.expand("{api}"), ""]
    candidates: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            dotted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = folder.split("/") if folder else []
                parent = "/".join(parts[: len(parts) - node.level + 1])
                rel = base.replace(".", "/")
                heads = [f"{parent}/{rel}" if rel else parent]
                candidates += [f"{h}/{a.name}.py" for h in heads for a in node.names]
                candidates += [f"{h}.py" for h in heads if rel] + [
                    f"{h}/__init__.py" for h in heads
                ]
                continue
            dotted = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for module in dotted:
            path = module.replace(".", "/")
            candidates += [f"{r}/{path}.py" if r else f"{path}.py" for r in roots]
            candidates += [f"{r}/{path}/__init__.py" if r else f"{path}/__init__.py" for r in roots]
    return sorted({c.lstrip("/") for c in candidates if ctx.files.is_file(c.lstrip("/"))})


def _apps_and_routers(
    tree: ast.Module, resolver: pyast.Resolver
) -> tuple[set[str], dict[str, str]]:
    apps: set[str] = set()
    routers: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            kind = pyast.call_name(node.value).split(".")[-1]
            for target in node.targets:
                if isinstance(target, ast.Name) and kind == "FastAPI":
                    apps.add(target.id)
                elif isinstance(target, ast.Name) and kind == "APIRouter":
                    routers[target.id] = str(
                        resolver.value(pyast.kwarg(node.value, "prefix")) or ""
                    )
    return apps, routers


def _mounted_prefixes(tree: ast.Module, resolver: pyast.Resolver) -> list[tuple[int, str, str]]:
    """(line, router, full prefix) for each router included, directly or through a local
    APIRouter, into a FastAPI app of this module."""
    apps, routers = _apps_and_routers(tree, resolver)
    includes = pyast.calls(tree, "include_router")
    parents: dict[str, str] = {}  # local router -> its prefix within the app
    out: list[tuple[int, str, str]] = []

    def owner(call: ast.Call) -> str:
        func = call.func
        return pyast.call_name(func.value) if isinstance(func, ast.Attribute) else "?"

    def full_prefix(call: ast.Call) -> str | None:
        """The included router's prefix within the app; None when its host is not (yet)
        known to be mounted in an app."""
        host, child = owner(call), pyast.call_name(call.args[0])
        if host in apps or not apps:
            base = ""
        elif host in parents:
            base = parents[host]
        else:
            return None
        own = str(resolver.value(pyast.kwarg(call, "prefix")) or "")
        return base + own + routers.get(child, "")

    includes = [call for call in includes if call.args]
    for _ in range(4):  # resolve nesting a few levels deep
        for call in includes:
            child = pyast.call_name(call.args[0])
            full = full_prefix(call)
            if full is not None and child in routers:
                parents[child] = full
    for call in includes:
        child = pyast.call_name(call.args[0])
        if child in routers and child in parents:
            continue  # a local aggregating router: its children are reported instead
        full = full_prefix(call)
        if full is not None:
            out.append((call.lineno, child, full))
    return out


def _registrations(tree: ast.Module, what: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    method = "add_middleware" if what == "middleware" else "add_exception_handler"
    decorator = "middleware" if what == "middleware" else "exception_handler"
    for call in pyast.calls(tree, method):
        # add_middleware(Class, ...) / add_exception_handler(Exception, handler): one each
        labels = [pyast.call_name(a) for a in call.args[: 1 if what == "middleware" else 2]]
        label = " ".join(x for x in labels if x != "?")
        if label:
            out.append((label, call.lineno))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and pyast.call_name(dec).endswith("." + decorator):
                    arg = pyast.call_name(dec.args[0]) if dec.args else ""
                    out.append((f"{node.name} {arg}".strip(), node.lineno))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Call)
            and pyast.call_name(node.func).endswith("." + decorator)
            and node.args
        ):
            out.append((pyast.call_name(node.args[0]), node.lineno))
    return out
