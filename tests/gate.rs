//! The CI gate around `check`: the project config, baselines, suppression listing, and the
//! generated integrations (completions, man page). Each test builds a small project in a
//! temporary directory from the demo's real files and runs the binary in it.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEMO: &str = "demo/notes-app";

/// A temporary project holding a copy of the demo app under `app/`.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let project = Project { dir };
        project.copy_demo("app");
        project
    }

    fn copy_demo(&self, to: &str) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO);
        for entry in walkdir::WalkDir::new(&root) {
            let entry = entry.unwrap();
            let target = self
                .path(to)
                .join(entry.path().strip_prefix(&root).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    /// Edit the demo manifest.
    fn edit(&self, from: &str, to: &str) {
        let text = self.read("app/telemetry.yaml");
        assert!(text.contains(from), "`{from}` not in the manifest");
        self.write("app/telemetry.yaml", &text.replacen(from, to, 1));
    }

    /// Run `consentlint ARGS` in `cwd` (relative to the project).
    fn run(&self, cwd: &str, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
            .args(args)
            .current_dir(self.path(cwd))
            .env("CONSENTLINT_TODAY", "2026-11-23")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        Run {
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            code: out.status.code().unwrap(),
        }
    }

    /// `check --format json` in `cwd`: (exit code, [(file, line, code[rule], severity)]).
    fn findings(&self, cwd: &str, args: &[&str]) -> (i32, Vec<(String, u64, String, String)>) {
        let mut all = vec!["check", "--format", "json"];
        all.extend(args);
        let run = self.run(cwd, &all);
        let report: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
        let findings = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["file"].as_str().unwrap().to_owned(),
                    d["line"].as_u64().unwrap_or(0),
                    common::announced(d),
                    d["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        (run.code, findings)
    }
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn finding(file: &str, line: u64, code: &str, severity: &str) -> (String, u64, String, String) {
    (file.to_owned(), line, code.to_owned(), severity.to_owned())
}

/// The demo's four deliberate mistakes in `file` (a copy of demo/notes-app/telemetry.yaml),
/// at their default severities.
fn demo_findings(file: &str) -> Vec<(String, u64, String, String)> {
    vec![
        finding(
            file,
            40,
            "identification-too-high[pseudonymous-identifiers]",
            "error",
        ),
        finding(
            file,
            51,
            "denied-data[no-end-user-identifiable-info]",
            "error",
        ),
        finding(
            file,
            62,
            "consent-too-low[crash-and-exception-data]",
            "error",
        ),
        finding(file, 73, "unclassified-field", "error"),
    ]
}

#[test]
fn config_is_found_above_the_working_directory_and_rerates_findings() {
    let p = Project::new();
    p.write(
        "consentlint.yaml",
        "severity:\n  denied-data: warning\n  pseudonymous-identifiers: off\n  unclassified-field: info\n",
    );
    // Run from inside `app/`: the config one level up applies.
    let (code, findings) = p.findings("app", &["."]);
    assert_eq!(
        findings,
        [
            finding(
                "telemetry.yaml",
                51,
                "denied-data[no-end-user-identifiable-info]",
                "warning"
            ),
            finding(
                "telemetry.yaml",
                62,
                "consent-too-low[crash-and-exception-data]",
                "error"
            ),
            finding("telemetry.yaml", 73, "unclassified-field", "info"),
        ]
    );
    assert_eq!(code, 1);
    // --no-config ignores it.
    let (_, findings) = p.findings("app", &[".", "--no-config"]);
    assert_eq!(findings, demo_findings("telemetry.yaml"));
}

#[test]
fn fail_on_comes_from_the_config_unless_the_command_line_says_otherwise() {
    let p = Project::new();
    p.write(
        "consentlint.yaml",
        "fail_on: warning\nseverity:\n  denied-data: warning\n  consent-too-low: warning\n  identification-too-high: warning\n  unclassified-field: warning\n",
    );
    assert_eq!(p.run("", &["check", "app"]).code, 1);
    assert_eq!(p.run("", &["check", "app", "--fail-on", "error"]).code, 0);
}

#[test]
fn include_and_exclude_select_the_walked_files() {
    let p = Project::new();
    p.copy_demo("legacy/old");
    p.copy_demo("generated");
    p.write(
        "consentlint.yaml",
        "exclude: [legacy/, \"generated/**/*.json\"]\n",
    );
    let run = p.run("", &["check", ".", "--quiet", "--format", "json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        ["app/telemetry.yaml", "generated/telemetry.yaml"]
    );
    // `generated/schemas/*.json` is not walked: that schema is read only through the
    // manifest that uses it (its fields are counted), so 3 files are checked.
    let human = p.run("", &["check", "."]);
    assert!(
        human
            .stdout
            .ends_with("3 files checked (10 events, 40 fields): 8 errors, 0 warnings, 0 infos\n"),
        "{}",
        human.stdout
    );

    p.write("consentlint.yaml", "include: [app/]\n");
    let human = p.run("", &["check", "."]);
    assert!(
        human
            .stdout
            .ends_with("2 files checked (5 events, 20 fields): 4 errors, 0 warnings, 0 infos\n"),
        "{}",
        human.stdout
    );
    // A file named on the command line is checked even when excluded.
    p.write("consentlint.yaml", "exclude: [legacy/]\n");
    let (_, findings) = p.findings("", &["legacy/old/telemetry.yaml"]);
    assert_eq!(findings, demo_findings("legacy/old/telemetry.yaml"));
}

#[test]
fn config_policy_and_limits_apply() {
    let p = Project::new();
    p.write(
        "consentlint.yaml",
        "policy: builtin:intune-client-apps\nlimits: { max_file_size: 1000 }\n",
    );
    let (code, findings) = p.findings("", &["app"]);
    assert_eq!(code, 2);
    assert!(
        findings.iter().all(|f| f.2 == "input-too-large"),
        "{findings:?}"
    );
    // --max-file-size overrides the config's limit; the config's policy then applies.
    let run = p.run("", &["check", "app", "--max-file-size", "100000"]);
    assert!(
        run.stdout.contains("builtin:intune-client-apps"),
        "{}",
        run.stdout
    );
    // A relative policy path is relative to the config file, from any directory.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/default.yaml"),
        p.path("policy.yaml"),
    )
    .unwrap();
    p.write("consentlint.yaml", "policy: policy.yaml\n");
    let run = p.run("app", &["check", "."]);
    assert!(run.stdout.contains("../policy.yaml:"), "{}", run.stdout);
}

#[test]
fn a_broken_config_is_reported_at_the_spot_and_nothing_is_checked() {
    let p = Project::new();
    p.write(
        "consentlint.yaml",
        "severty:\n  denied-data: warning\nexclude: [\"[oops\"]\n",
    );
    let (code, findings) = p.findings("app", &["."]);
    assert_eq!(code, 2);
    assert_eq!(
        findings,
        [finding("../consentlint.yaml", 1, "unknown-key", "error")]
    );
    let human = p.run("app", &["check", "."]);
    insta::assert_snapshot!("config_unknown_key", human.stdout);

    p.write(
        "consentlint.yaml",
        "exclude: [\"[oops\"]\nseverity:\n  yaml-syntax: off\n",
    );
    let (code, findings) = p.findings("", &["app"]);
    assert_eq!(code, 2);
    assert_eq!(
        findings,
        [
            finding("consentlint.yaml", 1, "invalid-value", "error"),
            finding("consentlint.yaml", 3, "invalid-value", "error"),
        ]
    );
    let human = p.run("", &["check", "app"]);
    insta::assert_snapshot!("config_invalid_values", human.stdout);

    // The machine formats still carry the problem, so CI uploads something readable.
    let run = p.run("", &["check", "app", "--format", "sarif"]);
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);

    // --config names another file; a missing one is an error.
    let run = p.run("", &["check", "app", "--config", "nope.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("unreadable-file"), "{}", run.stdout);
}

#[test]
fn an_override_of_nothing_is_a_warning_with_a_suggestion() {
    let p = Project::new();
    p.write(
        "consentlint.yaml",
        "severity:\n  pseudonymous-identifier: off\n",
    );
    let run = p.run("", &["check", "app"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("config_unknown_override", run.stdout);
}

#[test]
fn baseline_absorbs_known_findings_by_what_not_where() {
    let p = Project::new();
    let written = p.run("", &["check", "app", "--write-baseline", "baseline.json"]);
    assert_eq!(written.code, 0, "{}{}", written.stdout, written.stderr);
    assert_eq!(
        written.stderr,
        "consentlint: wrote 4 findings to the baseline `baseline.json`\n"
    );
    assert!(written.stdout.ends_with(
        "2 files checked (5 events, 20 fields): 0 errors, 0 warnings, 0 infos; 4 findings in the baseline not shown\n"
    ));
    insta::assert_snapshot!("baseline_file", p.read("baseline.json"));

    // Lines move: still absorbed. From another directory: still absorbed.
    p.edit("events:\n", "# a comment\n\nevents:\n");
    assert_eq!(
        p.findings("", &["app", "--baseline", "baseline.json"]),
        (0, vec![])
    );
    assert_eq!(
        p.findings("app", &[".", "--baseline", "../baseline.json"]),
        (0, vec![])
    );

    // A new violation of a baselined rule in another field is reported.
    p.edit(
        "      - { name: user_email, type: user.email }",
        "      - { name: user_email, type: user.email }\n      - { name: backup_email, type: user.email }",
    );
    let (code, findings) = p.findings("", &["app", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        [finding(
            "app/telemetry.yaml",
            54,
            "denied-data[no-end-user-identifiable-info]",
            "error"
        )]
    );

    // … and in another file, even a copy of a baselined one.
    p.copy_demo("app2");
    let (_, findings) = p.findings("", &["app", "app2", "--baseline", "baseline.json"]);
    assert_eq!(
        findings.iter().filter(|f| f.0.starts_with("app2/")).count(),
        4
    );

    // A fixed finding leaves a stale entry, shown at its line in the baseline.
    p.edit("      - { name: extra_payload }", "");
    let run = p.run("", &["check", "app", "--baseline", "baseline.json"]);
    insta::assert_snapshot!("baseline_stale", run.stdout);
    // Stale entries are infos: they fail only `--fail-on info`.
    assert_eq!(
        p.run(
            "",
            &[
                "check",
                "app",
                "--baseline",
                "baseline.json",
                "--fail-on",
                "info"
            ]
        )
        .code,
        1
    );
    // Checking only some files does not call the others' entries stale.
    let (_, findings) = p.findings("", &["app2", "--baseline", "baseline.json"]);
    assert!(findings.iter().all(|f| f.2 != "stale-baseline-entry"));
}

#[test]
fn baseline_from_the_config_and_a_broken_baseline() {
    let p = Project::new();
    // A missing folder is made (`ci/` in a project that has none yet)…
    let run = p.run(
        "",
        &["check", "app", "--write-baseline", "missing/dir/b.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("missing/dir/b.json").is_file());
    // …but a path that cannot be written is a usage error.
    p.write("blocker", "a file, not a folder\n");
    let run = p.run("", &["check", "app", "--write-baseline", "blocker/b.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot write the baseline `blocker/b.json`"),
        "{}",
        run.stderr
    );

    p.run(
        "",
        &["check", "app", "--write-baseline", "ci/baseline.json"],
    );
    p.write("consentlint.yaml", "baseline: ci/baseline.json\n");
    assert_eq!(p.findings("app", &["."]), (0, vec![]));
    assert_eq!(
        p.findings("app", &[".", "--no-baseline"]).1,
        demo_findings("telemetry.yaml")
    );

    p.write(
        "ci/baseline.json",
        "{\"version\": 1, \"findings\": [{\"file\": \"x\", \"code\": \"denied-data\", \"feild\": \"y\"}]}\n",
    );
    let (code, findings) = p.findings("", &["app"]);
    assert_eq!(code, 2);
    assert!(
        findings.contains(&finding("ci/baseline.json", 1, "unknown-key", "error")),
        "{findings:?}"
    );
}

#[test]
fn list_suppressions_shows_reason_expiry_and_effect() {
    let p = Project::new();
    p.edit(
        "    description: The user saved a note.\n",
        "    description: The user saved a note.\n    suppress:\n      - { rule: pseudonymous-identifiers, field: device_id, reason: \"hashed server-side, see DPIA-12\", expires: 2027-03-01 }\n      - { code: open-schema, reason: \"nothing to hide\" }\n",
    );
    p.edit(
        "    description: The app crashed.\n",
        "    description: The app crashed.\n    suppress:\n      - { rule: crash-and-exception-data, reason: \"legacy, tracked in BUG-7\", expires: 2026-01-31 }\n",
    );
    let run = p.run("", &["check", "app", "--list-suppressions"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("suppressions_human", run.stdout);
    let run = p.run(
        "",
        &["check", "app", "--list-suppressions", "--format", "json"],
    );
    insta::assert_snapshot!("suppressions_json", run.stdout);

    // The same suppressions in a normal check.
    let (code, findings) = p.findings("", &["app"]);
    assert_eq!(code, 1);
    assert!(findings.contains(&finding(
        "app/telemetry.yaml",
        36,
        "suppression-unused",
        "warning"
    )));
    assert!(findings.contains(&finding(
        "app/telemetry.yaml",
        64,
        "suppression-expired",
        "error"
    )));
    assert!(
        !findings
            .iter()
            .any(|f| f.2.starts_with("identification-too-high"))
    );

    // A suppression needs a reason that says something.
    p.edit("reason: \"nothing to hide\"", "reason: \"  \"");
    let (code, findings) = p.findings("", &["app"]);
    assert_eq!(code, 2);
    assert!(
        findings.contains(&finding("app/telemetry.yaml", 36, "invalid-value", "error")),
        "{findings:?}"
    );
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let p = Project::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = p.run("", &["completions", shell]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("write-baseline"), "{shell}");
        assert!(run.stdout.contains("list-suppressions"), "{shell}");
    }
    let bash = p.run("", &["completions", "bash"]).stdout;
    p.write("completion.bash", &bash);
    let syntax = Command::new("bash")
        .args(["-n", p.path("completion.bash").to_str().unwrap()])
        .status()
        .unwrap();
    assert!(syntax.success());

    let man = p.run("", &["man"]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &man.stdout[..80]
    );
    assert!(man.stdout.contains(".TH consentlint 1"));
    let check = p.run("", &["man", "check"]);
    assert!(check.stdout.contains(".TH consentlint-check 1"));
    assert!(check.stdout.contains("write\\-baseline"));
    assert_eq!(p.run("", &["man", "nope"]).code, 2);
}

#[test]
fn readme_config_example_is_a_valid_config() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let after = readme.split("**Project config.**").nth(1).unwrap();
    let block = after.split("```yaml\n").nth(1).unwrap();
    let yaml = block.split("```").next().unwrap();
    let p = Project::new();
    p.write("consentlint.yaml", yaml);
    let config = consentlint::config::Config::load(Path::new("consentlint.yaml"), p.dir.path())
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(config.policy.as_deref(), Some("policies/company.yaml"));
    assert_eq!(
        config.baseline.as_deref(),
        Some("ci/consentlint-baseline.json")
    );
    assert_eq!(config.limits.max_depth, 64);
    assert_eq!(config.severity.len(), 2);
    assert!(!config.files.accepts(Path::new("legacy/a.yaml")));
    assert!(config.files.accepts(Path::new("generated/a.yaml")));
    assert!(!config.files.accepts(Path::new("generated/x/a.json")));
}

/// A gate that read nothing does not pass: a folder of another tool's documents (here the
/// Fides resources consentlint does not read: an organization, taxonomy extensions), or one
/// holding only the project config, is `nothing-checked` with exit 2;
/// `--verbose` says why each file was skipped; `--allow-empty` lets the run pass.
#[test]
fn a_run_that_checks_no_document_fails_unless_allowed() {
    let project = Project::new();
    project.write(
        "fides/organization.yml",
        "organization:\n  - fides_key: default_organization\n    name: Demo\n",
    );
    project.write(
        "fides/taxonomy.yml",
        "data_use:\n  - fides_key: marketing.direct\n    parent_key: marketing\n",
    );
    project.write("fides/notes.yaml", "title: not a document\n");
    project.write("fides/consentlint.yaml", "kind: Config\n");

    let (code, findings) = project.findings("fides", &["."]);
    assert_eq!(code, 2);
    assert_eq!(findings, vec![finding(".", 0, "nothing-checked", "error")]);

    let run = project.run("fides", &["check", "."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains(
            "nothing was checked in `.`: none of the 3 files found is a consentlint document"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with(
        "0 files checked (0 events, 0 fields): 1 error, 0 warnings, 0 infos; 3 files skipped (not consentlint documents)\n"
    ), "{}", run.stdout);
    assert_eq!(run.stderr, "");

    let run = project.run("fides", &["check", ".", "--verbose", "--allow-empty"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "consentlint: skipped `notes.yaml`: no `kind:`, no JSON Schema `$schema`, not a Glean metrics file\n\
         consentlint: skipped `organization.yml`: a Fides `organization` resource, which consentlint does not read\n\
         consentlint: skipped `taxonomy.yml`: a Fides `data_use` resource, which consentlint does not read\n"
    );

    // A path with nothing in it at all.
    std::fs::create_dir_all(project.path("empty")).unwrap();
    let run = project.run("empty", &["check", "."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .contains("nothing was checked in `.`: no file to check was found"),
        "{}",
        run.stdout
    );
    // The demo, checked from the same project, still is.
    assert_eq!(project.findings("app", &["."]).0, 1);
}
