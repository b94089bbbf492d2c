"""Three-way merge of text: the user's file, the last generated content (the common ancestor) and
the new render. Where only one side changed a region, that side wins; where both changed it
differently, both versions go in between git-style conflict markers.

A difflib diff3: no git needed, deterministic, line based."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

MINE_LABEL = "yours"
NEW_LABEL = "propctl (new template)"


@dataclass(frozen=True)
class MergeResult:
    text: str
    conflicts: int


def merge3(
    base: str, mine: str, new: str, *, mine_label: str = MINE_LABEL, new_label: str = NEW_LABEL
) -> MergeResult:
    b = base.splitlines(keepends=True)
    m = mine.splitlines(keepends=True)
    n = new.splitlines(keepends=True)
    to_m, to_n = _matches(b, m), _matches(b, n)
    out: list[str] = []
    conflicts = 0
    i = j = k = 0
    while True:
        sync = next((x for x in range(i, len(b)) if x in to_m and x in to_n), None)
        end_b, end_m, end_n = (
            (len(b), len(m), len(n)) if sync is None else (sync, to_m[sync], to_n[sync])
        )
        chunk, clash = _resolve(b[i:end_b], m[j:end_m], n[k:end_n], mine_label, new_label)
        out.extend(chunk)
        conflicts += clash
        if sync is None:
            break
        out.append(b[sync])
        i, j, k = sync + 1, end_m + 1, end_n + 1
    return MergeResult("".join(out), conflicts)


def _matches(base: list[str], other: list[str]) -> dict[int, int]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    pairs: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            pairs[block.a + offset] = block.b + offset
    return pairs


def _resolve(
    base: list[str], mine: list[str], new: list[str], mine_label: str, new_label: str
) -> tuple[list[str], int]:
    if mine == base or mine == new:
        return new, 0
    if new == base:
        return mine, 0
    return (
        [
            f"<<<<<<< {mine_label}\n",
            *_terminated(mine),
            "=======\n",
            *_terminated(new),
            f">>>>>>> {new_label}\n",
        ],
        1,
    )


def _terminated(lines: list[str]) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines
