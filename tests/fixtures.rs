//! Fixture harness: every directory under `tests/fixtures/seeds/` and
//! `tests/fixtures/codes/`, and `demo/notes-app/`, is checked by the real binary, and its diagnostics must be
//! exactly the ones its files announce.
//!
//! A file announces a diagnostic with a trailing comment on the line where the
//! diagnostic's primary span starts: `# expect: CODE[rule-id]` (several separated by
//! `, `). Files that cannot carry comments (JSON) are announced in the directory's
//! `EXPECT` file, one `path/inside/dir:LINE CODE[rule]` per line. Optional `ARGS` holds
//! extra command-line arguments; optional `COMMAND` replaces `check DIR` (`{dir}` stands
//! for the directory: `policy lint {dir}/policy.yaml`); optional `EXIT` the expected exit code (otherwise: 2 when
//! an input problem is expected, 1 when an error is, else 0). The human rendering and the
//! JSON report of each directory are snapshotted.

mod common;

use consentlint::diagnostic::{Category, Code, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

type Expectation = (String, usize, String);

fn fixture_dirs(group: &str) -> Vec<PathBuf> {
    let root = Path::new("tests/fixtures").join(group);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn parse_announcement(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn expectations(dir: &Path) -> Vec<Expectation> {
    let mut out = Vec::new();
    for file in files_in(dir) {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "EXPECT" {
            let text = std::fs::read_to_string(&file).unwrap();
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let (place, codes) = line
                    .split_once(' ')
                    .unwrap_or_else(|| panic!("bad EXPECT line `{line}`"));
                let (path, line_no) = place
                    .rsplit_once(':')
                    .unwrap_or_else(|| panic!("bad EXPECT place `{place}`"));
                for code in parse_announcement(codes) {
                    out.push((display(&dir.join(path)), line_no.parse().unwrap(), code));
                }
            }
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if let Some((_, announced)) = line.split_once("# expect: ") {
                for code in parse_announcement(announced) {
                    out.push((display(&file), i + 1, code));
                }
            }
        }
    }
    out.sort();
    out
}

fn run(dir: &Path, format: &str) -> (String, i32) {
    // `COMMAND` replaces `check DIR`, with `{dir}` standing for the directory.
    let mut args: Vec<String> = match std::fs::read_to_string(dir.join("COMMAND")) {
        Ok(command) => command
            .split_whitespace()
            .map(|w| w.replace("{dir}", &display(dir)))
            .chain(["--format".into(), format.into()])
            .collect(),
        Err(_) => vec![
            "check".into(),
            display(dir),
            "--format".into(),
            format.into(),
            "--color".into(),
            "never".into(),
        ],
    };
    if let Ok(extra) = std::fs::read_to_string(dir.join("ARGS")) {
        args.extend(extra.split_whitespace().map(str::to_owned));
    }
    let output = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(&args)
        .env("CONSENTLINT_TODAY", "2026-11-23")
        .output()
        .expect("run consentlint");
    (
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        output.status.code().unwrap_or(-1),
    )
}

fn actual(json: &str) -> Vec<Expectation> {
    let report: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    let mut out: Vec<Expectation> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap_or(0) as usize,
                common::announced(d),
            )
        })
        .collect();
    out.sort();
    out
}

fn expected_exit(dir: &Path, expected: &[Expectation]) -> i32 {
    if let Ok(text) = std::fs::read_to_string(dir.join("EXIT")) {
        return text.trim().parse().expect("EXIT holds a number");
    }
    let codes: Vec<Code> = expected
        .iter()
        .map(|(_, _, c)| {
            Code::from_name(c.split('[').next().unwrap())
                .unwrap_or_else(|| panic!("unknown code in `{c}`"))
        })
        .collect();
    if codes.iter().any(|c| c.category() == Category::Input) {
        2
    } else if codes
        .iter()
        .any(|c| c.default_severity() == Severity::Error)
    {
        1
    } else {
        0
    }
}

fn check_group(group: &str) {
    check_dirs(group, fixture_dirs(group));
}

fn check_dirs(group: &str, dirs: Vec<PathBuf>) {
    let mut failures = BTreeMap::new();
    for dir in dirs {
        let expected = expectations(&dir);
        let (json, code) = run(&dir, "json");
        let got = actual(&json);
        if got != expected {
            let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
            let unexpected: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
            failures.insert(
                display(&dir),
                format!("missing: {missing:#?}\nunexpected: {unexpected:#?}"),
            );
            continue;
        }
        let exit = expected_exit(&dir, &expected);
        if code != exit {
            failures.insert(display(&dir), format!("exit code {code}, expected {exit}"));
        }
        let (human, _) = run(&dir, "human");
        let name = format!("{group}__{}", dir.file_name().unwrap().to_string_lossy());
        insta::assert_snapshot!(name.clone(), human);
        insta::assert_snapshot!(format!("{name}__json"), json);
    }
    assert!(
        failures.is_empty(),
        "fixtures disagree with their announcements:\n{failures:#?}"
    );
}

#[test]
fn seed_violation_fixtures() {
    check_group("seeds");
}

/// The README's demo of what diagnostics look like.
#[test]
fn demo_fixture() {
    check_dirs("demo", vec![PathBuf::from("demo/notes-app")]);
}

#[test]
fn diagnostic_code_fixtures() {
    check_group("codes");
}

/// `policy test` on broken and failing policy tests.
#[test]
fn policy_test_fixtures() {
    check_group("policy-test");
}

/// Telemetry definitions in other tools' formats (Glean metrics.yaml), read where they are.
#[test]
fn source_format_fixtures() {
    check_group("sources");
}

/// Every diagnostic code has an `--explain` text (a summary, then more) and a fixture of
/// its own, `tests/fixtures/codes/CODE/`, that announces — and so, by
/// `diagnostic_code_fixtures`, produces — that code.
#[test]
fn every_code_has_an_explanation_and_a_fixture() {
    let mut missing = Vec::new();
    for code in Code::ALL {
        let name = code.as_str();
        let text = code.explanation();
        let summary = text.split("\n\n").next().unwrap_or_default();
        if summary.trim().len() < 20 || text.trim() == summary.trim() {
            missing.push(format!("{name}: --explain text too thin: {text:?}"));
        }
        let dir = Path::new("tests/fixtures/codes").join(name);
        let announced = dir.is_dir()
            && expectations(&dir)
                .iter()
                .any(|(_, _, c)| c.split('[').next() == Some(name));
        if !announced {
            missing.push(format!(
                "{name}: no fixture announcing it in {}",
                dir.display()
            ));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
