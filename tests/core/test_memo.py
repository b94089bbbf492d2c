"""memo.derived: a value computed once per file content, kept in the user's cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from propctl.errors import UserError
from propctl.generators.target import k8s_environments
from propctl.memo import derived, user_cache_dir


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def test_computed_once_per_content_and_again_when_the_bytes_change() -> None:
    calls: list[bytes] = []

    def compute(raw: bytes) -> str:
        calls.append(raw)
        return raw.decode().upper()

    assert derived("t-once", b"abc", lambda: compute(b"abc"), _is_str) == "ABC"
    assert derived("t-once", b"abc", lambda: compute(b"abc"), _is_str) == "ABC"
    assert calls == [b"abc"]
    assert derived("t-once", b"abd", lambda: compute(b"abd"), _is_str) == "ABD"
    assert calls == [b"abc", b"abd"]
    # another kind of fact about the same bytes is its own entry
    assert derived("t-other", b"abc", lambda: "other", _is_str) == "other"


def test_a_broken_or_wrong_shaped_entry_is_computed_again() -> None:
    derived("t-broken", b"x", lambda: "first", _is_str)
    (entry,) = [p for p in user_cache_dir("derived").glob("*.json") if p.read_text() == '"first"']
    entry.write_text("{not json")
    assert derived("t-broken", b"x", lambda: "second", _is_str) == "second"
    entry.write_text("[1, 2]")
    assert derived("t-broken", b"x", lambda: "third", _is_str) == "third"


def test_an_error_is_raised_every_time_and_never_stored() -> None:
    def fail() -> str:
        raise UserError("bad input")

    for _ in range(2):
        with pytest.raises(UserError, match="bad input"):
            derived("t-error", b"y", fail, _is_str)


def test_an_unwritable_cache_only_costs_the_computation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PROPCTL_CACHE_DIR", str(blocker))  # a file: no folder can go under it
    assert derived("t-ro", b"z", lambda: "value", _is_str) == "value"


def _stack_repo(tmp_path: Path, staging: str) -> Path:
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "Pulumi.yaml").write_text("name: propmubi\nruntime: python\n")
    (infra / "Pulumi.staging.yaml").write_text(staging)
    (infra / "Pulumi.production.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  propmubi:vpcCidr: 10.20.0.0/16\n"
    )
    return tmp_path


def test_stack_files_are_read_for_their_region_and_range_and_reread_when_edited(
    tmp_path: Path,
) -> None:
    repo = _stack_repo(
        tmp_path, "config:\n  aws:region: us-east-1\n  propmubi:vpcCidr: 10.9.0.0/16\n"
    )
    staging = k8s_environments.by_name(None, repo)["staging"]
    assert (staging.region, staging.vpc_cidr) == ("us-east-1", "10.9.0.0/16")
    (repo / "infra" / "Pulumi.staging.yaml").write_text(
        "config:\n  aws:region: us-west-2\n  propmubi:vpcCidr: 10.8.0.0/16\n"
    )
    k8s_environments._environments.cache_clear()
    staging = k8s_environments.by_name(None, repo)["staging"]
    assert (staging.region, staging.vpc_cidr) == ("us-west-2", "10.8.0.0/16")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("config: [unclosed\n", "not YAML"),
        ("config:\n  propmubi:vpcCidr: nowhere\n", "is not a network"),
        ("- a list\n", "is not a network"),
    ],
)
def test_a_bad_stack_file_is_a_located_user_error(tmp_path: Path, text: str, error: str) -> None:
    repo = _stack_repo(tmp_path, text)
    k8s_environments._environments.cache_clear()
    for _ in range(2):  # the second time from the cache, with the same error
        with pytest.raises(UserError, match=error) as raised:
            k8s_environments.by_name(None, repo)
        assert "Pulumi.staging.yaml" in str(raised.value)
        k8s_environments._environments.cache_clear()
