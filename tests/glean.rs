//! Glean files read fully: `metrics.yaml`, `pings.yaml` and `tags.yaml` validated against
//! Glean's own schemas (as glean_parser validates them), and a metric's `send_in_pings` and
//! tags resolved against the pings and tags files of the run. Real files: glean_parser's
//! test fixtures (vendored excerpt, CC0), and every fixture of the corpus when it is there.

mod common;

use common::shared_corpus;
use serde_json::Value;
use std::process::Command;

const FIXTURES: &str = "tests/vendored/glean-parser-fixtures/tests/data";

/// `consentlint check ARGS --format json` in the crate root: exit code and every
/// diagnostic as `file:line:column code`.
fn check(args: &[&str]) -> (i32, Vec<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let diagnostics = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                common::announced(d)
            )
        })
        .collect();
    (out.status.code().unwrap(), diagnostics)
}

fn at(file: &str, places: &[&str]) -> Vec<String> {
    places
        .iter()
        .map(|p| format!("{FIXTURES}/{file}:{p}"))
        .collect()
}

/// The metrics glean_parser refuses for their structure are refused, each error at its place
/// (glean_parser reports the same nodes), with exit 2; their metrics are still checked.
#[test]
fn metrics_that_break_gleans_schema_are_input_errors_at_their_places() {
    let file = format!("{FIXTURES}/schema-violation.yaml");
    assert_eq!(
        check(&[&file]),
        (
            2,
            at(
                "schema-violation.yaml",
                &[
                    "7:6 invalid-value",   // `a: b`: a metric must be a mapping
                    "9:3 invalid-value",   // an event without `bugs`,
                    "9:3 invalid-value",   // `data_reviews`,
                    "9:3 invalid-value",   // `description`,
                    "9:3 invalid-value",   // `expires`,
                    "9:3 invalid-value",   // `notification_emails`
                    "15:15 invalid-value", // lifetime: user2
                    "21:1 invalid-value",  // a category name over 40 characters
                    "31:3 invalid-value",  // a metric name over 70 characters
                    "49:7 invalid-value",  // 51 extra keys, at most 50
                ]
            )
        )
    );
    // `unit:` where Glean wants `time_unit:`, through YAML merge keys.
    let file = format!("{FIXTURES}/wrong_key.yamlx");
    assert_eq!(
        check(&[&file]),
        (
            2,
            at(
                "wrong_key.yamlx",
                &[
                    "11:3 invalid-value",
                    "25:3 invalid-value",
                    "29:3 invalid-value"
                ]
            )
        )
    );
    let file = format!("{FIXTURES}/dual_labeled_invalid.yaml");
    assert_eq!(
        check(&[&file]),
        (
            2,
            at(
                "dual_labeled_invalid.yaml",
                &[
                    "14:5 invalid-value",
                    "33:5 invalid-value",
                    "64:5 invalid-value",
                    "64:5 invalid-value",
                    "65:7 unknown-key",
                ]
            )
        )
    );
}

