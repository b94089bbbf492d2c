"""`scaffold repository ENTITY --service S [--fields "name:str, price:int?"]`: a SQLAlchemy
model (`models/<entity>.py`), its repository (`repositories/<entity>_repository.py`: get, list
with pagination and filters, count, add, update, delete) and its tests; one line each in
`models/__init__.py` and `repositories/__init__.py` so Alembic and callers find them."""

from __future__ import annotations

import keyword
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine.names import entity_name
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.migrations.target import resolve_service

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap


@dataclass(frozen=True)
class FieldType:
    python: str  # the Mapped[...] annotation
    column: str  # the SQLAlchemy type expression
    sa_import: str  # the name imported from sqlalchemy
    sample: str  # two Python literals the generated tests write and read back
    other: str
    py_import: str = ""


TYPES: dict[str, FieldType] = {
    "str": FieldType("str", "String(255)", "String", '"alpha"', '"beta"'),
    "text": FieldType("str", "Text", "Text", '"a longer text"', '"another text"'),
    "int": FieldType("int", "Integer", "Integer", "7", "11"),
    "bigint": FieldType("int", "BigInteger", "BigInteger", "7_000_000_000", "8_000_000_000"),
    "float": FieldType("float", "Float", "Float", "1.5", "2.25"),
    "bool": FieldType("bool", "Boolean", "Boolean", "True", "False"),
    "decimal": FieldType(
        "Decimal",
        "Numeric(12, 2)",
        "Numeric",
        'Decimal("12.50")',
        'Decimal("99.99")',
        "from decimal import Decimal",
    ),
    "date": FieldType(
        "date", "Date", "Date", "date(2026, 1, 12)", "date(2026, 6, 1)", "from datetime import date"
    ),
    "datetime": FieldType(
        "datetime",
        "DateTime(timezone=True)",
        "DateTime",
        "datetime(2026, 1, 12, 9, 30)",
        "datetime(2026, 6, 1, 18, 0)",
    ),
    "json": FieldType("dict[str, Any]", "JSON", "JSON", '{"k": 1}', '{"k": [2, 3]}'),
}
RESERVED = {
    "id",
    "created_at",
    "updated_at",
    "metadata",
    "registry",
    "to_dict",
    "func",
    "mapped_column",
}  # the model's class body calls these two after the fields
# the repository's own parameters: a field of that name could not be passed as a keyword
PARAMETERS = {"self", "offset", "limit", "order_by"}
_FIELD = re.compile(r"^(?P<name>[^:]+):(?P<type>[a-z]+)(?P<optional>\??)$")


@dataclass(frozen=True)
class Field:
    name: str
    annotation: str
    column: str
    sample: str
    other: str


def parse_fields(spec: str, module: str = "") -> list[tuple[str, str, bool]]:
    """`"name:str, price:int, agent_id:int?"` -> [(name, type, nullable)]; `?` makes a column
    nullable. Every mistake names the field and the fix (`module`: the entity's, whose
    `<module>_id` is the repository's id parameter)."""
    out: list[tuple[str, str, bool]] = []
    for raw in (part.strip() for part in spec.split(",")):
        if not raw:
            continue
        match = _FIELD.match(raw.replace(" ", ""))
        if match is None:
            raise UserError(
                f"--fields: {raw!r} is not NAME:TYPE",
                hint=f'e.g. "name:str, price:int, agent_id:int?"; types: {", ".join(TYPES)}',
            )
        name, kind, nullable = match["name"], match["type"], bool(match["optional"])
        _check_field(raw, name, kind, {n for n, _, _ in out}, module)
        out.append((name, kind, nullable))
    return out


