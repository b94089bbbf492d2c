"""YAML from the repository being judged, read under the roadmap's caps.

PyYAML's safe loader runs no tags, but a 576-byte file of nested aliases ("billion laughs")
expands to billions of values and hangs whoever builds them. Every check kind reads target
YAML through here: the node graph is composed (aliases stay shared, so that is cheap), its
expanded size and depth are measured against `MAX_NODES` and `MAX_DEPTH` of
`propctl.roadmap.yamlsrc`, and only then are Python values built. Errors are `yaml.YAMLError`,
as from `yaml.safe_load`, so a kind's existing handling applies."""

from __future__ import annotations

from typing import Any

import yaml

from propctl.roadmap.yamlsrc import MAX_DEPTH, MAX_NODES

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLLimitError(yaml.YAMLError):
    """Too large once aliases are expanded, too deep, or an alias that contains itself."""


def safe_load(text: str, loader_class: type[yaml.SafeLoader] | None = None) -> Any:
    """Like `yaml.safe_load`: one document (None when empty); `loader_class`, a SafeLoader
    subclass, reads the scalars its own way (the workflow kind reads YAML as GitHub does)."""
    loader = (loader_class or _LOADER)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node)
        return loader.construct_document(node)
    except RecursionError:
        raise YAMLLimitError(f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def safe_load_all(text: str) -> list[Any]:
    """Like `list(yaml.safe_load_all(...))`; the caps apply to each document."""
    loader = _LOADER(text)
    try:
        out: list[Any] = []
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            _measure(node)
            out.append(loader.construct_document(node))
        return out
    except RecursionError:
        raise YAMLLimitError(f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def _measure(root: yaml.Node) -> None:
    _Measure().visit(root, 1)


class _Measure:
    """Expanded size and height of a node graph, each shared node measured once."""

    def __init__(self) -> None:
        self.done: dict[int, tuple[int, int]] = {}  # id -> (size, height)
        self.open: set[int] = set()

    def visit(self, node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in self.open:
            raise _fail(node, "an alias refers to a value that contains it")
        if key not in self.done:
            if depth > MAX_DEPTH:
                raise _fail(node, f"nested more than {MAX_DEPTH} levels deep")
            self.open.add(key)
            size, height = 1, 0
            for child in _children(node):
                child_size, child_height = self.visit(child, depth + 1)
                size, height = size + child_size, max(height, child_height)
                if size > MAX_NODES:
                    raise _fail(
                        node,
                        f"more than {MAX_NODES} values once aliases are expanded (an alias bomb?)",
                    )
            self.open.discard(key)
            self.done[key] = (size, height + 1)
        size, height = self.done[key]
        if depth - 1 + height > MAX_DEPTH:
            raise _fail(node, f"nested more than {MAX_DEPTH} levels deep")
        return size, height


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _fail(node: yaml.Node, message: str) -> YAMLLimitError:
    return YAMLLimitError(f"line {node.start_mark.line + 1}: {message}")
