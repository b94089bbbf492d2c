"""The engine: rendering, plan actions, all-or-nothing apply, force/merge, patches."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from propctl.errors import FailureFound, UserError
from propctl.generators.engine import render, snapshots, transaction
from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec


def gen(*files: FileSpec | PatchSpec, params: dict | None = None) -> Generation:
    return Generation("demo", params or {"name": "x"}, list(files))


def actions(repo: Path, generation: Generation, **kw: bool) -> dict[str, str]:
    return {a.path: a.action for a in plan(repo, generation, **kw).actions}


def snapshot_tree(repo: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(repo).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(repo.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "templates"
    monkeypatch.setattr("propctl.resources.templates_dir", lambda: root)
    render._environment.cache_clear()
    yield root
    render._environment.cache_clear()


def test_render_dir_renders_jinja_copies_others_and_names(templates: Path) -> None:
    (templates / "t" / "[[ name ]]-svc").mkdir(parents=True)
    (templates / "t" / "[[ name ]]-svc" / "main.py.jinja").write_text(
        "NAME = '[[ name ]]'\n[% if port %]PORT = [[ port ]][% endif %]\n[# a comment #]"
    )
    (templates / "t" / "ci.yml").write_text("run: ${{ github.sha }} {{ raw }}\n")
    (templates / "t" / "[% if docker %]Dockerfile[% endif %]").write_text("FROM x\n")
    run = templates / "t" / "run.sh"
    run.write_text("#!/bin/sh\n")
    run.chmod(0o755)
    specs = {
        s.path: s
        for s in render.render_dir(
            "t", {"name": "auth", "port": 3001, "docker": False}, dest="apps"
        )
    }
    assert set(specs) == {"apps/auth-svc/main.py", "apps/ci.yml", "apps/run.sh"}
    assert specs["apps/auth-svc/main.py"].content == "NAME = 'auth'\nPORT = 3001\n"
    assert specs["apps/ci.yml"].content == "run: ${{ github.sha }} {{ raw }}\n"
    assert specs["apps/run.sh"].executable and not specs["apps/ci.yml"].executable


def test_a_template_may_choose_its_delimiters(templates: Path) -> None:
    (templates / "sh").mkdir(parents=True)
    (templates / "sh" / "_delimiters.json").write_text('{"variable": ["<<", ">>"]}')
    (templates / "sh" / "<< name >>.sh.jinja").write_text(
        "if [[ -f x ]]; then echo << name >> ${{ github.sha }}; fi\n"
    )
    [spec] = render.render_dir("sh", {"name": "auth"})
    assert spec.path == "auth.sh"
    assert spec.content == "if [[ -f x ]]; then echo auth ${{ github.sha }}; fi\n"


@pytest.mark.parametrize(
    "bad", ['{"variable": ["<<"]}', '{"colour": ["a", "b"]}', "nope", '{"block": ["", "x"]}']
)
def test_bad_delimiters_file_is_a_user_error(templates: Path, bad: str) -> None:
    (templates / "t").mkdir(parents=True)
    (templates / "t" / "_delimiters.json").write_text(bad)
    (templates / "t" / "f").write_text("x")
    with pytest.raises(UserError, match="_delimiters.json"):
        render.render_dir("t", {})


@pytest.mark.parametrize(
    "source", ["[[ missing ]]", "[[ ''.__class__.__mro__ ]]", "[[ x.__init__.__globals__ ]]"]
)
def test_render_text_is_strict_and_sandboxed(source: str) -> None:
    with pytest.raises(UserError):
        render.render_text(source, {"x": object()})


def test_variables_cannot_escape_the_destination(templates: Path) -> None:
    (templates / "t" / "[[ name ]]").mkdir(parents=True)
    (templates / "t" / "[[ name ]]" / "f").write_text("x")
    with pytest.raises(UserError):
        render.render_dir("t", {"name": ".."})
    with pytest.raises(UserError):
        render.render_dir("../etc", {})


def test_first_run_then_identical_writes_nothing(tmp_path: Path) -> None:
    g = gen(FileSpec("a/b.txt", "one\n"), FileSpec("run.sh", "#!/bin/sh\n", executable=True))
    assert actions(tmp_path, g) == {"a/b.txt": "create", "run.sh": "create"}
    report = apply(tmp_path, plan(tmp_path, g))
    assert report.written == ["a/b.txt", "run.sh"]
    assert os.access(tmp_path / "run.sh", os.X_OK)
    manifest = json.loads((tmp_path / ".propctl/generated.json").read_text())
    assert manifest["files"]["a/b.txt"]["generator"] == "demo"
    before = snapshot_tree(tmp_path)
    again = plan(tmp_path, g)
    assert {a.action for a in again.actions} == {"identical"}
    assert apply(tmp_path, again).written == []
    assert snapshot_tree(tmp_path) == before


def test_update_when_untouched_conflict_when_edited(tmp_path: Path) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f.txt", "v1\n"), FileSpec("g.txt", "g1\n"))))
    (tmp_path / "g.txt").write_text("my edit\n")
    g2 = gen(FileSpec("f.txt", "v2\n"), FileSpec("g.txt", "g2\n"))
    assert actions(tmp_path, g2) == {"f.txt": "update", "g.txt": "conflict"}
    with pytest.raises(FailureFound) as caught:
        apply(tmp_path, plan(tmp_path, g2))
    assert caught.value.exit_code == 1 and "g.txt" in str(caught.value)
    assert "--merge" in str(caught.value) and "--force" in str(caught.value)
    assert (tmp_path / "f.txt").read_text() == "v1\n"  # all or nothing
    assert (tmp_path / "g.txt").read_text() == "my edit\n"


def test_force_keeps_orig(tmp_path: Path) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f.txt", "v1\n"))))
    (tmp_path / "f.txt").write_text("mine\n")
    report = apply(tmp_path, plan(tmp_path, gen(FileSpec("f.txt", "v2\n"))), force=True)
    assert report.backups == ["f.txt.orig"]
    assert (tmp_path / "f.txt").read_text() == "v2\n"
    assert (tmp_path / "f.txt.orig").read_text() == "mine\n"
    assert actions(tmp_path, gen(FileSpec("f.txt", "v2\n"))) == {"f.txt": "identical"}


def test_unknown_existing_file_is_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("the user's\n")
    p = plan(tmp_path, gen(FileSpec("f.txt", "ours\n")))
    assert p.actions[0].action == "conflict" and "not generated" in p.actions[0].reason


def test_deleted_is_reported_not_recreated_unless_forced(tmp_path: Path) -> None:
    g = gen(FileSpec("f.txt", "v1\n"))
    apply(tmp_path, plan(tmp_path, g))
    (tmp_path / "f.txt").unlink()
    p = plan(tmp_path, g)
    assert p.actions[0].action == "deleted"
    apply(tmp_path, p)
    assert not (tmp_path / "f.txt").exists()
    apply(tmp_path, plan(tmp_path, g), force=True)
    assert (tmp_path / "f.txt").read_text() == "v1\n"


def test_append_only_is_never_rerendered(tmp_path: Path) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("rev.py", "one\n", append_only=True))))
    assert actions(tmp_path, gen(FileSpec("rev.py", "two\n", append_only=True))) == {
        "rev.py": "skip"
    }


def test_obsolete_files_are_reported(tmp_path: Path) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("a", "1\n"), FileSpec("b", "1\n"))))
    assert actions(tmp_path, gen(FileSpec("a", "1\n"))) == {"a": "identical", "b": "obsolete"}


def test_merge_takes_template_changes_and_keeps_edits(tmp_path: Path) -> None:
    v1 = "a\nb\nc\nd\ne\nf\ng\n"
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f", v1))))
    (tmp_path / "f").write_text("a\nB-mine\nc\nd\ne\nf\ng\n")
    v2 = "a\nb\nc\nd\ne\nf\nG-new\n"
    p = plan(tmp_path, gen(FileSpec("f", v2)), merge=True)
    assert p.actions[0].action == "merge" and p.actions[0].markers == 0
    apply(tmp_path, p, merge=True)
    assert (tmp_path / "f").read_text() == "a\nB-mine\nc\nd\ne\nf\nG-new\n"
    # re-running the same template keeps the merged edits without a conflict
    assert actions(tmp_path, gen(FileSpec("f", v2))) == {"f": "skip"}
    # the next template change merges again from the right base
    v3 = "a\nb\nc\nD-newer\ne\nf\nG-new\n"
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f", v3))), merge=True)
    assert (tmp_path / "f").read_text() == "a\nB-mine\nc\nD-newer\ne\nf\nG-new\n"


def test_merge_with_both_changed_writes_markers(tmp_path: Path) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "x = 1\n"))))
    (tmp_path / "f").write_text("x = 2\n")
    report = apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "x = 3\n"))), merge=True)
    assert report.markers == ["f"]
    text = (tmp_path / "f").read_text()
    assert "<<<<<<< yours\nx = 2\n=======\nx = 3\n>>>>>>>" in text


def test_unresolved_markers_block_the_next_run(tmp_path: Path) -> None:
    """After a --merge that left markers, the next run said `skip: your merged edits are kept`
    and exit 0, with the <<<<<<< regions still in the file."""
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "x = 1\n"))))
    (tmp_path / "f").write_text("x = 2\n")
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "x = 3\n"))), merge=True)
    for merge in (False, True):
        with pytest.raises(FailureFound, match="still holds the conflict markers") as caught:
            apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "x = 3\n")), merge=merge), merge=merge)
        assert "resolve the <<<<<<<" in caught.value.hint
    (tmp_path / "f").write_text("x = 2\nx = 3\n")  # resolved by hand
    assert actions(tmp_path, gen(FileSpec("f", "x = 3\n")), merge=True) == {"f": "skip"}


def test_snapshots_are_compressed_and_pruned(tmp_path: Path) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "hello\n" * 100), FileSpec("g", "g1\n"))))
    packs = list((tmp_path / ".propctl/snapshots").glob("*.json.gz"))
    assert len(packs) == 1 and packs[0].stat().st_size < 200
    entry = json.loads((tmp_path / ".propctl/generated.json").read_text())["files"]["f"]
    assert snapshots.load_snapshot(tmp_path, entry, entry["sha256"]) == "hello\n" * 100
    apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "v2\n"), FileSpec("g", "g1\n"))))
    pack = snapshots.load_pack(tmp_path, packs[0].name.split(".")[0])
    assert sorted(pack.values()) == ["g1\n", "v2\n"]  # the old render is pruned


def test_write_failure_midway_leaves_tree_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("keep/a", "1\n"), FileSpec("b", "1\n"))))
    before = snapshot_tree(tmp_path)
    real, calls = transaction._replace, []

    def flaky(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("disk full (injected)")
        real(src, dst)

    monkeypatch.setattr(transaction, "_replace", flaky)
    g = gen(FileSpec("keep/a", "2\n"), FileSpec("b", "2\n"), FileSpec("new/deep/c", "2\n"))
    with pytest.raises(OSError, match="injected"):
        apply(tmp_path, plan(tmp_path, g))
    assert snapshot_tree(tmp_path) == before
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    "bad",
    [
        "../x",
        "/etc/passwd",
        "a/../../x",
        "{{ 7*7 }}",
        "",
        "a\x00b",
        "a\nb",
        ".git/config",
        ".propctl/generated.json",
        "C:/x",
    ],
)
def test_paths_must_stay_inside(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UserError):
        plan(tmp_path, gen(FileSpec(bad, "x")))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "spec", [FileSpec("README.md/x.py", "x"), PatchSpec("README.md/x.py", "x", create=True)]
)
def test_a_file_where_a_folder_should_be_is_a_user_error(
    tmp_path: Path, spec: FileSpec | PatchSpec
) -> None:
    """`scaffold infra --path README.md` crashed with NotADirectoryError (exit 3)."""
    (tmp_path / "README.md").write_text("hi\n")
    with pytest.raises(UserError, match="README.md"):
        plan(tmp_path, gen(spec))
    assert (tmp_path / "README.md").read_text() == "hi\n"


def test_symlink_escape_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "apps").symlink_to(outside)
    with pytest.raises(UserError, match="outside"):
        plan(repo, gen(FileSpec("apps/x.py", "x")))


# ---- patches -----------------------------------------------------------------------------
MAIN = "import os\n\napp = FastAPI(title='x')\n\nif __name__ == '__main__':\n    run()\n"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            PatchSpec("m.py", "app.include_router(r)", anchor=r"^app = FastAPI\("),
            "import os\n\napp = FastAPI(title='x')\napp.include_router(r)\n\nif __name__",
        ),
        (
            PatchSpec("m.py", "import sys", anchor=r"^import os", before=True),
            "import sys\nimport os\n",
        ),
        (PatchSpec("m.py", "# end"), "    run()\n# end\n"),
    ],
)
def test_patch_inserts_at_anchor_and_is_idempotent(
    tmp_path: Path, spec: PatchSpec, expected: str
) -> None:
    (tmp_path / "m.py").write_text(MAIN)
    p = plan(tmp_path, gen(spec))
    assert p.actions[0].action == "patch" and "+" + spec.insert in p.actions[0].diff()
    apply(tmp_path, p)
    assert expected in (tmp_path / "m.py").read_text()
    assert actions(tmp_path, gen(spec)) == {"m.py": "identical"}


def test_patch_line_match_is_exact(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".env.example\n")
    spec = PatchSpec(".gitignore", ".env")
    apply(tmp_path, plan(tmp_path, gen(spec)))
    assert (tmp_path / ".gitignore").read_text() == ".env.example\n.env\n"


def test_patch_create_and_several_patches_to_one_file(tmp_path: Path) -> None:
    g = gen(PatchSpec(".gitignore", ".env", create=True), PatchSpec(".gitignore", "*.pyc"))
    p = plan(tmp_path, g)
    assert [(a.path, a.action) for a in p.actions] == [(".gitignore", "create")]
    apply(tmp_path, p)
    assert (tmp_path / ".gitignore").read_text() == ".env\n*.pyc\n"


def test_refused_patch_blocks_with_manual_instruction(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("nothing here\n")
    spec = PatchSpec(
        "m.py",
        "app.include_router(r)",
        anchor=r"^app = FastAPI\(",
        manual="add `app.include_router(r)` after `app = FastAPI(...)` in m.py",
    )
    g = gen(FileSpec("other.py", "x\n"), spec)
    p = plan(tmp_path, g)
    assert p.actions[1].action == "refused"
    with pytest.raises(FailureFound, match=r"do it by hand: add `app.include_router\(r\)`"):
        apply(tmp_path, p)
    assert not (tmp_path / "other.py").exists()
    report = apply(tmp_path, p, force=True)
    assert report.manual == [spec.manual] and (tmp_path / "other.py").exists()
    assert (tmp_path / "m.py").read_text() == "nothing here\n"


def test_patch_on_missing_file_without_create_is_refused(tmp_path: Path) -> None:
    assert actions(tmp_path, gen(PatchSpec("nope.py", "x"))) == {"nope.py": "refused"}


def test_a_path_is_either_generated_or_patched(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="both writes and patches"):
        plan(tmp_path, gen(FileSpec("f", "x"), PatchSpec("f", "y")))


def test_plan_json_and_diff(tmp_path: Path) -> None:
    data = plan(tmp_path, gen(FileSpec("f", "x\n"))).to_json(diffs=True)
    assert data["counts"] == {"create": 1}
    assert data["actions"][0]["diff"].startswith("--- /dev/null\n+++ b/f\n")


# ---- a generated file patched by another generator ---------------------------------------
def test_patches_by_other_generators_survive_regeneration(tmp_path: Path) -> None:
    main_v1 = "import x\n\ndef create():\n    app = 1\n    return app\n"
    owner = Generation("service", {"name": "a"}, [FileSpec("main.py", main_v1)])
    apply(tmp_path, plan(tmp_path, owner))
    patcher = Generation(
        "observability",
        {},
        [PatchSpec("main.py", "    install_tracing(app)", anchor=r"^    return app$", before=True)],
    )
    apply(tmp_path, plan(tmp_path, patcher))
    patched = (tmp_path / "main.py").read_text()
    assert "    install_tracing(app)\n    return app" in patched
    # re-running the owner with the same template: identical, not a conflict
    assert actions(tmp_path, owner) == {"main.py": "identical"}
    # a template change is an update that keeps the other generator's line
    owner_v2 = Generation(
        "service",
        {"name": "a"},
        [FileSpec("main.py", main_v1.replace("import x", "import x\nimport y"))],
    )
    p = plan(tmp_path, owner_v2)
    assert p.actions[0].action == "update"
    apply(tmp_path, p)
    text = (tmp_path / "main.py").read_text()
    assert "import y" in text and "install_tracing(app)" in text
    assert actions(tmp_path, patcher) == {"main.py": "identical"}
    # and the user's own edit is still a conflict
    (tmp_path / "main.py").write_text(text + "# mine\n")
    assert actions(tmp_path, owner_v2) == {"main.py": "conflict"}
    owner_v3 = Generation(
        "service",
        {"name": "a"},
        [FileSpec("main.py", main_v1.replace("import x", "import x\nimport y\nimport z"))],
    )
    apply(tmp_path, plan(tmp_path, owner_v3), merge=True)
    merged = (tmp_path / "main.py").read_text()
    assert "import z" in merged and "install_tracing(app)" in merged and "# mine" in merged
    assert "<<<<<<<" not in merged


@pytest.mark.parametrize("user_change", ["edit", "delete"])
def test_force_keeps_other_generators_patches(tmp_path: Path, user_change: str) -> None:
    """--force over an edited (or deleted) generated file wrote the bare template: another
    generator's patch (events' worker in a service's kustomization) was gone until a re-run."""
    owner = Generation("service", {"name": "a"}, [FileSpec("k.yaml", "resources:\n  - d.yaml\n")])
    apply(tmp_path, plan(tmp_path, owner))
    patcher = Generation(
        "events", {}, [PatchSpec("k.yaml", "  - worker.yaml", anchor=r"^resources:$")]
    )
    apply(tmp_path, plan(tmp_path, patcher))
    if user_change == "edit":
        (tmp_path / "k.yaml").write_text("resources:\n  - d.yaml\n# mine\n")
    else:
        (tmp_path / "k.yaml").unlink()
    apply(tmp_path, plan(tmp_path, owner), force=True)
    assert (tmp_path / "k.yaml").read_text() == "resources:\n  - worker.yaml\n  - d.yaml\n"
    assert actions(tmp_path, owner) == {"k.yaml": "identical"}
    assert actions(tmp_path, patcher) == {"k.yaml": "identical"}


