#!/usr/bin/env bash
# `consentlint check` beside `fides --local evaluate` on Fides' own demo resources and its
# evaluate fixtures (issue 20), whole process, in one run.
#
#   bench/fides.sh [RUNS]        (default 21; medians)
#
# Reads the vendored copies in tests/vendored/fides/ (the corpus's files, unchanged). fides
# is taken from $FIDES, else `fides` on PATH (`pip install ethyca-fides`); without it only
# consentlint's times are printed. The release binary is built first unless $BIN names one.
# Exits 1 when consentlint is under 50× faster than fides on the demo (the issue's bar; a
# ratio, so it does not depend on the machine's speed).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet --bin consentlint
    BIN=$PWD/target/release/consentlint
fi
fides=${FIDES:-$(command -v fides || true)}

BIN=$BIN FIDES=$fides RUNS=$runs python3 - <<'PY'
import os, statistics, subprocess, sys, time

BIN, FIDES, RUNS = os.environ["BIN"], os.environ["FIDES"], int(os.environ["RUNS"])
ROOT = "tests/vendored/fides/ethyca+fides"
CASES = [
    # name, path, the verdict both give (exit status 0 = pass)
    ("demo_resources/ (5 files)", "demo_resources", 0),
    ("passing_declaration_taxonomy.yml", "tests/ctl/data/passing_declaration_taxonomy.yml", 0),
    ("failing_declaration_taxonomy.yml", "tests/ctl/data/failing_declaration_taxonomy.yml", 1),
]
MIN_RATIO = 50.0

def median_ms(argv, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)

def status(argv):
    return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode

failed = []
print("| input | consentlint ms | exit | fides --local evaluate ms | exit | fides ÷ consentlint |")
print("|---|---|---|---|---|---|")
for name, path, verdict in CASES:
    ours_argv = [BIN, "check", f"{ROOT}/{path}", "--no-config"]
    ours = median_ms(ours_argv, RUNS)
    ours_exit = status(ours_argv)
    if (ours_exit == 0) != (verdict == 0):
        failed.append(f"{name}: consentlint exits {ours_exit}, fides evaluate's verdict is {verdict}")
    theirs, theirs_exit, ratio = "", "", ""
    if FIDES:
        fides_argv = [FIDES, "--local", "evaluate", f"{ROOT}/{path}"]
        t = median_ms(fides_argv, max(3, RUNS // 4))
        theirs, theirs_exit, ratio = f"{t:.0f}", str(status(fides_argv)), f"{t / ours:.0f}×"
        if path == "demo_resources" and t / ours < MIN_RATIO:
            failed.append(f"{name}: {t / ours:.1f}× faster than fides, under {MIN_RATIO:g}×")
    print(f"| {name} | {ours:.1f} | {ours_exit} | {theirs} | {theirs_exit} | {ratio} |")
if not FIDES:
    print("\n(fides not found: set $FIDES or `pip install ethyca-fides` for the comparison)")
if failed:
    print("\nfailed:\n  " + "\n  ".join(failed), file=sys.stderr)
    sys.exit(1)
PY
