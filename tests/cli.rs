//! The binary's other commands and its exit codes, on the shipped files.

use std::process::Command;

fn consentlint(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn every_shipped_example_is_clean() {
    let (stdout, _, code) = consentlint(&["check", "examples/", "--color", "never"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        "12 files checked (34 events, 183 fields): 0 errors, 0 warnings, 0 infos\n"
    );
}

#[test]
fn taxonomy_prints_the_tree_with_extensions() {
    let (default, _, code) = consentlint(&["taxonomy"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("taxonomy_default", default);
    let (skype, _, _) = consentlint(&["taxonomy", "--policy", "policies/skype-teams.yaml"]);
    assert!(
        skype.contains("\n      app.usage.counts.sign_in "),
        "{skype}"
    );
}

#[test]
fn explain_code_prints_the_documentation() {
    let (text, _, code) = consentlint(&["explain-code", "consent-too-low"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("explain_consent_too_low", text);
    let (same, _, _) = consentlint(&["--explain", "consent-too-low"]);
    assert_eq!(same, text);
    let (_, stderr, code) = consentlint(&["explain-code", "consent-to-low"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean `consent-too-low`?"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_and_missing_paths_exit_2() {
    assert_eq!(consentlint(&[]).2, 2);
    assert_eq!(consentlint(&["check", "--format", "yaml"]).2, 2);
    let (stdout, _, code) = consentlint(&["check", "no/such/dir", "--format", "json"]);
    assert_eq!(code, 2);
    assert!(stdout.contains("\"code\": \"unreadable-file\""), "{stdout}");
}

#[test]
fn fail_on_decides_whether_warnings_fail() {
    let dir = "tests/fixtures/codes/open-schema";
    assert_eq!(consentlint(&["check", dir]).2, 0);
    assert_eq!(consentlint(&["check", dir, "--fail-on", "warning"]).2, 1);
    assert_eq!(
        consentlint(&["check", "demo/notes-app", "--fail-on", "never"]).2,
        0
    );
}

#[test]
fn the_sensitive_name_check_can_be_turned_off_in_the_config() {
    let dir = "tests/fixtures/codes/suspicious-classification";
    let (on, _, code) = consentlint(&["check", dir, "--no-config", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(
        on.matches("\"code\": \"suspicious-classification\"")
            .count(),
        5
    );
    let (off, _, code) = consentlint(&[
        "check",
        dir,
        "--config",
        "tests/fixtures/codes/suspicious-classification/consentlint.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert!(!off.contains("suspicious-classification"), "{off}");
    assert!(off.contains("\"warnings\": 0"), "{off}");
}
