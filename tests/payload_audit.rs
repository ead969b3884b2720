//! `consentlint audit` on generated payload streams: hostile lines among clean ones, a
//! 1 GiB line through standard input, gzip, the caps on repeated findings, and values
//! never printed.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const MANIFESTS: &str = "tests/fixtures/codes/undeclared-field";
const CLEAN: &str = r#"{"event": "note_saved", "payload": {"session_id": "9f86d081884c7d659a2feaa0c55ad015", "save_duration_ms": 12}}"#;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_consentlint"))
}

fn audit(args: &[&str]) -> (String, String, i32) {
    let out = bin()
        .arg("audit")
        .args(args)
        .args(["--manifests", MANIFESTS, "--color", "never"])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn report(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// `(line, code)` of every diagnostic.
fn found(report: &Value) -> Vec<(u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn write(path: &Path, lines: &[String]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn hostile_lines_are_diagnostics_and_the_stream_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = (0..2000).map(|_| CLEAN.to_owned()).collect();
    lines[99] = r#"{"event": "note_saved", "payload": {"session_id": "#.to_owned();
    lines[499] = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
    lines[999] = format!(
        r#"{{"event": "note_saved", "payload": {{"session_id": "{}"}}}}"#,
        "x".repeat(5000)
    );
    lines[1499] = "\u{0}\u{1}binary".to_owned();
    lines[1999] =
        r#"{"event": "note_saved", "payload": {"session_id": "jane@example.com"}}"#.to_owned();
    let path = dir.path().join("capture.ndjson");
    write(&path, &lines);
    let path = path.to_str().unwrap();
    let (stdout, _, code) = audit(&[path, "--max-line-length", "4096", "--format", "json"]);
    assert_eq!(code, 2, "input problems exit 2");
    let report = report(&stdout);
    assert_eq!(
        found(&report),
        [
            (100, "invalid-payload".to_owned()),
            (500, "resource-limit".to_owned()),
            (1000, "payload-line-too-long".to_owned()),
            (1500, "invalid-payload".to_owned()),
            (2000, "pii-in-payload".to_owned()),
        ]
    );
    assert_eq!(report["audit"]["lines"], 2000);
    assert_eq!(report["audit"]["events"]["note_saved"], 1996);
    assert_eq!(report["audit"]["findings"]["invalid-payload"], 2);
    assert!(!stdout.contains("jane@example.com"), "{stdout}");
}

/// A 1 GiB line through a pipe, under a 512 MiB address-space limit: if the line were
/// buffered the allocation would fail and the process abort.
#[cfg(target_os = "linux")]
#[test]
fn a_one_gigabyte_line_is_skipped_without_being_held_in_memory() {
    let script = format!(
        "ulimit -v 524288 && exec '{}' audit - --manifests {MANIFESTS} --format json",
        env!("CARGO_BIN_EXE_consentlint")
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        writeln!(stdin, "{CLEAN}").unwrap();
        stdin
            .write_all(br#"{"event": "note_saved", "payload": {"session_id": ""#)
            .unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..1024 {
            stdin.write_all(&chunk).unwrap();
        }
        stdin.write_all(b"\"}}\n").unwrap();
        writeln!(stdin, "{CLEAN}").unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let report = report(&stdout);
    assert_eq!(found(&report), [(2, "payload-line-too-long".to_owned())]);
    let message = report["diagnostics"][0]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "line 2 is 1073741878 bytes long, over the limit of 1048576; it was skipped"
    );
    assert_eq!(report["diagnostics"][0]["file"], "<stdin>");
    assert_eq!(report["audit"]["events"]["note_saved"], 2);
}

#[test]
fn stdin_and_gzip_give_the_same_report_as_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        CLEAN.to_owned(),
        r#"{"event": "note_saved", "payload": {"session_id": "x", "user_email": "jane@example.com"}}"#
            .to_owned(),
        r#"{"event": "note_exported", "payload": {}}"#.to_owned(),
    ];
    let plain = dir.path().join("c.ndjson");
    write(&plain, &lines);
    let gz = dir.path().join("c.ndjson.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), Default::default());
    encoder.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    encoder.finish().unwrap();

    let (from_file, _, code) = audit(&[plain.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let expected = [
        (2, "undeclared-field".to_owned()),
        (3, "undeclared-event".to_owned()),
    ];
    assert_eq!(found(&report(&from_file)), expected);
    let (from_gz, _, _) = audit(&[gz.to_str().unwrap(), "--format", "json"]);
    assert_eq!(found(&report(&from_gz)), expected);

    let mut child = bin()
        .args(["audit", "-", "--manifests", MANIFESTS, "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&plain).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let from_stdin = report(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(found(&from_stdin), expected);
    assert_eq!(from_stdin["diagnostics"][0]["file"], "<stdin>");
}

#[test]
fn repeated_findings_are_counted_but_shown_only_max_repeats_times() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"event": "note_saved", "payload": {"session_id": "x", "extra": 1}}"#;
    let path = dir.path().join("c.ndjson");
    write(&path, &vec![line.to_owned(); 20]);
    let (stdout, _, code) = audit(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let report = report(&stdout);
    assert_eq!(
        found(&report),
        (1..=5)
            .map(|n| (n, "undeclared-field".to_owned()))
            .collect::<Vec<_>>()
    );
    assert_eq!(report["audit"]["findings"]["undeclared-field"], 20);
    assert_eq!(report["audit"]["not_shown"], 15);
    let (human, _, _) = audit(&[path.to_str().unwrap(), "--max-repeats", "1"]);
    assert!(human.ends_with(
        "audited 1 payload file (20 lines, 20 events) against 1 manifest: 1 error, 0 warnings, 0 infos\n\
         events seen:\n  note_saved               20\n\
         findings:\n  undeclared-field         20\n\
         19 repeated findings not shown (each kind of finding is shown at most `--max-repeats` times)\n"
    ), "{human}");
}

/// `--format ndjson --max-repeats 0`: every finding, one JSON object per line, the same
/// objects as the JSON report's with no cap; and nothing else on stdout.
#[test]
fn ndjson_with_no_repeat_cap_has_every_finding_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![
        r#"{"event": "note_saved", "payload": {"session_id": "x", "extra": 1}}"#
            .to_owned();
        20
    ];
    lines.push("not json".to_owned());
    lines.push(CLEAN.to_owned());
    let path = dir.path().join("c.ndjson");
    write(&path, &lines);
    let path = path.to_str().unwrap();
    let (ndjson, stderr, code) = audit(&[path, "--format", "ndjson", "--max-repeats", "0"]);
    // A line that is not JSON is an input problem: exit 2, the other lines still audited.
    assert_eq!(code, 2, "{stderr}");
    let rows: Vec<Value> = ndjson.lines().map(report).collect();
    assert_eq!(rows.len(), 21, "{ndjson}");
    let codes: Vec<(u64, &str)> = rows
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    let mut expected: Vec<(u64, &str)> = (1..=20).map(|n| (n, "undeclared-field")).collect();
    expected.push((21, "invalid-payload"));
    assert_eq!(codes, expected);
    let (json, _, _) = audit(&[path, "--format", "json", "--max-repeats", "0"]);
    let json = report(&json);
    assert_eq!(json["diagnostics"].as_array().unwrap(), &rows);
    assert_eq!(json["audit"]["not_shown"], 0);
    // The default cap applies to ndjson as to every format.
    let (capped, _, _) = audit(&[path, "--format", "ndjson"]);
    assert_eq!(capped.lines().count(), 6);
}

#[test]
fn values_are_never_printed_in_full() {
    let raw = [
        "jane.doe@example.com",
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "192.168.10.23",
        "2001:db8::8a2e:370:7334",
        "+1 555 010 0199",
        "s3cr3t",
    ];
    let payloads = "tests/fixtures/codes/pii-in-payload/payloads.ndjson";
    for format in ["human", "json"] {
        let out = bin()
            .args([
                "audit",
                payloads,
                "--manifests",
                "tests/fixtures/codes/pii-in-payload",
            ])
            .args([
                "--format",
                format,
                "--max-repeats",
                "10",
                "--color",
                "never",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("j***.d**@e******.c**"), "{text}");
        for value in raw {
            assert!(!text.contains(value), "{format} output shows `{value}`");
        }
    }
}

#[test]
fn an_unknown_consent_state_is_a_usage_error() {
    let (_, stderr, code) = audit(&[
        "tests/fixtures/codes/undeclared-field/payloads.ndjson",
        "--consent-state",
        "requird",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `required`?"), "{stderr}");
}

const PII: &str = "tests/fixtures/codes/pii-in-payload";

#[test]
fn sarif_and_github_reports_point_at_payload_lines() {
    let run = |format: &str| {
        let out = bin()
            .args([
                "audit",
                &format!("{PII}/payloads.ndjson"),
                "--manifests",
                PII,
            ])
            .args(["--format", format, "--max-repeats", "10"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let sarif = run("sarif");
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/schemas/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:?}");
    let places: Vec<(String, u64, u64)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let at = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                at["region"]["startLine"].as_u64().unwrap(),
                at["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    // `session_id` values start at column 51, `app_version` at 53, `request_id` at 52.
    let expected: Vec<(String, u64, u64)> = (2..=7)
        .map(|line| (line, 51))
        .chain([(8, 53)])
        .chain((11..=17).map(|line| (line, 52)))
        .map(|(line, column)| ("pii-in-payload".to_owned(), line, column))
        .collect();
    assert_eq!(places, expected);
    assert!(!sarif.contains("jane.doe@example.com"));

    let github = run("github");
    assert!(
        github.starts_with(&format!(
            "::error file={PII}/payloads.ndjson,line=2,col=51,endLine=2,endColumn=73,title=consentlint pii-in-payload::"
        )),
        "{github}"
    );
    assert!(!github.contains("jane.doe@example.com"));
}

#[test]
fn output_file_gets_the_report_and_the_terminal_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("audit.json");
    let (stdout, _, code) = audit(&[
        "tests/fixtures/codes/undeclared-field/payloads.ndjson",
        "--format",
        "json",
        "--output",
        report_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout
            .starts_with("audited 1 payload file (3 lines, 3 events) against 1 manifest: 3 errors"),
        "{stdout}"
    );
    let written = report(&std::fs::read_to_string(&report_path).unwrap());
    assert_eq!(written["audit"]["findings"]["undeclared-field"], 3);
}
