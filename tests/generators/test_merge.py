"""The difflib three-way merge, as data."""

from __future__ import annotations

import pytest

from propctl.generators.engine.merge import merge3

CASES = [
    # base, mine, new, expected, conflicts
    ("a\nb\nc\n", "a\nb\nc\n", "a\nB\nc\n", "a\nB\nc\n", 0),
    ("a\nb\nc\n", "a\nB\nc\n", "a\nb\nc\n", "a\nB\nc\n", 0),
    ("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n", "A\nb\nC\n", 0),
    ("a\nb\nc\n", "a\nX\nc\n", "a\nX\nc\n", "a\nX\nc\n", 0),
    ("a\nb\nc\n", "a\nb\nc\nmine\n", "new\na\nb\nc\n", "new\na\nb\nc\nmine\n", 0),
    (
        "a\nb\nc\n",
        "a\nM\nc\n",
        "a\nN\nc\n",
        "a\n<<<<<<< yours\nM\n=======\nN\n>>>>>>> propctl (new template)\nc\n",
        1,
    ),
    ("x", "y", "z", "<<<<<<< yours\ny\n=======\nz\n>>>>>>> propctl (new template)\n", 1),
    ("", "mine\n", "", "mine\n", 0),
]


@pytest.mark.parametrize(("base", "mine", "new", "expected", "conflicts"), CASES)
def test_merge3(base: str, mine: str, new: str, expected: str, conflicts: int) -> None:
    result = merge3(base, mine, new)
    assert (result.text, result.conflicts) == (expected, conflicts)
