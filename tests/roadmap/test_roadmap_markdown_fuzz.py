"""Property: whatever is done to a Markdown checklist (lines dropped, repeated, swapped, garbage
spliced in), `checklist import` either gives a valid roadmap or raises a located PropctlError
(exit 2); it never crashes."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from propctl.errors import PropctlError
from propctl.roadmap.consistency import warnings
from propctl.roadmap.loader import validate_document
from propctl.roadmap.markdown import import_markdown, render_markdown
from propctl.roadmap.yamlsrc import LocatedDoc

DATA = Path(__file__).parent / "data"
LINES = {
    name: (DATA / name).read_text("utf-8").splitlines()
    for name in ("IMPLEMENTATION_CHECKLIST.md", "other_checklist.md")
}
SNIPPETS = [
    "### Task 99: Stray",
    "## TIER 9: X (Weeks 9-1)",
    "- [ ] 1.1",
    "- [x]",
    "**Priority**: P9 | **Effort**: -3h",
    "| a | b |",
    "| Security | four | 6.0 |",
    "| **Overall** | | |",
    "### Task 3 - Dashed",
    "**Priority:** P1 | **Effort:** lots",
    "  - [ ] nested",
    "```",
    "> quoted",
    "1. ordered",
    '<!-- propctl: {"x": 1} -->',
    "<!-- propctl: [1] -->",
    "#### Files",
    "- Create:",
    "**Repeat for**:",
    "\x00",
    "‚úÖ",
]


def run(text: str) -> None:
    try:
        result = import_markdown(text, "doc.md")
        roadmap = validate_document(LocatedDoc(result.data, result.marks, "doc.md"))
    except PropctlError as exc:
        assert re.search(r"doc\.md(:\d+)?", str(exc)), str(exc)
        return
    warnings(roadmap)
    render_markdown(roadmap, {"1.a1": "pass"})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(LINES)), data=st.data())
def test_mutated_markdown_never_crashes(name: str, data: st.DataObject) -> None:
    lines = list(LINES[name])
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["drop", "repeat", "swap", "splice", "garbage"]))
        if how == "drop":
            del lines[i]
        elif how == "repeat":
            lines.insert(i, lines[i])
        elif how == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "splice":
            lines.insert(i, data.draw(st.sampled_from(SNIPPETS)))
        else:
            lines[i] = lines[i][: len(lines[i]) // 2] + data.draw(st.text(max_size=8))
    run("\n".join(lines) + "\n")
