"""Generated JS/TS formatted with the target repo's own Prettier
(`generators/engine/formatting.py`): nothing changes where the repo has no node, prettier or
config; a fake prettier package shows what the engine does with its answers (formatted specs,
hashes, re-runs, parse errors)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from propctl.generators.engine.adopt import Adoption, add_imports
from propctl.generators.engine.apply import apply
from propctl.generators.engine.formatting import Formatter, TemplateSyntaxBug
from propctl.generators.engine.plan import plan
from propctl.generators.engine.render import sha256
from propctl.generators.engine.specs import FileSpec, Generation
from propctl.state import RepoState

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

# Stands in for prettier 3: "formats" by turning single quotes into double quotes and adding a
# marker line; a text holding SYNTAX fails to parse as prettier's parsers do (err.loc).
FAKE_PRETTIER = """
exports.version = "0.0.0-fake";
exports.getFileInfo = async (file) => ({ ignored: file.endsWith("ignored.ts") });
exports.resolveConfig = async () => ({ semi: true });
exports.format = async (text, options) => {
  if (text.includes("SYNTAX")) {
    const err = new SyntaxError("Unexpected token (1:1)");
    err.loc = { start: { line: 1, column: 1 } };
    throw err;
  }
  const body = text.replace(/'/g, '"');
  const name = options.filepath.split("/").pop();
  return body.startsWith("// formatted") ? body : `// formatted ${name}\\n` + body;
};
"""


def _fake_prettier(repo: Path, *, config: bool = True) -> None:
    package = repo / "node_modules/prettier"
    package.mkdir(parents=True)
    (package / "package.json").write_text(
        json.dumps({"name": "prettier", "version": "0.0.0-fake", "main": "index.cjs"})
    )
    (package / "index.cjs").write_text(FAKE_PRETTIER)
    if config:
        (repo / ".prettierrc").write_text('{"semi": true}\n')


def _generation(*files: FileSpec) -> Generation:
    return Generation("demo", {}, list(files))


def test_no_node_leaves_the_text_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_prettier(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    formatter = Formatter(tmp_path)
    assert formatter.format_many([("a.ts", "x = 'y'\n"), ("b.py", "x\n")]) == {}
    assert formatter.notes == ["not formatted: a.ts: node is not on PATH"]
    assert formatter._process is None


def test_no_prettier_spawns_nothing_and_the_plan_notes_it(tmp_path: Path) -> None:
    generation = _generation(FileSpec("web/a.ts", "x = 'y'\n"), FileSpec("README.md", "x\n"))
    the_plan = plan(tmp_path, generation)
    assert [a.new for a in the_plan.actions] == ["x = 'y'\n", "x\n"]
    notes = the_plan.generation.notes
    assert len(notes) == 1 and notes[0].startswith(
        "not formatted: web/a.ts: no node_modules/prettier in "
    )


def test_nothing_to_format_no_note(tmp_path: Path) -> None:
    generation = _generation(FileSpec("README.md", "x\n"))
    assert plan(tmp_path, generation).generation.notes == []


@needs_node
def test_no_config_no_format(tmp_path: Path) -> None:
    _fake_prettier(tmp_path, config=False)
    generation = _generation(FileSpec("a.ts", "x = 'y'\n"))
    the_plan = plan(tmp_path, generation)
    assert the_plan.actions[0].new == "x = 'y'\n"
    assert the_plan.generation.notes == ["not formatted: a.ts: no prettier config in the repo"]


@needs_node
def test_specs_are_formatted_before_planning_and_reruns_are_identical(tmp_path: Path) -> None:
    _fake_prettier(tmp_path)

    def generation() -> Generation:
        return _generation(
            FileSpec("web/a.ts", "x = 'y'\n"),
            FileSpec("web/b.tsx", "<a href='b' />\n"),
            FileSpec("web/ignored.ts", "'kept'\n"),
            FileSpec("notes.md", "'kept'\n"),
        )

    first = generation()
    the_plan = plan(tmp_path, first)
    new = {a.path: a.new for a in the_plan.actions}
    assert new == {
        "web/a.ts": '// formatted a.ts\nx = "y"\n',
        "web/b.tsx": '// formatted b.tsx\n<a href="b" />\n',
        "web/ignored.ts": "'kept'\n",  # prettier's getFileInfo says ignored: left alone
        "notes.md": "'kept'\n",
    }
    assert the_plan.generation.notes == []
    assert '+x = "y"' in the_plan.actions[0].diff()  # the dry run shows the formatted text
    apply(tmp_path, the_plan)
    entry = RepoState(tmp_path).generated()["web/a.ts"]
    assert entry["sha256"] == sha256('// formatted a.ts\nx = "y"\n') and "generated" not in entry
    assert plan(tmp_path, generation()).counts() == {"identical": 4}


@needs_node
def test_an_adopted_file_is_formatted_after_its_regions_are_patched(tmp_path: Path) -> None:
    _fake_prettier(tmp_path)
    (tmp_path / "page.tsx").write_text("export const a = 'b'\n")
    adoption = Adoption([add_imports(["import { x } from './x'"])])

    def generation() -> Generation:
        return _generation(FileSpec("page.tsx", "template\n", adopt=adoption))

    first = plan(tmp_path, generation())
    assert first.actions[0].action == "adopt"
    assert first.actions[0].new == (
        '// formatted page.tsx\nimport { x } from "./x"\n\nexport const a = "b"\n'
    )
    apply(tmp_path, first)
    assert plan(tmp_path, generation()).counts() == {"identical": 1}


@needs_node
def test_a_template_prettier_cannot_parse_is_a_propctl_bug(tmp_path: Path) -> None:
    _fake_prettier(tmp_path)
    with pytest.raises(TemplateSyntaxBug, match=r"propctl's render of a\.ts .*Unexpected token"):
        plan(tmp_path, _generation(FileSpec("a.ts", "SYNTAX\n")))


@needs_node
def test_a_users_file_prettier_cannot_parse_is_kept_with_a_note(tmp_path: Path) -> None:
    _fake_prettier(tmp_path)
    (tmp_path / "page.tsx").write_text("SYNTAX\n")
    generation = _generation(
        FileSpec("page.tsx", "template\n", adopt=Adoption([add_imports(["import { x } from 'x'"])]))
    )
    the_plan = plan(tmp_path, generation)
    action = the_plan.actions[0]
    assert action.action == "adopt" and action.new == "import { x } from 'x'\n\nSYNTAX\n"
    assert the_plan.generation.notes == [
        "not formatted: page.tsx: prettier: Unexpected token (1:1)"
    ]


@needs_node
def test_a_broken_prettier_is_a_note_not_a_crash(tmp_path: Path) -> None:
    _fake_prettier(tmp_path)
    (tmp_path / "node_modules/prettier/index.cjs").write_text("throw new Error('broken install')")
    generation = _generation(FileSpec("a.ts", "x\n"))
    the_plan = plan(tmp_path, generation)
    assert the_plan.actions[0].new == "x\n"
    assert the_plan.generation.notes == ["not formatted: prettier could not load: broken install"]


@needs_node
def test_a_config_the_plan_writes_is_used(tmp_path: Path) -> None:
    _fake_prettier(tmp_path, config=False)
    generation = _generation(
        FileSpec(".prettierrc", '{"semi": true}\n'), FileSpec("web/a.ts", "x = 'y'\n")
    )
    the_plan = plan(tmp_path, generation)
    assert the_plan.actions[1].new == '// formatted a.ts\nx = "y"\n'
    assert the_plan.generation.notes == []