#[test]
fn messages_name_what_glean_expects() {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", "--format", "concise"])
        .args([
            format!("{FIXTURES}/invalid-ping-names.yaml"),
            format!("{FIXTURES}/wrong_key.yamlx"),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        format!(
            "{FIXTURES}/invalid-ping-names.yaml:22:9: invalid-value `invalid_ping_name` is not a valid value for an entry of `send_in_pings`\n\
             {FIXTURES}/wrong_key.yamlx:11:3: invalid-value missing required key `time_unit`\n\
             {FIXTURES}/wrong_key.yamlx:25:3: invalid-value missing required key `time_unit`\n\
             {FIXTURES}/wrong_key.yamlx:29:3: invalid-value missing required key `time_unit`\n\
             2 files checked (8 events, 8 fields): 4 errors, 0 warnings, 0 infos\n"
        )
    );
    assert_eq!(out.status.code(), Some(2));
}

/// pings.yaml and tags.yaml are documents `check` reads (validated, counted), and what they
/// define resolves the metrics' `send_in_pings` and tags.
#[test]
fn pings_and_tags_files_are_checked_and_resolve_what_metrics_name() {
    let (pings, tags, metrics) = (
        format!("{FIXTURES}/pings.yaml"),
        format!("{FIXTURES}/tags.yaml"),
        format!("{FIXTURES}/metric-with-tags.yaml"),
    );
    assert_eq!(check(&[&pings, &tags]), (0, vec![]));
    assert_eq!(check(&[&metrics, &tags, &pings]), (0, vec![]));

    // The same files in a project where one tag is misspelt and a metric names a ping
    // nobody defines.
    let dir = tempfile::tempdir().unwrap();
    let copy = |name: &str, edit: &dyn Fn(String) -> String| {
        let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap();
        std::fs::write(dir.path().join(name), edit(text)).unwrap();
    };
    copy("tags.yaml", &|t| t.replace("\napple:", "\naple:"));
    copy("pings.yaml", &|t| t);
    copy("metric-with-tags.yaml", &|t| {
        t.replace(
            "      - metrics\n",
            "      - metrics\n      - custom-pong\n",
        )
    });
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
            .arg("check")
            .args(args)
            .args(["--format", "concise"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    };
    let named = ["metric-with-tags.yaml", "pings.yaml", "tags.yaml"];
    assert_eq!(
        run(&named),
        (
            2,
            "metric-with-tags.yaml:26:9: unknown-id ping `custom-pong` in `send_in_pings` is defined neither by Glean nor in `pings.yaml`\n\
             metric-with-tags.yaml:30:11: unknown-id tag `apple` is not defined in `tags.yaml`\n\
             3 files checked (1 event, 1 field): 2 errors, 0 warnings, 0 infos\n"
                .to_owned()
        )
    );
    // Walked pings and tags files are validated, not used to resolve: a tree may hold
    // several Glean projects.
    assert_eq!(
        run(&["."]).1,
        "3 files checked (1 event, 1 field): 0 errors, 0 warnings, 0 infos\n"
    );
    // Without a pings file the project's pings are unknown, not wrong: only tags resolve.
    assert_eq!(
        run(&["metric-with-tags.yaml", "tags.yaml"]).1,
        "metric-with-tags.yaml:30:11: unknown-id tag `apple` is not defined in `tags.yaml`\n\
         2 files checked (1 event, 1 field): 1 error, 0 warnings, 0 infos\n"
    );
    // glean_parser's `no_lint` names opt a metric out, as they do in glinter.
    copy("metric-with-tags.yaml", &|t| {
        t.replace("      - metrics\n", "      - metrics\n      - custom-pong\n")
            .replace(
                "      - EXPIRATION_DATE_TOO_FAR\n",
                "      - EXPIRATION_DATE_TOO_FAR\n      - UNKNOWN_PING_REFERENCED\n      - INVALID_TAGS\n",
            )
    });
    assert_eq!(
        run(&named),
        (
            0,
            "3 files checked (1 event, 1 field): 0 errors, 0 warnings, 0 infos\n".to_owned()
        )
    );
}

/// The schemas consentlint embeds are glean_parser's, unchanged.
#[test]
fn the_embedded_glean_schemas_are_glean_parsers() {
    let Some(corpus) = shared_corpus(
        "glean-parser-fixtures/glean_parser/schemas/",
        "comparing schemas/glean/ with glean_parser's",
    ) else {
        return;
    };
    let mut compared = 0;
    for entry in std::fs::read_dir("schemas/glean").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let original = std::fs::read(format!("{corpus}{name}")).unwrap();
            assert!(std::fs::read(&path).unwrap() == original, "{name} differs");
            compared += 1;
        }
    }
    assert_eq!(compared, 5);
}

/// Every glean_parser fixture whose structure glean_parser refuses (its errors quote the
/// offending node) is refused here too, and none it accepts is refused for its structure.
/// The verdicts are glean_parser 22.0.1's (`glean_parser glinter FILE`), recorded by hand.
#[test]
fn glean_parser_fixtures_get_its_structural_verdicts() {
    let Some(dir) = shared_corpus(
        "glean-parser-fixtures/tests/data/",
        "the full glean_parser fixture comparison",
    ) else {
        return;
    };
    // Refused by glean_parser for their structure (schema errors).
    let refused = [
        "bad_ping.yamlx",
        "dual_labeled_invalid.yaml",
        "invalid-ping-names.yaml",
        "schema-violation.yaml",
        "wrong_key.yamlx",
        "jwe.yaml",
        "text_invalid.yaml",
    ];
    let mut structural = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".yaml") || name.ends_with(".yamlx")) {
            continue;
        }
        let (_, diagnostics) = check(&[path.to_str().unwrap()]);
        if diagnostics
            .iter()
            .any(|d| d.ends_with(" invalid-value") || d.ends_with(" unknown-key"))
        {
            structural.push(name);
        }
    }
    structural.sort();
    let mut expected = refused.map(str::to_owned).to_vec();
    expected.sort();
    assert_eq!(structural, expected);
}

