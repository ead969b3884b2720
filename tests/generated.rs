//! A generated tree of 1,000 clean fields: only a summary and exit 0; the same tree with
//! one bad field: exit 1 and exactly that one diagnostic.

use std::path::Path;
use std::process::Command;

/// Types the embedded default policy allows at `required` as sent.
const CLEAN_TYPES: [&str; 8] = [
    "device.os.version",
    "device.model",
    "app.version",
    "app.usage.feature",
    "app.performance.duration",
    "app.error.code",
    "user.locale.language",
    "service.event",
];

fn write_tree(dir: &Path) {
    for m in 0..50 {
        let mut text = format!(
            "kind: TelemetryManifest\napp: {{ id: app-{m} }}\ndefaults: {{ transport: https, regions: [us], retention_days: 28 }}\nevents:\n"
        );
        for e in 0..4 {
            text.push_str(&format!("  - name: event_{e}\n    consent: required\n    purposes: [diagnostics]\n    fields:\n"));
            for f in 0..5 {
                let ty = CLEAN_TYPES[(m + e + f) % CLEAN_TYPES.len()];
                text.push_str(&format!("      - {{ name: field_{f}, type: {ty} }}\n"));
            }
        }
        let sub = dir.join(format!("team-{}", m % 7));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("app-{m}.telemetry.yaml")), text).unwrap();
    }
}

fn consentlint(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn a_clean_tree_prints_only_a_summary_and_one_bad_field_is_found_alone() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(tmp.path());

    let (stdout, code) = consentlint(tmp.path(), &["check", ".", "--color", "never"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        "50 files checked (200 events, 1000 fields): 0 errors, 0 warnings, 0 infos\n"
    );

    let victim = tmp.path().join("team-3/app-17.telemetry.yaml");
    let text = std::fs::read_to_string(&victim).unwrap();
    // The first `field_2` (event_0, line 11) becomes an email address.
    let mut replaced = false;
    let bad: Vec<String> = text
        .lines()
        .map(|l| {
            if !replaced && l.contains("name: field_2,") {
                replaced = true;
                "      - { name: field_2, type: user.email }".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&victim, bad.join("\n") + "\n").unwrap();

    let (stdout, code) = consentlint(tmp.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{stdout}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "denied-data");
    assert_eq!(d["rule"], "no-end-user-identifiable-info");
    assert_eq!(d["file"], "team-3/app-17.telemetry.yaml");
    assert_eq!(
        (d["event"].as_str(), d["field"].as_str()),
        (Some("event_0"), Some("field_2"))
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(11), Some(32))
    );
    assert_eq!(report["summary"]["fields"], 1000);
}
