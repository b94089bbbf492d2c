"""A verify run with nothing changed replays the last full run (propctl.checks.gate.replay): the
same document, exit code and history line as a run through the result cache; anything the
results depend on that changed (an input, the listing, the roadmap, the waivers or
attestations, the date, the interpreter, propctl) makes it a full run again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from propctl import clock
from propctl.checks.gate import replay
from propctl.cli.main import main
from propctl.resources import bundled_roadmap

REPLAYED = "verify: nothing changed since the last run"
STATIC = {
    "path_exists",
    "text",
    "structured",
    "python",
    "coverage",
    "junit",
    "k8s",
    "workflow",
    "manual",
    "all",
    "any",
    "secrets",
    "infra_plan",
}


def _static(check: dict[str, Any]) -> dict[str, Any]:
    kinds = {check.get("kind")} | {c.get("kind") for c in check.get("checks") or []}
    return check if kinds <= STATIC else {"kind": "manual"}


@pytest.fixture
def roadmap(tmp_path: Path) -> Path:
    """The bundled roadmap with the checks that run code (command, asgi) or reach the world
    (aws, k8s_live) made manual: every result a function of files and attestations."""
    data = yaml.safe_load(bundled_roadmap().read_text())
    for tier in data["tiers"]:
        for task in tier["tasks"]:
            for item in task.get("subtasks", []) + task.get("acceptance", []):
                if item.get("check"):
                    item["check"] = _static(item["check"])
    path = tmp_path / "static-roadmap.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def run(
    capsys: pytest.CaptureFixture[str], repo: Path, roadmap: Path, *args: str
) -> tuple[int, dict[str, Any], str]:
    capsys.readouterr()
    code = main(
        ["-v", "--roadmap", str(roadmap), "verify", "--repo", str(repo), "--format", "json", *args]
    )
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without what differs between two runs of the same results."""
    return {
        **doc,
        "results": [
            {k: v for k, v in r.items() if k not in ("duration_s", "cached")}
            for r in doc["results"]
        ],
    }


def settle(capsys: pytest.CaptureFixture[str], repo: Path, roadmap: Path) -> None:
    """Two runs: the first records (and creates .propctl/ and .gitattributes, which changes
    the listing), the second records again; the next one replays."""
    run(capsys, repo, roadmap)
    run(capsys, repo, roadmap)


