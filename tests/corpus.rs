//! consentlint on real third-party telemetry definitions: the corpora in
//! `../shared/corpus/` (beside the checkout, as in CI). Each test asserts exactly which
//! findings a corpus produces, so a change in what the Glean mapping, the fideslang
//! mapping or the sensitive-name heuristic decide shows up here, explained in the README.

use std::process::Command;

const CORPUS: &str = "../shared/corpus";

fn consentlint(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(args)
        .output()
        .expect("run consentlint");
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

/// Check unannotated JSON Schemas with the default policy and `unclassified: allow`, so
/// that what remains is what the heuristics and the structural checks say.
fn check_unannotated(dir: &str) -> (String, i32, serde_json::Value) {
    let (json, code) = consentlint(&[
        "check",
        dir,
        "--policy",
        "tests/corpus/unclassified-allow.yaml",
        "--format",
        "json",
    ]);
    let report = serde_json::from_str(&json).expect("JSON report");
    (json, code, report)
}

fn findings(json: &str, strip: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    let mut out: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let code = match d["rule"].as_str() {
                Some(rule) => format!("{}[{rule}]", d["code"].as_str().unwrap_or("")),
                None => d["code"].as_str().unwrap_or("").to_owned(),
            };
            let file = d["file"].as_str().unwrap_or("");
            format!(
                "{}:{} {code} {}",
                file.strip_prefix(strip).unwrap_or(file),
                d["line"],
                d["field"].as_str().unwrap_or("-")
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn glean_metrics_corpus_findings_are_the_ones_the_readme_explains() {
    let dir = format!("{CORPUS}/glean-metrics/");
    let (json, code) = consentlint(&["check", &dir, "--format", "json"]);
    assert_eq!(code, 1);
    let fenix = "mozilla-mobile+firefox-android/fenix/app/metrics.yaml";
    let focus = "mozilla-mobile+firefox-android/focus-android/app/metrics.yaml";
    let ios = "mozilla-mobile+firefox-ios__fork_lovsroo/firefox-ios/Client/metrics.yaml";
    let gleanjs = "mozilla+glean.js/glean/src/metrics.yaml";
    let monitor = "mozilla+blurts-server/src/telemetry";
    let mut expected = vec![
        format!("{fenix}:3376 consent-too-low[web-activity] search_url"),
        format!("{fenix}:6972 consent-too-low[web-activity] contile_reporting_url"),
        format!("{fenix}:8537 consent-too-low[web-activity] report_site_domain"),
        format!("{fenix}:11342 consent-too-low[web-activity] reporting_url"),
        format!("{fenix}:10396 suspicious-classification url"),
        format!("{focus}:2363 consent-too-low[web-activity] report_site_domain"),
        format!("{ios}:1750 consent-too-low[web-activity] contile_reporting_url"),
        format!("{ios}:6027 consent-too-low[web-activity] reporting_url"),
        format!("{ios}:5271 suspicious-classification received_url"),
        format!("{gleanjs}:529 suspicious-classification url"),
        format!("{gleanjs}:532 suspicious-classification referrer"),
        format!("{gleanjs}:567 suspicious-classification url"),
        format!("{gleanjs}:570 suspicious-classification referrer"),
        format!("{monitor}/metrics.yaml:55 suspicious-classification referrer"),
        format!("{monitor}/backend-metrics.yaml:114 suspicious-classification referrer"),
    ];
    expected.sort();
    assert_eq!(findings(&json, &dir), expected);

    let (human, _) = consentlint(&["check", &dir, "--color", "never"]);
    let summary = human.lines().last().expect("a summary line");
    assert_eq!(
        summary,
        "48 files checked (1540 events, 1484 fields): 7 errors, 8 warnings, 0 infos; 32 files skipped (not consentlint documents)"
    );
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    assert!(
        readme.contains(&format!(
            "$ cargo run --release -- check ../shared/corpus/glean-metrics/\n…\n{summary}"
        )),
        "README's Glean corpus summary is stale: {summary}"
    );
}

#[test]
fn sensitive_names_in_mozilla_pipeline_schemas() {
    let dir = format!("{CORPUS}/mozilla-pipeline-schemas/");
    let (json, code, report) = check_unannotated(&dir);
    assert_eq!(code, 0, "only warnings");
    let mut flagged: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "suspicious-classification")
        .map(|d| d["field"].as_str().unwrap_or("").to_owned())
        .collect();
    flagged.sort();
    flagged.dedup();
    // Known wrong among them: the graphics adapter's PCI `deviceID` and the stack frames'
    // instruction pointer `ip` (see README, "Sensitive-name heuristics").
    assert_eq!(
        flagged,
        [
            "device_id",
            "download_ip",
            "environment.system.gfx.adapters[].deviceID",
            "password",
            "payload.deviceID",
            "payload.frame_hostname",
            "payload.frame_uri",
            "payload.stackTraces.threads[].frames[].ip",
            "payload.stackTraces.threads[].ip",
            "payload.syncs[].deviceID",
            "payload.top_hostname",
            "payload.top_uri",
            "reporting_url",
            "uri",
            "url",
            "username",
        ]
    );
    // Names the heuristic must not flag although a sensitive word is inside them.
    for quiet in [
        "defaultMailClient",
        "winPackageFamilyName",
        "x_foxsec_ip_reputation",
        "master_password",
        "selected_url_was_same_as_search_string",
    ] {
        assert!(!json.contains(&format!("{quiet}` ")), "{quiet} was flagged");
    }
}

/// The fideslang fixture reads a vendored copy of fideslang's default data categories (a
/// policy's references may not leave the project); it must be the corpus file unchanged.
#[test]
fn the_vendored_fideslang_categories_are_the_corpus_file() {
    let vendored = std::fs::read_to_string("tests/vendored/fideslang/data_categories.yml").unwrap();
    let original = std::fs::read_to_string(format!(
        "{CORPUS}/fides/ethyca+fideslang/data_files/data_categories.yml"
    ))
    .unwrap();
    assert_eq!(vendored, original);
}

#[test]
fn a_policy_over_the_fideslang_default_taxonomy() {
    let (out, code) = consentlint(&[
        "taxonomy",
        "--policy",
        "tests/fixtures/sources/fideslang/policy.yaml",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("taxonomy_fideslang", out);
}

#[test]
fn iglu_central_is_walked_and_read_as_draft_04() {
    let dir = format!("{CORPUS}/iglu-central/");
    let (json, code, report) = check_unannotated(&dir);
    assert_eq!(code, 2, "the corpus has duplicate keys and remote refs");
    assert_eq!(report["summary"]["files"], 660);
    assert_eq!(report["summary"]["fields"], 9672);
    let mut errors: Vec<String> = findings(&json, &format!("{dir}schemas/"))
        .into_iter()
        .filter(|f| !f.contains(" suspicious-classification ") && !f.contains(" open-schema "))
        .map(|f| {
            f.split(':').next().unwrap_or("").to_owned() + " " + f.split(' ').nth(1).unwrap_or("")
        })
        .collect();
    errors.dedup();
    let es = "com.snowplowanalytics.snowplow/elasticsearch_enriched_event/jsonschema";
    assert_eq!(
        errors,
        [
            "com.snowplowanalytics.sauna.commands/command/jsonschema/1-0-0 unresolved-ref"
                .to_owned(),
            "com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0 unresolved-ref".to_owned(),
            format!("{es}/1-0-1 duplicate-key"),
            format!("{es}/2-0-0 duplicate-key"),
        ]
    );
    let count = |code: &str| json.matches(&format!("\"code\": \"{code}\"")).count();
    assert_eq!(count("duplicate-key"), 32);
    assert_eq!(count("unresolved-ref"), 3);
    assert_eq!(count("suspicious-classification"), 849);
}
