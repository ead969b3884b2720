#!/usr/bin/env bash
# Time the auditor commands on the shipped seeds and on a generated large policy, with a
# release build. `taxonomy --policy P` only compiles P, so `policy lint P` minus it is the
# cost of the lint that `check` now runs once per policy it uses.
#
#   scripts/bench-auditor.sh [RUNS]     (default 10; prints the median wall time of each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
cargo build --release --quiet
bin=./target/release/consentlint
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A large policy: 2,000 extension types under 200 new roots, 1,000 grants and 200 denies.
python3 - "$work/large.yaml" <<'PY'
import sys
lines = ["kind: Policy", "id: large", "consent_levels:",
         "  - { id: required, default: on, can_disable: [] }",
         "  - { id: optional, default: off, can_disable: [user] }",
         "  - { id: full, default: off, can_disable: [user] }",
         "purposes: [diagnostics, security, product_improvement]",
         "taxonomy_extensions:"]
for r in range(200):
    lines.append(f"  - {{ id: bench{r}, title: Root {r}, class: system_metadata }}")
    for c in range(10):
        lines.append(f"  - {{ id: bench{r}.t{c}, title: Type {r}.{c} }}")
lines.append("rules:")
levels = ["required", "optional", "full"]
for g in range(1000):
    r, c = g % 200, (g // 200) % 10
    lines += [f"  - id: grant-{g}", f"    allow: {{ types: [bench{r}.t{c}, device.os] }}",
              f"    min_consent: {levels[g % 3]}"]
    if g % 4 == 0:
        lines.append("    max_identification: pseudonymized")
    if g % 7 == 0:
        lines.append("    purposes: [diagnostics]")
for d in range(200):
    lines += [f"  - id: deny-{d}", f"    deny: {{ types: [bench{d}.t{d % 10}] }}", "    below: optional"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY

median() { # COMMAND...: median wall time in ms over $runs runs
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

row() { printf '%-58s %6s ms\n' "$1" "$(median "${@:2}")"; }
seeds=(policies/default.yaml policies/intune-client-apps.yaml policies/desktop-analytics.yaml
       policies/power-automate.yaml policies/entra-diagnostic-logs.yaml policies/skype-teams.yaml)
echo "median of $runs runs, release build"
row "check examples/ (lints each policy it uses)" $bin check examples/
row "taxonomy --policy (compile only), 6 seeds" bash -c "for p in ${seeds[*]}; do $bin taxonomy --policy \$p; done"
row "policy lint, 6 seeds (one process)" $bin policy lint "${seeds[@]}"
row "policy compile --format json, skype-teams" $bin policy compile policies/skype-teams.yaml --format json
row "policy diff default -> skype-teams" $bin policy diff builtin:default policies/skype-teams.yaml
row "report examples/ --format html" $bin report examples/ --format html
row "large policy: taxonomy (compile only)" $bin taxonomy --policy "$work/large.yaml"
row "large policy: policy lint" $bin policy lint "$work/large.yaml"
row "large policy: policy compile --format json" $bin policy compile "$work/large.yaml" --format json
row "large policy: policy diff against itself" $bin policy diff "$work/large.yaml" "$work/large.yaml"
