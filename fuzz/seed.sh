#!/usr/bin/env bash
# Lay out fuzz/corpus/<target>/ with the seed inputs: the shipped files of each kind, and the
# hostile cases that found renderer bugs — a minified schema with a finding past column
# 65,535, a one-line policy of 70 KB, terminal/bidi/workflow-command text in every quoted
# field. `corpus/` is not committed; run this before `cargo fuzz run` (README.md here).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/policy corpus/manifest corpus/event_schema
cp ../policies/*.yaml corpus/policy/
find ../examples ../demo ../tests/fixtures -name '*.yaml' -exec grep -l 'kind: TelemetryManifest' {} + |
  while read -r f; do cp "$f" "corpus/manifest/$(echo "${f#../}" | tr '/' '_')"; done
find ../examples ../demo ../tests/fixtures \( -name '*.json' -o -name '*.schema.yaml' \) |
  while read -r f; do cp "$f" "corpus/event_schema/$(echo "${f#../}" | tr '/' '_')"; done
python3 - <<'PY'
import json
long = "d" * 70000
evil = "\u001b[2J\u202eevil|pipe\n::error file=x::forged =cmd"
schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "description": long,
          "x-consent": "required", "type": "object", "additionalProperties": False,
          "properties": {"email": {"type": "string", "x-data-type": "user.email"},
                         evil: {"type": "string", "x-data-type": evil}}}
open("corpus/event_schema/seed-long-line.json", "w").write(json.dumps(schema))
policy = {"kind": "Policy", "id": "p", "title": long, "extends": ["builtin:default"],
          "rules": [{"id": "bad", "allow": {"types": ["no.such", evil]}}]}
open("corpus/policy/seed-long-line.yaml", "w").write(json.dumps(policy))
manifest = ("kind: TelemetryManifest\napp: { id: seed }\nevents:\n  - { name: " + json.dumps(evil)
            + ", consent: required, fields: [{ name: " + json.dumps(long) + ", type: user.email }] }\n")
open("corpus/manifest/seed-long-line.yaml", "w").write(manifest)
PY
echo "seeded: $(ls corpus/policy | wc -l) policies, $(ls corpus/manifest | wc -l) manifests, $(ls corpus/event_schema | wc -l) schemas"
