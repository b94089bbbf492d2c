"""Ports a new service must not take, each with the file and line that takes it (issue 18.7):
the roadmap's `services:` and every compose file's `ports:` (host side and container side).

Compose files are read as YAML nodes, not values: PyYAML follows YAML 1.1, where an unquoted
`9323:9323` is the base-60 integer 568703 and a port list would be read wrong; docker compose
reads the text. Each mapping's scalar text is parsed the way compose does: `[IP:]HOST:CONTAINER`
with optional ranges (`8000-8010:8000-8010`) and protocol (`/udp`), or the long syntax
(`target:`, `published:`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from propctl.roadmap.facts import ServiceView

COMPOSE_GLOBS = ("docker-compose*.y*ml", "compose*.y*ml")
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
_DEFAULT = re.compile(r"\$\{\w+:?-(\d+)\}")
_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class TakenPort:
    port: int
    owner: str  # the service that holds it
    where: str  # repo-relative file:line
    what: str  # "the roadmap's service", "host port", "container port"

    def describe(self) -> str:
        if self.what == "the roadmap's service":
            return f"{self.where}: the roadmap gives port {self.port} to the {self.owner!r} service"
        return f"{self.where}: compose service {self.owner!r} uses {self.port} as its {self.what}"


def compose_files(repo: Path) -> list[Path]:
    """Compose files at the root and one folder down (deploy/, docker/...)."""
    found: set[Path] = set()
    for pattern in COMPOSE_GLOBS:
        found |= {p for p in repo.glob(pattern) if p.is_file()}
        found |= {p for p in repo.glob(f"*/{pattern}") if p.is_file() and ".git" not in p.parts}
    return sorted(found)


def compose_ports(repo: Path) -> Iterator[TakenPort]:
    files = compose_files(repo)
    if not files:
        return  # PyYAML is imported only when there is a compose file to read
    import yaml

    for path in files:
        relative = path.relative_to(repo).as_posix()
        try:
            root = yaml.compose(path.read_text("utf-8"))
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue  # not for this check to judge; compose itself will say
        services = _get(root, "services")
        if not isinstance(services, yaml.MappingNode):
            continue
        for key, service in services.value:
            ports = _get(service, "ports")
            if isinstance(ports, yaml.SequenceNode):
                for item in ports.value:
                    for port, side in _mapping_ports(item):
                        line = item.start_mark.line + 1
                        yield TakenPort(port, str(key.value), f"{relative}:{line}", side)


def _get(node: Any, name: str) -> Any:
    """`node[name]`, looking through `<<: *anchor` merge keys as compose does."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if getattr(key, "value", None) == name and key.tag != "tag:yaml.org,2002:merge":
            return value
    for key, value in node.value:
        if key.tag == "tag:yaml.org,2002:merge":
            merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in merged:
                found = _get(source, name)
                if found is not None:
                    return found
    return None


def _mapping_ports(item: Any) -> Iterator[tuple[int, str]]:
    import yaml

    if isinstance(item, yaml.ScalarNode):
        text = _unvariabled(str(item.value)).strip().strip("\"'").split("/")[0]
        fields = text.rsplit(":", 2)  # [IP:]HOST:CONTAINER; an IPv6 IP keeps its colons
        container = fields[-1]
        host = fields[-2] if len(fields) >= 2 else ""
        yield from ((p, "container port") for p in _ports(container))
        yield from ((p, "host port") for p in _ports(host))
    elif isinstance(item, yaml.MappingNode):
        for name, side in (("target", "container port"), ("published", "host port")):
            value = _get(item, name)
            if isinstance(value, yaml.ScalarNode):
                yield from ((p, side) for p in _ports(str(value.value)))


def _unvariabled(text: str) -> str:
    """`${API_PORT:-8000}` is 8000 unless the environment says otherwise; a variable without a
    default says nothing here (and its `:?message` must not split the mapping)."""
    return _VARIABLE.sub("", _DEFAULT.sub(lambda m: m.group(1), text))


def _ports(text: str) -> list[int]:
    text = _unvariabled(text)
    match = _RANGE.match(text.strip())
    if not match:
        return []
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return list(range(low, min(high, low + 1000) + 1))


def roadmap_ports(
    roadmap_file: Path | None, repo: Path, services: Iterable[ServiceView]
) -> Iterator[TakenPort]:
    """The roadmap's services (already validated by its loader) with the line declaring each
    port, found by a text scan: composing the whole roadmap as YAML nodes costs more than the
    rest of `scaffold service` together."""
    text = _read(roadmap_file)
    shown = _shown(roadmap_file, repo) if roadmap_file is not None else "the roadmap"
    for service in services:
        line = _declaring_line(text, str(service.name), int(service.port))
        where = f"{shown}:{line}" if line else shown
        yield TakenPort(int(service.port), str(service.name), where, "the roadmap's service")


def _read(path: Path | None) -> list[str]:
    try:
        return path.read_text("utf-8").splitlines() if path is not None else []
    except (OSError, UnicodeDecodeError):
        return []


def _declaring_line(lines: list[str], name: str, port: int) -> int | None:
    """The `port: N` line closest after a `name: NAME` (same line in flow style)."""
    quoted = "[\"']?" + re.escape(name) + "[\"']?"
    named = re.compile(rf"\bname:\s*{quoted}(?=\s*[,}}]|\s*(#.*)?$)")
    ported = re.compile(rf"\bport:\s*{port}\b")
    last_name: int | None = None
    for number, line in enumerate(lines, 1):
        if named.search(line):
            last_name = number
        if ported.search(line) and last_name is not None and number - last_name <= 5:
            return number
    return None


def _shown(path: Path, repo: Path) -> str:
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return str(path)


def clash(
    repo: Path, roadmap_file: Path | None, services: Iterable[ServiceView], service: str, port: int
) -> TakenPort | None:
    """The first holder of `port` that is not this service itself (a roadmap entry or a compose
    service named `service` or `service-service` is the service being generated)."""
    own = {service, f"{service}-service"}
    holders = [s for s in services if int(s.port) == port and str(s.name) not in own]
    for taken in roadmap_ports(roadmap_file, repo, holders):
        return taken
    for taken in compose_ports(repo):
        if taken.port == port and taken.owner not in own:
            return taken
    return None


def all_taken(repo: Path, services: Iterable[ServiceView]) -> set[int]:
    return {int(s.port) for s in services} | {t.port for t in compose_ports(repo)}
