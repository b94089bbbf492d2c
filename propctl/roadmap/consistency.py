"""Warnings, not errors: places where the roadmap document disagrees with itself."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from propctl.roadmap.contradictions import Loc, contradictions
from propctl.roadmap.models import Roadmap
from propctl.roadmap.score import score_from_completion, tier_completion

TOLERANCE = 0.05


def warnings(roadmap: Roadmap, where: Callable[[Loc], str] | None = None) -> list[str]:
    """`where` names a location (`file:line:col` from the loaded document); without it, the
    field path."""
    return [
        *_tier_targets(roadmap),
        *_dimension_columns(roadmap),
        *_effort(roadmap),
        *_port_vs_cors(roadmap),
        *(c.message(where or _field_path) for c in contradictions(roadmap)),
    ]


def _field_path(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def _tier_targets(roadmap: Roadmap) -> Iterator[str]:
    if not roadmap.dimensions:
        yield "dimensions: none declared, so every score is 0 (add the score projection table)"
        return
    declared = dict(roadmap.overall_targets)
    means = {"baseline": sum(d.baseline for d in roadmap.dimensions) / len(roadmap.dimensions)}
    for tier in roadmap.tiers:
        columns = [d.targets.get(tier.id) for d in roadmap.dimensions]
        if all(c is not None for c in columns):
            means[tier.id] = sum(columns) / len(columns)  # type: ignore[arg-type]
    for key, want in declared.items():
        got = means.get(key)
        if got is not None and abs(got - want) > TOLERANCE:
            yield (
                f"overall_targets.{key}: the document declares {want:g}, but the mean of its own "
                f"dimension column is {got:.2f}; the score model reaches {got:.2f}"
            )
    for tier in roadmap.tiers:
        if tier.id in declared and abs(tier.target_score - declared[tier.id]) > TOLERANCE:
            yield (
                f"tiers.{tier.id}.target_score ({tier.target_score:g}) differs from "
                f"overall_targets.{tier.id} ({declared[tier.id]:g})"
            )


def _dimension_columns(roadmap: Roadmap) -> Iterator[str]:
    for tier in roadmap.tiers:
        modelled = score_from_completion(roadmap, tier_completion(roadmap, tier.id))
        for dim in roadmap.dimensions:
            want = dim.targets.get(tier.id)
            got = modelled.dimensions[dim.id].score
            if want is not None and abs(got - want) > TOLERANCE:
                yield (
                    f"dimensions.{dim.id}.targets.{tier.id}: declared {want:g}, but the tasks' "
                    f"impacts give {got:.2f} when {tier.id} is complete"
                )


def _effort(roadmap: Roadmap) -> Iterator[str]:
    total = sum(t.effort_hours for t in roadmap.tasks())
    if roadmap.total_effort_hours is not None and abs(total - roadmap.total_effort_hours) > 0.5:
        yield (
            f"total_effort_hours: the document declares {roadmap.total_effort_hours:g} h, "
            f"the tasks add up to {total:g} h"
        )


_PORT = re.compile(r":(\d+)(?:/|$)")


def _port_vs_cors(roadmap: Roadmap) -> Iterator[str]:
    for origin in roadmap.cors_origins:
        match = _PORT.search(origin)
        if not match:
            continue
        port = int(match.group(1))
        for service in roadmap.services:
            if service.port == port:
                yield (
                    f"services.{service.name}.port {port} equals the port of CORS origin "
                    f"{origin}: both cannot listen on one host"
                )
