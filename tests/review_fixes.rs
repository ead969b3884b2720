//! Bugs a structural review found where copies of the same step drifted apart, each pinned
//! by a test that failed before its fix: union branches decided on their first branch
//! only, `audit` ignoring the project config, and Markdown reports passing markup through.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn consentlint_in(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `anyOf` / `oneOf` branches with different `x-data-type`s: every branch is decided, so a
/// denied type is caught whichever branch it is in; the same type twice (`allOf`) is no
/// `duplicate-field`.
#[test]
fn every_branch_of_a_union_is_decided() {
    let (out, _, code) = consentlint_in(
        here(),
        &[
            "check",
            "--no-config",
            "--format",
            "concise",
            "--quiet",
            "tests/fixtures/union-branches",
        ],
    );
    assert_eq!(code, 1);
    let found: Vec<(String, String)> = out
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ": ");
            let at = parts.next().unwrap().to_owned();
            let code = parts.next().unwrap().split(' ').next().unwrap().to_owned();
            (at, code)
        })
        .collect();
    let schema = "tests/fixtures/union-branches/contact.schema.json";
    assert_eq!(
        found,
        [
            // `contact`: the denied type is the second branch.
            (
                format!("{schema}:15:26"),
                "denied-data[no-end-user-identifiable-info]".to_owned()
            ),
            // `other`: the first.
            (
                format!("{schema}:23:26"),
                "denied-data[no-end-user-identifiable-info]".to_owned()
            ),
        ]
    );
}

/// A project with a config: `audit` applies its severity overrides and walks only the
/// manifests its globs include, as `check` does.
#[test]
fn audit_applies_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = here().join("tests/fixtures/codes/pii-in-payload");
    std::fs::create_dir(dir.path().join("telemetry")).unwrap();
    std::fs::copy(
        fixture.join("telemetry.yaml"),
        dir.path().join("telemetry/telemetry.yaml"),
    )
    .unwrap();
    std::fs::copy(
        fixture.join("payloads.ndjson"),
        dir.path().join("payloads.ndjson"),
    )
    .unwrap();
    // A broken manifest the config excludes: read, it would be exit 2.
    std::fs::create_dir(dir.path().join("telemetry/legacy")).unwrap();
    std::fs::write(
        dir.path().join("telemetry/legacy/old.yaml"),
        "kind: TelemetryManifest\nevents: [\n",
    )
    .unwrap();
    let audit = [
        "audit",
        "payloads.ndjson",
        "--manifests",
        "telemetry",
        "--format",
        "json",
    ];

    std::fs::write(
        dir.path().join("consentlint.yaml"),
        "exclude: [telemetry/legacy/]\nseverity:\n  pii-in-payload: warning\n",
    )
    .unwrap();
    let (out, stderr, code) = consentlint_in(dir.path(), &audit);
    assert_eq!(
        code, 0,
        "warnings do not fail --fail-on error: {out}{stderr}"
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let severities: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert!(!severities.is_empty());
    assert!(
        severities
            .iter()
            .all(|s| *s == ("pii-in-payload", "warning")),
        "{severities:?}"
    );

    std::fs::write(
        dir.path().join("consentlint.yaml"),
        "exclude: [telemetry/legacy/]\nseverity:\n  pii-in-payload: off\n",
    )
    .unwrap();
    let (out, _, code) = consentlint_in(
        dir.path(),
        &["audit", "payloads.ndjson", "--manifests", "telemetry"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("audited 1 payload file (17 lines, 17 events) against 1 manifest: 0 errors, 0 warnings, 0 infos\n"), "{out}");
    assert!(
        !out.contains("pii-in-payload"),
        "a code turned off is not counted either:\n{out}"
    );

    // Without the exclusion the broken manifest is read, and reported.
    std::fs::write(dir.path().join("consentlint.yaml"), "severity: {}\n").unwrap();
    let (_, _, code) = consentlint_in(dir.path(), &audit);
    assert_eq!(code, 2);
}

/// Titles and descriptions of a policy are text, not Markdown: `policy compile` and `report`
/// escape them as `check --format markdown` does.
#[test]
fn markdown_reports_escape_policy_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.yaml"),
        "kind: Policy\nid: markup\ntitle: \"*Bold* <img src=x onerror=alert(1)> [link](https://x) | pipe\"\nextends: [builtin:default]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("telemetry.yaml"),
        "kind: TelemetryManifest\npolicy: policy.yaml\ndefaults: { transport: https }\nevents:\n  - { name: started, consent: required, fields: [{ name: os, type: device.os.version }] }\n",
    )
    .unwrap();
    let escaped = "\\*Bold\\* &lt;img src=x onerror=alert(1)&gt; \\[link\\](https://x) \\| pipe";
    let (table, _, code) = consentlint_in(dir.path(), &["policy", "compile", "policy.yaml"]);
    assert_eq!(code, 0);
    assert!(table.contains(&format!("\n{escaped}\n")), "{table}");
    let (report, _, code) = consentlint_in(dir.path(), &["report", "."]);
    assert_eq!(code, 0);
    assert!(
        report.contains(&format!("## Policy `markup` — {escaped}\n")),
        "{report}"
    );
    for text in [&table, &report] {
        assert!(!text.contains("<img"), "{text}");
    }
}
