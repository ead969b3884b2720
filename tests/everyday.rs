//! The everyday command line, as ruff and ripgrep users expect it: standard input with a
//! name, `--select` / `--ignore`, `--format concise`, `--statistics`, `-o` and JSON on every
//! command that prints, `schema NAME`, `git:` policies in `check` and `audit`, and
//! `policy lint DIR`.

use std::io::Write;
use std::process::{Command, Stdio};

fn consentlint(args: &[&str]) -> (String, String, i32) {
    consentlint_with(args, None)
}

fn consentlint_with(args: &[&str], stdin: Option<&str>) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

const DEMO: &str = "demo/notes-app";
const SUMMARY: &str = "2 files checked (5 events, 20 fields): 4 errors, 0 warnings, 0 infos\n";

#[test]
fn concise_is_one_line_per_finding() {
    let (out, _, code) = consentlint(&["check", DEMO, "--format", "concise"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "demo/notes-app/telemetry.yaml:40:34: identification-too-high[pseudonymous-identifiers] field `device_id` (`device.id`) is sent identified (the default); the policy allows it only pseudonymized or less\n\
             demo/notes-app/telemetry.yaml:51:35: denied-data[no-end-user-identifiable-info] field `user_email` is `user.email` (euii), which the policy denies: End-user identifiable information (name, email, phone, SIP URI, IP address, device name, system logs) is never diagnostic data; send a pseudonymous user.id instead.\n\
             demo/notes-app/telemetry.yaml:62:37: consent-too-low[crash-and-exception-data] field `crash_report` is `app.error.crash_report`, allowed only at `optional` or above; this event is `required`\n\
             demo/notes-app/telemetry.yaml:73:17: unclassified-field field `extra_payload` has no data type\n\
             {SUMMARY}"
        )
    );
    // The same shape from `audit`.
    let (out, _, _) = consentlint(&[
        "audit",
        "tests/fixtures/codes/pii-in-payload/payloads.ndjson",
        "--manifests",
        "tests/fixtures/codes/pii-in-payload",
        "--format",
        "concise",
        "--quiet",
    ]);
    assert!(
        out.starts_with("tests/fixtures/codes/pii-in-payload/payloads.ndjson:2:51: pii-in-payload field `session_id`"),
        "{out}"
    );
}

#[test]
fn statistics_count_findings_per_code() {
    let (out, _, code) = consentlint(&["check", DEMO, "--statistics"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "1  denied-data  (error)\n1  consent-too-low  (error)\n1  identification-too-high  (error)\n1  unclassified-field  (error)\n{SUMMARY}"
        )
    );
    let (_, stderr, code) = consentlint(&["check", DEMO, "--statistics", "--format", "sarif"]);
    assert_eq!(
        (stderr.as_str(), code),
        (
            "consentlint: --statistics prints `--format human` or `concise`\n",
            2
        )
    );
}

#[test]
fn select_and_ignore_choose_findings_by_code() {
    let (out, _, code) = consentlint(&[
        "check",
        DEMO,
        "--format",
        "concise",
        "--quiet",
        "--select",
        "denied-data,consent-too-low",
    ]);
    assert_eq!(code, 1);
    let codes: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split(": ").nth(1)?.split([' ', '[']).next())
        .collect();
    assert_eq!(codes, ["denied-data", "consent-too-low"], "{out}");
    // Ignoring every finding the demo has leaves nothing to fail on.
    let (out, _, code) = consentlint(&[
        "check",
        DEMO,
        "--ignore",
        "denied-data",
        "--ignore",
        "consent-too-low,identification-too-high,unclassified-field",
    ]);
    assert_eq!(
        (out.as_str(), code),
        (
            "2 files checked (5 events, 20 fields): 0 errors, 0 warnings, 0 infos\n",
            0
        )
    );
    let (_, stderr, code) = consentlint(&["check", DEMO, "--select", "denied-dta"]);
    assert_eq!(
        (stderr.as_str(), code),
        (
            "consentlint: `--select denied-dta`: no such diagnostic code did you mean `denied-data`?\n",
            2
        )
    );
    let (_, stderr, code) = consentlint(&["check", DEMO, "--ignore", "yaml-syntax"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("input problems cannot be ignored"),
        "{stderr}"
    );
}

