"""`checklist import` on checklists other people wrote for their own projects (data/real/*, each
with its SOURCE.md and LICENSE). None is in the source document's layout; each must fail with
every part it cannot place named by its line, never import a roadmap that lost them. The
expected problems were read off the documents by hand (line numbers in the files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from propctl.errors import RoadmapError
from propctl.roadmap.markdown import import_markdown

REAL = Path(__file__).parent / "data" / "real"

# file -> (number of parts it cannot place, [(line, text) of some of them])
EXPECTED = {
    "tracker/IMPLEMENTATION_CHECKLIST.md": (
        10,
        [
            (3, "## 'Quick Reference': not a tier"),
            # the four tasks stand under this heading: with it, 52 blocks are not imported
            (
                11,
                "## '✅ Task Breakdown': not a tier, the progress tracker or the score projection; "
                "the 52 block(s) under it not imported",
            ),
        ],
    ),
    "spec-kit/tasks-template.md": (
        17,
        [
            # YAML front matter: `description: ...` over `---` is a setext heading
            (3, "## 'description: \"Task list template for feature implementation\"'"),
            (8, "this line has no place in the checklist layout: '**Input**: Design documents"),
        ],
    ),
    "auditgraph/tasks.md": (
        10,
        [
            (3, "this line has no place in the checklist layout: 'description:"),
            (11, "## 'Phase 1: Setup (Shared Infrastructure)': not a tier"),
        ],
    ),
    "openspec/tasks.md": (
        5,
        [
            (3, "blockquote: the checklist layout has no place for it"),
            (5, "## '1. The `/opsx:update` skill': not a tier"),
        ],
    ),
    "textual/roadmap.md": (
        4,
        [
            (3, "this line has no place in the checklist layout: 'We ([textualize.io]"),
            (
                7,
                "## 'Features': not a tier, the progress tracker or the score projection; "
                "the 11 block(s) under it not imported",
            ),
        ],
    ),
}


def problems_of(name: str, lenient: bool) -> RoadmapError:
    text = (REAL / name).read_text("utf-8")
    with pytest.raises(RoadmapError) as caught:
        import_markdown(text, name, lenient=lenient)
    return caught.value


def test_every_real_checklist_has_its_source_and_license() -> None:
    folders = sorted(p.name for p in REAL.iterdir() if p.is_dir())
    assert len(folders) >= 5
    for folder in folders:
        assert (REAL / folder / "LICENSE").is_file() and (REAL / folder / "SOURCE.md").is_file()
    assert sorted(n.split("/")[0] for n in EXPECTED) == folders


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_checklist_fails_naming_every_part_it_cannot_place(name: str) -> None:
    count, wanted = EXPECTED[name]
    error = problems_of(name, lenient=False)
    assert len(error.problems) == count, "\n".join(error.problems)
    for line, text in wanted:
        assert any(p.startswith(f"{name}:{line}: {text}") for p in error.problems), (
            f"{line}: {text}\n" + "\n".join(error.problems)
        )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lenient_leaves_no_tier_and_says_what_it_left_out(name: str) -> None:
    error = problems_of(name, lenient=True)
    assert "no '## TIER n: NAME (Weeks a-b)' heading found" in error.message
    assert len(error.problems) == EXPECTED[name][0]
