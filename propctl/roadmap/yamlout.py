"""Roadmap data -> YAML text laid out for people: block style for the structure, flow style
(`{kind: manual}`) for the small mappings a line can hold, keys in the order given."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

SCHEMA_LINE = "# yaml-language-server: $schema=roadmap.schema.json"

# Mappings under these keys are written on one line.
FLOW_KEYS = frozenset({"check", "impacts", "targets", "overall_targets", "paths"})
# Lists of mappings whose items are written one per line.
FLOW_ITEM_LISTS = frozenset({"services", "dimensions", "files"})


class _Flow(dict[str, Any]):
    pass


class _FlowList(list[Any]):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _flow_repr(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _dict_repr(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


def _flow_list_repr(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _str_repr(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # PyYAML writes U+0085, U+2028 and U+2029 raw inside quotes and reads them back as spaces;
    # double quotes escape them (\N, \L, \P) and every other unprintable character
    style = '"' if not data.isprintable() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_repr)
_Dumper.add_representer(_Flow, _flow_repr)
_Dumper.add_representer(_FlowList, _flow_list_repr)
_Dumper.add_representer(dict, _dict_repr)
_Dumper.add_representer(date, yaml.SafeDumper.represent_date)


def _shape(value: Any, key: str | None = None, flow: bool = False, params: bool = False) -> Any:
    # None is left out of the roadmap's own fields (each defaults to None), never out of a
    # check: `headers: {access-control-allow-origin: null}` asserts the header is absent
    params = params or key == "check"
    if isinstance(value, dict):
        inner = {k: _shape(v, k, flow, params) for k, v in value.items() if v is not None or params}
        return _Flow(inner) if flow or key in FLOW_KEYS else inner
    if isinstance(value, list | tuple):
        item_flow = flow or key in FLOW_ITEM_LISTS
        items = [_shape(v, None, item_flow, params) for v in value]
        scalars = all(not isinstance(v, dict | list) for v in items)
        return _FlowList(items) if scalars and items else items
    return value


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Keys in the models' field order (unknown keys last), at every level of the roadmap."""
    from propctl.roadmap.models import Criterion, FileRef, Roadmap, Subtask, Task, Tier

    def order(item: Any, model: type[Any]) -> Any:
        if not isinstance(item, dict):
            return item
        rank = {name: i for i, name in enumerate(model.model_fields)}
        return dict(sorted(item.items(), key=lambda kv: rank.get(kv[0], len(rank))))

    out: dict[str, Any] = order(data, Roadmap)
    tiers = []
    for tier in out.get("tiers") or []:
        tier = order(tier, Tier)
        if isinstance(tier, dict) and isinstance(tier.get("tasks"), list):
            tasks = []
            for task in tier["tasks"]:
                task = order(task, Task)
                if isinstance(task, dict):
                    for key, model in (
                        ("subtasks", Subtask),
                        ("acceptance", Criterion),
                        ("files", FileRef),
                    ):
                        if isinstance(task.get(key), list):
                            task[key] = [order(x, model) for x in task[key]]
                tasks.append(task)
            tier["tasks"] = tasks
        tiers.append(tier)
    if "tiers" in out:
        out["tiers"] = tiers
    return out


def dump_roadmap(data: dict[str, Any]) -> str:
    """`data` as plain Python (dicts, lists, scalars, dates); None values are left out, but
    in checks' parameters."""
    body = yaml.dump(
        _shape(_ordered(data)),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return f"{SCHEMA_LINE}\n{body}"
