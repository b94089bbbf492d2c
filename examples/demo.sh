#!/usr/bin/env bash
# `make demo`: the whole roadmap, end to end, on a copy of the bundled example repo.
#
# The example (examples/propmubi) is the Propmubi platform at the roadmap's starting point. The
# demo copies it to demo/propmubi (git-ignored), makes it a git repo, and walks all 15 tasks in
# the roadmap's order, tier by tier. Where a generator exists it runs it; where the roadmap
# leaves the work to engineers it applies their reviewed change (examples/engineer/NN-*.patch,
# NN = the task, through examples/engineer/apply.sh). After every step it commits, runs the
# example's own tests (and stops if they fail), and records a verify run labelled with what
# acted: `generator` or `engineer`. It ends with the score, what the tool did, what engineers
# did, what remains (live and manual, with their commands) and the progress report.
#
# Environment: PROPCTL_TODAY=YYYY-MM-DD fixes "today" for every propctl command (make demo
# passes the real date; the demo test a fixed one). PROPCTL_DEMO_OUT moves the output folder
# (default: demo/). PROPCTL_DEMO_NO_ENGINEER=1 skips a missing engineer patch instead of failing
# (only for working on the demo itself; make demo and the demo test never set it).
# PROPCTL_DEMO_UNTIL=N stops before Task N's engineer step, leaving demo/propmubi as an engineer
# finds it there (for writing or rebasing examples/engineer/NN-*.patch: edit, then `git diff`).
# PROPCTL_DEMO_PYTHON picks the interpreter that has propctl (default:
# .venv/bin/python). Redis and the node tools come from .ci/system-deps.sh, as for make test;
# a check whose tool is missing reports `error`, never `pass`, and the demo ends with 0 errors.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
py=${PROPCTL_DEMO_PYTHON:-$here/.venv/bin/python}
out=${PROPCTL_DEMO_OUT:-$here/demo}
repo="$out/propmubi"
engineer_dir="$here/examples/engineer"
# the tasks the roadmap leaves to engineers: each must have a reviewed patch (NN-slug.patch)
ENGINEER_TASKS=(1 3 7 10)
export NO_COLOR=1 GIT_AUTHOR_NAME=propctl-demo GIT_AUTHOR_EMAIL=demo@propctl.invalid
export GIT_COMMITTER_NAME=propctl-demo GIT_COMMITTER_EMAIL=demo@propctl.invalid
if [[ -n ${PROPCTL_TODAY:-} ]]; then
  export PROPCTL_TODAY
  export GIT_AUTHOR_DATE="${PROPCTL_TODAY}T12:00:00Z" GIT_COMMITTER_DATE="${PROPCTL_TODAY}T12:00:00Z"
fi

propctl() { "$py" -m propctl "$@"; }
say() { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 2; }

# The one place that knows how a verify run is labelled: who acted (`--changed-by generator` or
# `engineer`, which the report's attribution reads) and what they did (`--label`).
# The starting point is nobody's change: it gets a label only.
label_args() {
  [[ $1 == start ]] || printf '%s\n' --changed-by "$1"
  printf '%s\n' --label "${2:0:120}"
}

run_no=0
verify() {  # ACTOR WHAT: a verify run recorded in the repo's history; prints the score line
  local actor=$1 what=$2 json
  run_no=$((run_no + 1))
  json=$(printf '%s/runs/%02d.json' "$out" "$run_no")
  local -a labels
  mapfile -t labels < <(label_args "$actor" "$what")
  # a verify that fails to write must not show the last step's score
  propctl -q verify --repo "$repo" --format json -o "$json" "${labels[@]}" >/dev/null || true
  [[ -s $json ]] || die "verify wrote no results after: $what"
  printf '%02d\t%s\t%s\n' "$run_no" "$actor" "$what" >>"$out/runs.tsv"
  "$py" "$here/examples/demo_summary.py" line "$json" "$actor" "$what"
}

ci_reports=0  # from Task 10 on, the suite runs as CI runs it: coverage.xml and junit.xml
example_tests() {  # WHAT: the example's own suite after a step; the demo stops on a failure
  local what=$1 log="$out/tests.log" summary
  local -a run=(-m pytest)
  ((ci_reports)) && run=(-m coverage run --source=apps/api -m pytest --junitxml=junit.xml)
  if (cd "$repo" && "$py" "${run[@]}" apps/api/tests -q -p no:cacheprovider >"$log.last" 2>&1 &&
    { ((!ci_reports)) || "$py" -m coverage xml -q -o coverage.xml; }); then
    summary=$(tail -n 1 "$log.last")
    say "tests: $what: apps/api/tests passed ($summary)"
    cat "$log.last" >>"$log"
  else
    cat "$log.last"
    say "tests: $what: apps/api/tests FAILED"
    exit 1
  fi
}

