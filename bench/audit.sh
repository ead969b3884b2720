#!/usr/bin/env bash
# Throughput and memory of `consentlint audit` on clean captured payloads.
#
#   bench/audit.sh [SMALL_MB] [LARGE_MB]     (default 100 and 1000)
#   CONSENTLINT_BIN=path/to/consentlint bench/audit.sh …   (measure that binary instead,
#                                                          e.g. an older build, to compare)
#
# Generates two clean NDJSON streams for the manifests in examples/quickstart (five events,
# one with a JSON Schema, pseudonymized ids checked for raw identifiers) under
# ${TMPDIR:-/tmp}/consentlint-bench (never committed), audits each with the release
# binary under /usr/bin/time -v, and prints one row per size:
#   MB, wall seconds, CPU seconds (user+sys), MB/s per CPU-second (= per core: the audit is
#   single-threaded), MB/s wall, peak RSS.
# MB/s per CPU-second is the figure to compare: it does not move when other processes share
# the cores; wall time does. The load average is printed before and after, to be recorded.
# Each stream is read once before it is timed, so that the figure does not depend on whether
# the file was still in the page cache (reading it from disk adds system time).
set -euo pipefail
cd "$(dirname "$0")/.."

small_mb=${1:-100}
large_mb=${2:-1000}
dir=${TMPDIR:-/tmp}/consentlint-bench
mkdir -p "$dir"

if [ -n "${CONSENTLINT_BIN:-}" ]; then
  bin=$CONSENTLINT_BIN
else
  cargo build --release --quiet
  bin=target/release/consentlint
fi

# One block of 1000 varied, clean lines; the streams repeat it (parsing cost does not
# depend on the values repeating).
block="$dir/block.ndjson"
awk 'BEGIN {
  srand(9);
  for (i = 0; i < 1000; i++) {
    h = ""; for (k = 0; k < 32; k++) h = h sprintf("%x", int(rand() * 16));
    e = i % 5;
    if (e == 0) printf "{\"event\":\"note_saved\",\"time\":\"2026-11-23T10:%02d:%02dZ\",\"payload\":{\"session_id\":\"%s\",\"editor_feature\":\"bold\",\"save_duration_ms\":%d,\"device_id\":\"%s\"}}\n", i % 60, (i * 7) % 60, h, int(rand() * 500), substr(h, 1, 16);
    else if (e == 1) printf "{\"event\":\"app_started\",\"time\":\"2026-11-23T10:00:00Z\",\"payload\":{\"app\":{\"name\":\"QuickNotes\",\"version\":\"1.%d.0\"},\"device\":{\"osName\":\"Windows\",\"osVersion\":\"10.0.19045\",\"model\":\"Surface Laptop 5\",\"screenResolution\":\"2256x1504\"},\"sessionId\":\"%s\",\"startupMs\":%d}}\n", i % 9, h, int(rand() * 3000);
    else if (e == 2) printf "{\"event\":\"sign_in_failed\",\"payload\":{\"user_id\":\"%s\",\"error_code\":\"AADSTS50126\"}}\n", h;
    else if (e == 3) printf "{\"event\":\"app_crashed\",\"payload\":{\"app_version\":\"1.%d.0\",\"crash_report\":\"NullReferenceException at Notes.Save() line %d; at Notes.Editor.OnKey()\"}}\n", i % 9, i;
    else printf "{\"event\":\"settings_changed\",\"payload\":{\"setting\":\"theme\",\"ui_language\":\"en-US\"}}\n";
  }
}' > "$block"

generate() { # MB FILE
  local target=$(($1 * 1000 * 1000)) size
  : > "$2"
  local chunk="$dir/chunk.ndjson"
  : > "$chunk"
  for _ in $(seq 100); do cat "$block" >> "$chunk"; done
  size=0
  while [ "$size" -lt "$target" ]; do
    cat "$chunk" >> "$2"
    size=$(stat -c %s "$2")
  done
}

echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The stream must be clean, or the figure measures diagnostics, not auditing.
"$bin" audit "$block" --manifests examples/quickstart --quiet --color never > /dev/null ||
  { echo "the generated block is not clean:"; "$bin" audit "$block" --manifests examples/quickstart --color never | head -40; exit 1; }

printf '%8s %9s %9s %14s %10s %12s\n' MB wall_s cpu_s MB/s_per_core MB/s_wall peak_RSS_MiB
for mb in "$small_mb" "$large_mb"; do
  file="$dir/clean-$mb.ndjson"
  [ -s "$file" ] || generate "$mb" "$file"
  bytes=$(stat -c %s "$file")
  cat "$file" > /dev/null
  stats="$dir/time-$mb.txt"
  /usr/bin/time -v "$bin" audit "$file" --manifests examples/quickstart --quiet --color never \
    > /dev/null 2> "$stats"
  user=$(awk -F': ' '/User time/ {print $2}' "$stats")
  sys=$(awk -F': ' '/System time/ {print $2}' "$stats")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$stats" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$stats")
  awk -v b="$bytes" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" 'BEGIN {
    mb = b / 1e6; cpu = u + s;
    printf "%8.0f %9.2f %9.2f %14.1f %10.1f %12.1f\n", mb, w, cpu, mb / cpu, mb / w, r / 1024
  }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
