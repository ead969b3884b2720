//! `policy test` (`kind: PolicyTest`): the shipped policies' own tests at full rule
//! coverage, the coverage report and `--fail-under`, the formats, `policy diff --tests`, and
//! that a case says exactly what `check` says of the same field in a manifest.
//! The failing and broken cases themselves are fixtures (`tests/fixtures/codes/
//! policy-test-failed/`, `tests/fixtures/policy-test/`).

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

fn consentlint(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

const FAILING: &str = "tests/fixtures/codes/policy-test-failed";

/// Every policy shipped in `policies/` has a test file in `policies/tests/` naming it, and
/// the cases, all passing, exercise every rule of every one of them.
#[test]
fn the_shipped_policies_are_tested_to_full_rule_coverage() {
    let (out, stderr, code) = consentlint(&[
        "policy",
        "test",
        "policies/tests",
        "--coverage",
        "--fail-under",
        "100",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}{out}");
    let report = json(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]));
    let cases = report["cases"].as_array().unwrap();
    assert!(cases.iter().all(|c| c["passed"] == true));
    let mut shipped: Vec<String> = std::fs::read_dir("policies")
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let stem = name.strip_suffix(".yaml")?.to_owned();
            (stem != "taxonomy").then_some(stem)
        })
        .collect();
    shipped.sort();
    let mut tested: Vec<String> = report["coverage"]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["percent"], 100.0, "{p}");
            assert_eq!(p["rules"], p["exercised"], "{p}");
            p["file"]
                .as_str()
                .unwrap()
                .trim_start_matches("policies/")
                .trim_end_matches(".yaml")
                .to_owned()
        })
        .collect();
    tested.sort();
    assert_eq!(tested, shipped);
    // Every rule of every shipped policy is listed, with where it is written.
    for rule in report["coverage"]["rules"].as_array().unwrap() {
        assert!(rule["hits"].as_u64().unwrap() > 0, "{rule}");
        assert!(rule["file"].as_str().unwrap().starts_with("policies/"));
        assert!(rule["line"].as_u64().unwrap() > 0);
    }
}

/// A case decides as `check` decides the same field in a manifest: every case of the
/// shipped tests becomes an event of one field, `check` runs on the manifest, and the
/// verdict, the code and the deciding rule agree event by event.
#[test]
fn every_case_agrees_with_check_on_the_same_field() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-test-as-manifests");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir("policies/tests").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        let policy = format!(
            "policies/{}",
            doc["policy"].as_str().unwrap().trim_start_matches("../")
        );
        let cases = doc["cases"].as_array().unwrap();
        let mut manifest = String::from("kind: TelemetryManifest\napp: { id: cases }\nevents:\n");
        for (i, case) in cases.iter().enumerate() {
            manifest.push_str(&format!(
                "  - name: e{i}\n    consent: {}\n",
                case["consent"].as_str().unwrap()
            ));
            for key in ["purposes", "retention_days", "transport"] {
                if !case[key].is_null() {
                    manifest.push_str(&format!("    {key}: {}\n", case[key]));
                }
            }
            if let Some(region) = case["region"].as_str() {
                manifest.push_str(&format!("    regions: [{region}]\n"));
            }
            manifest.push_str(&format!(
                "    fields:\n      - name: f\n        type: {}\n",
                case["type"].as_str().unwrap()
            ));
            if let Some(q) = case["identification"].as_str() {
                manifest.push_str(&format!("        identification: {q}\n"));
            }
        }
        let file = dir.join(path.file_name().unwrap());
        std::fs::write(&file, manifest).unwrap();
        let (out, stderr, _) = consentlint(&[
            "check",
            file.to_str().unwrap(),
            "--policy",
            &policy,
            "--format",
            "json",
        ]);
        let checked = json(&out);
        // What `check` says per event. A limit a case does not state is not what it tests
        // (`policy test` checks only the settings a case gives): those findings are dropped.
        let mut said: BTreeMap<usize, Vec<(String, Option<String>)>> = BTreeMap::new();
        for d in checked["diagnostics"].as_array().unwrap() {
            let event = d["event"].as_str().unwrap_or_else(|| panic!("{stderr}{d}"));
            let i: usize = event[1..].parse().unwrap();
            let code = d["code"].as_str().unwrap().to_owned();
            let unstated = match code.as_str() {
                "transport-not-allowed" => case_lacks(&cases[i], "transport"),
                "region-not-allowed" => case_lacks(&cases[i], "region"),
                "retention-exceeded" => {
                    d["rule"].is_null() && case_lacks(&cases[i], "retention_days")
                }
                _ => false,
            };
            if !unstated {
                said.entry(i)
                    .or_default()
                    .push((code, d["rule"].as_str().map(str::to_owned)));
            }
        }
        let (out, _, _) =
            consentlint(&["policy", "test", path.to_str().unwrap(), "--format", "json"]);
        let tested = json(&out);
        let runs = tested["cases"].as_array().unwrap();
        assert_eq!(runs.len(), cases.len());
        for (i, run) in runs.iter().enumerate() {
            let findings = said.get(&i).cloned().unwrap_or_default();
            let what = format!("{}: case {run}: check says {findings:?}", path.display());
            assert_eq!(run["actual"] == "allow", findings.is_empty(), "{what}");
            if let Some(code) = run["code"].as_str() {
                assert!(findings.iter().any(|(c, _)| c == code), "{what}");
            }
            if run["actual"] == "deny"
                && let Some((_, Some(rule))) = findings.iter().find(|(_, r)| r.is_some())
            {
                assert_eq!(run["rule"]["id"].as_str(), Some(rule.as_str()), "{what}");
            }
        }
    }
}

