//! Progress reporting: the run's live counters, and no bar when stderr is not a terminal.

use consentlint::check::date::Date;
use consentlint::load::Limits;
use consentlint::run::{self, Options, Progress};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[test]
fn counters_end_at_every_file_and_every_finding() {
    let progress = Arc::new(Progress::default());
    let options = Options {
        paths: vec![
            PathBuf::from("demo/notes-app"),
            PathBuf::from("examples/quickstart"),
        ],
        policy: None,
        limits: Limits::default(),
        project_root: std::env::current_dir().unwrap(),
        today: Date::today(),
        files: Default::default(),
        progress: Some(Arc::clone(&progress)),
        classify: None,
        overlays: None,
        stdin: None,
    };
    let report = run::run(&options);
    // Two manifests and their two schemas; the schemas are counted as the manifests use them.
    assert_eq!(progress.total.load(Ordering::Relaxed), 4);
    assert_eq!(progress.done.load(Ordering::Relaxed), 4);
    assert_eq!(report.files, 4);
    // The demo's four deliberate mistakes; the quickstart is clean.
    assert_eq!(progress.findings.load(Ordering::Relaxed), 4);
    let found: Vec<(String, Option<usize>, &str)> = report
        .diagnostics
        .iter()
        .map(|d| (d.file.clone(), d.start().map(|at| at.line), d.code.as_str()))
        .collect();
    let demo = "demo/notes-app/telemetry.yaml".to_owned();
    assert_eq!(
        found,
        [
            (demo.clone(), Some(40), "identification-too-high"),
            (demo.clone(), Some(51), "denied-data"),
            (demo.clone(), Some(62), "consent-too-low"),
            (demo, Some(73), "unclassified-field"),
        ]
    );
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    for args in [
        &["check", "examples/", "demo/"][..],
        &["check", "--jobs", "1", "demo/notes-app"],
        &["check", "--format", "json", "examples/"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
            .args(args)
            .output()
            .unwrap();
        assert!(!out.stdout.is_empty(), "{args:?} printed its report");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "{args:?} wrote to stderr"
        );
    }
}
