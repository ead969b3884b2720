#!/usr/bin/env bash
# False positives and detection of the audit's value detectors (src/audit/pii.rs).
#
#   bench/pii.sh [LINES]      (default 200000)
#
# Generates, under ${TMPDIR:-/tmp}/consentlint-bench (never committed), with a fixed seed:
#   clean.ndjson    LINES events of bench/pii/telemetry.yaml whose values are what real
#                   telemetry carries in system-metadata and pseudonymized fields: versions
#                   (`1.0.0.0` too), build ids, GUIDs, ULIDs, snowflake ids, service URLs
#                   with queries, locales, models, resolutions, error codes, dates and
#                   times, stack frames, user agents, hashes (hex, base64), coarse region
#                   centroids;
#   random-ids.ndjson  LINES events whose `numeric_id` is a uniformly random 16-digit
#                   number (the worst case for the card detector);
#   planted.ndjson  one line per planted value of each kind (emails, IPs, phones, cards of
#                   several issuers, IBANs of several countries, JWTs, keys, coordinates).
# audits each with the release binary and prints, per stream, values scanned and findings:
# the false-positive rate is findings / values on the clean streams; detection is findings
# / planted per kind.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-200000}
dir=${TMPDIR:-/tmp}/consentlint-bench/pii
mkdir -p "$dir"
cargo build --release --quiet --bin consentlint
bin=$PWD/target/release/consentlint

python3 - "$dir" "$lines" <<'PY'
import base64, hashlib, json, random, sys, uuid
out, n = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
hexs = lambda k: "".join(r.choice("0123456789abcdef") for _ in range(k))
crock = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
def version():
    return r.choice([
        f"{r.randint(0, 30)}.{r.randint(0, 20)}.{r.randint(0, 99)}",
        f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
        "1.0.0.0", f"10.0.{r.randint(10000, 26100)}.{r.randint(1, 5000)}",
        f"{r.randint(2020, 2026)}.{r.randint(1, 12)}.{r.randint(1, 28)}-beta+build.{r.randint(1, 999)}",
    ])
def line():
    return {"event": "metrics", "payload": {
        "app_version": version(),
        "os_version": r.choice([version(), "Windows 11 23H2", "macOS 15.1", "Android 14", "iOS 18.1.1"]),
        "build": r.choice([hexs(40), f"build-{r.randint(20240101, 20261231)}.{r.randint(1, 99)}", hexs(7)]),
        "request_id": r.choice([str(uuid.UUID(int=r.getrandbits(128))),
                                "".join(r.choice(crock[:8]) if i == 0 else r.choice(crock) for i in range(26)),
                                str(r.randint(1_000_000_000_000_000_000, 1_999_999_999_999_999_999)),
                                str(r.randint(1, 10**9)), hexs(16).upper()]),
        "endpoint": r.choice(["https://api.contoso.com/v1/notes?page=%d" % r.randint(1, 50),
                              "/api/v2/items/%d" % r.randint(1, 10**6),
                              "https://login.contoso.com/common/oauth2/v2.0/token",
                              "wss://push.contoso.com:443/socket?v=4"]),
        "locale": r.choice(["en-US", "de-DE", "fr-FR", "zh-Hans-CN", "pt_BR", "sr-Latn-RS"]),
        "device_model": r.choice(["Surface Laptop 5", "iPhone15,2", "SM-S918B", "Pixel 8 Pro", "MacBookPro18,3", "20XW0055US"]),
        "screen": r.choice(["2256x1504", "1920x1080", "3840 x 2160", "1170x2532@3x"]),
        "error": r.choice(["AADSTS50126", "0x80070005", "E_ACCESSDENIED", "ERR_CONNECTION_RESET",
                           "HTTP 503", "-2147024891", "ECONNREFUSED 127.0.0.1:5432"]),
        "occurred": r.choice(["2026-%02d-%02d" % (r.randint(1, 12), r.randint(1, 28)),
                              "2026-12-03T10:%02d:%02d.123Z" % (r.randint(0, 59), r.randint(0, 59)),
                              str(r.randint(1_700_000_000_000, 1_800_000_000_000)),
                              "%02d:%02d:%02d" % (r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)),
                              "03/12/2026 10:15", "Thu, 03 Dec 2026 10:15:00 GMT"]),
        "detail": r.choice(["NullReferenceException at Notes.Save() line %d; at Notes.Editor.OnKey()" % r.randint(1, 900),
                            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                            "C:\\Program Files\\QuickNotes\\notes.exe", "memory 16384 MB, 8 cores",
                            "took 12.5%% of frame budget (%d ms)" % r.randint(1, 99), "sku SKU-1234-ABCD color #1e90ff",
                            "retry 3 of 5 after 250ms", "exp_2026_new_editor=treatment"]),
        "region_hint": r.choice(["%.1f,%.1f" % (r.uniform(-60, 70), r.uniform(-170, 170)),
                                 "%.2f, %.2f" % (r.uniform(-60, 70), r.uniform(-170, 170)),
                                 "us-west-2", "EU"]),
        "numeric_id": r.randint(1, 10**12),
        "session_id": r.choice([hexs(64), base64.b64encode(hashlib.sha256(str(r.random()).encode()).digest()).decode(),
                                base64.urlsafe_b64encode(hashlib.sha1(str(r.random()).encode()).digest()).decode().rstrip("=")]),
        "device_id": hexs(32),
    }}