fn case_lacks(case: &Value, key: &str) -> bool {
    case[key].is_null()
}

#[test]
fn a_failing_case_fails_the_run_and_json_lists_every_case() {
    let (out, _, code) = consentlint(&["policy", "test", FAILING, "--format", "json"]);
    assert_eq!(code, 1);
    let report = json(&out);
    let summary: Vec<(String, String, String, bool)> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["expect"].as_str().unwrap().to_owned(),
                c["actual"].as_str().unwrap().to_owned(),
                c["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    let row = |n: &str, e: &str, a: &str, p| (n.to_owned(), e.to_owned(), a.to_owned(), p);
    assert_eq!(
        summary,
        vec![
            row("the OS version is required data", "allow", "allow", true),
            row("crash reports at required", "allow", "deny", false),
            row(
                "crash reports for product improvement",
                "deny",
                "deny",
                false
            ),
            row("email addresses", "deny", "deny", false),
            row("the OS version over HTTP", "allow", "deny", false),
            row("a device id no rule mentions", "allow", "deny", false),
            row("crash reports for diagnostics", "deny", "allow", false),
        ]
    );
    assert_eq!(
        report["summary"],
        serde_json::json!({"cases": 7, "errors": 0, "failed": 6, "files": 1, "passed": 1})
    );
    // The deciding rule and where it is written; the code `check` reports.
    let second = &report["cases"][1];
    assert_eq!(second["rule"]["id"], "crash-reports");
    assert_eq!(second["rule"]["file"], format!("{FAILING}/policy.yaml"));
    assert_eq!(second["rule"]["line"], 16);
    assert_eq!(second["code"], "consent-too-low");
    assert!(report.get("coverage").is_none());
}

#[test]
fn coverage_lists_each_rule_and_cell_and_fail_under_gates_on_it() {
    let (out, _, code) =
        consentlint(&["policy", "test", FAILING, "--coverage", "--format", "json"]);
    assert_eq!(code, 1);
    let coverage = &json(&out)["coverage"];
    let rules: Vec<(String, u64, u64)> = coverage["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["hits"].as_u64().unwrap(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("no-contact-details".to_owned(), 1, 11),
            ("system-metadata".to_owned(), 2, 13),
            ("crash-reports".to_owned(), 3, 16),
        ]
    );
    let reached: Vec<String> = coverage["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["reached"] == true)
        .map(|c| {
            format!(
                "{}×{}:{}",
                c["level"].as_str().unwrap(),
                c["class"].as_str().unwrap(),
                c["cases"]
            )
        })
        .collect();
    assert_eq!(
        reached,
        [
            "required×system_metadata:2",
            "required×callstack_or_exception:1",
            "optional×euii:1",
            "optional×eupi:1",
            "optional×callstack_or_exception:2",
        ]
    );
    assert_eq!(coverage["policies"][0]["percent"], 100.0);

    // A test that never reaches a rule: the human output names it, and --fail-under gates.
    let partial = "tests/fixtures/policy-test/partial";
    let (out, _, code) = consentlint(&["policy", "test", partial, "--coverage"]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!("policy_test_partial_coverage", out);
    let (_, stderr, code) = consentlint(&["policy", "test", partial, "--fail-under", "67"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "consentlint: the cases exercise 33% of the rules of policy `crash-reporting`, under --fail-under 67\n"
    );
    let (_, _, code) = consentlint(&["policy", "test", partial, "--fail-under", "33"]);
    assert_eq!(code, 0);
}

#[test]
fn junit_has_a_test_case_per_case() {
    let (out, _, code) = consentlint(&["policy", "test", FAILING, "--format", "junit"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("policy_test_junit", out);
    let (out, _, code) = consentlint(&[
        "policy",
        "test",
        "tests/fixtures/policy-test/invalid",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 2);
    assert_eq!(out.matches("<error type=\"input\"").count(), 3, "{out}");
}

#[test]
fn a_named_file_that_is_not_a_test_is_refused() {
    let (out, _, code) = consentlint(&[
        "policy",
        "test",
        "policies/default.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let report = json(&out);
    assert_eq!(report["diagnostics"][0]["code"], "unknown-document");
    assert_eq!(
        report["diagnostics"][0]["message"],
        "`policies/default.yaml` is not a policy test (a policy)"
    );
}

/// `policy diff --tests`: the cases a change would flip, with what each version says.
#[test]
fn diff_shows_the_tests_a_change_flips() {
    let dir = "tests/fixtures/policy-test/diff";
    let (out, stderr, code) = consentlint(&[
        "policy",
        "diff",
        &format!("{dir}/old.yaml"),
        &format!("{dir}/new.yaml"),
        "--tests",
        &format!("{dir}/cases.yaml"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("policy_diff_flipped_tests", out);
    let (out, _, _) = consentlint(&[
        "policy",
        "diff",
        &format!("{dir}/old.yaml"),
        &format!("{dir}/new.yaml"),
        "--tests",
        dir,
        "--format",
        "json",
    ]);
    let flips = &json(&out)["flipped_tests"];
    let names: Vec<&str> = flips
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["crash reports at required", "tenant ids"]);
    assert_eq!(
        flips[0]["old"],
        serde_json::json!({"verdict": "deny", "rule": "crash-reports", "code": "consent-too-low", "passes": true})
    );
    assert_eq!(
        flips[0]["new"],
        serde_json::json!({"verdict": "allow", "rule": "crash-reports", "code": null, "passes": false})
    );
    // The new version has no `org` grant: the case cannot decide there as it did.
    assert_eq!(flips[1]["new"]["code"], "no-grant");
    // Without --tests the JSON has no such key.
    let (out, _, _) = consentlint(&[
        "policy",
        "diff",
        &format!("{dir}/old.yaml"),
        &format!("{dir}/new.yaml"),
        "--format",
        "json",
    ]);
    assert!(json(&out).get("flipped_tests").is_none());
}

/// `check` validates a policy test it walks past, and reports nothing for a valid one.
#[test]
fn check_validates_policy_tests_it_walks() {
    let (out, _, code) = consentlint(&["check", "policies/tests", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["diagnostics"], serde_json::json!([]));
    let (out, _, code) = consentlint(&[
        "check",
        "tests/fixtures/policy-test/invalid/unknown-key.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let report = json(&out);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["invalid-value", "unknown-key"]);
}