@pytest.mark.parametrize(
    "args",
    [[], ["--strict"], ["--min-score", "9.5"], ["--ratchet"]],
    ids=["plain", "strict", "min-score", "ratchet"],
)
def test_a_replayed_run_equals_a_run_through_the_result_cache(
    example_repo: Path,
    roadmap: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    settle(capsys, example_repo, roadmap)
    (example_repo / ".propctl" / "baseline.json").write_text(
        json.dumps({"passing": ["1.a1", "2.a2"]})
    )  # two that fail: the gate has something to say
    code, replayed, err = run(capsys, example_repo, roadmap, *args)
    assert REPLAYED in err
    assert all(r["cached"] for r in replayed["results"])
    history = (example_repo / ".propctl" / "history.jsonl").read_text().splitlines()
    monkeypatch.setattr(replay, "lookup", lambda *a: (None, "switched off by the test"))
    full_code, full, full_err = run(capsys, example_repo, roadmap, *args)
    assert "switched off by the test" in full_err
    assert (code, comparable(replayed)) == (full_code, comparable(full))
    assert code == 1 and "1.a1 must hold (it is in the baseline" in " ".join(full["problems"])
    lines = (example_repo / ".propctl" / "history.jsonl").read_text().splitlines()
    replayed_line, full_line = json.loads(history[-1]), json.loads(lines[-1])
    assert {**replayed_line, "time": ""} == {**full_line, "time": ""}


def _edit(rel: str, text: str = "\n# edited\n") -> Callable[[Path, Path], None]:
    def change(repo: Path, roadmap: Path) -> None:
        with (repo / rel).open("a") as handle:
            handle.write(text)

    return change


def _edit_record(repo: Path, roadmap: Path) -> None:
    path = replay.record_path(repo)
    assert path is not None
    path.write_bytes(path.read_bytes() + b" ")


def _touch(repo: Path, roadmap: Path) -> None:
    main_py = repo / "apps/api/main.py"
    os.utime(main_py, ns=(main_py.stat().st_atime_ns, main_py.stat().st_mtime_ns + 10**9))


def _remove(repo: Path, roadmap: Path) -> None:
    (repo / "apps/api/routers/crm.py").unlink()


def _waive(repo: Path, roadmap: Path) -> None:
    expires = (date.today() + timedelta(days=30)).isoformat()
    (repo / ".propctl" / "waivers.yaml").write_text(
        f"- criterion: 2.a2\n  owner: lead\n  reason: next sprint\n  expires: '{expires}'\n"
    )


def _attest(repo: Path, roadmap: Path) -> None:
    assert (
        main(
            [
                "--roadmap",
                str(roadmap),
                "attest",
                "3.a3",
                "--repo",
                str(repo),
                "--by",
                "qa",
                "--evidence",
                "https://example.com/3a3",
            ]
        )
        == 0
    )


def _tomorrow(monkeypatch: pytest.MonkeyPatch) -> None:
    tomorrow = date.fromordinal(clock.today().toordinal() + 1)
    monkeypatch.setenv(clock.ENV, tomorrow.isoformat())


CHANGES: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "an input edited": (_edit("apps/api/main.py"), "apps/api/main.py"),
    "a file added": (_edit("apps/api/routers/search.py", "x = 1\n"), "listing"),
    "a file removed": (_remove, "listing"),
    "a waiver": (_waive, "state"),
    "an attestation": (_attest, "state"),
    "the roadmap edited": (
        lambda repo, roadmap: _edit(roadmap.name)(roadmap.parent, roadmap),
        "roadmap",
    ),
    "the replay record damaged": (_edit_record, "integrity check"),
}