def test_merge_that_cannot_merge_does_not_advise_merge(tmp_path: Path) -> None:
    """A file propctl never wrote has no base to merge with: the hint said "... with --merge",
    which then failed with the same hint."""
    (tmp_path / "f").write_text("mine\n")
    with pytest.raises(FailureFound) as caught:
        apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "new\n")), merge=True), merge=True)
    assert "with --merge" not in caught.value.hint and "--force" in caught.value.hint
    with pytest.raises(FailureFound) as caught:
        apply(tmp_path, plan(tmp_path, gen(FileSpec("f", "new\n"))))
    assert "with --merge" not in caught.value.hint
    assert (tmp_path / "f").read_text() == "mine\n"
    # a generated file the user edited: --merge is the advice
    g = gen(FileSpec("g", "a\n"))
    apply(tmp_path, plan(tmp_path, g))
    (tmp_path / "g").write_text("a\nmine\n")
    with pytest.raises(FailureFound) as caught:
        apply(tmp_path, plan(tmp_path, gen(FileSpec("g", "b\n"))))
    assert "with --merge" in caught.value.hint


def test_merge_adopts_an_edit_when_the_template_did_not_change(tmp_path: Path) -> None:
    g = gen(FileSpec("f", "a\nb\n"))
    apply(tmp_path, plan(tmp_path, g))
    (tmp_path / "f").write_text("a\nb\nmine\n")
    before = (tmp_path / "f").stat().st_mtime_ns
    assert actions(tmp_path, g) == {"f": "conflict"}
    p = plan(tmp_path, g, merge=True)
    assert p.actions[0].action == "skip" and p.actions[0].adopt
    apply(tmp_path, p, merge=True)
    assert (tmp_path / "f").read_text() == "a\nb\nmine\n"
    assert (tmp_path / "f").stat().st_mtime_ns == before
    assert actions(tmp_path, g) == {"f": "skip"}  # kept from now on, no conflict


