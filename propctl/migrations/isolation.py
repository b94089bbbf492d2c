"""Import a service's own modules (`database`, `models`, `repositories`...) in this process and
forget them afterwards. Services use the same top-level names, and tests drive several services
in one process: without this, the second service would get the first one's `database`."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType


def top_level_names(root: Path) -> set[str]:
    """Module and package names the folder provides when it is on sys.path."""
    names = {p.stem for p in root.glob("*.py")}
    names |= {p.name for p in root.iterdir() if p.is_dir() and p.name.isidentifier()}
    return names


def _owned(name: str, module: ModuleType | None, names: set[str], root: Path) -> bool:
    if name.split(".")[0] in names:
        return True
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and Path(file).resolve().is_relative_to(root)


@contextmanager
def service_imports(root: Path) -> Iterator[None]:
    """`root` first on sys.path while the block runs; any module it shadows is set aside and put
    back afterwards, and every module imported from it is dropped."""
    root = root.resolve()
    names = top_level_names(root)
    saved_path = list(sys.path)
    shadowed = {n: m for n, m in list(sys.modules.items()) if _owned(n, m, names, root)}
    for name in shadowed:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if _owned(name, module, names, root):
                del sys.modules[name]
        sys.modules.update(shadowed)
        sys.path[:] = saved_path
