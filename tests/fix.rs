//! `check --fix`, `--diff` and `--unsafe-fixes`: every fixable code round-trips — the
//! fixed file re-checks clean of that finding and nothing else in it changed — fixes are
//! idempotent, only safe ones apply by default, and SARIF carries the same edits.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn consentlint(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(args)
        .current_dir(dir)
        .env("CONSENTLINT_TODAY", "2026-11-23")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// The codes of `check`'s findings in `dir`.
fn codes(dir: &Path) -> Vec<String> {
    let (out, _, _) = consentlint(dir, &["check", ".", "--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A project holding one manifest with `text`.
fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("telemetry.yaml"), text).unwrap();
    dir
}

fn manifest(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("telemetry.yaml")).unwrap()
}

const HEAD: &str = "kind: TelemetryManifest\napp: { id: notes }   # the notes app\ndefaults: { transport: https }\nevents:\n";

/// Each fixable code: the manifest before, the flags, the manifest after. Everything but
/// the fixed spot stays as written (comments, flow and block styles, quotes).
#[test]
fn every_fixable_code_round_trips() {
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "consent-too-low",
            "  - name: crash\n    consent: \"required\"   # for now\n    fields:\n      - { name: report, type: app.error.crash_report }\n",
            &["--unsafe-fixes"],
            "  - name: crash\n    consent: \"optional\"   # for now\n    fields:\n      - { name: report, type: app.error.crash_report }\n",
        ),
        (
            "identification-too-high",
            "  - name: s\n    consent: required\n    fields:\n      - { name: device, type: device.id }\n",
            &["--unsafe-fixes"],
            "  - name: s\n    consent: required\n    fields:\n      - { name: device, type: device.id, identification: pseudonymized }\n",
        ),
        (
            "identification-too-high",
            "  - name: s\n    consent: required\n    fields:\n      - name: device\n        type: device.id # hashed on device\n      - name: os\n        type: device.os.version\n",
            &["--unsafe-fixes"],
            "  - name: s\n    consent: required\n    fields:\n      - name: device\n        type: device.id # hashed on device\n        identification: pseudonymized\n      - name: os\n        type: device.os.version\n",
        ),
        (
            "identification-too-high",
            "  - name: s\n    consent: required\n    fields:\n      - name: user\n        type: user.id\n        identification: 'identified'\n",
            &["--unsafe-fixes"],
            "  - name: s\n    consent: required\n    fields:\n      - name: user\n        type: user.id\n        identification: 'pseudonymized'\n",
        ),
        (
            "suppression-unused",
            "  - name: s\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n    suppress:\n      - { code: denied-data, reason: \"legacy\" }\n  - name: t\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n",
            &[],
            "  - name: s\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n  - name: t\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n",
        ),
        (
            "suppression-unused",
            "  - name: s\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n    suppress:\n      - code: denied-data\n        reason: legacy\n      - code: no-grant\n        reason: legacy\n",
            &[],
            "  - name: s\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n",
        ),
        (
            "suppression-expired",
            "  - name: s\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n      - { name: tenant, type: org.tenant_id }\n    suppress:\n      - { rule: organization-identifiable-info, reason: \"until the move\", expires: 2026-01-01 }\n      - { code: consent-too-low, reason: \"still needed\", expires: 2027-01-01 }\n",
            &["--unsafe-fixes"],
            "  - name: s\n    consent: required\n    fields:\n      - { name: os, type: device.os.version }\n      - { name: tenant, type: org.tenant_id }\n    suppress:\n      - { code: consent-too-low, reason: \"still needed\", expires: 2027-01-01 }\n",
        ),
    ];
    for (code, before, flags, after) in cases {
        let dir = project(&format!("{HEAD}{before}"));
        let found = codes(dir.path());
        assert!(found.iter().any(|c| c == code), "{code}: {found:?}");
        let args: Vec<&str> = ["check", ".", "--fix"]
            .iter()
            .chain(flags.iter())
            .copied()
            .collect();
        let (_, stderr, _) = consentlint(dir.path(), &args);
        assert_eq!(
            manifest(dir.path()),
            format!("{HEAD}{after}"),
            "{code}\n{stderr}"
        );
        let left = codes(dir.path());
        assert!(
            !left.iter().any(|c| c == code),
            "{code} still reported: {left:?}"
        );
        // Idempotent: a second run changes nothing.
        let (_, stderr, _) = consentlint(dir.path(), &args);
        assert_eq!(
            manifest(dir.path()),
            format!("{HEAD}{after}"),
            "{code}: second run"
        );
        assert_eq!(
            stderr, "consentlint: fixed 0 findings in 0 files\n",
            "{code}"
        );
    }
}

