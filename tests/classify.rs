//! `consentlint classify` and `check --infer` end to end, on the fixture in
//! tests/fixtures/classify/: exact proposals, evidence and spans, the inferred marker in
//! findings, project rules, and bad input.

use serde_json::Value;
use std::process::Command;

const SIGNUP: &str = "tests/fixtures/classify/signup";

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

/// `(line, field, data_type, confidence, rules)` of each proposal.
fn proposals(json: &Value) -> Vec<(u64, String, String, f64, Vec<String>)> {
    json["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["field"].as_str().unwrap().to_owned(),
                p["data_type"].as_str().unwrap().to_owned(),
                p["confidence"].as_f64().unwrap(),
                p["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["rule"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn owned(rows: &[(u64, &str, &str, f64, &[&str])]) -> Vec<(u64, String, String, f64, Vec<String>)> {
    rows.iter()
        .map(|(l, f, t, c, r)| {
            (
                *l,
                f.to_string(),
                t.to_string(),
                *c,
                r.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn classify_proposes_a_type_for_every_unclassified_leaf() {
    let (out, stderr, code) = consentlint(&["classify", "--no-config", "--format", "json", SIGNUP]);
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        proposals(&json),
        owned(&[
            (8, "contact", "user.email", 0.97, &["format-email"]),
            (
                9,
                "created_at",
                "app.metadata",
                0.97,
                &["format-time", "name-record-time"]
            ),
            (10, "user_id", "user.id", 0.9, &["name-user-id"]),
            (11, "page_url", "user.web_activity", 0.85, &["name-url"]),
            (
                12,
                "retry_count",
                "app.usage.counts",
                0.85,
                &["name-counter"]
            ),
            (
                16,
                "geo.latitude",
                "user.location",
                0.9,
                &["name-coordinates"]
            ),
        ])
    );
    let user_id = &json["proposals"][2];
    assert_eq!(
        user_id["file"],
        "tests/fixtures/classify/signup/signup.json"
    );
    assert_eq!(user_id["column"], 5);
    assert_eq!(user_id["event"], "signup");
    assert_eq!(user_id["evidence"][0]["kind"], "name");
    assert_eq!(user_id["evidence"][0]["matched"], "user id");
    // `user_id` also ends in `id`: the record-id reading is the alternative.
    assert_eq!(user_id["alternatives"][0]["data_type"], "app.metadata");
    assert_eq!(json["unplaced"][0]["field"], "blob");
    assert_eq!(json["unplaced"].as_array().unwrap().len(), 1);
    assert_eq!(json["summary"]["fields"], 7);
    assert_eq!(json["summary"]["proposed"], 6);
    assert_eq!(json["summary"]["unplaced"], 1);
}

#[test]
fn classify_in_a_fideslang_taxonomy_proposes_fideslang_categories() {
    let (out, _, code) = consentlint(&[
        "classify",
        "--no-config",
        "--format",
        "json",
        "--policy",
        "tests/fixtures/sources/fideslang/policy.yaml",
        SIGNUP,
    ]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    let types: Vec<String> = proposals(&json).into_iter().map(|p| p.2).collect();
    assert_eq!(
        types,
        [
            "user.contact.email",
            "system.operations",
            "user.unique_id",
            "user.behavior.browsing_history",
            "system.operations",
            "user.location.precise"
        ]
    );
}

#[test]
fn min_confidence_leaves_weaker_proposals_for_review() {
    let (out, _, code) = consentlint(&[
        "classify",
        "--no-config",
        "--min-confidence",
        "0.95",
        SIGNUP,
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "tests/fixtures/classify/signup/signup.json\n\
         \x20 8:5       contact → user.email (0.97): format `email` (rule `format-email`)\n\
         \x20 9:5       created_at → app.metadata (0.97): format `date-time` (rule `format-time`), name `at` (rule `name-record-time`)\n\
         \x20 10:5      user_id → cannot place (left for review)\n\
         \x20 11:5      page_url → cannot place (left for review)\n\
         \x20 12:5      retry_count → cannot place (left for review)\n\
         \x20 16:23     geo.latitude → cannot place (left for review)\n\
         \x20 18:5      blob → cannot place (left for review)\n\
         \n\
         7 unclassified fields: 2 proposed (2 at confidence ≥ 0.80), 5 left for review\n"
    );
    let (_, stderr, code) = consentlint(&["classify", "--min-confidence", "2", SIGNUP]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`2` is not a confidence between 0 and 1"),
        "{stderr}"
    );
}

#[test]
fn check_infer_decides_on_confident_proposals_and_says_so() {
    let (out, _, code) = consentlint(&["check", "--no-config", "--format", "json", SIGNUP]);
    assert_eq!(code, 1);
    let plain: Value = serde_json::from_str(&out).unwrap();
    let codes = |json: &Value| -> Vec<(String, String)> {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_owned(),
                    d["field"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    assert!(codes(&plain).iter().all(|(c, _)| c == "unclassified-field"));
    assert_eq!(codes(&plain).len(), 7);

    let (out, _, code) = consentlint(&[
        "check",
        "--no-config",
        "--infer",
        "--format",
        "json",
        SIGNUP,
    ]);
    assert_eq!(code, 1);
    let inferred: Value = serde_json::from_str(&out).unwrap();
    let pair = |c: &str, f: &str| (c.to_owned(), f.to_owned());
    assert_eq!(
        codes(&inferred),
        [
            pair("denied-data", "contact"),
            pair("identification-too-high", "user_id"),
            pair("denied-data", "page_url"),
            pair("denied-data", "geo.latitude"),
            pair("unclassified-field", "blob"),
        ]
    );
    let contact = &inferred["diagnostics"][0];
    assert!(
        contact["message"]
            .as_str()
            .unwrap()
            .ends_with("[type `user.email` inferred from format `email` (rule `format-email`); confidence 0.97]"),
        "{contact}"
    );
    assert_eq!(contact["data_type"], "user.email");
    // The span is the field's own name in the schema.
    assert_eq!(
        (&contact["line"], &contact["column"]),
        (&Value::from(8), &Value::from(5))
    );
}

#[test]
fn a_project_extends_and_overrides_the_rules() {
    let rules = "tests/fixtures/classify/signup/extra-rules.yaml";
    let (out, stderr, code) = consentlint(&[
        "classify",
        "--no-config",
        "--format",
        "json",
        "--rules",
        rules,
        SIGNUP,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let fields: Vec<(String, String)> = proposals(&json).into_iter().map(|p| (p.1, p.2)).collect();
    assert!(
        fields.contains(&("blob".into(), "content.text".into())),
        "{fields:?}"
    );
    assert!(!fields.iter().any(|(f, _)| f == "page_url"), "{fields:?}");
}

#[test]
fn broken_rules_are_reported_at_their_span_and_exit_2() {
    let (_, stderr, code) = consentlint(&[
        "classify",
        "--no-config",
        "--rules",
        "tests/fixtures/classify/bad-rules/rules.yaml",
        SIGNUP,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown key `nmae`"), "{stderr}");
    assert!(
        stderr.contains("tests/fixtures/classify/bad-rules/rules.yaml:5:"),
        "{stderr}"
    );
    let (_, stderr, code) =
        consentlint(&["classify", "--no-config", "--rules", "builtin:nope", SIGNUP]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`builtin:nope` names no built-in classifier rules"),
        "{stderr}"
    );
}