service_tests() {  # each generated service's own suite (a package named app each: one by one)
  local dir name
  for dir in "$repo"/apps/*-service; do
    [[ -d $dir/tests ]] || continue
    name=${dir##*/}
    if ! (cd "$dir" && "$py" -m pytest tests -q -p no:cacheprovider >"$out/tests.last" 2>&1); then
      cat "$out/tests.last"
      say "tests: $name FAILED"
      exit 1
    fi
  done
  say "tests: the generated services' suites passed"
}

commit() { git -C "$repo" add -A && git -C "$repo" commit -qm "$1" --allow-empty; }

after() {  # ACTOR WHAT: commit the step, run the example's tests, verify
  commit "$2"
  example_tests "$2"
  verify "$1" "$2"
}

generator() {  # WHAT COMMAND...: a propctl generator step (the tool acted)
  local what=$1
  shift
  say "\$ propctl $*"
  propctl -q "$@" --repo "$repo"
}

applied_patches=()
engineer() {  # TASK: apply every reviewed engineer patch of the task; required for some tasks
  local task=$1 nn patch slug found=0
  nn=$(printf '%02d' "$task")
  if [[ ${PROPCTL_DEMO_UNTIL:-} == "$task" ]]; then
    say "demo: stopped before Task $task's engineer step (PROPCTL_DEMO_UNTIL=$task): $repo"
    exit 0
  fi
  for patch in "$engineer_dir/$nn"-*.patch; do
    [[ -e $patch ]] || continue
    [[ -x $engineer_dir/apply.sh ]] || die "$engineer_dir/apply.sh is missing (it applies $patch)"
    slug=$(basename "$patch" .patch)
    say "\$ examples/engineer/apply.sh $slug"
    if ! "$engineer_dir/apply.sh" "$slug" "$repo"; then
      [[ -n ${PROPCTL_DEMO_STRICT:-} ]] && die "examples/engineer/apply.sh $slug failed"
      # outside the demo test, a patch that no longer fits this step is reported and undone
      say "engineer: $slug DOES NOT APPLY at Task $task: undone, its criteria stay failing"
      git -C "$repo" reset -q --hard HEAD && git -C "$repo" clean -qfd
      continue
    fi
    applied_patches+=("$slug")
    found=1
    after engineer "Task $task: $slug (engineer)"
  done
  if ((!found)) && [[ " ${ENGINEER_TASKS[*]} " == *" $task "* ]]; then
    # the demo test sets PROPCTL_DEMO_STRICT=1: a missing patch is a failure there
    [[ -n ${PROPCTL_DEMO_STRICT:-} ]] &&
      die "Task $task is left to engineers, but $engineer_dir/$nn-*.patch is missing"
    say "engineer: Task $task: NO PATCH YET ($engineer_dir/$nn-*.patch): its criteria stay failing"
  fi
}

entities() {  # the repositories Task 1 scaffolds (the engineer patches build on their fields)
  if [[ -f $engineer_dir/repositories.txt ]]; then
    grep -v '^\s*\(#\|$\)' "$engineer_dir/repositories.txt"
  else
    printf '%s\n' "Agent:name:str, phone:str, city:str" \
      "Lead:name:str, phone:str, project_id:int, status:str" \
      "Project:name:str, city:str, builder_id:int" "Builder:name:str, city:str"
  fi
}

# ---- the copy ---------------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out/runs"
: >"$out/runs.tsv"
: >"$out/tests.log"
cp -r "$here/examples/propmubi" "$repo"
git -C "$repo" init -q -b main
commit "Propmubi at the roadmap's starting point"

step "The roadmap: validate it (warnings: where the source document disagrees with itself)"
propctl checklist validate
propctl checklist validate --format json -o "$out/validate.json"

step "Where the example stands: propctl verify (the score model says 5.1)"
example_tests "the starting point"
verify start "the starting point"
propctl verify --repo "$repo" --update-baseline --no-history --format json >/dev/null || true

# ---- tier 1 -----------------------------------------------------------------------------------
step "Tier 1 · Task 1: database layer, repositories, an Alembic migration on SQLite"
generator "database" scaffold database --service api
while IFS= read -r entity; do
  generator "repository" scaffold repository "${entity%%:*}" --fields "${entity#*:}" --service api
done < <(entities)
generator "migrations" migrations init --service api
propctl migrations new "Initial schema" --service api --repo "$repo"
propctl migrations upgrade --service api --repo "$repo"
after generator "Task 1: scaffold database, repository, migrations"
engineer 1

step "Tier 1 · Task 2: security hardening"
generator "security" scaffold add security --service api
after generator "Task 2: scaffold add security"
engineer 2

step "Tier 1 · Task 3: centralized error handling"
generator "errors" scaffold add errors --service api
after generator "Task 3: scaffold add errors"
engineer 3

