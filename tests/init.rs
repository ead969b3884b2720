//! `consentlint init` end to end: the starter project checks clean, nothing is ever
//! overwritten without `--force` (and then kept as `.bak`), and a project that already has
//! event schemas is pointed at `classify --write`.

use std::path::Path;
use std::process::Command;

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

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn init_writes_a_project_that_checks_clean() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("quick-notes");
    std::fs::create_dir(&dir).unwrap();
    let (out, stderr, code) = run_in(&dir, &["init"]);
    assert_eq!((out.as_str(), code), ("", 0), "{stderr}");
    assert_eq!(
        stderr,
        "consentlint: wrote `consentlint.yaml`\n\
         consentlint: wrote `policy.yaml`\n\
         consentlint: wrote `telemetry.yaml`\n\
         consentlint: next: describe your events in `telemetry.yaml`, then `consentlint check .`\n"
    );
    insta::assert_snapshot!("init_config", read(&dir, "consentlint.yaml"));
    insta::assert_snapshot!("init_policy", read(&dir, "policy.yaml"));
    insta::assert_snapshot!("init_manifest", read(&dir, "telemetry.yaml"));

    let (out, stderr, code) = run_in(&dir, &["check"]);
    assert_eq!(code, 0, "{out}{stderr}");
    assert_eq!(
        out,
        "2 files checked (1 event, 3 fields): 0 errors, 0 warnings, 0 infos\n"
    );
    // The starter policy is lint-clean, and it is the one the config names.
    let (out, _, code) = run_in(&dir, &["policy", "lint", "policy.yaml"]);
    assert_eq!(
        (out.as_str(), code),
        ("1 policy linted: 0 errors, 0 warnings, 0 infos\n", 0)
    );
    let (out, _, _) = run_in(
        &dir,
        &["policy", "compile", "--format", "json", "policy.yaml"],
    );
    let compiled: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(compiled["policy"]["id"], "quick-notes", "{out}");
}

#[test]
fn init_never_overwrites_without_force_and_keeps_a_backup_with_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.yaml"), "kind: Policy\nid: mine\n").unwrap();
    let (_, stderr, code) = run_in(dir.path(), &["init"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "consentlint: `policy.yaml` exists; `init` changes nothing (`--force` replaces it, keeping the old one as `policy.yaml.bak`)\n"
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["policy.yaml"], "nothing else was written");
    assert_eq!(read(dir.path(), "policy.yaml"), "kind: Policy\nid: mine\n");

    let (_, stderr, code) = run_in(dir.path(), &["init", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("consentlint: kept the old `policy.yaml` as `policy.yaml.bak`\n"),
        "{stderr}"
    );
    assert_eq!(
        read(dir.path(), "policy.yaml.bak"),
        "kind: Policy\nid: mine\n"
    );
    assert!(read(dir.path(), "policy.yaml").contains("extends: [builtin:default]"));
    assert_eq!(run_in(dir.path(), &["check"]).2, 0);
}

#[test]
fn init_in_a_project_with_schemas_points_at_classify_write() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("app/schemas");
    std::fs::create_dir_all(&schemas).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/classify/signup/signup.json"),
        schemas.join("signup.json"),
    )
    .unwrap();
    let (_, stderr, code) = run_in(dir.path(), &["init", "app"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "consentlint: wrote `app/consentlint.yaml`\n\
         consentlint: wrote `app/policy.yaml`\n\
         consentlint: found 1 event schema with no manifest; to classify its fields, run\n  \
         consentlint classify --write app/classification.yaml app\n\
         review the draft, and name it under `classifications:` in `app/consentlint.yaml`\n"
    );
    assert!(!dir.path().join("app/telemetry.yaml").exists());
    // The command it shows works as shown.
    let (_, stderr, code) = run_in(
        dir.path(),
        &["classify", "--write", "app/classification.yaml", "app"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(read(dir.path(), "app/classification.yaml").contains("kind: Classification"));
}

#[test]
fn init_on_a_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    let (_, stderr, code) = run_in(dir.path(), &["init", "notes.txt"]);
    assert_eq!(
        (stderr.as_str(), code),
        ("consentlint: `notes.txt` is not a directory\n", 2)
    );
}
