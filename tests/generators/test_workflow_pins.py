"""The reviewed pin table: well-formed entries, and every `uses:` that propctl generates comes
from it (full SHA, the table's SHA for that action)."""

from __future__ import annotations

import re

import pytest
import yaml

from propctl.errors import UserError
from propctl.generators.action_pins import PINS, is_pinned, pin
from propctl.generators.engine.render import render_text
from propctl.generators.workflow import pins, workflow_generation
from propctl.generators.workflow_verify import verify_generation
from propctl.resources import bundled_roadmap, templates_dir
from propctl.roadmap.loader import load_roadmap


@pytest.mark.parametrize("action", sorted(PINS))
def test_pin_entries_are_well_formed(action: str) -> None:
    entry = PINS[action]
    assert entry.action == action
    assert re.fullmatch(r"[0-9a-f]{40}", entry.sha)
    assert re.fullmatch(r"v\d+(\.\d+){0,2}", entry.version)
    assert len(entry.source) > 20  # says where the SHA was found
    assert pin(action) == f"{action}@{entry.sha} # {entry.version}"


def _uses(text: str) -> list[str]:
    data = yaml.safe_load(text)
    return [
        step["uses"]
        for job in data["jobs"].values()
        for step in job.get("steps", [])
        if "uses" in step
    ]


def test_every_generated_uses_is_in_the_pin_table() -> None:
    roadmap = load_roadmap(bundled_roadmap())
    generations = [
        workflow_generation(roadmap, [s.name for s in roadmap.services]),
        verify_generation(),
    ]
    seen: set[str] = set()
    for generation in generations:
        for spec in generation.files:
            if not spec.path.endswith(".yml"):
                continue
            for uses in _uses(spec.content):
                assert is_pinned(uses), f"{spec.path}: {uses} is not a reviewed pin"
                seen.add(uses.partition("@")[0])
            # the version comment is the table's too
            for line in spec.content.splitlines():
                if "uses:" in line:
                    action = line.split("uses:")[1].split("@")[0].strip()
                    assert line.strip().endswith(f"# {PINS[action].version}"), line
    assert seen == set(PINS), f"unused pins: {set(PINS) - seen}"


def test_templates_name_actions_only_through_the_table() -> None:
    for template in (templates_dir() / "workflow").rglob("*.jinja"):
        for line in template.read_text().splitlines():
            if re.match(r"\s*(-\s*)?uses:", line):
                assert re.search(r'uses: \[\[ pins\["[^"]+"\] \]\]$', line), (template, line)


@pytest.mark.parametrize(
    "uses",
    [
        "actions/checkout@v4",
        "actions/checkout@main",
        "actions/checkout@" + "0" * 40,
        "actions/checkout@" + PINS["actions/checkout"].sha[:7],
        "someone/else@" + PINS["actions/checkout"].sha,
        "actions/checkout",
    ],
)
def test_is_pinned_refuses_anything_else(uses: str) -> None:
    assert not is_pinned(uses)


def test_an_action_outside_the_table_is_a_template_error() -> None:
    with pytest.raises(KeyError, match="not in propctl's reviewed pin table"):
        pin("actions/cache")
    with pytest.raises(UserError, match="UndefinedError"):
        render_text('uses: [[ pins["actions/cache"] ]]', {"pins": pins()})
