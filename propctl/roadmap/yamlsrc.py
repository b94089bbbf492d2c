"""Safe YAML reading that remembers where every value came from.

PyYAML's SafeLoader never executes tags. On top of it: a size cap, a cap on how large aliases
may expand ("billion laughs"), a depth cap, and a map from field path to (line, column) so that
errors can say `roadmap.yaml:41:9`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from propctl.errors import RoadmapError

MAX_BYTES = 8 * 1024 * 1024
MAX_NODES = 500_000  # after alias expansion
MAX_DEPTH = 64

Loc = tuple[str | int, ...]
NUL = b"\x00"
# libyaml when present (30x faster on the bundled roadmap); both load safely, neither runs tags.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class LocatedDoc:
    """A parsed YAML document and the (line, column) of every node, by field path (1-based)."""

    def __init__(self, data: Any, marks: dict[Loc, tuple[int, int]], source: str) -> None:
        self.data = data
        self.marks = marks
        self.source = source

    def where(self, loc: Loc) -> str:
        """`file:line:col` of the deepest known prefix of `loc`."""
        for end in range(len(loc), -1, -1):
            mark = self.marks.get(tuple(loc[:end]))
            if mark:
                return f"{self.source}:{mark[0]}:{mark[1]}"
        return self.source


def read_yaml(path: Path) -> LocatedDoc:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RoadmapError(
            f"{path}: no such file",
            hint="pass --roadmap FILE, or run inside a repo that has checklists/roadmap.yaml",
        ) from None
    except OSError as exc:
        raise RoadmapError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_yaml(raw, str(path))


def parse_yaml(raw: bytes | str, source: str) -> LocatedDoc:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_BYTES:
        raise RoadmapError(f"{source}: file is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RoadmapError(
            f"{source}:{_line_col(raw, exc.start)}: not UTF-8 text (byte {exc.start}: "
            f"{raw[exc.start : exc.start + 1]!r})",
            hint="save the roadmap as UTF-8",
        ) from None
    if "\x00" in text:
        where = _line_col(raw, raw.index(NUL))
        raise RoadmapError(f"{source}:{where}: contains a NUL byte; this is not a YAML text file")
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.reader.ReaderError:
        bad = _NOT_PRINTABLE.search(text)
        offset = len(text[: bad.start()].encode()) if bad else 0
        char = f"U+{ord(bad.group()):04X}" if bad else "?"
        raise RoadmapError(
            f"{source}:{_line_col(raw, offset)}: invalid YAML: control character "
            f"{char} is not allowed"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise RoadmapError(f"{where}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise RoadmapError(f"{source}: invalid YAML: {exc}") from None
    except RecursionError:
        raise RoadmapError(f"{source}: nesting is too deep to be a roadmap") from None
    if node is None:
        raise RoadmapError(
            f"{source}:1:1: the file is empty",
            hint="start from `propctl checklist import` or the bundled checklists/roadmap.yaml",
        )
    marks: dict[Loc, tuple[int, int]] = {}
    data = _Builder(source, marks).build(node, (), 0)
    return LocatedDoc(data, marks, source)


def _line_col(raw: bytes, offset: int) -> str:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    return f"{line}:{offset - line_start + 1}"


class _Builder:
    """Turns a composed node graph into plain Python, counting expanded nodes as it goes."""

    def __init__(self, source: str, marks: dict[Loc, tuple[int, int]]) -> None:
        self.source = source
        self.marks = marks
        self.count = 0
        self.constructor = yaml.SafeLoader("")  # only for scalar resolution

    def _fail(self, node: yaml.Node, message: str) -> RoadmapError:
        mark = node.start_mark
        return RoadmapError(f"{self.source}:{mark.line + 1}:{mark.column + 1}: {message}")

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(
                node, f"more than {MAX_NODES} values once aliases are expanded (an alias bomb?)"
            )
        if depth > MAX_DEPTH:
            raise self._fail(node, f"nested more than {MAX_DEPTH} levels deep")
        if loc not in self.marks:
            self.marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            # A tag on a collection (`!!python/object/apply:os.system [...]`) would otherwise
            # be dropped silently; say that roadmaps hold plain data.
            raise self._fail(
                node,
                f"cannot read value: tag {node.tag!r} is not allowed in a "
                "roadmap (plain YAML only)",
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            self.constructor.flatten_mapping(node)
            for key_node, value_node in node.value:
                key = self.build(key_node, loc, depth + 1)
                if isinstance(key, list | dict):
                    raise self._fail(key_node, "a mapping key must be a plain value")
                if key in out:
                    raise self._fail(key_node, f"duplicate key {key!r}")
                child = (*loc, key)
                self.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.build(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, (*loc, i), depth + 1) for i, v in enumerate(node.value)]
        if node.tag == _STR_TAG:  # most values: skip the constructor's bookkeeping
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise self._fail(node, f"cannot read value: {exc.problem}") from None
        except ValueError as exc:  # a date-shaped scalar that is no date: 2026-02-30
            raise self._fail(node, f"cannot read value: {exc}") from None