/// glean_parser's `no_lint: [HIGHER_DATA_SENSITIVITY_REQUIRED]` (its lint for extras named
/// `url`/`uri`) opts a metric out of `suspicious-classification`: the same two metrics are
/// reported as glinter reports (`event.low_sensitivity`, `event.no_data_sensitivity`), not
/// the exempt one at line 72.
#[test]
fn no_lint_opts_out_of_the_name_heuristic_as_it_does_of_glinters_lint() {
    let file = format!("{FIXTURES}/events_data_sensitivity.yaml");
    assert_eq!(
        check(&[&file]),
        (
            0,
            at(
                "events_data_sensitivity.yaml",
                &[
                    "20:15 suspicious-classification",
                    "38:15 suspicious-classification"
                ]
            )
        )
    );
}

/// `builtin:glean` requires a data review: every `TBD` in `data_reviews` is `no-data-review`
/// (glean_parser's EMPTY_DATAREVIEW: glinter reports these same six metrics), and
/// `no_lint: [EMPTY_DATAREVIEW]` opts a metric out.
#[test]
fn placeholder_data_reviews_are_reported_when_the_policy_requires_a_review() {
    let file = format!("{FIXTURES}/go_server_events_only_metrics.yaml");
    let (code, found) = check(&[&file]);
    assert_eq!(code, 0, "warnings only");
    assert_eq!(
        found,
        at(
            "go_server_events_only_metrics.yaml",
            &[
                "20:9 no-data-review",
                "36:9 no-data-review",
                "51:9 no-data-review",
                "66:9 no-data-review",
                "81:9 no-data-review",
                "92:9 no-data-review",
            ]
        )
    );
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let opted = text.replacen(
        "    data_reviews:\n",
        "    no_lint: [EMPTY_DATAREVIEW]\n    data_reviews:\n",
        1,
    );
    assert_ne!(opted, text);
    std::fs::write(dir.path().join("metrics.yaml"), opted).unwrap();
    let path = dir.path().join("metrics.yaml");
    let (_, found) = check(&[path.to_str().unwrap()]);
    // The first metric opted out; the others moved down a line.
    let expected: Vec<String> = ["37:9", "52:9", "67:9", "82:9", "93:9"]
        .iter()
        .map(|p| format!("{}:{p} no-data-review", path.display()))
        .collect();
    assert_eq!(found, expected);
}

/// On every glean_parser fixture, `no-data-review` falls where glinter's EMPTY_DATAREVIEW
/// does: 67 placeholders (glean_parser 22.0.1, counted with `glean_parser glinter`).
#[test]
fn data_review_findings_match_glinters_over_all_its_fixtures() {
    let Some(dir) = shared_corpus(
        "glean-parser-fixtures/tests/data/",
        "the data-review comparison with glinter",
    ) else {
        return;
    };
    let (_, found) = check(&[&dir]);
    let reviews = found
        .iter()
        .filter(|f| f.ends_with(" no-data-review"))
        .count();
    assert_eq!(reviews, 67);
}

const LIFETIMES: &str = "tests/fixtures/sources/glean-lifetimes";

/// The findings of `expires` and `lifetime` on the lifetimes fixture as of `today`.
fn expiry_findings(today: &str) -> Vec<String> {
    let (_, found) = check(&[
        &format!("{LIFETIMES}/metrics.yaml"),
        "--policy",
        &format!("{LIFETIMES}/policy.yaml"),
        "--today",
        today,
    ]);
    found
        .into_iter()
        .map(|f| f.replace(&format!("{LIFETIMES}/metrics.yaml:"), ""))
        .collect()
}

