"""Adopting the user's existing files (`FileSpec.adopt`, propctl/generators/engine/adopt.py):
the first run of `scaffold frontend` over the example's hand-written pages patches their anchored
regions and keeps the rest; a page with no anchor is exit 1 with the diff to make by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.generators.engine.adopt import mask_js
from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.frontend import frontend_generation

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = "apps/web/app/consumer/page.tsx"
AGENT = "apps/web/app/agent/page.tsx"
LAYOUT = "apps/web/app/layout.tsx"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "propmubi"
    shutil.copytree(
        ROOT / "examples/propmubi",
        root,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", "node_modules", ".propctl"),
    )
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_mask_blanks_comments_and_strings_but_keeps_offsets() -> None:
    text = "a // useEffect(\nb = 'fetch(' + `x${fetch(1)}y` /* fetch( */\n"
    masked = mask_js(text)
    assert len(masked) == len(text) and masked.count("\n") == 2
    assert "useEffect" not in masked and masked.count("fetch(") == 1  # only the ${} code


def test_the_example_pages_are_adopted_without_force(
    repo: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["scaffold", "frontend", "--repo", str(repo)]) == 0
    consumer = (repo / CONSUMER).read_text()
    agent = (repo / AGENT).read_text()
    assert "useProjectFeed({ city: city || undefined })" in consumer
    assert "createLead.mutate({name, phone, project_id: projectId}" in consumer
    assert "useAgentLeads(agentId)" in agent and "useMarkContacted(agentId)" in agent
    for text in (consumer, agent):
        assert "fetch(" not in text and "useEffect" not in text and ".isPending" in text
    # the user's own code outside the anchors is kept, byte for byte
    assert (
        '<input placeholder="City" value={city} onChange={e => setCity(e.target.value)} />'
        in consumer
    )
    assert "const agentId = 1 // TODO: take from login" in agent
    assert "<Providers>{children}</Providers>" in (repo / LAYOUT).read_text()
    assert not list(repo.rglob("*.orig"))
    manifest = json.loads((repo / ".propctl/generated.json").read_text())["files"]
    assert manifest[CONSUMER]["adopted"] is True
    out = capsys.readouterr().out
    assert "adopt" in out


def test_running_again_after_adoption_is_identical(repo: Path) -> None:
    apply(repo, plan(repo, frontend_generation(repo)))
    before = _tree(repo)
    again = plan(repo, frontend_generation(repo))
    assert set(again.counts()) == {"identical"}
    apply(repo, again)
    assert _tree(repo) == before


def test_edits_after_adoption_are_kept(repo: Path) -> None:
    apply(repo, plan(repo, frontend_generation(repo)))
    edited = (repo / CONSUMER).read_text().replace("New homes near you", "Homes for you")
    (repo / CONSUMER).write_text(edited)
    again = plan(repo, frontend_generation(repo))
    assert {a.path: a.action for a in again.actions}[CONSUMER] == "skip"
    apply(repo, again)
    assert (repo / CONSUMER).read_text() == edited


def test_dry_run_shows_the_adoption_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture
) -> None:
    before = _tree(repo)
    assert main(["scaffold", "frontend", "--repo", str(repo), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "adopt" in out and f"+++ b/{CONSUMER}" in out and "+  const feed = useProjectFeed" in out
    assert _tree(repo) == before
    assert main(["scaffold", "frontend", "--repo", str(repo), "--dry-run", "--format", "json"]) == 0
    actions = {a["path"]: a["action"] for a in json.loads(capsys.readouterr().out)["actions"]}
    assert actions[CONSUMER] == actions[AGENT] == actions[LAYOUT] == "adopt"


def test_a_page_without_an_anchor_is_exit_1_with_the_diff(
    repo: Path, capsys: pytest.CaptureFixture
) -> None:
    page = (
        "'use client'\n// useEffect(() => { fetch('/projects/feed') }, [])\n"
        "export default function P() {\n  return <p>{'useEffect(() => fetch(x))'}</p>\n}\n"
    )
    (repo / CONSUMER).write_text(page)
    before = _tree(repo)
    assert main(["scaffold", "frontend", "--repo", str(repo)]) == 1
    err = capsys.readouterr().err
    assert (
        f"conflict: {CONSUMER}" in err
        and "no anchor for the fetch in enquire, data fetching" in err
    )
    assert f"+++ b/{CONSUMER}" in err and "+  const feed = useProjectFeed" in err
    assert "run again" in err
    assert _tree(repo) == before  # nothing half-written: not even the other pages


def test_a_page_changed_by_hand_as_the_diff_says_is_adopted(repo: Path) -> None:
    from propctl.resources import templates_dir

    template = (templates_dir() / "frontend/files/app/consumer/page.tsx").read_text()
    (repo / CONSUMER).write_text(template)
    actions = {a.path: a for a in plan(repo, frontend_generation(repo)).actions}
    assert actions[CONSUMER].action in ("adopt", "identical")
    apply(repo, plan(repo, frontend_generation(repo)))
    assert (repo / CONSUMER).read_text() == template


def test_a_symlinked_page_is_not_adopted(repo: Path, capsys: pytest.CaptureFixture) -> None:
    real = repo / "apps/web/app/consumer/real.tsx"
    shutil.move(repo / CONSUMER, real)
    (repo / CONSUMER).symlink_to("real.tsx")
    before = real.read_text()
    assert main(["scaffold", "frontend", "--repo", str(repo)]) == 1
    assert "symbolic link" in capsys.readouterr().err
    assert real.read_text() == before and (repo / CONSUMER).is_symlink()


@pytest.mark.slow
def test_scaffold_frontend_on_a_committed_copy_passes_task_8_and_7(repo: Path) -> None:
    git = shutil.which("git") or pytest.fail("git is not installed")
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "example"],
    ):
        subprocess.run([git, *args], cwd=repo, check=True)
    assert main(["scaffold", "frontend", "--repo", str(repo)]) == 0
    out = repo / "verify.json"
    main(["verify", "--repo", str(repo), "--format", "json", "-o", str(out)])
    results = {r["id"]: r["status"] for r in json.loads(out.read_text())["results"]}
    wanted = [f"8.{n}" for n in range(1, 15)] + [f"8.a{n}" for n in range(1, 6)] + ["7.6", "7.a3"]
    assert {i: results[i] for i in wanted} == {i: "pass" for i in wanted}
