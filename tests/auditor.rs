//! The auditor commands (`policy compile|lint|diff`, `explain`, `report`) on the shipped
//! seed policies and examples: exact exit codes, and every rendered output snapshotted.

use std::process::Command;

const SEEDS: [&str; 6] = [
    "default",
    "intune-client-apps",
    "desktop-analytics",
    "power-automate",
    "entra-diagnostic-logs",
    "skype-teams",
];

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

fn seed_path(seed: &str) -> String {
    format!("policies/{seed}.yaml")
}

#[test]
fn compile_prints_the_decision_table_of_every_seed() {
    for seed in SEEDS {
        let path = seed_path(seed);
        let (markdown, stderr, code) = consentlint(&["policy", "compile", &path]);
        assert_eq!(code, 0, "{stderr}");
        insta::assert_snapshot!(format!("compile_{seed}_markdown"), markdown);
        let (json, _, code) = consentlint(&["policy", "compile", &path, "--format", "json"]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("compile_{seed}_json"), json);
    }
    let (html, _, code) = consentlint(&[
        "policy",
        "compile",
        "policies/skype-teams.yaml",
        "--format",
        "html",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("compile_skype-teams_html", html);
}

#[test]
fn the_content_hash_ignores_layout_and_names_but_not_meaning() {
    let hash = |path: &str| {
        let (json, stderr, code) = consentlint(&["policy", "compile", path, "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        doc["content_hash"].as_str().unwrap().to_owned()
    };
    let original = std::fs::read_to_string("policies/desktop-analytics.yaml").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let base = hash("builtin:desktop-analytics");
    assert!(
        base.starts_with("sha256:") && base.len() == 7 + 64,
        "{base}"
    );
    assert_eq!(hash("policies/desktop-analytics.yaml"), base);
    // Comments and blank lines move every rule's line: same hash.
    let moved = write("moved.yaml", &format!("# a comment\n\n{original}"));
    assert_eq!(hash(&moved), base);
    // A changed retention limit is a different policy.
    let changed = original.replacen("max_retention_days: 28", "max_retention_days: 29", 1);
    assert_ne!(
        changed, original,
        "the seed has a retention limit to change"
    );
    assert_ne!(hash(&write("changed.yaml", &changed)), base);
}

#[test]
fn explain_walks_the_rules_and_names_the_smallest_change() {
    let cases: [(&str, &[&str], i32); 5] = [
        (
            "skype_user_id_census",
            &[
                "user.id",
                "--consent",
                "census",
                "--purpose",
                "support",
                "--policy",
                "policies/skype-teams.yaml",
            ],
            1,
        ),
        (
            "skype_ip_address_usage",
            &[
                "user.ip_address",
                "--consent",
                "usage",
                "--policy",
                "policies/skype-teams.yaml",
            ],
            1,
        ),
        (
            "default_crash_report_optional",
            &["app.error.crash_report", "--consent", "optional"],
            0,
        ),
        (
            "default_file_contents",
            &["content.file", "--consent", "optional"],
            1,
        ),
        (
            "desktop_analytics_retention",
            &[
                "device.os.version",
                "--consent",
                "required",
                "--retention-days",
                "90",
                "--policy",
                "policies/desktop-analytics.yaml",
            ],
            1,
        ),
    ];
    for (name, args, exit) in cases {
        let mut full = vec!["explain"];
        full.extend_from_slice(args);
        let (text, stderr, code) = consentlint(&full);
        assert_eq!(code, exit, "{name}: {stderr}{text}");
        insta::assert_snapshot!(format!("explain_{name}"), text);
    }
}

#[test]
fn explain_refuses_unknown_types_and_levels() {
    let (_, stderr, code) = consentlint(&["explain", "user.emial", "--consent", "required"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `user.email`?"), "{stderr}");
    let (_, stderr, code) = consentlint(&["explain", "user.email", "--consent", "census"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("levels, lowest first: required, optional"),
        "{stderr}"
    );
    let (_, stderr, code) = consentlint(&[
        "explain",
        "user.id",
        "--consent",
        "required",
        "--purpose",
        "advertising",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "declares no purpose `advertising` (purposes: diagnostics, security, product_improvement)"
        ),
        "{stderr}"
    );
}

#[test]
fn lint_reports_on_every_seed_policy() {
    let paths: Vec<String> = SEEDS.iter().map(|s| seed_path(s)).collect();
    let mut args = vec!["policy", "lint"];
    args.extend(paths.iter().map(String::as_str));
    let (human, stderr, code) = consentlint(&args);
    // The seeds have infos only (unused purposes and levels the documents name), no
    // warning and no error.
    assert_eq!(code, 0, "{stderr}{human}");
    insta::assert_snapshot!("lint_seeds", human);
    args.extend(["--format", "json"]);
    let (json, _, _) = consentlint(&args);
    insta::assert_snapshot!("lint_seeds_json", json);
    args.extend(["--fail-on", "warning"]);
    assert_eq!(
        consentlint(&args).2,
        0,
        "no warning fails --fail-on warning"
    );
    let last = args.len() - 1;
    args[last] = "info";
    assert_eq!(consentlint(&args).2, 1, "the infos fail --fail-on info");
}

#[test]
fn lint_of_a_broken_policy_exits_2() {
    let (stdout, _, code) = consentlint(&[
        "policy",
        "lint",
        "tests/fixtures/codes/unknown-id/policy.yaml",
    ]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("unknown-id"), "{stdout}");
}

#[test]
fn diff_compares_every_seed_with_the_default_policy() {
    for seed in SEEDS.iter().skip(1) {
        let path = seed_path(seed);
        let (text, stderr, code) = consentlint(&["policy", "diff", "builtin:default", &path]);
        assert_eq!(code, 0, "{stderr}");
        insta::assert_snapshot!(format!("diff_default_to_{seed}"), text);
    }
    let (json, _, _) = consentlint(&[
        "policy",
        "diff",
        "builtin:default",
        "policies/skype-teams.yaml",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!("diff_default_to_skype-teams_json", json);
}

#[test]
fn diff_lists_loosenings_with_their_rules_and_fails_on_them_when_asked() {
    let base = "tests/fixtures/codes/loosens-base/base.yaml";
    let child = "tests/fixtures/codes/loosens-base/policy.yaml";
    let (text, _, code) = consentlint(&["policy", "diff", base, child]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("diff_loosens_base", text);
    assert_eq!(
        consentlint(&["policy", "diff", base, child, "--fail-on-loosen"]).2,
        1
    );
    // The other way round everything is tighter: nothing to fail on.
    let (text, _, code) = consentlint(&["policy", "diff", child, base, "--fail-on-loosen"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("looser (0):"), "{text}");
    assert!(text.contains("[less-identifiable]"), "{text}");
}

#[test]
fn diff_sees_new_regions_and_longer_retention() {
    let original = std::fs::read_to_string("policies/desktop-analytics.yaml").unwrap();
    let looser = original
        .replacen("max_retention_days: 28", "max_retention_days: 90", 1)
        .replacen("regions: [us]", "regions: [us, eu]", 1);
    assert_ne!(looser, original);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desktop-analytics.yaml");
    std::fs::write(&path, looser).unwrap();
    let (json, stderr, code) = consentlint(&[
        "policy",
        "diff",
        "policies/desktop-analytics.yaml",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on-loosen",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let kinds: Vec<(&str, &str)> = doc["looser"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("new-region", "regions: `eu` now allowed"),
            ("longer-retention", "retention limit 90 days (was 28 days)"),
        ]
    );
    assert_eq!(doc["tighter"], serde_json::json!([]));
}

/// How far ahead collection may end is a limit like the others: a longer one is looser,
/// and a limit where there was none tighter.
#[test]
fn diff_sees_how_long_collection_may_last() {
    let base = "tests/fixtures/codes/expiry-too-far/policy.yaml";
    let original = std::fs::read_to_string(base).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kinds = |text: String| {
        let path = dir.path().join("policy.yaml");
        std::fs::write(&path, text).unwrap();
        let (json, stderr, _) = consentlint(&[
            "policy",
            "diff",
            base,
            path.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let doc: serde_json::Value = serde_json::from_str(&json).expect(&stderr);
        ["looser", "tighter"].map(|side| {
            doc[side]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    format!(
                        "{}: {}",
                        c["kind"].as_str().unwrap(),
                        c["detail"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let [looser, tighter] =
        kinds(original.replacen("max_expiry_days: 730", "max_expiry_days: 1095", 1));
    assert_eq!(
        looser,
        ["longer-collection: expiry limit 1095 days (was 730 days)"]
    );
    assert!(tighter.is_empty(), "{tighter:?}");
    let [looser, tighter] =
        kinds(original.replacen("max_expiry_days: 730", "max_expiry_days: 365", 1));
    assert!(looser.is_empty(), "{looser:?}");
    assert_eq!(
        tighter,
        ["shorter-collection: expiry limit 365 days (was 730 days)"]
    );
}

#[test]
fn diff_reads_git_revisions_and_says_when_it_cannot() {
    let (text, stderr, code) = consentlint(&[
        "policy",
        "diff",
        "git:HEAD:policies/skype-teams.yaml",
        "builtin:skype-teams",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.contains("(git:HEAD:policies/skype-teams.yaml)"),
        "{text}"
    );
    let (_, stderr, code) = consentlint(&[
        "policy",
        "diff",
        "git:HEAD:policies/no-such-policy.yaml",
        "builtin:skype-teams",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read `git:HEAD:policies/no-such-policy.yaml`"),
        "{stderr}"
    );
}

#[test]
fn report_inventories_the_shipped_examples_in_every_format() {
    for (format, name) in [
        ("markdown", "report_examples_markdown"),
        ("csv", "report_examples_csv"),
        ("json", "report_examples_json"),
        ("html", "report_examples_html"),
    ] {
        let (text, stderr, code) = consentlint(&["report", "examples/", "--format", format]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.is_empty(), "{stderr}");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn the_html_report_is_one_self_contained_page() {
    let (html, _, _) = consentlint(&["report", "examples/", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    // Nothing fetched from anywhere: no scripts, no external stylesheets, images or fonts.
    for external in [
        "<script", "<link", "src=", "@import", "url(", "http://", "https://",
    ] {
        assert!(
            !html.contains(external),
            "the report refers to `{external}`"
        );
    }
    // One section per policy the examples use, each linked from the top.
    for seed in SEEDS {
        assert!(
            html.contains(&format!("<a href=\"#policy-{seed}\">")),
            "{seed}"
        );
        assert!(
            html.contains(&format!("<h2 id=\"policy-{seed}\">")),
            "{seed}"
        );
    }
    // Values from the manifests are escaped, never markup.
    assert!(!html.contains("<quicknotes"), "app ids are text");
}

#[test]
fn report_counts_fields_the_policy_does_not_permit() {
    let (json, _, code) = consentlint(&["report", "demo/notes-app", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut flagged: Vec<(String, String, u64)> = Vec::new();
    for level in doc["policies"][0]["levels"].as_array().unwrap() {
        for row in level["data"].as_array().unwrap() {
            if row["not_permitted"].as_u64().unwrap() > 0 {
                flagged.push((
                    level["id"].as_str().unwrap().to_owned(),
                    row["data_type"].as_str().unwrap().to_owned(),
                    row["not_permitted"].as_u64().unwrap(),
                ));
            }
        }
    }
    // The demo's deliberate mistakes (see README): a device id sent identified, an email,
    // a crash report at `required`.
    insta::assert_debug_snapshot!("report_demo_not_permitted", flagged);
}

#[test]
fn report_reports_unreadable_inputs_and_exits_2() {
    let (stdout, stderr, code) = consentlint(&["report", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stdout.starts_with("# Data inventory"), "{stdout}");
}

#[test]
fn taxonomy_of_every_seed_marks_its_extensions() {
    for seed in SEEDS {
        let (text, stderr, code) = consentlint(&["taxonomy", "--policy", &seed_path(seed)]);
        assert_eq!(code, 0, "{stderr}");
        insta::assert_snapshot!(format!("taxonomy_{seed}"), text);
    }
    let (skype, _, _) = consentlint(&["taxonomy", "--policy", "policies/skype-teams.yaml"]);
    assert!(skype.starts_with(
        "taxonomy of policy `skype-teams` (78 types, 1 from `taxonomy_extensions`)\n"
    ));
    assert!(skype.contains(
        "\n      app.usage.counts.sign_in     [system_metadata]         Sign-in counters  (extension, policies/skype-teams.yaml)\n"
    ), "{skype}");
}