/// `--today` pins the date `expires` is read against: a metric expires on its date, and a
/// `user`-lifetime value's retention is counted from today to its `expires`.
#[test]
fn expiry_and_lifetime_retention_follow_the_pinned_date() {
    assert_eq!(
        expiry_findings("2026-08-31"),
        [
            "32:14 collection-expired",
            "51:14 expiry-too-far",
            "60:14 expiry-too-far",
            "80:14 retention-exceeded",
            "99:14 retention-exceeded",
        ]
    );
    // A day later the toolbar metric has expired; 2026-11-02 is the last day from which
    // `short_lived_query` (until 2027-01-31) is kept at most 90 days.
    assert_eq!(
        expiry_findings("2026-11-02"),
        [
            "23:14 collection-expired",
            "32:14 collection-expired",
            "51:14 expiry-too-far",
            "60:14 expiry-too-far",
            "80:14 retention-exceeded",
        ]
    );
    // `--today` wins over CONSENTLINT_TODAY.
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", &format!("{LIFETIMES}/metrics.yaml"), "--policy"])
        .arg(format!("{LIFETIMES}/policy.yaml"))
        .args(["--today", "2026-08-31", "--format", "concise"])
        .env("CONSENTLINT_TODAY", "2026-11-23")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(":23:14:"), "{text}");
    // A date that is not one is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", LIFETIMES, "--today", "2026-02-30"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`2026-02-30` is not a date (YYYY-MM-DD)")
    );
}

/// Over the corpus's metrics files, on 2026-12-04, with the fixture's policy (expired
/// metrics reported, collection within 730 days): `collection-expired` falls on the 389
/// metrics glean_parser 22.0.1's glinter reports EXPIRED that day, and the dated
/// `expiry-too-far` on its 8 EXPIRATION_DATE_TOO_FAR (counted with `glean_parser glinter`
/// file by file); the 1,123 `expires: never`, which glinter accepts, are `expiry-too-far`
/// because this policy says collection must end.
#[test]
fn expiry_findings_over_the_corpus_match_glinters() {
    let Some(dir) = shared_corpus("glean-metrics/", "the expiry comparison with glinter") else {
        return;
    };
    let (_, found) = check(&[
        &dir,
        "--policy",
        &format!("{LIFETIMES}/policy.yaml"),
        "--today",
        "2026-12-04",
    ]);
    let count = |code: &str| found.iter().filter(|f| f.ends_with(code)).count();
    assert_eq!(count(" collection-expired"), 389);
    assert_eq!(count(" expiry-too-far"), 8 + 1_123);
}

/// A metric's lifetime is its event's retention for the grants too: a grant with
/// `max_retention_days` holds for a `ping` value and not for a `user` one kept until a date
/// further off.
#[test]
fn a_grants_retention_limit_reads_the_metrics_lifetime() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.yaml"),
        "kind: Policy\nid: glean-retention\ntaxonomy: builtin:default\nconsent_levels:\n  - { id: technical, default: on, can_disable: [] }\nsources:\n  glean:\n    data_sensitivity: { technical: technical }\n    metric_types: { counter: device.os.version }\n    lifetimes: { ping: 1, user: until-expiry }\nrules:\n  - id: kept-a-month\n    allow: { types: [device.os.version] }\n    max_retention_days: 30\n",
    )
    .unwrap();
    let metric = |name: &str, lifetime: &str| {
        format!(
            "  {name}:\n    type: counter\n    description: A counter.\n    bugs: [https://bugzilla.mozilla.org/show_bug.cgi?id=1]\n    data_reviews: [https://bugzilla.mozilla.org/show_bug.cgi?id=1#c1]\n    notification_emails: [a@example.com]\n    data_sensitivity: [technical]\n    lifetime: {lifetime}\n    expires: 2027-06-30\n"
        )
    };
    let metrics = dir.path().join("metrics.yaml");
    std::fs::write(
        &metrics,
        format!(
            "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nbrowser:\n{}{}",
            metric("per_ping", "ping"),
            metric("per_profile", "user")
        ),
    )
    .unwrap();
    let policy = dir.path().join("policy.yaml");
    let (code, found) = check(&[
        metrics.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(
        (code, found),
        (
            1,
            vec![format!(
                "{}:13:11 retention-exceeded[kept-a-month]",
                metrics.display()
            )]
        )
    );
}
