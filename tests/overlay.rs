//! Classification overlays end to end: `kind: Classification` documents named from
//! `consentlint.yaml` or `--overlay`, Fides datasets read as overlays, and what `check`
//! says about them in every output format — the finding at the schema field with the
//! overlay entry beside it, unmatched entries with the nearest match, conflicts with
//! inline types, and broken overlays.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const PROJECT: &str = "tests/fixtures/overlay";

fn consentlint_in(dir: &str, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// `(code, file:line:column, field, related "file:line message"…)` of each diagnostic.
fn findings(json: &str) -> Vec<(String, String, String, Vec<String>)> {
    let json: Value = serde_json::from_str(json).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                format!(
                    "{}:{}:{}",
                    d["file"].as_str().unwrap(),
                    d["line"],
                    d["column"]
                ),
                d["field"].as_str().unwrap_or("-").to_owned(),
                d["related"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| !r["file"].as_str().unwrap().starts_with("builtin:"))
                    .map(|r| {
                        format!(
                            "{}:{} {}",
                            r["file"].as_str().unwrap(),
                            r["line"],
                            r["message"].as_str().unwrap()
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn row(
    code: &str,
    at: &str,
    field: &str,
    related: &[&str],
) -> (String, String, String, Vec<String>) {
    (
        code.to_owned(),
        at.to_owned(),
        field.to_owned(),
        related.iter().map(|r| r.to_string()).collect(),
    )
}

#[test]
fn check_decides_overlaid_fields_and_points_at_the_entry() {
    let (out, stderr, code) = consentlint_in(PROJECT, &["check", "--format", "json", "."]);
    assert_eq!(code, 1, "{stderr}");
    const SCHEMA: &str = "schemas/app/signup.schema.json";
    assert_eq!(
        findings(&out),
        vec![
            // The overlay's own mistakes come first (its file sorts first).
            row(
                "unknown-data-type",
                "classification.yaml:15:11",
                "app_build",
                &[&format!("{SCHEMA}:18 the field it classifies: `app_build`")]
            ),
            row(
                "overlay-conflict",
                "classification.yaml:17:11",
                "device_id",
                &[&format!("{SCHEMA}:16 declared `device.id` here")]
            ),
            row("overlay-unmatched", "classification.yaml:20:12", "-", &[]),
            row(
                "denied-data",
                &format!("{SCHEMA}:12:9"),
                "contact.email",
                &[
                    &format!("{SCHEMA}:4 event collected at `optional`"),
                    "classification.yaml:7 classified `user.email` by this overlay entry"
                ]
            ),
            // `contact.*` classifies the rest of `contact`.
            row(
                "denied-data",
                &format!("{SCHEMA}:13:9"),
                "contact.phone",
                &[
                    &format!("{SCHEMA}:4 event collected at `optional`"),
                    "classification.yaml:11 classified `user.phone` by this overlay entry"
                ]
            ),
            // The inline type stands: the field is decided on `device.id`.
            row(
                "identification-too-high",
                &format!("{SCHEMA}:16:53"),
                "device_id",
                &[&format!("{SCHEMA}:4 event collected at `optional`")]
            ),
            // The overlay's entry for it has a typo: nothing classifies it.
            row(
                "unclassified-field",
                &format!("{SCHEMA}:19:5"),
                "referrer",
                &[]
            ),
        ]
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    let unmatched = &json["diagnostics"][2];
    assert_eq!(unmatched["severity"], "warning");
    assert_eq!(
        unmatched["help"],
        "the nearest field is `referrer` in event `signup` (`schemas/app/signup.schema.json`)"
    );
    assert_eq!(
        json["diagnostics"][0]["help"],
        "did you mean `app.version`?"
    );
}

#[test]
fn overlays_show_in_every_output_format() {
    let (human, _, code) = consentlint_in(PROJECT, &["check", "."]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("overlay_human", human);

    let (sarif, _, _) = consentlint_in(PROJECT, &["check", "--format", "sarif", "."]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let email = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("`contact.email`")
        })
        .unwrap();
    let related: Vec<(String, u64)> = email["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let p = &l["physicalLocation"];
            (
                p["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
                p["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        related.contains(&("classification.yaml".to_owned(), 7)),
        "{related:?}"
    );

    let (github, _, _) = consentlint_in(PROJECT, &["check", "--format", "github", "."]);
    assert!(
        github.contains("::warning file=classification.yaml,line=20,col=12"),
        "{github}"
    );
    assert!(
        github.contains("::error file=classification.yaml,line=17,col=11"),
        "{github}"
    );

    let (junit, _, _) = consentlint_in(PROJECT, &["check", "--format", "junit", "."]);
    assert!(
        junit.contains("classification.yaml:7:11: classified `user.email` by this overlay entry"),
        "{junit}"
    );
    // The Markdown table shows primary locations only: the overlay's own findings are
    // there at their entries.
    let (markdown, _, _) = consentlint_in(PROJECT, &["check", "--format", "markdown", "."]);
    for at in [
        "| classification.yaml:15:11 | `unknown-data-type` |",
        "| classification.yaml:17:11 | `overlay-conflict` |",
        "| classification.yaml:20:12 | `overlay-unmatched` |",
    ] {
        assert!(markdown.contains(at), "{at}: {markdown}");
    }
}

#[test]
fn unmatched_entries_are_reported_only_for_what_the_run_checked() {
    // A run over another folder says nothing about entries for schemas/app/, nor about
    // entries that name neither files nor an event (patterns for any field anywhere).
    let (out, stderr, code) = consentlint_in(
        PROJECT,
        &[
            "check",
            "--format",
            "json",
            "--policy",
            "builtin:default",
            "../overlay-fides",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        findings(&out).iter().all(|f| f.0 != "overlay-unmatched"),
        "{out}"
    );
}

#[test]
fn an_entry_for_an_event_the_files_do_not_define_names_the_nearest_event() {
    let dir = tempfile::tempdir().unwrap();
    copy_project(dir.path());
    std::fs::write(
        dir.path().join("classification.yaml"),
        "kind: Classification\nfields:\n  - { files: schemas/app/, event: sign_up, field: contact.email, type: user.email }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "overlay-unmatched")
        .unwrap();
    assert_eq!(
        d["message"],
        "overlay entry for `contact.email` matches no event `sign_up` in the files it names"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(35))
    );
    assert_eq!(d["help"], "the nearest event there is `signup`");
}

#[test]
fn a_fides_dataset_is_an_overlay_as_it_is() {
    let (out, stderr, code) = consentlint_in(
        ".",
        &[
            "check",
            "--format",
            "json",
            "--policy",
            "tests/fixtures/sources/fideslang/policy.yaml",
            "--overlay",
            "tests/vendored/fides/ethyca+fides/demo_resources/demo_dataset.yml",
            "tests/fixtures/overlay-fides/",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    const DATASET: &str = "tests/vendored/fides/ethyca+fides/demo_resources/demo_dataset.yml";
    let rows: Vec<(String, String, Vec<String>)> = findings(&out)
        .into_iter()
        .map(|(code, _, field, related)| {
            (
                code,
                field,
                related
                    .into_iter()
                    .filter(|r| r.starts_with(DATASET))
                    .collect(),
            )
        })
        .collect();
    let of = |code: &str, field: &str, related: &[&str]| {
        (
            code.to_owned(),
            field.to_owned(),
            related
                .iter()
                .map(|r| format!("{DATASET}:{r}"))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        rows,
        vec![
            of(
                "denied-data",
                "email",
                &["20 classified `user.contact.email` by this overlay entry"]
            ),
            of(
                "no-grant",
                "first_name",
                &["24 classified `user.name` by this overlay entry"]
            ),
            // `data_categories: []` in the dataset: still unclassified.
            of("unclassified-field", "food_preference", &[]),
            of(
                "denied-data",
                "state",
                &["31 classified `user.contact.address.state` by this overlay entry"]
            ),
            // The schema's own type agrees with the dataset's: no conflict.
            of("no-grant", "uuid", &[]),
        ]
    );
}

#[test]
fn a_broken_overlay_is_an_input_error_and_the_files_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    copy_project(dir.path());
    std::fs::write(
        dir.path().join("classification.yaml"),
        "kind: Classification\nfields:\n  - field: contact.email\n    typ: user.email\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let rows = findings(std::str::from_utf8(&out.stdout).unwrap());
    let codes: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert!(
        codes.contains(&("unknown-key", "classification.yaml:4:5")),
        "{codes:?}"
    );
    // The schema is still checked, without the overlay.
    assert!(
        codes.contains(&("unclassified-field", "schemas/app/signup.schema.json:12:9")),
        "{codes:?}"
    );

    // A file that is no overlay at all.
    let (out, _, code) = consentlint_in(
        PROJECT,
        &[
            "check",
            "--format",
            "json",
            "--overlay",
            "schemas/app/signup.schema.json",
            ".",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.contains("is not a classification overlay"), "{out}");
}

fn copy_project(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(PROJECT);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A scratch copy of the classify fixture (a schema nobody classified).
fn signup_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/classify/signup/signup.json");
    std::fs::copy(from, dir.path().join("signup.json")).unwrap();
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> (String, String, i32) {
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

#[test]
fn classify_write_drafts_an_overlay_that_check_applies() {
    let dir = signup_copy();
    let (out, stderr, code) = run_in(
        dir.path(),
        &[
            "classify",
            "--no-config",
            "--min-confidence",
            "0.5",
            "--write",
            "ci/overlay.yaml",
            ".",
        ],
    );
    assert_eq!((out.as_str(), code), ("", 0), "{stderr}");
    assert_eq!(
        stderr,
        "consentlint: wrote `ci/overlay.yaml`: 6 entries active (0 kept, 6 new), 0 to review (commented out), 1 field not placed\n\
         consentlint: `check --overlay ci/overlay.yaml` applies it; name it under `classifications:` in consentlint.yaml to apply it always\n"
    );
    let draft = std::fs::read_to_string(dir.path().join("ci/overlay.yaml")).unwrap();
    insta::assert_snapshot!("draft_overlay", draft);

    // Right after it, `check` reports policy findings on the proposed types, and only the
    // field nobody could place as unclassified.
    let (out, _, code) = run_in(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--overlay",
            "ci/overlay.yaml",
            ".",
        ],
    );
    assert_eq!(code, 1);
    let codes: Vec<(String, String)> = findings(&out).into_iter().map(|f| (f.0, f.2)).collect();
    let expected: Vec<(String, String)> = [
        ("denied-data", "contact"),
        ("identification-too-high", "user_id"),
        ("denied-data", "page_url"),
        ("denied-data", "geo.latitude"),
        ("unclassified-field", "blob"),
    ]
    .iter()
    .map(|(c, f)| (c.to_string(), f.to_string()))
    .collect();
    assert_eq!(codes, expected);
}

#[test]
fn rewriting_a_draft_keeps_what_a_person_edited() {
    let dir = signup_copy();
    let write = ["classify", "--no-config", "--write", "overlay.yaml", "."];
    assert_eq!(run_in(dir.path(), &write).2, 0);
    let path = dir.path().join("overlay.yaml");
    let first = std::fs::read_to_string(&path).unwrap();
    // A reviewer rewrites one entry in block style with a comment of their own, and
    // confirms nothing else; the schema then gains a field.
    let generated =
        "  - { files: signup.json, event: signup, field: page_url, type: user.web_activity }\n";
    assert!(first.contains(generated), "{first}");
    let reviewed = "  # Reviewed: our own landing page, never a user's browsing.\n  - files: signup.json\n    event: signup\n    field: page_url\n    type: app.metadata\n    note: \"reviewed 2026-12-03\"\n";
    std::fs::write(&path, first.replace(generated, reviewed)).unwrap();
    let schema_path = dir.path().join("signup.json");
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    schema["properties"]["billing_email"] = serde_json::json!({ "type": "string" });
    std::fs::write(&schema_path, serde_json::to_string_pretty(&schema).unwrap()).unwrap();

    let (_, stderr, code) = run_in(dir.path(), &write);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("7 entries active (6 kept, 1 new)"),
        "{stderr}"
    );
    let second = std::fs::read_to_string(&path).unwrap();
    assert!(
        second.contains(reviewed),
        "the edit is kept as written:\n{second}"
    );
    assert!(
        second.contains(
            "  - { files: signup.json, event: signup, field: billing_email, type: user.email }\n"
        ),
        "{second}"
    );
    // Nothing else moved: the new entry is the only difference, in its sorted place.
    let lines: Vec<&str> = second.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("billing_email"))
        .unwrap();
    assert!(lines[at - 1].starts_with("  # signup.json:") && lines[at - 1].contains("name-email"));
    let without: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at && *i != at - 1)
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(
        without.join("\n") + "\n",
        first.replace(generated, reviewed)
    );
    // And a third run changes nothing.
    assert_eq!(run_in(dir.path(), &write).2, 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), second);
    // The reviewer's type is what check decides on: page_url is no longer denied, only
    // its name still warns, beside the overlay entry that classified it.
    let (out, _, _) = run_in(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--overlay",
            "overlay.yaml",
            ".",
        ],
    );
    let page_url: Vec<_> = findings(&out)
        .into_iter()
        .filter(|f| f.2 == "page_url")
        .collect();
    assert_eq!(
        page_url,
        vec![row(
            "suspicious-classification",
            "signup.json:28:5",
            "page_url",
            &[
                "signup.json:28 `url` in the name",
                "overlay.yaml:20 classified `app.metadata` by this overlay entry"
            ]
        )]
    );
}

#[test]
fn classify_write_never_clobbers_what_it_cannot_merge() {
    let dir = signup_copy();
    // A Fides dataset is an overlay, but not one to draft into.
    let dataset = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vendored/fides/ethyca+fides/demo_resources/demo_dataset.yml");
    std::fs::copy(&dataset, dir.path().join("dataset.yml")).unwrap();
    let (_, stderr, code) = run_in(
        dir.path(),
        &["classify", "--no-config", "--write", "dataset.yml", "."],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is a Fides dataset"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("dataset.yml")).unwrap(),
        std::fs::read(&dataset).unwrap()
    );
    // A broken overlay: reported at the spot, left as it is.
    let broken = "kind: Classification\nfields:\n  - { field: contact, typo: user.email }\n";
    std::fs::write(dir.path().join("overlay.yaml"), broken).unwrap();
    let (_, stderr, code) = run_in(
        dir.path(),
        &["classify", "--no-config", "--write", "overlay.yaml", "."],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown-key"), "{stderr}");
    assert!(stderr.contains("overlay.yaml:3:"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("overlay.yaml")).unwrap(),
        broken
    );
}

/// Findings by code.
fn counts(json: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in findings(json) {
        *counts.entry(f.0).or_default() += 1;
    }
    counts
}

/// The README's adoption numbers on the whole corpora: before `classify --write`, every
/// field is unclassified; after it, real findings and the fields left for review.
#[test]
fn adopting_on_the_full_corpora_leaves_real_findings_and_fields_for_review() {
    for (corpus, fields, denied, left) in [
        ("mozilla-pipeline-schemas", 7141, 89, 2837),
        ("iglu-central", 9672, 877, 4209),
    ] {
        let Some(path) =
            common::shared_corpus(corpus, &format!("the adoption numbers on {corpus}"))
        else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(&path);
        let copy = dir.path().join(corpus);
        for entry in walkdir::WalkDir::new(&root) {
            let entry = entry.unwrap();
            let target = copy.join(entry.path().strip_prefix(&root).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else if entry.file_type().is_file() {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        let before = counts(&run_in(&copy, &["check", "--no-config", "--format", "json", "."]).0);
        assert_eq!(
            before.get("unclassified-field"),
            Some(&fields),
            "{corpus}: {before:?}"
        );
        assert_eq!(before.get("denied-data"), None, "{corpus}");
        let (_, stderr, _) = run_in(
            &copy,
            &["classify", "--no-config", "--write", "ci/overlay.yaml", "."],
        );
        assert!(
            stderr.contains("consentlint: wrote `ci/overlay.yaml`"),
            "{corpus}: {stderr}"
        );
        let after = counts(
            &run_in(
                &copy,
                &[
                    "check",
                    "--no-config",
                    "--format",
                    "json",
                    "--overlay",
                    "ci/overlay.yaml",
                    ".",
                ],
            )
            .0,
        );
        assert_eq!(
            (after.get("denied-data"), after.get("unclassified-field")),
            (Some(&denied), Some(&left)),
            "{corpus}: {after:?}"
        );
    }
}