with open(f"{out}/clean.ndjson", "w") as f:
    for _ in range(n):
        f.write(json.dumps(line()) + "\n")
with open(f"{out}/random-ids.ndjson", "w") as f:
    for _ in range(n):
        f.write(json.dumps({"event": "metrics", "payload": {"numeric_id": str(r.randint(10**15, 10**16 - 1))}}) + "\n")

def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix] + [r.randint(0, 9) for _ in range(length - len(prefix) - 1)]
    for check in range(10):
        ds = digits + [check]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(ds)))
        if total % 10 == 0:
            return "".join(map(str, ds))
def iban(country, length):
    bban = "".join(r.choice("0123456789") for _ in range(length - 4))
    num = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(num) % 97:02d}{bban}"
def jwt():
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc({'sub': hexs(8), 'iat': r.randint(1, 10**9)})}.{hexs(43)}"
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
rs = lambda k, a=alnum: "".join(r.choice(a) for _ in range(k))
planted = {
    "email": lambda: f"{rs(6).lower()}.{rs(5).lower()}@{rs(7).lower()}.com",
    "ipv4": lambda: f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
    "ipv6": lambda: ":".join(hexs(4) for _ in range(8)),
    "phone": lambda: f"+{r.randint(1, 99)} {r.randint(100, 999)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
    "card": lambda: r.choice([luhn_complete("4", 16), luhn_complete("51", 16), luhn_complete("37", 15),
                              luhn_complete("6011", 16), luhn_complete("2221", 16), luhn_complete("3530", 16)]),
    "card-grouped": lambda: (lambda c: " ".join(c[i:i + 4] for i in range(0, 16, 4)))(luhn_complete("4", 16)),
    "iban": lambda: iban(*r.choice([("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("ES", 24), ("IT", 27)])),
    "jwt": jwt,
    "api-key": lambda: r.choice(["AKIA" + rs(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), "ghp_" + rs(36),
                                 "sk_live_" + rs(24), "AIza" + rs(35), "xoxb-" + rs(12, "0123456789") + "-" + rs(24)]),
    "coordinates": lambda: "%.5f,%.5f" % (r.uniform(-89, 89), r.uniform(-179, 179)),
}
with open(f"{out}/planted.ndjson", "w") as f, open(f"{out}/planted.kinds", "w") as k:
    for kind, make in planted.items():
        for _ in range(1000):
            f.write(json.dumps({"event": "metrics", "payload": {"request_id": make()}}) + "\n")
            k.write(kind + "\n")
PY

audit() { # FILE -> JSON report
  "$bin" audit "$1" --manifests bench/pii --format json --max-repeats 1000000000 --color never || true
}
printf '%-18s %10s %10s %10s\n' stream values findings rate
for stream in clean random-ids; do
  file="$dir/$stream.ndjson"
  values=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['payload']) for l in open(sys.argv[1])))" "$file")
  found=$(audit "$file" | jq '[.diagnostics[] | select(.code == "pii-in-payload")] | length')
  awk -v s="$stream" -v v="$values" -v f="$found" 'BEGIN { printf "%-18s %10d %10d %11.5f%%\n", s, v, f, 100 * f / v }'
done
echo
echo "planted (1000 of each kind): detected"
audit "$dir/planted.ndjson" | jq -r '.diagnostics[] | select(.code == "pii-in-payload") | .line' > "$dir/planted.hits"
python3 - "$dir" <<'PY'
import collections, sys
d = sys.argv[1]
kinds = open(f"{d}/planted.kinds").read().split()
hits = {int(l) for l in open(f"{d}/planted.hits").read().split()}
total, found = collections.Counter(kinds), collections.Counter(kinds[i - 1] for i in hits)
for kind in total:
    print(f"  {kind:<14} {found[kind]:>5} / {total[kind]}")
PY
