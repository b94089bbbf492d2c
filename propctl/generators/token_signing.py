"""`scaffold add security` changes which access tokens the API accepts: the JWT middleware checks
them with `Settings.jwt_secret` (the environment's `JWT_SECRET`). An app that signs its own
tokens with a literal secret (the example's `routers/auth.py`: `JWT_SECRET = "..."`) would then
issue tokens its own middleware refuses: every sign-in ends in 401 on `/auth/me` and on every
protected route, in production as in the app's tests. So the concern patches those literals, as
it patches main.py: `JWT_SECRET = get_settings().jwt_secret.get_secret_value()` (and the
algorithm from the settings too), with the settings import after the file's last top-level
import. The rest of the user's module stays as it is: sending the OTP through `security.otp` and
issuing tokens through `security.tokens` remain the engineer's edit (docs/hardening.md).

Only module-level assignments of a string literal to a secret-like name are patched, in the
app's own Python files (not its tests, not what propctl generated). Once patched, or once the
engineer removed the constant, there is nothing to patch and a re-run plans nothing here."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from propctl.generators.engine.specs import PatchSpec

# JWT_SECRET, SECRET_KEY, JWT_SECRET_KEY, AUTH_SECRET (not TWILIO_AUTH_TOKEN, not PASSWORD)
SECRET_NAME = re.compile(r"(?i)^(?:\w*_)?(?:jwt_)?secret(?:_key)?$")
ALGORITHM_NAME = re.compile(r"(?i)^(?:\w*_)?jwt_?algorithm$")
SKIP_DIRS = {"tests", "test", "migrations", ".venv", "venv", "node_modules", "__pycache__"}
MAX_BYTES = 256_000


def _candidates(repo: Path, api: str, generated: set[str]) -> list[str]:
    root = repo / api
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(repo).as_posix()
        parts = set(path.relative_to(root).parts[:-1])
        if (
            parts & SKIP_DIRS
            or path.name.startswith("test_")
            or path.name == "conftest.py"
            or rel in generated
            or path.is_symlink()
            or path.stat().st_size > MAX_BYTES
        ):
            continue
        out.append(rel)
    return out


def _literal_assignments(text: str) -> list[tuple[str, str, int]]:
    """(name, kind, line number) of module-level `NAME = "literal"` for secret/algorithm names."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and node.lineno == node.end_lineno
        ):
            continue
        name = node.targets[0].id
        if SECRET_NAME.match(name):
            found.append((name, "secret", node.lineno))
        elif ALGORITHM_NAME.match(name):
            found.append((name, "algorithm", node.lineno))
    return found


def _value(kind: str) -> str:
    if kind == "secret":
        return "get_settings().jwt_secret.get_secret_value()"
    return "get_settings().jwt_algorithm"


def _import_anchor(
    tree: ast.Module, lines: list[str], module: str, first_party: str | None
) -> tuple[str, bool] | None:
    """Where `from MODULE import ...` goes so that a file ruff's isort accepted still passes:
    before the first `from` import of the same section that sorts after it, else after the
    section's last one, else after the last top-level import (None: the file has none)."""
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    if not imports:
        return None

    def section(name: str) -> int:
        top = name.split(".")[0]
        if top == "__future__":
            return 0
        if top in sys.stdlib_module_names:
            return 1
        return 3 if first_party and top == first_party else 2

    ours = section(module)
    peers = [
        n
        for n in imports
        if isinstance(n, ast.ImportFrom) and n.module and not n.level and section(n.module) == ours
    ]
    later = [n for n in peers if n.module and n.module.lower() > module.lower()]
    if later:
        return _literal(lines[later[0].lineno - 1]), True
    last = peers[-1] if peers else imports[-1]
    return _literal(lines[(last.end_lineno or last.lineno) - 1]), False


def _imports_get_settings(tree: ast.Module, module: str) -> bool:
    return any(
        isinstance(n, ast.ImportFrom)
        and n.module == module
        and any(a.name == "get_settings" and a.asname is None for a in n.names)
        for n in tree.body
    )


def _literal(line: str) -> str:
    return "^" + re.escape(line).replace("\\ ", " ") + "$"


def signing_patches(
    repo: Path, api: str, settings_module: str, generated: set[str], first_party: str | None = None
) -> list[PatchSpec]:
    """The patches that make the app sign its tokens with the secret its middleware checks."""
    patches: list[PatchSpec] = []
    for rel in _candidates(repo, api, generated):
        try:
            text = (repo / rel).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found = _literal_assignments(text)
        if not any(kind == "secret" for _, kind, _ in found):
            continue
        tree = ast.parse(text)
        if not _imports_get_settings(tree, settings_module):
            where = _import_anchor(tree, text.splitlines(), settings_module, first_party)
            anchor, before = where if where else (r"\A", True)
            line = f"from {settings_module} import get_settings"
            patches.append(PatchSpec(rel, line, anchor, before=before))
        for name, kind, lineno in found:
            # the anchor names the constant, not its value: plans and logs never repeat a secret
            anchor = rf"""^{name}\s*=\s*(?:"[^"\n]*"|'[^'\n]*')[^\n]*$"""
            patches.append(
                PatchSpec(
                    rel,
                    f"{name} = {_value(kind)}",
                    anchor,
                    replace=True,
                    manual=f"in {rel}:{lineno}, set {name} = {_value(kind)}",
                )
            )
    return patches
