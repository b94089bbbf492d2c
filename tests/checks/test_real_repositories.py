"""propctl on real public repositories nobody here wrote (tests/fixtures/real/): a roadmap
written by hand for each, every answer compared with the true one read from the code, and
mutations a pull request could make flipping exactly the criteria they should."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from realrepos import checkout, fixtures, load, mutate, verify

FIXTURES = fixtures()
MUTATIONS = [
    (fixture, mutation) for fixture in FIXTURES for mutation in load(fixture / "mutations.yaml")
]


def compare(results: dict[str, dict[str, Any]], wanted: dict[str, str]) -> None:
    wrong = [
        f"{cid}: {results.get(cid, {}).get('status')} (expected {status}): "
        f"{results.get(cid, {}).get('message', 'no result')}"
        for cid, status in wanted.items()
        if results.get(cid, {}).get("status") != status
    ]
    unexpected = sorted(set(results) - set(wanted))
    assert not wrong and not unexpected, "\n".join(wrong + [f"not in the table: {unexpected}"])


def test_at_least_three_real_repositories() -> None:
    assert len(FIXTURES) >= 3
    for fixture in FIXTURES:
        assert (fixture / "LICENSE").is_file() and (fixture / "SOURCE.md").is_file(), fixture


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_every_answer_is_the_true_one(fixture: Path, tmp_path: Path) -> None:
    expected = load(fixture / "expected.yaml")
    assert all(e.get("where") and e.get("why") for e in expected.values()), "say where and why"
    results = verify(checkout(fixture, tmp_path), roadmap=fixture / "roadmap.yaml")
    compare(results, {str(cid): e["status"] for cid, e in expected.items()})


@pytest.mark.parametrize(
    ("fixture", "mutation"), MUTATIONS, ids=[f"{f.name}: {m['name']}" for f, m in MUTATIONS]
)
def test_a_mutation_flips_exactly_its_criteria(
    fixture: Path, mutation: dict[str, Any], tmp_path: Path
) -> None:
    expected = {str(cid): e["status"] for cid, e in load(fixture / "expected.yaml").items()}
    flips = {str(cid): status for cid, status in mutation["flips"].items()}
    assert all(expected[cid] != status for cid, status in flips.items()), "a flip must flip"
    repo = checkout(fixture, tmp_path)
    mutate(repo, mutation["edits"])
    compare(verify(repo, roadmap=fixture / "roadmap.yaml"), {**expected, **flips})
