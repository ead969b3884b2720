#!/usr/bin/env bash
# Whole-process cost of the small runs users actually make (issue 18): a pre-commit hook on
# one manifest, one Glean metrics.yaml, a folder of them file by file — side by side with
# glean_parser's `glinter` on the same files, in one run.
#
#   bench/startup.sh [RUNS]        (default 21; medians)
#
# Needs ../shared/corpus/ beside the checkout for the Glean files; glinter is taken from
# $GLINTER, else `glean_parser` on PATH (without it, the ratios to it are not printed).
# The release binary is built first unless $BIN names one.
#
# Prints, per case, the median wall time, the peak resident memory, the targets of issue 18
# and, as the regression guard, ratios that do not depend on the machine's speed:
#   - each consentlint run over the bare process start (`consentlint --version`), and
#   - glinter over consentlint on the same file(s).
# Exits 1 when a guard ratio is past its threshold (below), so a change that doubles the
# fixed cost of a small run shows here — not in a timed unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
corpus=../shared/corpus/glean-metrics
if [ ! -d "$corpus" ]; then
    echo "bench/startup.sh needs $corpus beside the checkout" >&2
    exit 2
fi
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet --bin consentlint
    BIN=$PWD/target/release/consentlint
fi
glinter=${GLINTER:-$(command -v glean_parser || true)}

BIN=$BIN GLINTER=$glinter RUNS=$runs CORPUS=$corpus python3 - <<'PY'
import os, statistics, subprocess, sys, time

BIN, GLINTER, CORPUS = os.environ["BIN"], os.environ["GLINTER"], os.environ["CORPUS"]
RUNS = int(os.environ["RUNS"])
FENIX = f"{CORPUS}/mozilla-mobile+firefox-android/fenix/app/metrics.yaml"
GLEAN_FILES = sorted(
    os.path.join(d, f)
    for d, _, fs in os.walk(CORPUS)
    for f in fs
    if f.endswith((".yaml", ".yml"))
    and "glean/metrics/" in open(os.path.join(d, f), errors="replace").read(4096)
)

def run(argv):
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def median_ms(argvs, runs=RUNS):
    """Median wall time of running every argv in turn, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for argv in argvs:
            run(argv)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)

def peak_mib(argv):
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    ).stderr.strip().splitlines()[-1]
    return int(out) / 1024

floor = median_ms([[BIN, "--version"]])
quick = [BIN, "check", "examples/quickstart", "--no-config"]
fenix = [BIN, "check", FENIX, "--policy", "policies/glean.yaml", "--no-config"]
per_file = [[BIN, "check", f, "--policy", "policies/glean.yaml", "--no-config"] for f in GLEAN_FILES]
cases = [
    # name, argvs, target ms (issue 18), guards: at most this many times the bare start,
    # at least this many times faster than glinter. On 2026-12-04 (2 cores): 4.9-5.5x and
    # 22-23x the bare start, 19-22x and 29x glinter; a change that doubles the fixed cost
    # of a small run trips them.
    ("one manifest (examples/quickstart)", [quick], 3.0, 8.0, None),
    ("Fenix metrics.yaml (397 KB)", [fenix], 8.0, 35.0, 12.0),
    (f"{len(GLEAN_FILES)} Glean metrics files, file by file", per_file, None, None, 15.0),
]
failed = []
print(f"bare process start (`consentlint --version`): {floor:.2f} ms (median of {RUNS})")
print()
print(f"| case | consentlint ms | × bare start (guard) | peak MiB | target | glinter ms | glinter ÷ consentlint |")
print("|---|---|---|---|---|---|---|")
for name, argvs, target, guard, faster in cases:
    runs = RUNS if len(argvs) == 1 else max(3, RUNS // 7)
    ours = median_ms(argvs, runs)
    ratio = ours / floor
    peak = max(peak_mib(a) for a in argvs[:1])
    guard_text = f"{ratio:.1f}× (≤ {guard:g}×)" if guard else f"{ratio:.1f}×"
    if guard and ratio > guard:
        failed.append(f"{name}: {ratio:.1f}× the bare process start, over {guard:g}×")
    theirs = ""
    vs = ""
    if GLINTER and ("Glean" in name or "Fenix" in name):
        glints = [[GLINTER, "glinter", a[2]] for a in argvs]
        g = median_ms(glints, max(3, runs // 3))
        theirs, vs = f"{g:.0f}", f"{g / ours:.0f}× (≥ {faster:g}×)"
        if g / ours < faster:
            failed.append(f"{name}: {g / ours:.1f}× faster than glinter, under {faster:g}×")
    target_text = f"≤ {target:g} ms" if target else ""
    print(f"| {name} | {ours:.1f} | {guard_text} | {peak:.1f} | {target_text} | {theirs} | {vs} |")
print()
print("targets (issue 18): Fenix ≤ 8 ms and ≥ 50× glinter; one manifest ≤ 3 ms; the corpus")
print("file by file ≥ 100× glinter; peak memory for one file ≤ 10 MiB")
if failed:
    print("\nregression guard failed:\n  " + "\n  ".join(failed), file=sys.stderr)
    sys.exit(1)
PY
