"""Re-group a module's leading import block the way ruff's isort rule (I001, default settings) sorts
it, for part files moved into a flat app (`scaffold add`): there `app.cache` becomes `cache`, a
top-level module outside any package, which ruff counts as third-party, not first-party. Sections:
future, standard library, third-party, first-party (the file's own package), local (relative);
in each, `import x` lines before `from x import y` lines, by module name. Statements are kept as
written (the templates already order the names inside each one)."""

from __future__ import annotations

import ast
import sys

SECTIONS = ("future", "stdlib", "third", "first", "local")
LINE_LENGTH = 100  # what `scaffold lint` configures for black and ruff


def _module(node: ast.Import | ast.ImportFrom) -> str:
    if isinstance(node, ast.Import):
        return node.names[0].name
    return "." * node.level + (node.module or "")


def _section(node: ast.Import | ast.ImportFrom, package: str | None) -> str:
    module = _module(node)
    top = module.split(".")[0]
    if module.startswith("."):
        return "local"
    if top == "__future__":
        return "future"
    if top == package:
        return "first"
    return "stdlib" if top in sys.stdlib_module_names else "third"


def _leading_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    body = tree.body
    start = (
        1
        if body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
        else 0
    )
    block: list[ast.Import | ast.ImportFrom] = []
    for node in body[start:]:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            break
        block.append(node)
    return block


def _member_key(name: str) -> tuple[int, str, str]:
    """ruff's order-by-type: CONSTANTS, then Classes, then everything else."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name


def _merge_from_imports(block: list[ast.Import | ast.ImportFrom]) -> dict[ast.stmt, str]:
    """Statements to rewrite: two `from m import a` (no `as`) of one module become one, as ruff
    combines them (after the move, `app` and `app.settings` are both `config`). The first gets the
    combined text, the others ''."""
    by_module: dict[str, list[ast.ImportFrom]] = {}
    for node in block:
        if isinstance(node, ast.ImportFrom) and all(alias.asname is None for alias in node.names):
            by_module.setdefault(_module(node), []).append(node)
    out: dict[ast.stmt, str] = {}
    for module, nodes in by_module.items():
        if len(nodes) < 2:
            continue
        names = sorted({a.name for node in nodes for a in node.names}, key=_member_key)
        line = f"from {module} import {', '.join(names)}\n"
        if len(line) > LINE_LENGTH + 1:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")\n"
        out[nodes[0]] = line
        out.update({node: "" for node in nodes[1:]})
    return out


def regroup_imports(text: str, package: str | None) -> str:
    """`text` with its first import block re-sectioned for a file inside `package` (None: a
    top-level module). Text with comments inside the block is returned unchanged."""
    block = _leading_imports(ast.parse(text))
    if not block:
        return text
    lines = text.splitlines(keepends=True)
    first, last = block[0].lineno - 1, block[-1].end_lineno or block[-1].lineno
    if any(line.lstrip().startswith("#") for line in lines[first:last]):
        return text
    sections: dict[str, list[tuple[bool, str, str]]] = {name: [] for name in SECTIONS}
    merged = _merge_from_imports(block)
    for node in block:
        if node in merged:
            source = merged[node]
            if not source:
                continue
        else:
            source = "".join(lines[node.lineno - 1 : node.end_lineno])
        key = (isinstance(node, ast.ImportFrom), _module(node).lower(), source)
        sections[_section(node, package)].append(key)
    groups = [
        "".join(source for *_, source in sorted(items)) for items in sections.values() if items
    ]
    return "".join(lines[:first]) + "\n".join(groups) + "".join(lines[last:])
