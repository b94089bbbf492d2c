"""One module per check kind, or one package per kind whose `kind` module registers it, with the
code only that kind uses beside it (`asgi/`, `python/`, `secrets/`, `workflow/`).
`import_all()` imports (and so registers) every one; importing this package alone does not."""

import functools
import importlib
import pkgutil


@functools.cache
def import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        name = f"{__name__}.{module.name}"
        importlib.import_module(f"{name}.kind" if module.ispkg else name)
