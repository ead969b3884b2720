#!/usr/bin/env bash
# Peak memory of `check` on a YAML file far over the node budget (issue 21, point 6).
#
#   bench/huge-yaml.sh [MB]      (default 200)
#
# Generates, under ${TMPDIR:-/tmp}/consentlint-bench (never committed), a manifest of MB
# megabytes whose `events:` list holds ~18 nodes per 64-byte line, so the default budget
# of 5,000,000 nodes trips about a quarter of the way in. Checks it with `--max-file-size`
# raised (so the file is read, not refused by size) and prints the peak resident memory
# next to the file size. Exits 1 when the peak is over 1.5x the file size: the budget must
# be checked on the parser's event stream, before any tree is built.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
dir=${TMPDIR:-/tmp}/consentlint-bench/huge-yaml
mkdir -p "$dir"
file=$dir/telemetry.yaml
python3 - "$file" "$mb" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
line = "  - { name: event_number_0000001, consent: required, fields: [] }\n"
with open(path, "w") as f:
    f.write("kind: TelemetryManifest\napp: { id: huge }\nevents:\n")
    f.write(line * (mb * 1024 * 1024 // len(line)))
PY
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet --bin consentlint
    BIN=$PWD/target/release/consentlint
fi
size=$(stat -c %s "$file")
set +e
/usr/bin/time -f '%M %e' -o "$dir/time" "$BIN" check "$file" --max-file-size $((size + 1)) \
    --format concise >"$dir/out" 2>&1
code=$?
set -e
read -r peak_kb seconds < <(tail -1 "$dir/time")
echo "file: $((size / 1048576)) MiB; exit $code; $(grep -m1 resource-limit "$dir/out" || head -1 "$dir/out")"
echo "peak resident: $((peak_kb / 1024)) MiB ($(python3 -c "print(f'{$peak_kb*1024/$size:.2f}')")x the file); wall: ${seconds}s"
if [ "$code" -ne 2 ] || ! grep -q resource-limit "$dir/out"; then
    echo "expected exit 2 with a resource-limit finding" >&2
    exit 1
fi
if [ $((peak_kb * 1024)) -gt $((size * 3 / 2)) ]; then
    echo "peak memory over 1.5x the file size" >&2
    exit 1
fi