def _check_field(raw: str, name: str, kind: str, seen: set[str], module: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or name != name.lower():
        raise UserError(f"--fields: {raw!r}: {name!r} must be a lowercase Python identifier")
    if name in RESERVED or name.startswith("_"):
        raise UserError(
            f"--fields: {raw!r}: {name!r} is reserved (every model has id, "
            "created_at, updated_at; SQLAlchemy uses metadata, registry; the model "
            "calls func and mapped_column)"
        )
    if name in PARAMETERS or (module and name == f"{module}_id"):
        taken = ", ".join(sorted(PARAMETERS | ({f"{module}_id"} if module else set())))
        raise UserError(
            f"--fields: {raw!r}: {name!r} is a parameter of the generated "
            f"repository's methods ({taken}); it could not be set or filtered on",
            hint=f"rename the field, e.g. {name}_value",
        )
    if name in seen:
        raise UserError(f"--fields: {name!r} is given twice")
    if kind not in TYPES:
        raise UserError(
            f"--fields: {raw!r}: unknown type {kind!r}", hint="types: " + ", ".join(TYPES)
        )


def snake(entity: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", entity).lower()


def camel(entity: str) -> str:
    return entity if entity[0].isupper() else "".join(p.title() for p in entity.split("_"))


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def template_variables(
    service: str,
    entity: str,
    fields: list[tuple[str, str, bool]],
) -> dict[str, Any]:
    module = snake(entity)
    kinds = [TYPES[k] for _, k, _ in fields]
    rendered = [
        Field(
            n,
            TYPES[k].python + (" | None" if opt else ""),
            TYPES[k].column + (", nullable=True" if opt else ", nullable=False"),
            TYPES[k].sample,
            TYPES[k].other,
        )
        for n, k, opt in fields
    ]
    sa_imports = import_line(
        "sqlalchemy", {"DateTime", "Integer", "func", *(t.sa_import for t in kinds)}
    )
    py_imports = sorted(
        {"from datetime import datetime", *(t.py_import for t in kinds if t.py_import)}
    )
    if any(k == "date" for _, k, _ in fields):
        py_imports = [i for i in py_imports if not i.startswith("from datetime")]
        py_imports.insert(0, "from datetime import date, datetime")
    return {
        "service": service,
        "entity": camel(entity),
        "module": module,
        "table": plural(module),
        "fields": [asdict(f) for f in rendered],
        "sa_imports": sa_imports,
        "py_imports": py_imports,
        "test_imports": _test_imports({k for _, k, _ in fields}),
    }


def import_line(module: str, names: set[str]) -> str:
    """`from module import a, B, C` sorted and wrapped the way ruff's isort wants it."""
    ordered = sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= 100:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in ordered) + ")"


def _test_imports(kinds: set[str]) -> list[str]:
    """What the generated tests' sample values need."""
    dates = sorted({"date", "datetime"} & kinds)
    lines = [f"from datetime import {', '.join(dates)}"] if dates else []
    return lines + (["from decimal import Decimal"] if "decimal" in kinds else [])


DEFAULT_FIELDS = "name:str"


def repository_generation(
    roadmap: Roadmap, repo: Path, service: str, entity: str, fields: str | None = None
) -> Generation:
    entity_name(entity)
    if keyword.iskeyword(snake(entity)):
        raise UserError(
            f"entity name {entity!r}: its module would be models/{snake(entity)}.py, "
            f"and {snake(entity)!r} is a Python keyword (the import cannot be "
            "written)",
            hint=f"pick another name, e.g. {camel(entity)}Item",
        )
    target = resolve_service(roadmap, repo, service)
    code = target.code_relpath
    if not (target.repo / code / "database.py").is_file():
        raise UserError(
            f"{code}/database.py: not found; the model derives from its Base",
            hint=f"propctl scaffold database --service {service}",
        )
    parsed = parse_fields(fields if fields is not None else DEFAULT_FIELDS, snake(entity))
    data = template_variables(service, entity, parsed)
    data["pkg"] = f"{target.package}." if target.package else ""
    files: list[FileSpec | PatchSpec] = list(render_dir("repository/code", data, dest=code))
    files += render_dir("repository/service", data, dest=target.relpath)
    module, name, pkg = data["module"], data["entity"], data["pkg"]
    files += [
        PatchSpec(
            f"{code}/models/__init__.py",
            f"from {pkg}models.{module} import {name}  # noqa: F401",
            create=True,
        ),
        PatchSpec(
            f"{code}/repositories/__init__.py",
            f"from {pkg}repositories.{module}_repository import {name}Repository  # noqa: F401",
            create=True,
        ),
    ]
    params = {
        "service": service,
        "entity": name,
        "fields": ", ".join(f"{n}:{k}{'?' if o else ''}" for n, k, o in parsed),
    }
    return Generation("repository", params, files)
