"""Cross-field errors a schema cannot express: duplicate ids, unknown dimensions, clashing ports.
Each problem carries the field path it belongs to, so the loader can name the line."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from propctl.roadmap.environments import environment_problems
from propctl.roadmap.models import Roadmap

Loc = tuple[str | int, ...]


def integrity_problems(roadmap: Roadmap) -> list[tuple[Loc, str]]:
    return [
        *_duplicate_ids(roadmap),
        *_impacts_and_targets(roadmap),
        *_ids_belong_to_tasks(roadmap),
        *_service_ports(roadmap),
        *_waivers(roadmap),
        *environment_problems(roadmap.environments),
    ]


def _first_seen(items: list[tuple[Loc, str]], what: str) -> Iterator[tuple[Loc, str]]:
    seen: dict[str, Loc] = {}
    for loc, value in items:
        if value in seen:
            where = ".".join(str(p) for p in seen[value])
            yield loc, f"duplicate {what} {value!r} (first defined at {where})"
        else:
            seen[value] = loc


def _duplicate_ids(roadmap: Roadmap) -> Iterator[tuple[Loc, str]]:
    yield from _first_seen(
        [(("dimensions", i, "id"), d.id) for i, d in enumerate(roadmap.dimensions)], "dimension"
    )
    yield from _first_seen(
        [(("tiers", i, "id"), t.id) for i, t in enumerate(roadmap.tiers)], "tier"
    )
    yield from _first_seen(
        [(("services", i, "name"), s.name) for i, s in enumerate(roadmap.services)], "service"
    )
    tasks: list[tuple[Loc, str]] = []
    items: list[tuple[Loc, str]] = []
    for ti, tier in enumerate(roadmap.tiers):
        for ki, task in enumerate(tier.tasks):
            base: Loc = ("tiers", ti, "tasks", ki)
            tasks.append(((*base, "id"), str(task.id)))
            items += [((*base, "subtasks", i, "id"), s.id) for i, s in enumerate(task.subtasks)]
            items += [((*base, "acceptance", i, "id"), c.id) for i, c in enumerate(task.acceptance)]
    yield from _first_seen(tasks, "task id")
    yield from _first_seen(items, "id")


def _impacts_and_targets(roadmap: Roadmap) -> Iterator[tuple[Loc, str]]:
    dims = roadmap.dimension_ids()
    tier_ids = {t.id for t in roadmap.tiers}
    for ti, tier in enumerate(roadmap.tiers):
        for ki, task in enumerate(tier.tasks):
            for dim in task.impacts:
                if dim not in dims:
                    close = difflib.get_close_matches(dim, dims, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    yield (
                        ("tiers", ti, "tasks", ki, "impacts", dim),
                        f"unknown dimension {dim!r}{hint}; known: {', '.join(dims)}",
                    )
    for di, dimension in enumerate(roadmap.dimensions):
        for key in dimension.targets:
            if key not in tier_ids:
                yield ("dimensions", di, "targets", key), f"unknown tier {key!r}"
    for key in roadmap.overall_targets:
        if key != "baseline" and key not in tier_ids:
            yield ("overall_targets", key), f"unknown tier {key!r}"


def _ids_belong_to_tasks(roadmap: Roadmap) -> Iterator[tuple[Loc, str]]:
    for ti, tier in enumerate(roadmap.tiers):
        for ki, task in enumerate(tier.tasks):
            for field in ("subtasks", "acceptance"):
                for i, item in enumerate(getattr(task, field)):
                    if not item.id.startswith(f"{task.id}."):
                        yield (
                            ("tiers", ti, "tasks", ki, field, i, "id"),
                            f"id {item.id!r} does not belong to task {task.id} "
                            f"(expected it to start with '{task.id}.')",
                        )


def _service_ports(roadmap: Roadmap) -> Iterator[tuple[Loc, str]]:
    ports: dict[int, str] = {}
    for i, service in enumerate(roadmap.services):
        if service.port in ports:
            yield (
                ("services", i, "port"),
                f"port {service.port} is already used by service {ports[service.port]!r}",
            )
        else:
            ports[service.port] = service.name


def _waivers(roadmap: Roadmap) -> Iterator[tuple[Loc, str]]:
    known = {c.id for _, c in roadmap.criteria()}
    for i, waiver in enumerate(roadmap.waivers):
        if waiver.criterion not in known:
            yield ("waivers", i, "criterion"), f"unknown criterion {waiver.criterion!r}"
