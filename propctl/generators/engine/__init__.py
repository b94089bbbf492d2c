"""The generator engine: render in memory -> plan -> (diff) -> apply, all or nothing.

A generator is a function that returns a `Generation`: its name, the parameters it was called
with, and the files it wants: whole files it owns (`FileSpec`) and small anchored edits in files
the user owns (`PatchSpec`). The engine never lets a generator lose a user's edit::

    from propctl.generators.engine.apply import apply
    from propctl.generators.engine.plan import plan
    from propctl.generators.engine.render import render_dir
    from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec

    files = render_dir("lint", {"python": "3.11"})             # templates/lint/** -> FileSpecs
    files += render_dir("parts/health", {"name": "auth"}, dest="apps/auth-service")
    files.append(PatchSpec(".gitignore", ".env", create=True))  # one line, idempotent
    files.append(PatchSpec("apps/api/main.py", "app.include_router(health.router)",
                           anchor=r"^app = FastAPI\\(", manual="add `app.include_router("
                           "health.router)` after `app = FastAPI(...)` in apps/api/main.py"))
    generation = Generation("lint", {"python": "3.11"}, files)
    the_plan = plan(repo, generation)          # reads the repo; writes nothing
    for action in the_plan.actions:            # action.action: an Action, action.diff()
        print(action.action, action.path)
    report = apply(repo, the_plan)             # raises Conflict (FailureFound, exit 1)

In a CLI command use `propctl.cli.scaffold.run.run_generation(app, generation, ...)`, which does
the dry-run table and diffs, `--format json`, `--force` and `--merge` for you.

Templates: `templates/<name>/**` inside propctl (found from an installed wheel too). A file whose
name ends in `.jinja` is rendered (suffix stripped), any other file is copied as is. Path
segments may contain `[[ var ]]`; a segment that renders empty drops the file (conditional
files). Jinja runs sandboxed with `StrictUndefined` and the delimiters `[[ ]]` (variables),
`[% %]` (blocks), `[# #]` (comments), so `${{ }}` and `{{ }}` need no escaping; a template
folder whose text collides with those (shell `[[ -f x ]]`) picks its own in `_delimiters.json`.
`[% include "parts/x/y.jinja" %]` works with paths relative to `templates/`.

Plan actions, per file:
  create     the file does not exist
  identical  the file already holds exactly the new render (nothing is written; mtime kept)
  update     the file is what propctl last wrote (hash in `.propctl/generated.json`)
  adopt      the user's file, never generated, with the generator's anchored regions patched
             (imports, a data-fetching block: `FileSpec.adopt`, see `adopt.py`); the rest is
             kept; recorded in the manifest, so later runs treat it as generated
  conflict   the user changed it since (or it was never generated and cannot be adopted: the
             message then holds the diff to make by hand): blocks the whole apply;
             `--force` overwrites and keeps the user's version as FILE.orig; `--merge` does a
             three-way merge (user's file, last generated, new render) with conflict markers
  merge      (with --merge) the three-way merge result to write
  skip       append-only file that exists (Alembic revisions), or merged edits kept
  deleted    propctl generated it and the user deleted it: reported, recreated only with --force
  obsolete   generated earlier by the same generator and parameters, no longer rendered
  patch      an anchored edit to apply to a user's file
  refused    a patch whose anchor (or file) is missing: blocks the apply, shows `manual`
The last generated content of every file is kept gzip-compressed in `.propctl/snapshots/` (one
pack per generator + parameters, see `snapshots.py`) for `--merge`.

Modules: `actions` (the `Action` enum), `specs` (what a generator asks for, the plan, the report,
`Conflict`), `render` (Jinja), `plan`, `patch` (anchored edits), `adopt` (taking over a user's
file), `formatting` (the repo's Prettier), `merge` (three-way), `apply`, `transaction` (all or
nothing writes), `lock`, `manifest` (`.propctl/generated.json`), `snapshots` (what was last
generated), `names` (validated names, ports and paths).
"""