/// Without `--unsafe-fixes` only the safe fixes apply, and the rest are counted; `--diff`
/// shows the same edits as a unified diff and writes nothing.
#[test]
fn safe_fixes_by_default_and_diff_writes_nothing() {
    let text = format!(
        "{HEAD}  - name: s\n    consent: required\n    fields:\n      - {{ name: report, type: app.error.crash_report }}\n    suppress:\n      - {{ code: denied-data, reason: legacy }}\n"
    );
    let dir = project(&text);
    let (diff, stderr, code) = consentlint(dir.path(), &["check", ".", "--diff"]);
    assert_eq!(code, 1);
    assert_eq!(
        diff,
        "--- a/telemetry.yaml\n+++ b/telemetry.yaml\n@@ -6,5 +6,3 @@\n     consent: required\n     fields:\n       - { name: report, type: app.error.crash_report }\n-    suppress:\n-      - { code: denied-data, reason: legacy }\n"
    );
    assert_eq!(
        stderr,
        "consentlint: would fix 1 finding in 1 file; 1 more has an unsafe fix (--unsafe-fixes)\n"
    );
    assert_eq!(manifest(dir.path()), text, "--diff wrote the file");
    let (out, stderr, code) =
        consentlint(dir.path(), &["check", ".", "--fix", "--format", "concise"]);
    assert_eq!(code, 1, "the unsafe one is left");
    assert_eq!(
        out,
        "telemetry.yaml:8:31: consent-too-low[crash-and-exception-data] field `report` is `app.error.crash_report`, allowed only at `optional` or above; this event is `required`\n1 file checked (1 event, 1 field): 1 error, 0 warnings, 0 infos\n"
    );
    assert_eq!(
        stderr,
        "consentlint: fixed 1 finding in 1 file; 1 more has an unsafe fix (--unsafe-fixes)\n"
    );
    let (_, _, code) = consentlint(dir.path(), &["check", ".", "--diff"]);
    assert_eq!(code, 0, "nothing safe is left to fix");
}

/// Two fields of one event need `optional` and a higher level of one `consent:`: one pass
/// raises it to the higher, and every finding of it is fixed.
#[test]
fn one_consent_asked_for_two_levels_takes_the_higher() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.yaml"),
        "kind: Policy\nid: three\ntaxonomy: builtin:default\nconsent_levels:\n  - { id: required, default: on, can_disable: [] }\n  - { id: optional, default: off, can_disable: [user] }\n  - { id: full, default: off, can_disable: [user] }\nrules:\n  - id: crashes\n    allow: { types: [app.error.crash_report] }\n    min_consent: optional\n  - id: tenants\n    allow: { types: [org.tenant_id] }\n    min_consent: full\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("telemetry.yaml"),
        "kind: TelemetryManifest\napp: { id: a }\npolicy: policy.yaml\nevents:\n  - name: e\n    consent: required\n    fields:\n      - { name: report, type: app.error.crash_report }\n      - { name: tenant, type: org.tenant_id }\n",
    )
    .unwrap();
    let (diff, _, _) = consentlint(
        dir.path(),
        &["check", "telemetry.yaml", "--diff", "--unsafe-fixes"],
    );
    assert!(
        diff.contains("-    consent: required\n+    consent: full\n"),
        "{diff}"
    );
    let (_, stderr, code) = consentlint(
        dir.path(),
        &["check", "telemetry.yaml", "--fix", "--unsafe-fixes"],
    );
    assert_eq!(code, 0);
    assert_eq!(stderr, "consentlint: fixed 2 findings in 1 file\n");
}

/// SARIF results carry the fix: the same edit, its applicability in the properties.
#[test]
fn sarif_results_carry_the_fixes() {
    let dir = project(&format!(
        "{HEAD}  - name: s\n    consent: required\n    fields:\n      - {{ name: device, type: device.id }}\n"
    ));
    let (out, _, _) = consentlint(dir.path(), &["check", ".", "--format", "sarif"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["properties"]["fixApplicability"], "unsafe");
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "telemetry.yaml");
    let replacement = &change["replacements"][0];
    assert_eq!(
        replacement["deletedRegion"],
        serde_json::json!({"startLine": 8, "startColumn": 40, "endLine": 8, "endColumn": 40})
    );
    assert_eq!(
        replacement["insertedContent"]["text"],
        ", identification: pseudonymized"
    );
}

/// A fix that would leave the file invalid is not applied: deleting both the unused and the
/// expired suppression of an event would leave `suppress:` empty, which a manifest may not
/// be. The file is left as it was, and the run says why.
#[test]
fn a_fix_never_breaks_a_file() {
    let text = format!(
        "{HEAD}  - name: s\n    consent: required\n    fields:\n      - {{ name: os, type: device.os.version }}\n    suppress:\n      - {{ code: denied-data, reason: legacy }}\n      - {{ code: no-grant, reason: legacy, expires: 2026-01-01 }}\n"
    );
    let dir = project(&text);
    let (_, stderr, _) = consentlint(dir.path(), &["check", ".", "--fix", "--unsafe-fixes"]);
    assert_eq!(manifest(dir.path()), text);
    assert_eq!(
        stderr,
        "consentlint: left `telemetry.yaml` unchanged: the fixed file would not be valid: `suppress` must be a list, not null\n\
         consentlint: fixed 0 findings in 0 files\n"
    );
}

#[test]
fn fix_refuses_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let (_, stderr, code) = consentlint(dir.path(), &["check", "-", "--fix"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "consentlint: --fix and --diff edit files: they do not read standard input\n"
    );
}