@pytest.mark.parametrize("case", list(CHANGES))
def test_a_change_the_results_depend_on_runs_the_checks_again(
    example_repo: Path, roadmap: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    change, reason = CHANGES[case]
    settle(capsys, example_repo, roadmap)
    change(example_repo, roadmap)
    _, doc, err = run(capsys, example_repo, roadmap)
    assert REPLAYED not in err and reason in err
    # what it ran is what a run with no cache at all finds
    _, fresh, _ = run(capsys, example_repo, roadmap, "--no-cache", "--no-history")
    assert comparable(doc) == comparable(fresh)
    _, _, err = run(capsys, example_repo, roadmap)
    assert REPLAYED in err  # and the run after that one replays again


def test_a_file_touched_but_unchanged_still_replays(
    example_repo: Path, roadmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settle(capsys, example_repo, roadmap)
    _touch(example_repo, roadmap)
    assert REPLAYED in run(capsys, example_repo, roadmap)[2]


@pytest.mark.parametrize("what", ["date", "propctl"])
def test_the_date_and_propctl_are_part_of_the_fingerprint(
    example_repo: Path,
    roadmap: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    settle(capsys, example_repo, roadmap)
    if what == "date":
        _tomorrow(monkeypatch)
    else:
        monkeypatch.setattr(replay, "__version__", "0.0.0-other")
    err = run(capsys, example_repo, roadmap)[2]
    assert REPLAYED not in err
    assert f"changed since the last run: {'today' if what == 'date' else what}" in err


@pytest.mark.parametrize("args", [["--python", sys.executable], ["--live"]])
def test_python_and_live_change_nothing_a_replayable_run_holds(
    example_repo: Path, roadmap: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    """Only checks that run code use the interpreter, only live checks use --live: a run with
    either is never recorded, so a recorded run is replayed whatever they say."""
    settle(capsys, example_repo, roadmap)
    assert REPLAYED in run(capsys, example_repo, roadmap, *args)[2]


@pytest.mark.parametrize(
    "args", [["--task", "2"], ["--criterion", "2.a2"], ["--no-cache"], ["--update-baseline"]]
)
def test_filtered_uncached_and_baseline_runs_are_never_replayed(
    example_repo: Path, roadmap: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    settle(capsys, example_repo, roadmap)
    assert REPLAYED not in run(capsys, example_repo, roadmap, *args)[2]
    assert REPLAYED in run(capsys, example_repo, roadmap)[2]  # the record is still good


def test_the_bundled_roadmap_runs_code_so_it_is_never_replayed(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its asgi and command checks run the target's code: their results are not a function
    of files, so no run of it is recorded for replay."""
    capsys.readouterr()
    for _ in range(2):
        assert main(
            ["-v", "verify", "--repo", str(example_repo), "--format", "json", "--task", "1"]
        ) in (0, 1)
    path = replay.record_path(example_repo)
    assert path is not None and not path.exists()


def test_a_ci_artifact_appearing_in_an_ignored_folder_is_a_change(
    example_repo: Path, roadmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """coverage.xml is git-ignored and written by CI: the fingerprint lists ignored files too
    when a check looked for artifacts."""
    (example_repo / ".gitignore").write_text("build/\n")
    subprocess.run(["git", "init", "-q", str(example_repo)], check=True)
    settle(capsys, example_repo, roadmap)
    before = run(capsys, example_repo, roadmap)
    assert REPLAYED in before[2]
    report = example_repo / "build" / "coverage.xml"
    report.parent.mkdir()
    report.write_text(
        '<?xml version="1.0" ?><coverage line-rate="0.91" lines-valid="100" '
        'lines-covered="91"><packages/></coverage>'
    )
    _, after, err = run(capsys, example_repo, roadmap)
    assert "changed since the last run: artifacts" in err
    coverage = [r for r in after["results"] if r["kind"] == "coverage"]
    assert coverage and any("91.0%" in r["message"] for r in coverage)


def test_the_rules_count_every_status() -> None:
    from propctl.checks.gate import rules
    from propctl.checks.status import Status

    assert rules.summary(s.value for s in Status) == {s.value: 1 for s in Status}


@pytest.mark.parametrize("what", ["secrets", "code", "interpreter"])
def test_what_else_the_results_depend_on_is_in_the_fingerprint(
    example_repo: Path,
    roadmap: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    """Evidence was redacted with this environment's secrets; propctl's source and the
    packages beside it judge; the interpreter runs them."""
    settle(capsys, example_repo, roadmap)
    if what == "secrets":
        monkeypatch.setenv("DEPLOY_TOKEN", "a-new-secret-value")
    elif what == "code":
        monkeypatch.setattr(replay, "_code_digest", lambda: "an edited propctl")
    else:
        monkeypatch.setattr(replay.sys, "version", "3.99.0 (another build)")
    err = run(capsys, example_repo, roadmap)[2]
    assert REPLAYED not in err and f"changed since the last run: {what}" in err


def test_the_record_lives_outside_the_repo_and_a_copy_in_the_tree_is_ignored(
    example_repo: Path, roadmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settle(capsys, example_repo, roadmap)
    path = replay.record_path(example_repo)
    assert path is not None and path.is_file()
    assert example_repo.resolve() not in path.resolve().parents
    planted = example_repo / ".propctl" / "cache" / "replay.json"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(path.read_bytes())
    path.unlink()
    err = run(capsys, example_repo, roadmap)[2]
    assert REPLAYED not in err and "no replay.json record" in err


def test_an_edited_result_cache_is_dropped_with_a_note_under_verbose(
    example_repo: Path, roadmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from propctl.checks.engine.runner import ResultCache

    settle(capsys, example_repo, roadmap)
    path = ResultCache.load(example_repo).path
    assert path is not None
    path.write_bytes(path.read_bytes().replace(b'"status":"fail"', b'"status":"pass"', 1))
    _, doc, err = run(capsys, example_repo, roadmap, "--task", "2")
    assert "result cache: the results.json record fails its integrity check: dropped" in err
    assert not any(r["cached"] for r in doc["results"])


def test_the_code_digest_covers_the_whole_package() -> None:
    """A replay is refused after any edit of propctl, not only of checks/: the digest walks the
    package's root (a move of replay.py once left it walking checks/ alone)."""
    import propctl
    from propctl.checks.gate import replay

    assert replay.SOURCE_ROOT == Path(propctl.__file__).resolve().parent
