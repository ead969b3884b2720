#!/usr/bin/env bash
# Render the HTML data inventory of the shipped examples and of the demo app (and the HTML decision table of a
# seed policy) in headless Chromium and save screenshots, for looking at them: the automated
# tests check the HTML's structure, this script is how a person checks how it reads.
#
#   scripts/screenshot-report.sh [OUT_DIR]      (default: docs/screenshots)
#
# Needs Debian's `chromium` (apt-get install -y chromium). Builds consentlint in debug mode.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
mkdir -p "$out"
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install -y chromium)" >&2; exit 2; }
cargo build --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./target/debug/consentlint report examples/ --format html > "$work/report.html"
./target/debug/consentlint report demo/notes-app --format html > "$work/report-demo.html"
./target/debug/consentlint policy compile policies/skype-teams.yaml --format html > "$work/compile.html"
shoot() { # HTML PNG HEIGHT
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --hide-scrollbars --window-size="1280,$3" \
    --screenshot="$2" "file://$1" 2>/dev/null
}
shoot "$work/report.html" "$out/report.png" 2000
shoot "$work/report-demo.html" "$out/report-demo.png" 1100
shoot "$work/compile.html" "$out/compile-skype-teams.png" 1600
echo "wrote $out/report.png, $out/report-demo.png and $out/compile-skype-teams.png"