#[test]
fn standard_input_is_checked_as_the_file_it_is_named() {
    let manifest = std::fs::read_to_string("examples/quickstart/telemetry.yaml").unwrap();
    // Named, its `schema:` paths resolve beside it.
    let (out, stderr, code) = consentlint_with(
        &[
            "check",
            "-",
            "--stdin-filename",
            "examples/quickstart/telemetry.yaml",
        ],
        Some(&manifest),
    );
    assert_eq!(
        (out.as_str(), code),
        (
            "1 file checked (5 events, 18 fields): 0 errors, 0 warnings, 0 infos\n",
            0
        ),
        "{stderr}"
    );
    let bad = "kind: TelemetryManifest\ndefaults: { transport: https }\nevents:\n  - { name: x, consent: required, fields: [{ name: email, type: user.email }] }\n";
    let (out, _, code) =
        consentlint_with(&["check", "-", "--format", "concise", "--quiet"], Some(bad));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("-:4:65: denied-data[no-end-user-identifiable-info] field `email`"),
        "{out}"
    );
    let (_, stderr, code) = consentlint(&["check", "-", DEMO]);
    assert_eq!(code, 2, "{stderr}");
    let (_, stderr, code) = consentlint(&["check", DEMO, "--stdin-filename", "x.yaml"]);
    assert_eq!(
        (stderr.as_str(), code),
        (
            "consentlint: `--stdin-filename` names standard input: give `-` as the path\n",
            2
        )
    );
}

#[test]
fn every_printing_command_writes_to_output() {
    let dir = tempfile::tempdir().unwrap();
    for (i, args) in [
        vec!["report", DEMO, "--format", "json"],
        vec!["policy", "compile", "builtin:default", "--format", "json"],
        vec!["policy", "lint", "policies/default.yaml"],
        vec![
            "policy",
            "diff",
            "builtin:default",
            "policies/desktop-analytics.yaml",
        ],
        vec!["explain", "user.id", "--consent", "required"],
        vec!["taxonomy", "--format", "json"],
    ]
    .into_iter()
    .enumerate()
    {
        let (printed, _, code) = consentlint(&args);
        let file = dir.path().join(format!("out-{i}"));
        let file = file.to_str().unwrap();
        let mut with_output = args.clone();
        with_output.extend(["-o", file]);
        let (terminal, stderr, written_code) = consentlint(&with_output);
        assert_eq!(written_code, code, "{args:?}: {stderr}");
        assert_eq!(terminal, "", "{args:?}");
        assert_eq!(std::fs::read_to_string(file).unwrap(), printed, "{args:?}");
    }
}