step "Tier 1 · Task 4: linting and formatting"
generator "lint" scaffold lint
"$py" -m ruff format --quiet "$repo" || true
"$py" -m ruff check --fix --quiet "$repo" >/dev/null || true # Task 4.5
"$py" -m black --quiet "$repo" || true
# Tasks 4.6, 4.9, 4.10: the JS tools the generated config names, at the copy's root (npm comes
# from .ci/system-deps.sh, like make test's), then Prettier and ESLint's fixes on the web app
js_packages=$("$py" -c 'from propctl.generators.lint import JS_PACKAGES; print(" ".join(JS_PACKAGES))')
# shellcheck disable=SC2086  # one word per package
(cd "$repo" && npm install --save-dev --no-audit --no-fund --loglevel=error $js_packages >/dev/null)
(cd "$repo" && node_modules/.bin/prettier --log-level warn --write \
  "apps/web/**/*.{js,jsx,mjs,cjs,ts,tsx}") || true
(cd "$repo" && node_modules/.bin/eslint --fix apps/web >/dev/null 2>&1) || true
after generator "Task 4: scaffold lint, the formatters and fixers it configures"
engineer 4

step "Tier 1 · Task 5: request/response logging"
generator "logging" scaffold add logging --service api
after generator "Task 5: scaffold add logging"
engineer 5

# ---- tier 2 -----------------------------------------------------------------------------------
step "Tier 2 · Task 6: Redis caching layer"
generator "cache" scaffold add cache --service api
after generator "Task 6: scaffold add cache"
engineer 6

step "Tier 2 · Task 7: API versioning"
generator "versioning" scaffold add versioning --service api
after generator "Task 7: scaffold add versioning"
engineer 7

step "Tier 2 · Task 8: frontend state management"
generator "frontend" scaffold frontend
after generator "Task 8: scaffold frontend"
engineer 8

step "Tier 2 · Task 9: API health checks"
generator "health" scaffold add health --service api
after generator "Task 9: scaffold add health"
engineer 9

step "Tier 2 · Task 10: unit test coverage (CI runs the tests on every pull request)"
"$py" -c 'import coverage' 2>/dev/null ||
  die "coverage is not installed (propctl's dev extras have it: make venv)"
generator "workflow" scaffold workflow --all
ci_reports=1 # the workflow's test job from now on: its coverage.xml and junit.xml, in the copy
after generator "Task 10: scaffold workflow --all (CI runs the suite with coverage)"
engineer 10

# ---- tier 3 -----------------------------------------------------------------------------------
step "Tier 3 · Task 11: the nine services and the API gateway"
generator "services" scaffold services --all
generator "gateway" scaffold gateway
service_tests
after generator "Task 11: scaffold services --all, gateway"
engineer 11

step "Tier 3 · Task 12: event-driven architecture"
generator "events" scaffold events
after generator "Task 12: scaffold events"
engineer 12

step "Tier 3 · Task 13: the Pulumi program (planned offline under mocks) and the ingress"
generator "infra" scaffold infra
propctl infra plan --stack production --repo "$repo" | tail -n 8 || true
generator "ingress" scaffold ingress --email platform@propmubi.com
after generator "Task 13: scaffold infra, infra plan, scaffold ingress"
engineer 13

step "Tier 3 · Task 14: complete observability"
generator "observability" scaffold observability
after generator "Task 14: scaffold observability"
engineer 14

step "Tier 3 · Task 15: CI/CD pipeline (and the verify gate on pull requests)"
generator "workflow" scaffold workflow --verify
after generator "Task 15: scaffold workflow --verify"
engineer 15

# every reviewed patch in examples/engineer/ was applied: none is skipped quietly
for patch in "$engineer_dir"/[0-9][0-9]-*.patch; do
  [[ -e $patch ]] || continue
  slug=$(basename "$patch" .patch)
  [[ " ${applied_patches[*]} " == *" $slug "* ]] && continue
  [[ -n ${PROPCTL_DEMO_STRICT:-} ]] && die "$patch was never applied (NN is its task)"
  say "engineer: $slug was NOT applied (see above): the demo does not reach its end state"
done

# ---- where it ends ----------------------------------------------------------------------------
step "Where it stands now"
propctl status --repo "$repo"
step "What remains: live criteria (deploy, then verify --live) and manual ones (attest)"
propctl status --remaining --repo "$repo"
propctl status --remaining --repo "$repo" --format json -o "$out/remaining.json"
propctl report --repo "$repo" --format html -o "$out/report.html"
propctl report --repo "$repo" --format markdown -o "$out/report.md"
step "Summary"
"$py" "$here/examples/demo_summary.py" summary "$out"
echo
echo "The progress report: $out/report.html (Markdown: $out/report.md)"