def test_a_file_changed_after_the_plan_stops_the_apply(tmp_path: Path) -> None:
    g = gen(FileSpec("a", "1\n"), FileSpec("b", "1\n"))
    p = plan(tmp_path, g)
    (tmp_path / "b").write_text("written meanwhile\n")
    with pytest.raises(FailureFound, match="changed since the plan"):
        apply(tmp_path, p)
    assert not (tmp_path / "a").exists()
    assert (tmp_path / "b").read_text() == "written meanwhile\n"


def test_a_replacing_patch_on_a_generated_file_survives_regeneration(tmp_path: Path) -> None:
    owner = Generation("service", {}, [FileSpec("main.py", "app = FastAPI()\nrun()\n")])
    apply(tmp_path, plan(tmp_path, owner))
    patcher = Generation(
        "concerns",
        {},
        [
            PatchSpec(
                "main.py",
                "app = FastAPI(lifespan=lifespan)",
                anchor=r"^app = FastAPI\(\)",
                replace=True,
            )
        ],
    )
    apply(tmp_path, plan(tmp_path, patcher))
    assert (tmp_path / "main.py").read_text() == "app = FastAPI(lifespan=lifespan)\nrun()\n"
    assert actions(tmp_path, owner) == {"main.py": "identical"}
    owner_v2 = Generation("service", {}, [FileSpec("main.py", "app = FastAPI()\nrun(1)\n")])
    apply(tmp_path, plan(tmp_path, owner_v2))
    assert (tmp_path / "main.py").read_text() == "app = FastAPI(lifespan=lifespan)\nrun(1)\n"


