"""Start-up: Typer's help renderer imports `rich.markdown` (and with it markdown-it) and
`rich.traceback` (and with it pygments) at import time — about 40% of `propctl --help` — although
propctl's help never uses Markdown markup and its tracebacks go to a log file. Until something
really uses them, those modules are stand-ins that load the real module on first use.

Rich also imports its table of 3,600 emoji (`rich._emoji_codes`, 2.5% of `propctl --help`)
before it replaces `:name:` codes in the first string it renders, though a string without such
a code never looks in it: the table is a stand-in too, loaded on its first look-up."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator, Mapping
from typing import Any

# module -> the names Typer imports from it
DEFERRED: dict[str, tuple[str, ...]] = {
    "rich.markdown": ("Markdown",),
    "rich.traceback": ("Traceback",),
}


class _DeferredModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system probes __path__ etc.: not a use
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(module_name: str) -> types.ModuleType:
    module = sys.modules.get(module_name)
    if module is None or isinstance(module, _DeferredModule):
        sys.modules.pop(module_name, None)
        module = importlib.import_module(module_name)
    return module


class _StandInType(type):
    """Class attribute access (`Traceback.from_exception`) reaches the real class."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(cls._real_class(), name)

    def _real_class(cls) -> Any:
        return getattr(_real(cls._module), cls.__name__)


def _stand_in(module_name: str, class_name: str) -> type:
    def __new__(cls: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N807
        return cls._real_class()(*args, **kwargs)

    return _StandInType(class_name, (), {"_module": module_name, "__new__": __new__})


class _DeferredTable(Mapping[str, Any]):
    """A module's dict, loaded with its module on the first look-up."""

    def __init__(self, module_name: str, name: str) -> None:
        self._module = module_name
        self._name = name

    def _table(self) -> Mapping[str, Any]:
        return getattr(_real(self._module), self._name)  # type: ignore[no-any-return]

    def __getitem__(self, key: str) -> Any:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __contains__(self, key: object) -> bool:
        return key in self._table()


# module -> its dicts that are looked up only now and then
DEFERRED_TABLES: dict[str, tuple[str, ...]] = {"rich._emoji_codes": ("EMOJI",)}


def defer_rich_imports() -> None:
    for module_name, names in DEFERRED.items():
        if module_name in sys.modules:
            continue
        stand_in = _DeferredModule(module_name)
        for name in names:
            setattr(stand_in, name, _stand_in(module_name, name))
        sys.modules[module_name] = stand_in
    for module_name, tables in DEFERRED_TABLES.items():
        if module_name in sys.modules:
            continue
        stand_in = _DeferredModule(module_name)
        for name in tables:
            setattr(stand_in, name, _DeferredTable(module_name, name))
        sys.modules[module_name] = stand_in
