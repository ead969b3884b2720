//! The shipped integrations run as their hosts would run them: the GitHub Action's check
//! step under the runner's bash flags with the runner's environment, and the pre-commit
//! hook's entry in a project.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Run the action's `Check` step script as GitHub does (`bash --noprofile --norc -eo
/// pipefail`), with the runner's files; returns (step outputs, job summary, SARIF).
fn run_check_step(inputs: &[(&str, &str)]) -> (String, String, Value) {
    let action = yaml("action.yml");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let step = steps.iter().find(|s| s["id"] == "check").unwrap();
    let script = step["run"].as_str().unwrap();
    let temp = tempfile::tempdir().unwrap();
    let bin = temp.path().join("consentlint/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_consentlint"), bin.join("consentlint")).unwrap();
    let output = temp.path().join("github_output");
    let summary = temp.path().join("step_summary");
    let sarif = temp.path().join("out.sarif");
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .env("CONSENTLINT", bin.join("consentlint"))
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("SARIF_FILE", &sarif)
        .env("CONSENTLINT_TODAY", "2026-11-23");
    for (name, value) in inputs {
        command.env(name, value);
    }
    let run = command.output().unwrap();
    assert!(
        run.status.success(),
        "the step itself must not fail: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let sarif: Value = serde_json::from_str(&read(&sarif)).expect("SARIF written");
    (read(&output), read(&summary), sarif)
}

#[test]
fn action_check_step_reports_findings_and_passes_the_exit_code_on() {
    let (outputs, summary, sarif) = run_check_step(&[
        ("INPUT_PATHS", "demo/notes-app"),
        ("INPUT_POLICY", ""),
        ("INPUT_ARGS", "--no-config"),
    ]);
    assert_eq!(outputs, "exit-code=1\n");
    let results: Vec<(String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = [
        ("identification-too-high/pseudonymous-identifiers", 40),
        ("denied-data/no-end-user-identifiable-info", 51),
        ("consent-too-low/crash-and-exception-data", 62),
        ("unclassified-field", 73),
    ]
    .iter()
    .map(|(c, l)| (c.to_string(), *l))
    .collect();
    assert_eq!(results, expected);
    assert!(
        summary.starts_with("## ❌ consentlint found problems"),
        "{summary}"
    );

    // Clean paths, a policy and extra arguments.
    let (outputs, summary, sarif) = run_check_step(&[
        (
            "INPUT_PATHS",
            "examples/intune-client-apps examples/quickstart",
        ),
        ("INPUT_POLICY", ""),
        ("INPUT_ARGS", "--no-config --fail-on warning"),
    ]);
    assert_eq!(outputs, "exit-code=0\n");
    assert_eq!(sarif["runs"][0]["results"], Value::Array(vec![]));
    assert!(summary.starts_with("## ✅"), "{summary}");

    let (outputs, _, sarif) = run_check_step(&[
        ("INPUT_PATHS", "examples/quickstart"),
        ("INPUT_POLICY", "builtin:skype-teams"),
        ("INPUT_ARGS", "--no-config"),
    ]);
    assert_eq!(outputs, "exit-code=1\n");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn action_declares_its_inputs_and_uploads_sarif() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["paths", "policy", "args", "sarif-file", "upload"] {
        assert!(
            action["inputs"][input]["description"].is_string(),
            "{input}"
        );
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload step");
    assert_eq!(upload["with"]["sarif_file"], "${{ inputs.sarif-file }}");
    // Inputs reach scripts through the environment, never spliced into the script text.
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            assert!(!script.contains("${{"), "{script}");
        }
    }
    // The build step installs this repository's binary where the check step runs it.
    let build = steps[0]["run"].as_str().unwrap();
    assert!(build.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""));
}

#[test]
fn pre_commit_hook_runs_a_whole_project_check() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = &hooks[0];
    assert_eq!(hook["id"], "consentlint");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], false);
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "consentlint");
    // pre-commit runs the entry from the repository root.
    let run = |dir: &str| {
        Command::new(env!("CARGO_BIN_EXE_consentlint"))
            .args(&entry[1..])
            .current_dir(dir)
            .env("CONSENTLINT_TODAY", "2026-11-23")
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run("demo/notes-app"), Some(1));
    assert_eq!(run("examples/quickstart"), Some(0));
    assert_eq!(hook["files"], r"\.(ya?ml|json)$");
}
