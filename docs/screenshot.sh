#!/usr/bin/env bash
# docs/report.png from the real demo output: Debian's chromium (installed by .ci/system-deps.sh,
# `make system-deps`) renders the HTML report headless and saves the screenshot.
#
#   make demo && bash docs/screenshot.sh                  # demo/report.html -> docs/report.png
#   bash docs/screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]
#
# Nothing is fabricated: it only photographs the report file it is given, and refuses when that
# file is missing (run `make demo` first). Exit 2 on bad input, 1 when chromium wrote nothing.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
page="${1:-$here/demo/report.html}"
out="${2:-$here/docs/report.png}"
size="${3:-1280x2400}"

if [[ ! -f "$page" ]]; then
  echo "error: $page: no such report; run \`make demo\` first (it writes demo/report.html)" >&2
  exit 2
fi
if [[ ! "$size" =~ ^[0-9]{3,5}x[0-9]{3,5}$ ]]; then
  echo "error: size $size: expected WIDTHxHEIGHT, e.g. 1280x2400" >&2
  exit 2
fi
chromium="$(command -v chromium || true)"
[[ -z "$chromium" && -x /usr/bin/chromium ]] && chromium=/usr/bin/chromium
if [[ -z "$chromium" ]]; then
  echo "error: chromium is not installed; run \`make system-deps\` (.ci/system-deps.sh)" >&2
  exit 2
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$out")"
shot="$profile/shot.png"
"$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --no-first-run --hide-scrollbars \
  --user-data-dir="$profile/user" --screenshot="$shot" --window-size="${size/x/,}" \
  "file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" >"$profile/log" 2>&1 || true
if [[ ! -s "$shot" ]]; then
  echo "failed: chromium wrote no screenshot of $page:" >&2
  tail -5 "$profile/log" >&2
  exit 1
fi
mv "$shot" "$out"
echo "wrote $out ($size) from $page"
