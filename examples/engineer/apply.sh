#!/usr/bin/env bash
# examples/engineer/apply.sh NAME REPO: apply examples/engineer/NAME.patch to REPO (a git repo)
# with `git apply --3way` and commit it as "engineer: NAME".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: apply.sh NAME REPO}; repo=${2:?usage: apply.sh NAME REPO}
patch="$here/${name%.patch}.patch"
[ -f "$patch" ] || { echo "apply.sh: no patch $patch" >&2; exit 2; }
git -C "$repo" apply --3way --whitespace=nowarn "$patch"
git -C "$repo" add -A
git -C "$repo" commit -qm "engineer: ${name%.patch}"
