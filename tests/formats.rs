//! The CI report formats — SARIF, GitHub workflow commands, JUnit, Markdown — and
//! `--output`, on the demo (violations), a clean example and an input error.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const DEMO: &str = "demo/notes-app";
const CLEAN: &str = "examples/quickstart";
const BROKEN: &str = "tests/fixtures/codes/yaml-syntax";

fn check(path: &str, format: &str, extra: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", path, "--format", format, "--no-config"])
        .args(extra)
        .env("CONSENTLINT_TODAY", "2026-11-23")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn sarif_validator() -> jsonschema::Validator {
    let vendored = std::fs::read_to_string("tests/schemas/sarif-schema-2.1.0.json").unwrap();
    let shared = Path::new("../shared/external-schemas/sarif-schema-2.1.0.json");
    match std::fs::read_to_string(shared) {
        Ok(original) => assert_eq!(
            vendored, original,
            "the vendored SARIF schema differs from {shared:?}"
        ),
        Err(_) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "note: skipped comparing tests/schemas/ with {shared:?}: not beside this checkout"
            );
        }
    }
    let schema: Value = serde_json::from_str(&vendored).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    log
}

#[test]
fn sarif_of_violations_is_valid_and_complete() {
    let (text, _, code) = check(DEMO, "sarif", &[]);
    assert_eq!(code, 1);
    let log = assert_valid_sarif(&text);
    insta::assert_snapshot!("sarif_demo", text);
    // The validation has teeth: a wrong level or a zero line is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_validator().is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!sarif_validator().is_valid(&broken));

    let (json, _, _) = check(DEMO, "json", &[]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    for (result, d) in results.iter().zip(diagnostics) {
        // The rule a result names is the one its index points at, with help text.
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        assert!(rule["help"]["text"].as_str().unwrap().len() > 40);
        let expected_id = match d["rule"].as_str() {
            Some(r) => format!("{}/{r}", d["code"].as_str().unwrap()),
            None => d["code"].as_str().unwrap().to_owned(),
        };
        assert_eq!(result["ruleId"], expected_id.as_str());
        assert_eq!(
            result["partialFingerprints"]["consentlint/v1"],
            d["fingerprint"]
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], d["line"]);
        assert_eq!(region["startColumn"], d["column"]);
        assert_eq!(region["endColumn"], d["end_column"]);
        assert_eq!(
            result["relatedLocations"].as_array().map_or(0, Vec::len),
            d["related"].as_array().unwrap().len()
        );
    }
    // A rule entry for every code used, and for every code/policy-rule pair.
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for d in diagnostics {
        assert!(ids.contains(&d["code"].as_str().unwrap()), "{ids:?}");
    }
    // The policy rule's own description and reference are in its help.
    let denied = rules
        .iter()
        .find(|r| r["id"] == "denied-data/no-end-user-identifiable-info")
        .unwrap();
    let help = denied["help"]["text"].as_str().unwrap();
    assert!(help.contains("Reference: "), "{help}");
    assert!(help.contains("End-user identifiable information"), "{help}");
}

#[test]
fn sarif_of_input_errors_and_clean_runs_is_valid() {
    let (text, _, code) = check(BROKEN, "sarif", &[]);
    assert_eq!(code, 2);
    let log = assert_valid_sarif(&text);
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "yaml-syntax");

    let (text, _, code) = check(CLEAN, "sarif", &[]);
    assert_eq!(code, 0);
    let log = assert_valid_sarif(&text);
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

/// `policy test --format sarif`: a failing case is a result at the case, with the rule
/// that decided as a related location.
#[test]
fn sarif_of_policy_test_failures_is_valid() {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args([
            "policy",
            "test",
            "tests/fixtures/codes/policy-test-failed",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = assert_valid_sarif(&String::from_utf8(out.stdout).unwrap());
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let first = &results[0];
    assert_eq!(first["ruleId"], "policy-test-failed/crash-reports");
    let region = &first["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 12);
    let related = &first["relatedLocations"][0]["physicalLocation"];
    assert_eq!(
        related["artifactLocation"]["uri"],
        "tests/fixtures/codes/policy-test-failed/policy.yaml"
    );
    assert_eq!(related["region"]["startLine"], 16);
}

/// `check --format ndjson`: the JSON report's diagnostics, one per line, nothing else; a
/// clean run prints nothing.
#[test]
fn ndjson_is_the_json_reports_diagnostics_one_per_line() {
    let (ndjson, _, code) = check(DEMO, "ndjson", &[]);
    assert_eq!(code, 1);
    let (json, _, _) = check(DEMO, "json", &[]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let rows: Vec<Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json["diagnostics"].as_array().unwrap(), &rows);
    assert!(!rows.is_empty());
    let (clean, _, code) = check(CLEAN, "ndjson", &[]);
    assert_eq!((clean.as_str(), code), ("", 0));
}

#[test]
fn github_workflow_commands() {
    let (text, _, code) = check(DEMO, "github", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("github_demo", text);
    let commands: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), 4);
    assert!(commands[0].starts_with(
        "::error file=demo/notes-app/telemetry.yaml,line=40,col=34,endLine=40,endColumn=43,title=consentlint identification-too-high [pseudonymous-identifiers]::"
    ));
}

#[test]
fn junit_has_a_test_case_per_checked_file() {
    let (text, _, code) = check(DEMO, "junit", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("junit_demo", text);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<_> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "demo/notes-app/schemas/app_started.schema.json",
            "demo/notes-app/telemetry.yaml"
        ]
    );
    assert!(!cases[0].children().any(|c| c.has_tag_name("failure")));
    let failure = cases[1]
        .children()
        .find(|c| c.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.text().unwrap().matches(" error ").count(), 4);

    // An input error is an <error>, not a <failure>.
    let (text, _, _) = check(BROKEN, "junit", &[]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert!(doc.descendants().any(|n| n.has_tag_name("error")));
    assert_eq!(doc.root_element().attribute("errors"), Some("1"));

    // Warnings under `--fail-on error` do not fail a case; they go to system-out.
    let (text, _, code) = check("tests/fixtures/codes/open-schema", "junit", &[]);
    assert_eq!(code, 0);
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert!(!doc.descendants().any(|n| n.has_tag_name("failure")));
    assert!(doc.descendants().any(|n| n.has_tag_name("system-out")));
}

#[test]
fn markdown_summary_for_pull_requests() {
    let (text, _, code) = check(DEMO, "markdown", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("markdown_demo", text);
    let (clean, _, code) = check(CLEAN, "markdown", &[]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("markdown_clean", clean);
}

#[test]
fn output_file_gets_the_report_and_the_terminal_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let (stdout, _, code) = check(DEMO, "sarif", &["--output", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "2 files checked (5 events, 20 fields): 4 errors, 0 warnings, 0 infos\n"
    );
    let (direct, _, _) = check(DEMO, "sarif", &[]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), direct);

    // `--quiet` keeps the terminal silent.
    let (stdout, _, _) = check(
        DEMO,
        "junit",
        &["--output", file.to_str().unwrap(), "--quiet"],
    );
    assert_eq!(stdout, "");

    // An unwritable output is a usage error.
    let (_, stderr, code) = check(DEMO, "json", &["--output", "/nonexistent/dir/r.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot write the report"), "{stderr}");
}