def test_plan_leaves_its_generation_as_it_was(tmp_path: Path) -> None:
    """`plan` returns new objects: the Generation (its specs, its notes) is not changed, so the
    same Generation planned twice gives equal plans, and the plan holds the normalised copy."""
    (tmp_path / "main.py").write_text("app = App()\n")
    (tmp_path / "edited.txt").write_text("mine\n")
    generation = gen(
        FileSpec("./a/b.txt", "hello\n"),
        FileSpec("edited.txt", "theirs\n"),
        FileSpec("web/a.ts", "x = 'y'\n"),
        PatchSpec("main.py", "import a", anchor=r"^app ="),
        PatchSpec("main.py", "import b", anchor=r"^app ="),
        PatchSpec("missing.py", "x", anchor="^y"),
    )
    generation.notes.append("a note of the generator's")
    before = copy.deepcopy(generation)
    first, second = plan(tmp_path, generation), plan(tmp_path, generation)
    assert generation == before
    assert first == second
    assert first.generation is not generation
    assert [s.path for s in first.generation.files][0] == "a/b.txt"
    assert first.generation.notes[0] == "a note of the generator's"
    assert len(first.generation.notes) == 2  # and the formatter's: web/a.ts is not formatted
    assert {a.path: a.action for a in first.actions} == {
        "a/b.txt": "create",
        "edited.txt": "conflict",
        "web/a.ts": "create",
        "main.py": "patch",
        "missing.py": "refused",
    }


def test_apply_leaves_the_plan_as_it_was(tmp_path: Path) -> None:
    apply(tmp_path, plan(tmp_path, gen(FileSpec("a.txt", "one\n"))))
    (tmp_path / "a.txt").write_text("edited\n")
    the_plan = plan(tmp_path, gen(FileSpec("a.txt", "two\n")))
    before = copy.deepcopy(the_plan)
    apply(tmp_path, the_plan, force=True)
    assert the_plan == before
    assert (tmp_path / "a.txt").read_text() == "two\n"
    assert (tmp_path / "a.txt.orig").read_text() == "edited\n"