#[test]
fn taxonomy_and_explain_speak_json() {
    let (out, _, code) = consentlint(&["taxonomy", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["policy"], "default");
    let email = doc["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "user.email")
        .unwrap();
    assert_eq!(
        (&email["class"], &email["parent"], &email["extension"]),
        (&"euii".into(), &"user".into(), &false.into())
    );

    let (out, _, code) = consentlint(&[
        "explain",
        "device.id",
        "--consent",
        "required",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["verdict"], "identification-too-high");
    assert_eq!(doc["passes"], false);
    assert_eq!(doc["rule"]["id"], "pseudonymous-identifiers");
    assert_eq!(doc["rule"]["file"], "builtin:default");
    assert_eq!(
        doc["fixes"][0]["change"],
        "send it pseudonymized or less (then grant `pseudonymous-identifiers` permits it)"
    );
}

#[test]
fn schema_prints_the_shipped_json_schemas() {
    let (out, _, code) = consentlint(&["schema"]);
    assert_eq!(
        (out.as_str(), code),
        (
            "manifest\npolicy\ntaxonomy\nconfig\nclassification\nclassifier\nbaseline\npolicy-test\n",
            0
        )
    );
    for name in out.lines() {
        let (text, _, code) = consentlint(&["schema", name]);
        assert_eq!(code, 0);
        assert_eq!(
            text,
            std::fs::read_to_string(format!("schemas/{name}.schema.json")).unwrap(),
            "{name}"
        );
    }
    let (_, stderr, code) = consentlint(&["schema", "polcy"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("consentlint: no schema `polcy` did you mean `policy`?"),
        "{stderr}"
    );
}

#[test]
fn check_and_audit_take_git_policies() {
    let (out, stderr, code) = consentlint(&[
        "check",
        "examples/quickstart",
        "--policy",
        "git:HEAD:policies/default.yaml",
    ]);
    assert_eq!(code, 0, "{out}{stderr}");
    let (out, _, code) = consentlint(&[
        "check",
        "examples/quickstart",
        "--policy",
        "git:HEAD:policies/no-such.yaml",
        "--format",
        "concise",
        "--quiet",
    ]);
    assert_eq!(code, 2);
    assert!(
        out.contains("cannot read `git:HEAD:policies/no-such.yaml`"),
        "{out}"
    );
    let (_, stderr, code) = consentlint(&[
        "audit",
        "tests/fixtures/codes/pii-in-payload/payloads.ndjson",
        "--manifests",
        "tests/fixtures/codes/pii-in-payload",
        "--policy",
        "git:HEAD:policies/default.yaml",
        "--quiet",
    ]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn policy_lint_walks_directories_and_skips_what_is_not_a_policy() {
    let (out, _, code) = consentlint(&["policy", "lint", "policies/"]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with("7 policies linted: 0 errors, 0 warnings, 7 infos\n"),
        "{out}"
    );
    // The shipped default policy and the seed with a former redundant grant are clean.
    for clean in [
        "policies/default.yaml",
        "policies/desktop-analytics.yaml",
        "builtin:default",
    ] {
        let (out, _, code) = consentlint(&["policy", "lint", clean]);
        assert_eq!(
            (out.as_str(), code),
            ("1 policy linted: 0 errors, 0 warnings, 0 infos\n", 0),
            "{clean}"
        );
    }
    let (out, _, code) = consentlint(&["policy", "lint", "demo/notes-app/telemetry.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "unknown-document\n\n  ☞ `demo/notes-app/telemetry.yaml` is not a policy (a telemetry manifest): not linted\n  help: `policy lint` lints `kind: Policy` documents; `consentlint check` checks the others\n\n0 policies linted: 0 errors, 0 warnings, 1 info\n"
    );
}

#[test]
fn man_pages_have_exit_status_files_environment_and_examples_for_nested_commands_too() {
    for page in [
        vec!["man"],
        vec!["man", "check"],
        vec!["man", "policy", "lint"],
    ] {
        let (roff, stderr, code) = consentlint(&page);
        assert_eq!(code, 0, "{stderr}");
        for section in ["EXIT STATUS", "FILES", "ENVIRONMENT", "EXAMPLES"] {
            assert!(
                roff.contains(&format!(".SH \"{section}\"")),
                "{page:?} lacks {section}"
            );
        }
        assert!(roff.contains("NO_COLOR") && roff.contains("consentlint.yaml"));
    }
    let (roff, _, _) = consentlint(&["man", "policy", "lint"]);
    assert!(roff.contains("\n.TH consentlint-policy-lint 1 "), "{roff}");
    assert!(roff.contains("consentlint policy lint policies/"), "{roff}");
    let (_, stderr, code) = consentlint(&["man", "policy", "lnit"]);
    assert_eq!(
        (stderr.as_str(), code),
        ("consentlint: no command `policy lnit`\n", 2)
    );
}

/// Every JSON document consentlint prints is an object with `"version": 1` among its
/// keys: one envelope (`render::json_document`) for every command's `--format json`.
#[test]
fn every_json_output_carries_the_format_version() {
    let commands: &[&[&str]] = &[
        &["check", "demo/notes-app", "--format", "json"],
        &[
            "check",
            "demo/notes-app",
            "--list-suppressions",
            "--format",
            "json",
        ],
        &[
            "audit",
            "tests/fixtures/codes/pii-in-payload/payloads.ndjson",
            "--manifests",
            "tests/fixtures/codes/pii-in-payload",
            "--format",
            "json",
        ],
        &[
            "classify",
            "tests/fixtures/classify/signup",
            "--format",
            "json",
        ],
        &["report", "demo/notes-app", "--format", "json"],
        &["policy", "compile", "builtin:default", "--format", "json"],
        &[
            "policy",
            "diff",
            "builtin:default",
            "builtin:glean",
            "--format",
            "json",
        ],
        &[
            "explain",
            "user.email",
            "--consent",
            "required",
            "--format",
            "json",
        ],
        &["taxonomy", "--format", "json"],
    ];
    for args in commands {
        let (out, stderr, _) = consentlint(args);
        let doc: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("`{}`: not JSON ({e}): {out}{stderr}", args.join(" ")));
        assert_eq!(doc["version"], 1, "`{}`: {out}", args.join(" "));
        assert!(
            out.ends_with("}\n"),
            "`{}` ends with one line end",
            args.join(" ")
        );
    }
}
