#!/usr/bin/env bash
# The consentlint benchmark: `check` against the parse-only floor on one corpus, one machine.
#
#   bench/run.sh [MB]          # default 100: a generated corpus of about MB megabytes
#   bench/run.sh --dir DIR     # real files instead (e.g. ../shared/corpus/mozilla-pipeline-schemas)
#
# Both commands run inside the corpus directory on `.`, so it is the project root that
# relative `$ref`s and `schema:` paths must stay within.
#
# Environment: RUNS (default 3) timed runs of each command, the fastest is reported;
# CORPUS (default /tmp/consentlint-bench/corpus-<MB>mb-seed<SEED>), SEED (default 1).
# Needs /usr/bin/time (GNU time) and jq. The corpus lives under /tmp and is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SEED=${SEED:-1}
if [[ "${1:-}" == "--dir" ]]; then
    DIR=$(realpath "$2")
    FIELDS=""
    PLANTED=""
else
    MB=${1:-100}
    CORPUS=${CORPUS:-/tmp/consentlint-bench/corpus-${MB}mb-seed${SEED}}
    DIR=$CORPUS
fi

cargo build --release --quiet --bin consentlint --bin parse-floor --bin gen-corpus
BIN=$PWD/target/release
# CONSENTLINT=path benchmarks another build (e.g. a baseline) against the same floor.
CL=${CONSENTLINT:-$BIN/consentlint}

if [[ -n "${CORPUS:-}" ]]; then
    if [[ ! -d "$CORPUS" ]]; then
        mkdir -p "$(dirname "$CORPUS")"
        "$BIN/gen-corpus" --out "$CORPUS" --mb "$MB" --seed "$SEED" > "$CORPUS.stats"
    fi
    echo "corpus: $CORPUS"
    sed 's/^/  /' "$CORPUS.stats"
    FIELDS=$(sed -n 's/.*fields=\([0-9]*\).*/\1/p' "$CORPUS.stats")
    PLANTED=$(sed -n 's/^violations=\([0-9]*\).*/\1/p' "$CORPUS.stats")
fi

cd "$DIR"
PATHS=(.)
# Warm the page cache so every command reads from memory.
find . -type f -print0 | xargs -0 cat > /dev/null

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# measure NAME CMD…: run RUNS times under GNU time; record the best wall time, the best CPU
# time (user + system: on a machine shared with other work it is the steadier figure) and
# the largest peak RSS.
measure() {
    local name=$1
    shift
    local best="" cpu="" rss=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -v -o "$TMP/time" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err" || true
        local wall used kb
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
            for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$TMP/time")
        used=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$TMP/time")
        kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TMP/time")
        if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
        fi
        if [[ -z "$cpu" ]] || awk -v a="$used" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then
            cpu=$used
        fi
        ((kb > rss)) && rss=$kb
    done
    echo "$best $rss $cpu" > "$TMP/$name.result"
}

CORES=$(nproc)
measure check1 "$CL" check --jobs 1 --format json "${PATHS[@]}"
measure checkN "$CL" check --format json "${PATHS[@]}"
measure human1 "$CL" check --jobs 1 --color never "${PATHS[@]}"
measure floor1 "$BIN/parse-floor" --jobs 1 "${PATHS[@]}"
measure floorN "$BIN/parse-floor" "${PATHS[@]}"
measure saphyr1 "$BIN/parse-floor" --jobs 1 --json-parser saphyr "${PATHS[@]}"
measure saphyrN "$BIN/parse-floor" --json-parser saphyr "${PATHS[@]}"
# classify has no --jobs: pinned to one core.
measure classify1 taskset -c 0 "$CL" classify --no-config --format json "${PATHS[@]}"

BYTES=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$TMP/floor1.out")
FILES=$(jq '.summary.files' "$TMP/check1.out")
CHECK_FIELDS=$(jq '.summary.fields' "$TMP/check1.out")
ERRORS=$(jq '.summary.errors' "$TMP/check1.out")
FINDINGS=$(jq '.diagnostics | length' "$TMP/check1.out")
FIELDS=${FIELDS:-$CHECK_FIELDS}

result() { cut -d' ' -f"$2" "$TMP/$1.result"; }
row() {
    local name=$1 label=$2 floor=$3
    awk -v label="$label" -v wall="$(result "$name" 1)" -v rss="$(result "$name" 2)" \
        -v cpu="$(result "$name" 3)" -v bytes="$BYTES" -v fields="$FIELDS" \
        -v floor="$( [[ -n "$floor" ]] && result "$floor" 3 )" 'BEGIN {
        ratio = floor == "" ? "" : sprintf("%.2f×", cpu / floor);
        printf "| %-48s | %7.2f s | %7.2f s | %6.1f | %9.0f | %7.1f MB | %8s |\n",
            label, wall, cpu, bytes / 1e6 / cpu, fields / cpu, rss / 1024, ratio }'
}

echo
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $CORES cores, $(free -g | awk '/Mem:/ { print $2 }') GiB;" \
    "load before run: $(cut -d' ' -f1-3 /proc/loadavg); best of $RUNS runs"
echo "input: $FILES files checked, $BYTES bytes, $FIELDS fields; check found $FINDINGS findings ($ERRORS errors)" \
    "${PLANTED:+; $PLANTED violations were planted}"
echo
echo "| command                                          |      wall |       CPU | MB/CPU-s | fields/CPU-s | peak RSS | CPU vs floor |"
echo "|--------------------------------------------------|----------:|----------:|-------:|----------:|----------:|---------:|"
row check1 "check --jobs 1 --format json" floor1
row checkN "check --format json ($CORES threads)" floorN
row human1 "check --jobs 1 (human output)" floor1
row floor1 "parse-floor --jobs 1" ""
row floorN "parse-floor ($CORES threads)" ""
row saphyr1 "parse-floor --jobs 1 --json-parser saphyr" ""
row saphyrN "parse-floor --json-parser saphyr ($CORES threads)" ""
row classify1 "classify --format json (one core)" floor1
awk -v c1="$(result check1 3)" -v s1="$(result saphyr1 3)" -v f1="$(result floor1 3)" \
    -v w1="$(result check1 1)" -v wn="$(result checkN 1)" -v g1="$(result floor1 1)" \
    -v gn="$(result floorN 1)" 'BEGIN {
    printf "\ncheck/floor, 1 thread, CPU time: %.2f× (serde_json floor for JSON), %.2f× (serde-saphyr floor for JSON)\n", c1 / f1, c1 / s1
    printf "scaling with all cores, wall time: check %.2f×, floor %.2f×\n", w1 / wn, g1 / gn }'
