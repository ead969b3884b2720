//! consentlint on real third-party telemetry definitions. Each test runs on the small,
//! attributed excerpt vendored in `tests/vendored/` (so a bare clone tests real files) and,
//! when `../shared/corpus/` is beside the checkout (as on our machines and in CI), on the
//! whole corpus; without it the full-corpus half says on the terminal that it was skipped.
//! Each asserts exactly which findings a corpus produces, so a change in what the Glean
//! mapping, the fideslang mapping or the sensitive-name heuristic decide shows up here,
//! explained in the README.

mod common;

use common::shared_corpus;
use std::process::Command;

const VENDORED: &str = "tests/vendored";

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
fn glean_metrics_excerpt_findings() {
    let dir = format!("{VENDORED}/glean-metrics/");
    let (json, code) = consentlint(&["check", &dir, "--format", "json"]);
    assert_eq!(code, 0, "warnings only");
    let gleanjs = "mozilla+glean.js/glean/src/metrics.yaml";
    let monitor = "mozilla+blurts-server/src/telemetry";
    let mut expected = vec![
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
    assert_eq!(
        human.lines().last(),
        Some("4 files checked (56 events, 173 fields): 0 errors, 6 warnings, 0 infos")
    );
}

#[test]
fn glean_metrics_corpus_findings_are_the_ones_the_readme_explains() {
    let Some(dir) = shared_corpus("glean-metrics/", "the full Glean corpus check") else {
        return;
    };
    let (json, code) = consentlint(&["check", &dir, "--format", "json"]);
    assert_eq!(code, 1);
    let fenix = "mozilla-mobile+firefox-android/fenix/app/metrics.yaml";
    let focus = "mozilla-mobile+firefox-android/focus-android/app/metrics.yaml";
    let ios = "mozilla-mobile+firefox-ios__fork_lovsroo/firefox-ios/Client/metrics.yaml";
    let gleanjs = "mozilla+glean.js/glean/src/metrics.yaml";
    let monitor = "mozilla+blurts-server/src/telemetry";
    let mut expected = vec![
        // Of the 7 `url` metrics declared only `interaction`, the 5 holding service endpoints
        // (search_url, contile_reporting_url ×2, fx_suggest reporting_url ×2) are refined to
        // `glean.service_url`; the sites users reported stay web activity.
        format!("{fenix}:8537 consent-too-low[web-activity] report_site_domain"),
        format!("{fenix}:10396 suspicious-classification url"),
        format!("{focus}:2363 consent-too-low[web-activity] report_site_domain"),
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

    // The README shows this summary; `tests/readme.rs` replays the command itself.
    let (human, _) = consentlint(&["check", &dir, "--color", "never"]);
    assert_eq!(
        human.lines().last(),
        Some(
            "79 files checked (1540 events, 1484 fields): 2 errors, 8 warnings, 0 infos; 1 file skipped (not consentlint documents)"
        )
    );
}

/// The fields of the mozilla-pipeline-schemas at `dir` that the heuristic flags, sorted.
fn flagged_in_mozilla_pipeline_schemas(dir: &str) -> Vec<String> {
    let (json, code, report) = check_unannotated(dir);
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
    flagged
}

#[test]
fn sensitive_names_in_the_mozilla_pipeline_schemas_excerpt() {
    let dir = format!("{VENDORED}/mozilla-pipeline-schemas/");
    assert_eq!(
        flagged_in_mozilla_pipeline_schemas(&dir),
        [
            "device_id",
            "download_ip",
            "password",
            "payload.deviceID",
            "payload.frame_hostname",
            "payload.frame_uri",
            "payload.syncs[].deviceID",
            "payload.top_hostname",
            "payload.top_uri",
            "reporting_url",
            "uri",
            "url",
            "username",
        ]
    );
}

#[test]
fn sensitive_names_in_mozilla_pipeline_schemas() {
    let Some(dir) = shared_corpus(
        "mozilla-pipeline-schemas/",
        "the full mozilla-pipeline-schemas check",
    ) else {
        return;
    };
    // Known wrong among them: the graphics adapter's PCI `deviceID` and the stack frames'
    // instruction pointer `ip` (see README, "Sensitive-name heuristics").
    assert_eq!(
        flagged_in_mozilla_pipeline_schemas(&dir),
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
}

/// Every vendored excerpt is its corpus file unchanged (the fideslang fixture reads the
/// vendored copy of fideslang's default data categories, as a policy's references may not
/// leave the project).
#[test]
fn the_vendored_excerpts_are_the_corpus_files() {
    let Some(corpus) = shared_corpus("", "comparing tests/vendored/ with the corpus") else {
        return;
    };
    let renamed = |rel: &str| match rel.strip_prefix("fideslang/") {
        Some(rest) => format!("fides/ethyca+fideslang/data_files/{rest}"),
        None => rel.to_owned(),
    };
    let mut compared = 0;
    for entry in walkdir::WalkDir::new(VENDORED)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let rel = entry.path().strip_prefix(VENDORED).unwrap();
        let rel = rel.to_string_lossy();
        if rel.ends_with("SOURCE.txt") || rel == "README.md" {
            continue;
        }
        let original = std::fs::read(format!("{corpus}{}", renamed(&rel)))
            .unwrap_or_else(|e| panic!("{rel} is not in the corpus: {e}"));
        assert!(
            std::fs::read(entry.path()).unwrap() == original,
            "{rel} differs from the corpus"
        );
        compared += 1;
    }
    assert_eq!(compared, 122);
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

/// The errors (not heuristic warnings or open objects) of the Iglu schemas at `dir`, one
/// `file code` line per file and code.
fn iglu_errors(json: &str, dir: &str) -> Vec<String> {
    let mut errors: Vec<String> = findings(json, &format!("{dir}schemas/"))
        .into_iter()
        .filter(|f| !f.contains(" suspicious-classification ") && !f.contains(" open-schema "))
        .map(|f| {
            f.split(':').next().unwrap_or("").to_owned() + " " + f.split(' ').nth(1).unwrap_or("")
        })
        .collect();
    errors.dedup();
    errors
}

const IGLU_ERRORS: [&str; 3] = [
    "com.snowplowanalytics.sauna.commands/command/jsonschema/1-0-0 unresolved-ref",
    "com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0 unresolved-ref",
    "com.snowplowanalytics.snowplow/elasticsearch_enriched_event/jsonschema/1-0-1 duplicate-key",
];

fn count(json: &str, code: &str) -> usize {
    json.matches(&format!("\"code\": \"{code}\"")).count()
}

#[test]
fn the_iglu_central_excerpt_is_walked_and_read_as_draft_04() {
    let dir = format!("{VENDORED}/iglu-central/");
    let (json, code, report) = check_unannotated(&dir);
    assert_eq!(code, 2, "the excerpt has duplicate keys and remote refs");
    assert_eq!(report["summary"]["files"], 48);
    assert_eq!(report["summary"]["fields"], 561);
    assert_eq!(iglu_errors(&json, &dir), IGLU_ERRORS);
    assert_eq!(count(&json, "duplicate-key"), 16);
    assert_eq!(count(&json, "unresolved-ref"), 3);
    assert_eq!(count(&json, "suspicious-classification"), 73);
}

#[test]
fn iglu_central_is_walked_and_read_as_draft_04() {
    let Some(dir) = shared_corpus("iglu-central/", "the full Iglu Central check") else {
        return;
    };
    let (json, code, report) = check_unannotated(&dir);
    assert_eq!(code, 2, "the corpus has duplicate keys and remote refs");
    assert_eq!(report["summary"]["files"], 660);
    assert_eq!(report["summary"]["fields"], 9672);
    let es = "com.snowplowanalytics.snowplow/elasticsearch_enriched_event/jsonschema";
    let mut expected: Vec<String> = IGLU_ERRORS.iter().map(|e| (*e).to_owned()).collect();
    expected.push(format!("{es}/2-0-0 duplicate-key"));
    assert_eq!(iglu_errors(&json, &dir), expected);
    assert_eq!(count(&json, "duplicate-key"), 32);
    assert_eq!(count(&json, "unresolved-ref"), 3);
    assert_eq!(count(&json, "suspicious-classification"), 849);
}
