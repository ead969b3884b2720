//! Hostile and broken input (issue 7): every case runs through the real binary in one
//! project together with good files, and must give a clear diagnostic naming the file
//! (with line:column where there is one), exit 2, no panic, bounded time and memory —
//! and the good files' results must come out exactly as in a run of their own.
//!
//! Inputs are generated in a temporary directory at test time (the 200 MB file included),
//! never committed. Each child process is watched: one that runs past [`HANG_LIMIT`] is
//! killed and the test fails as "hung"; its peak memory is read from `wait4`. The bounds
//! are generous on purpose — this is a hang and blow-up detector, not a benchmark.

use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run slower than this is a hang (debug build, shared 2-core machine).
const HANG_LIMIT: Duration = Duration::from_secs(600);
/// Peak resident memory allowed to any run, in KiB. The run over the hostile tree is held
/// tighter: to its good files' own run plus 100 MB, so the 200 MB file cannot have been read.
const MEMORY_LIMIT_KIB: i64 = 1024 * 1024;

struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
    max_rss_kib: i64,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{}", self.stdout))
    }
}

/// Run the binary in `dir`, killing it if it hangs, and measure its peak memory.
fn consentlint(dir: &Path, args: &[&str]) -> Outcome {
    consentlint_within(dir, args, MEMORY_LIMIT_KIB)
}

// The child is reaped by `wait4` (which also reports its peak memory), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn consentlint_within(dir: &Path, args: &[&str], memory_limit_kib: i64) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .current_dir(dir)
        .args(args)
        .env("CONSENTLINT_TODAY", "2026-11-23")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start consentlint");
    let pipe = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            r.read_to_end(&mut bytes).expect("read child output");
            String::from_utf8(bytes).expect("UTF-8 output")
        })
    };
    let stdout = pipe(Box::new(child.stdout.take().unwrap()));
    let stderr = pipe(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: `rusage` is plain data; `wait4` fills it for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(done >= 0, "wait4 failed");
        if done == pid {
            break (status, usage);
        }
        if started.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            panic!("consentlint {args:?} hung: killed after {HANG_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        libc::WIFEXITED(status),
        "consentlint {args:?} died from a signal (status {status}): {}",
        stderr.join().unwrap()
    );
    let outcome = Outcome {
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        code: libc::WEXITSTATUS(status),
        max_rss_kib: usage.ru_maxrss,
    };
    assert!(
        !outcome.stderr.contains("panicked"),
        "consentlint {args:?} panicked:\n{}",
        outcome.stderr
    );
    assert!(
        outcome.max_rss_kib < memory_limit_kib,
        "consentlint {args:?} used {} KiB",
        outcome.max_rss_kib
    );
    outcome
}

fn write(root: &Path, path: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

const MANIFEST_HEAD: &str = "kind: TelemetryManifest\napp: { id: hostile }\n";

/// A manifest the embedded default policy accepts, and one with exactly one violation.
fn write_good_files(root: &Path) {
    let event = |name: &str, field: &str| {
        format!(
            "  - name: {name}\n    consent: required\n    purposes: [diagnostics]\n    fields:\n      - {{ name: os_version, type: device.os.version }}\n      - {field}\n"
        )
    };
    let defaults = "defaults: { transport: https, regions: [us], retention_days: 28 }\nevents:\n";
    write(
        root,
        "good/clean.telemetry.yaml",
        format!(
            "{MANIFEST_HEAD}{defaults}{}",
            event("app_started", "{ name: app_version, type: app.version }")
        ),
    );
    write(
        root,
        "good/violation.telemetry.yaml",
        format!(
            "{MANIFEST_HEAD}{defaults}{}",
            event("signed_in", "{ name: owner_email, type: user.email }")
        ),
    );
    // A manifest whose event schema pulls a definition from a sibling file (a plain
    // definitions file, not a schema of its own): `$ref`s that stay inside the project
    // keep working next to the hostile ones.
    write(
        root,
        "good/schema.telemetry.yaml",
        format!(
            "{MANIFEST_HEAD}{defaults}  - name: crashed\n    consent: required\n    purposes: [diagnostics]\n    schema: crashed.schema.json\n"
        ),
    );
    write(
        root,
        "good/crashed.schema.json",
        r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "os": { "$ref": "common.schema.json#/$defs/os" },
    "code": { "type": "integer", "x-data-type": "app.error.code" }
  }
}
"##,
    );
    write(
        root,
        "good/common.schema.json",
        r##"{
  "$defs": { "os": { "type": "string", "x-data-type": "device.os.version" } }
}
"##,
    );
}

/// A deterministic stream of bytes (xorshift), so the "random bytes" case is reproducible.
fn random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn schema_ref(target: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "properties": {{ "x": {{ "$ref": "{target}" }} }}
}}
"#
    )
}

fn manifest_with_schema(schema: &str) -> String {
    format!(
        "{MANIFEST_HEAD}defaults: {{ transport: https, regions: [us], retention_days: 28 }}\nevents:\n  - name: e\n    consent: required\n    purposes: [diagnostics]\n    schema: {schema}\n"
    )
}

/// Every hostile case of the issue except the unreadable directory (see below) and the
/// 100,000-event manifest (its own test: it must produce a result, not a diagnostic).
fn write_hostile_files(root: &Path) {
    // Billion laughs: nine levels of ten aliases each.
    let mut bomb =
        format!("{MANIFEST_HEAD}x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("x-{name}: &{name} [{refs}]\n"));
    }
    bomb.push_str("events: []\n");
    write(root, "hostile/alias-bomb.yaml", bomb);

    let deep = 100_000;
    write(
        root,
        "hostile/deep.yaml",
        format!(
            "{MANIFEST_HEAD}x: {}{}\n",
            "[".repeat(deep),
            "]".repeat(deep)
        ),
    );
    write(root, "hostile/deep-block.yaml", {
        let mut text = format!("{MANIFEST_HEAD}x:\n");
        for depth in 1..deep {
            text.push_str(&" ".repeat(depth.min(200)));
            text.push_str("- \n");
        }
        text
    });
    write(
        root,
        "hostile/deep.json",
        format!(
            "{{\"kind\": \"TelemetryManifest\", \"x\": {}{}}}\n",
            "[".repeat(deep),
            "]".repeat(deep)
        ),
    );

    // 200 MB: a valid head, then comment lines, written from one repeated buffer.
    {
        use std::io::Write;
        let path = root.join("hostile/huge.yaml");
        let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        file.write_all(MANIFEST_HEAD.as_bytes()).unwrap();
        let chunk =
            "# padding padding padding padding padding padding padding padding\n".repeat(16 * 1024);
        let mut written = 0;
        while written < 200 * 1024 * 1024 {
            file.write_all(chunk.as_bytes()).unwrap();
            written += chunk.len();
        }
        file.flush().unwrap();
    }

    write(root, "hostile/empty.yaml", "");
    write(root, "hostile/random.yaml", random_bytes(4096));
    write(
        root,
        "hostile/latin1.yaml",
        b"kind: TelemetryManifest\napp: { id: caf\xe9 }\n",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in MANIFEST_HEAD.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    write(root, "hostile/utf16.yaml", utf16);
    write(
        root,
        "hostile/nul.yaml",
        format!("{MANIFEST_HEAD}events:\n  - name: \"app\0started\"\n"),
    );
    write(
        root,
        "hostile/duplicate-key.yaml",
        format!("{MANIFEST_HEAD}events: []\nevents: []\n"),
    );
    write(
        root,
        "hostile/tabs.yaml",
        format!("{MANIFEST_HEAD}events:\n\t- name: app_started\n\t  consent: required\n"),
    );
    write(
        root,
        "hostile/multi-doc.yaml",
        format!("{MANIFEST_HEAD}events: []\n---\n{MANIFEST_HEAD}events: []\n"),
    );

    // `$ref` to the network: must be refused without touching it.
    write(
        root,
        "remote/telemetry.yaml",
        manifest_with_schema("e.schema.json"),
    );
    write(
        root,
        "remote/e.schema.json",
        schema_ref("https://schemas.example.com/device.json"),
    );
    // A `$ref` cycle through three files: each one is nothing but a reference to the next.
    let bare_ref = |target: &str| {
        format!(
            "{{ \"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"$ref\": \"{target}\" }}\n"
        )
    };
    write(
        root,
        "cycle/telemetry.yaml",
        manifest_with_schema("a.schema.json"),
    );
    write(root, "cycle/a.schema.json", bare_ref("b.schema.json"));
    write(root, "cycle/b.schema.json", bare_ref("c.schema.json"));
    write(root, "cycle/c.schema.json", bare_ref("a.schema.json"));
    // A `$ref` bomb: no cycle, but each definition refers twice to the next, 40 deep, so a
    // naive walk visits 2^40 nodes.
    let mut defs: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "\"d{i}\": {{ \"allOf\": [{{ \"$ref\": \"#/$defs/d{n}\" }}, {{ \"$ref\": \"#/$defs/d{n}\" }}] }}",
                n = i + 1
            )
        })
        .collect();
    defs.push("\"d40\": { \"type\": \"string\", \"x-data-type\": \"app.version\" }".to_owned());
    write(
        root,
        "ref-bomb/e.schema.json",
        format!(
            "{{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n  \"x-consent\": \"required\",\n  \"$ref\": \"#/$defs/d0\",\n  \"$defs\": {{\n    {}\n  }}\n}}\n",
            defs.join(",\n    ")
        ),
    );
    // Leaving the project root: `schema:` and `$ref`, relative and absolute.
    write(
        root,
        "escape/relative.telemetry.yaml",
        manifest_with_schema("../../etc/passwd"),
    );
    write(
        root,
        "escape/absolute.telemetry.yaml",
        manifest_with_schema("/etc/passwd"),
    );
    write(
        root,
        "escape/ref.telemetry.yaml",
        manifest_with_schema("e.schema.json"),
    );
    write(
        root,
        "escape/e.schema.json",
        schema_ref("../../../etc/passwd"),
    );
    write(
        root,
        "escape/abs.telemetry.yaml",
        manifest_with_schema("abs.schema.json"),
    );
    write(root, "escape/abs.schema.json", schema_ref("/etc/passwd"));

    // Symlinks: a directory loop (never followed), a file linking to itself, and a file
    // linking out of the project.
    std::fs::create_dir_all(root.join("links")).unwrap();
    std::os::unix::fs::symlink("..", root.join("links/loop")).unwrap();
    std::os::unix::fs::symlink("self.yaml", root.join("links/self.yaml")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("links/passwd.yaml")).unwrap();
}

/// `(file, line, column, code)` of every diagnostic in a JSON report.
fn findings(report: &Value) -> Vec<(String, Option<u64>, Option<u64>, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64(),
                d["column"].as_u64(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn diagnostics_under<'a>(report: &'a Value, dir: &str) -> Vec<&'a Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"].as_str().unwrap().starts_with(dir))
        .collect()
}

#[test]
fn every_hostile_input_is_reported_and_the_good_files_are_still_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_good_files(root);

    let alone = consentlint(root, &["check", "good", "--format", "json"]);
    let baseline = alone.max_rss_kib;
    assert_eq!(alone.code, 1, "{}", alone.stdout);
    let alone = alone.json();
    assert_eq!(
        findings(&alone),
        [(
            "good/violation.telemetry.yaml".to_owned(),
            Some(10),
            Some(36),
            "denied-data".to_owned()
        )]
    );

    write_hostile_files(root);
    let all = consentlint_within(
        root,
        &["check", ".", "--format", "json"],
        baseline + 100 * 1024,
    );
    assert_eq!(all.code, 2, "{}", all.stdout);
    let report = all.json();

    // The good files' results are exactly those of their own run.
    assert_eq!(
        diagnostics_under(&report, "good/"),
        diagnostics_under(&alone, "good/")
    );
    assert_eq!(alone["summary"]["events"], 3);

    // One line per diagnostic of the hostile files: file:line:column code — message.
    let lines: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["file"].as_str().unwrap().starts_with("good/"))
        .map(|d| {
            let at = match (d["line"].as_u64(), d["column"].as_u64()) {
                (Some(l), Some(c)) => format!(":{l}:{c}"),
                _ => String::new(),
            };
            format!(
                "{}{at} {} — {}",
                d["file"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!("hostile_inputs", lines.join("\n"));

    // Every hostile file is named by at least one diagnostic.
    let named: Vec<String> = findings(&report).into_iter().map(|f| f.0).collect();
    for file in [
        "hostile/alias-bomb.yaml",
        "hostile/deep.yaml",
        "hostile/deep-block.yaml",
        "hostile/deep.json",
        "hostile/huge.yaml",
        "hostile/empty.yaml",
        "hostile/random.yaml",
        "hostile/latin1.yaml",
        "hostile/utf16.yaml",
        "hostile/nul.yaml",
        "hostile/duplicate-key.yaml",
        "hostile/tabs.yaml",
        "hostile/multi-doc.yaml",
        "remote/e.schema.json",
        "cycle/a.schema.json",
        "ref-bomb/e.schema.json",
        "escape/relative.telemetry.yaml",
        "escape/absolute.telemetry.yaml",
        "escape/e.schema.json",
        "escape/abs.schema.json",
        "links/self.yaml",
        "links/passwd.yaml",
    ] {
        assert!(
            named.iter().any(|n| n == file),
            "nothing reported for {file}"
        );
    }
    // Nothing from outside the project was read and quoted.
    assert!(!all.stdout.contains("root:"), "{}", all.stdout);
}

/// A manifest of 100,000 events completes with its result (no diagnostic: every field is
/// allowed), within bounded memory.
#[test]
fn a_manifest_of_100_000_events_is_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = format!(
        "{MANIFEST_HEAD}defaults: {{ transport: https, regions: [us], retention_days: 28 }}\nevents:\n"
    );
    for i in 0..100_000 {
        text.push_str(&format!(
            "  - name: event_{i}\n    consent: required\n    purposes: [diagnostics]\n    fields:\n      - {{ name: os_version, type: device.os.version }}\n"
        ));
    }
    // One violation at the very end proves the whole file was checked.
    text.push_str("  - name: last\n    consent: required\n    purposes: [diagnostics]\n    fields:\n      - { name: email, type: user.email }\n");
    write(tmp.path(), "big/telemetry.yaml", text);
    write_good_files(tmp.path());
    // The tree of a 14 MB manifest costs a few hundred MB (spans for every node).
    let out = consentlint_within(tmp.path(), &["check", ".", "--format", "json"], 1024 * 1024);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    assert_eq!(report["summary"]["events"], 100_001 + 3);
    let big: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("big/"))
        .collect();
    assert_eq!(
        big,
        [(
            "big/telemetry.yaml".to_owned(),
            Some(500_009),
            Some(30),
            "denied-data".to_owned()
        )]
    );
}

fn is_root() -> bool {
    // SAFETY: `geteuid` has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A directory the walk cannot enter is reported by name; the rest is still checked. As
/// root (where CI runs) `chmod 000` denies nothing, so the check then runs as the
/// unprivileged user `nobody` (uid 65534), from a copy of the binary that user can run.
#[test]
fn a_directory_without_permission_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    write_good_files(&project);
    write(&project, "locked/telemetry.yaml", MANIFEST_HEAD);
    let locked = project.join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut command = if is_root() {
        let bin = tmp.path().join("consentlint");
        std::fs::copy(env!("CARGO_BIN_EXE_consentlint"), &bin).unwrap();
        for open in [tmp.path(), bin.as_path()] {
            std::fs::set_permissions(open, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut command = Command::new(&bin);
        command.uid(65534).gid(65534);
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_consentlint"))
    };
    let out = command
        .current_dir(&project)
        .args(["check", ".", "--format", "json"])
        .env("CONSENTLINT_TODAY", "2026-11-23")
        .output()
        .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let locked: Vec<_> = diagnostics_under(&report, "locked");
    assert_eq!(locked.len(), 1, "{locked:#?}");
    assert_eq!(locked[0]["code"], "unreadable-file");
    assert_eq!(
        locked[0]["message"],
        "cannot read `locked`: Permission denied (os error 13)"
    );
    // The good files are still checked: their one finding, exactly.
    let good: Vec<(String, String)> = diagnostics_under(&report, "good/")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        good,
        [(
            "good/violation.telemetry.yaml".to_owned(),
            "denied-data".to_owned()
        )]
    );
}

/// The same path for any user, root included: a directory nested so deep that its path
/// is longer than the system allows (`ENAMETOOLONG`) cannot be opened by the walk.
#[test]
fn a_directory_too_deep_to_open_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    write_good_files(tmp.path());
    // Built one level at a time from inside, as no single path may be that long.
    let name = "d".repeat(200);
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "mkdir deep && cd deep && for i in $(seq 25); do mkdir {name} && cd -P {name} || exit 1; done"
        ))
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = consentlint(tmp.path(), &["check", ".", "--format", "json"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let report = out.json();
    let deep = diagnostics_under(&report, "deep/");
    assert!(!deep.is_empty());
    for d in &deep {
        assert_eq!(d["code"], "unreadable-file");
        let message = d["message"].as_str().unwrap();
        assert!(message.starts_with("cannot read `deep/"), "{message}");
        assert!(
            message.ends_with("File name too long (os error 36)"),
            "{message}"
        );
    }
    let good: Vec<(&str, &str)> = diagnostics_under(&report, "good/")
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(good, [("good/violation.telemetry.yaml", "denied-data")]);
}

/// A manifest cannot drive the terminal or forge a GitHub workflow command: control
/// characters it smuggles into names (through YAML escapes) or into the text a snippet
/// quotes (raw bytes) come out as visible `\u{…}` escapes.
#[test]
fn quoted_input_cannot_inject_terminal_sequences_or_workflow_commands() {
    let tmp = tempfile::tempdir().unwrap();
    // Escapes in names: ESC, BEL, line breaks before `::`, a right-to-left override.
    write(
        tmp.path(),
        "inject/names.telemetry.yaml",
        format!(
            "{MANIFEST_HEAD}defaults: {{ transport: https, regions: [us], retention_days: 28 }}\nevents:\n  - name: \"evil\\e[2J\\e]0;pwned\\a\"\n    consent: required\n    purposes: [diagnostics]\n    fields:\n      - {{ name: \"x\\n::error file=forged.yaml,line=1::forged\", type: user.email }}\n      - {{ name: \"\\u202Egnp.exe\\r\\n::warning ::forged\", type: user.phone }}\n"
        ),
    );
    // Raw control bytes in the text: a syntax error whose snippet quotes them.
    write(
        tmp.path(),
        "inject/raw.telemetry.yaml",
        format!("{MANIFEST_HEAD}events: [] # \x1b[31m red \u{9b}0m\n"),
    );
    let human = consentlint(tmp.path(), &["check", "inject", "--color", "never"]);
    assert_eq!(human.code, 2, "{}", human.stdout);
    let json = consentlint(tmp.path(), &["check", "inject", "--format", "json"]);
    for (format, out) in [("human", &human.stdout), ("json", &json.stdout)] {
        for c in out.chars() {
            assert!(
                !c.is_control() || c == '\n' || (c == '\t' && format == "human"),
                "{format} output carries {c:?}:\n{out}"
            );
        }
        assert!(!out.contains('\u{202e}'), "{format}: {out}");
        assert!(
            out.lines().all(|l| !l.trim_start().starts_with("::")),
            "{format} output has a line starting with `::`:\n{out}"
        );
    }
    insta::assert_snapshot!("injection_human", human.stdout);
    // The GitHub renderer: one workflow command per finding, none forged.
    let github = consentlint(tmp.path(), &["check", "inject", "--format", "github"]);
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", github.stdout);
    for line in &lines[..3] {
        assert!(line.starts_with("::error file=inject/"), "{line}");
        assert!(!line.chars().any(diagnostic_unsafe), "{line:?}");
    }
    assert!(lines[3].starts_with("2 files checked"), "{}", lines[3]);
    let report = json.json();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(
        diagnostics[0]["event"],
        "evil\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"
    );
    assert_eq!(
        diagnostics[0]["field"],
        "x\\u{a}::error file=forged.yaml,line=1::forged"
    );
    assert_eq!(
        diagnostics[1]["field"],
        "\\u{202e}gnp.exe\\u{d}\\u{a}::warning ::forged"
    );
}

fn diagnostic_unsafe(c: char) -> bool {
    consentlint::diagnostic::is_unsafe(c)
}

/// The budgets under `limits:` in `consentlint.yaml` are the ones applied.
#[test]
fn config_limits_are_honoured() {
    let tmp = tempfile::tempdir().unwrap();
    write_good_files(tmp.path());
    write(
        tmp.path(),
        "small/nested.yaml",
        "x: [[[[[[[[[[1]]]]]]]]]]\n",
    );
    write(
        tmp.path(),
        "small/aliases.yaml",
        "x: &a [1]\ny: [*a, *a, *a, *a, *a, *a]\n",
    );
    write(
        tmp.path(),
        "small/big.yaml",
        format!("{MANIFEST_HEAD}events: []\n# {}\n", "x".repeat(2000)),
    );
    // Within the default budgets: two YAML files that are not consentlint documents
    // (skipped) and an empty manifest.
    let defaults = consentlint(tmp.path(), &["check", "small", "--format", "json"]);
    assert_eq!(defaults.code, 0, "{}", defaults.stdout);

    write(
        tmp.path(),
        "consentlint.yaml",
        "limits: { max_file_size: 1000, max_depth: 8, max_aliases: 5 }\n",
    );
    let out = consentlint(tmp.path(), &["check", "small", "--format", "json"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let report = out.json();
    let got: Vec<(String, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = |file: &str, code: &str, message: &str| {
        (file.to_owned(), code.to_owned(), message.to_owned())
    };
    assert_eq!(
        got,
        [
            expected(
                "small/aliases.yaml",
                "resource-limit",
                "`small/aliases.yaml` expands YAML aliases beyond the budget (an alias bomb?)"
            ),
            expected(
                "small/big.yaml",
                "input-too-large",
                "`small/big.yaml` is 2059 bytes, over the limit of 1000 bytes"
            ),
            expected(
                "small/nested.yaml",
                "resource-limit",
                "`small/nested.yaml` nests deeper than 8 levels"
            ),
        ]
    );
    // `--max-file-size` overrides the config.
    let flag = consentlint(
        tmp.path(),
        &["check", "small/big.yaml", "--max-file-size", "4000"],
    );
    assert_eq!(flag.code, 0, "{}", flag.stdout);

    // The `$ref` budget: the good schema visits 4 subschemas.
    write(
        tmp.path(),
        "consentlint.yaml",
        "limits: { max_schema_visits: 3 }\n",
    );
    let out = consentlint(tmp.path(), &["check", "good", "--format", "json"]);
    let report = out.json();
    let codes: Vec<_> = findings(&report).into_iter().map(|f| (f.0, f.3)).collect();
    assert!(
        codes.contains(&(
            "good/crashed.schema.json".to_owned(),
            "resource-limit".to_owned()
        )),
        "{codes:?}"
    );
}

/// A policy in the project cannot make consentlint read a file outside it: `extends:` and
/// `taxonomy:` that are absolute or climb out of the root are refused at the reference,
/// in `check` and in `policy lint`, and nothing of the named files reaches the output.
#[test]
fn a_policy_cannot_name_files_outside_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A file beside the project, with a marker that must never be printed.
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.yaml",
        "kind: Policy\nSECRET-MARKER: [\n",
    );
    let secret = outside.path().join("secret.yaml").display().to_string();
    let climb = format!(
        "{}{}",
        "../".repeat(root.components().count() + 2),
        secret.trim_start_matches('/')
    );
    write(root, "consentlint.yaml", "policy: builtin:default\n");
    let levels = "consent_levels:\n  - { id: required, default: on, can_disable: [] }\n";
    write(
        root,
        "team/extends.yaml",
        format!("kind: Policy\nid: a\nextends: [{secret}, {climb}]\n{levels}"),
    );
    write(
        root,
        "team/taxonomy.yaml",
        format!("kind: Policy\nid: b\ntaxonomy: {climb}\n{levels}"),
    );
    write(
        root,
        "team/fides.yaml",
        format!("kind: Policy\nid: c\ntaxonomy: fideslang:{secret}\n{levels}"),
    );
    write(
        root,
        "team/base.yaml",
        format!("kind: Policy\nid: d\n{levels}"),
    );
    write(
        root,
        "team/fine.yaml",
        "kind: Policy\nid: e\nextends: [base.yaml]\n",
    );

    let check = consentlint(root, &["check", "team", "--format", "json"]);
    assert_eq!(check.code, 2, "{}", check.stdout);
    let mut refused: Vec<(String, Option<u64>, String)> = check.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unresolved-ref")
        .map(|d| {
            let message = d["message"].as_str().unwrap().to_owned();
            (
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64(),
                message,
            )
        })
        .collect();
    refused.sort();
    let reasons: Vec<(&str, Option<u64>, bool)> = refused
        .iter()
        .map(|(file, line, message)| {
            let why = message
                .ends_with("is an absolute path; references must be relative to the file")
                || message.ends_with("leaves the project root");
            (file.as_str(), *line, why)
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("team/extends.yaml", Some(3), true),
            ("team/extends.yaml", Some(3), true),
            ("team/fides.yaml", Some(3), true),
            ("team/taxonomy.yaml", Some(3), true),
        ],
        "{refused:?}"
    );
    assert!(!check.stdout.contains("SECRET-MARKER") && !check.stderr.contains("SECRET-MARKER"));

    let lint = consentlint(
        root,
        &["policy", "lint", "team/extends.yaml", "team/fine.yaml"],
    );
    assert_eq!(lint.code, 2, "{}", lint.stdout);
    assert_eq!(
        lint.stdout.matches("unresolved-ref").count(),
        2,
        "{}",
        lint.stdout
    );
    assert!(!lint.stdout.contains("SECRET-MARKER") && !lint.stderr.contains("SECRET-MARKER"));

    // The config is a file of the project too: its `policy:` and `baseline:` stay inside.
    write(
        root,
        "consentlint.yaml",
        format!("policy: {secret}\nbaseline: {climb}\n"),
    );
    let config = consentlint(root, &["check", "team", "--format", "json"]);
    assert_eq!(config.code, 2, "{}", config.stdout);
    let report = config.json();
    let refused: Vec<(&str, Option<u64>, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap(),
                d["line"].as_u64(),
                d["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            ("consentlint.yaml", Some(1), "unresolved-ref"),
            ("consentlint.yaml", Some(2), "unresolved-ref"),
        ]
    );
    assert!(!config.stdout.contains("SECRET-MARKER") && !config.stderr.contains("SECRET-MARKER"));
}

/// A finding past column 65,535 (a minified schema) used to panic the terminal renderer
/// (a padding width over `u16::MAX`), losing all output. Long lines are now cropped around
/// the spot, with an ellipsis, and the header keeps the true column.
#[test]
fn a_finding_far_along_one_long_line_is_rendered_cropped() {
    let tmp = tempfile::tempdir().unwrap();
    write_good_files(tmp.path());
    let schema = format!(
        "{{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"description\": \"{}\", \"x-consent\": \"required\", \"type\": \"object\", \"additionalProperties\": false, \"properties\": {{\"email\": {{\"type\": \"string\", \"x-data-type\": \"user.email\"}}}}}}",
        "d".repeat(70_000)
    );
    write(tmp.path(), "minified/big.schema.json", &schema);
    let out = consentlint(tmp.path(), &["check", "."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let column = schema.find("\"user.email\"").unwrap() + 1;
    assert!(
        out.stdout
            .contains("denied-data[no-end-user-identifiable-info]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("minified/big.schema.json:1:"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("…"),
        "the line is cropped: {}",
        out.stdout
    );
    assert!(out.stdout.len() < 12_000, "{} bytes", out.stdout.len());
    // The good files are still checked.
    assert!(
        out.stdout.contains("good/violation.telemetry.yaml"),
        "{}",
        out.stdout
    );
    // Every other format points at the true column.
    let json = consentlint(tmp.path(), &["check", "minified", "--format", "json"]).json();
    assert_eq!(json["diagnostics"][0]["column"], column);
    // `policy lint` on a policy of one long line: reported, not a panic.
    let policy = format!(
        "{{\"kind\": \"Policy\", \"id\": \"p\", \"title\": \"{}\", \"extends\": [\"builtin:default\"], \"rules\": [{{\"id\": \"bad\", \"allow\": {{\"types\": [\"no.such\"]}}}}]}}",
        "t".repeat(70_000)
    );
    write(tmp.path(), "policy.json", &policy);
    let out = consentlint(tmp.path(), &["policy", "lint", "policy.json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("unknown data type `no.such`"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.len() < 4_000, "{} bytes", out.stdout.len());
}

/// One diagnostic on a one-line file printed the whole line (hundreds of KB): every
/// snippet is now a bounded window.
#[test]
fn a_resource_limit_on_one_line_prints_a_bounded_snippet() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    write(tmp.path(), "deep.json", &deep);
    let out = consentlint(tmp.path(), &["check", "deep.json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.starts_with("resource-limit\n"), "{}", out.stdout);
    assert!(
        out.stdout.len() < 4_000,
        "{} bytes:\n{}",
        out.stdout.len(),
        &out.stdout[..out.stdout.len().min(2_000)]
    );
}

/// `report` in Markdown and CSV escapes what the inputs say: terminal sequences, bidi
/// overrides, a line break that would start a forged workflow command, table pipes, and
/// (CSV) cells a spreadsheet would run as formulas.
#[test]
fn report_markdown_and_csv_escape_input_text() {
    let tmp = tempfile::tempdir().unwrap();
    let hostile = "=HYPERLINK(\\\"x\\\")\\u001b[2J\\u202eevil|pipe\\n::error file=x::forged";
    write(
        tmp.path(),
        "policy.yaml",
        format!(
            "kind: Policy\nid: hostile\nextends: [builtin:default]\ntaxonomy_extensions:\n  - {{ id: app.hostile, title: \"{hostile}\", description: \"{hostile}\", class: system_metadata }}\n"
        ),
    );
    write(
        tmp.path(),
        "telemetry.yaml",
        format!(
            "{MANIFEST_HEAD}policy: policy.yaml\ndefaults: {{ transport: https }}\nevents:\n  - {{ name: started, consent: required, fields: [{{ name: h, type: app.hostile }}] }}\n"
        ),
    );
    for format in ["markdown", "csv"] {
        let out = consentlint(tmp.path(), &["report", ".", "--format", format]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        let text = &out.stdout;
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{format}: {text}"
        );
        assert!(
            text.lines().all(|l| !l.trim_start().starts_with("::")),
            "{format}: a line starts a workflow command:\n{text}"
        );
        assert!(text.contains("HYPERLINK"), "{format}: {text}");
    }
    let csv = consentlint(tmp.path(), &["report", ".", "--format", "csv"]).stdout;
    assert!(
        csv.contains(
            ",\"'=HYPERLINK(\"\"x\"\")\\u{1b}[2J\\u{202e}evil|pipe\\u{a}::error file=x::forged\","
        ),
        "{csv}"
    );
    let markdown = consentlint(tmp.path(), &["report", ".", "--format", "markdown"]).stdout;
    assert!(
        markdown.contains("evil\\|pipe<br>::error file=x::forged"),
        "{markdown}"
    );
}

/// A baseline written into the project is one of consentlint's own documents: validated,
/// and counted as checked rather than skipped.
#[test]
fn a_baseline_inside_the_project_is_not_a_skipped_document() {
    let tmp = tempfile::tempdir().unwrap();
    write_good_files(tmp.path());
    let before = consentlint(tmp.path(), &["check", "."]);
    // The good files include a plain definitions file, skipped as not a document.
    assert!(
        before.stdout.ends_with("4 files checked (3 events, 6 fields): 1 error, 0 warnings, 0 infos; 1 file skipped (not consentlint documents)\n"),
        "{}",
        before.stdout
    );
    let out = consentlint(tmp.path(), &["check", ".", "--write-baseline", "bl.json"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = consentlint(tmp.path(), &["check", ".", "--baseline", "bl.json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    // One more file checked, none more skipped.
    assert!(
        out.stdout.ends_with("5 files checked (3 events, 6 fields): 0 errors, 0 warnings, 0 infos; 1 file skipped (not consentlint documents); 1 finding in the baseline not shown\n"),
        "{}",
        out.stdout
    );
    // A broken one is reported like any document.
    write(
        tmp.path(),
        "bl.json",
        "{\"version\": 1, \"findings\": [{\"file\": 3}]}",
    );
    let out = consentlint(tmp.path(), &["check", "bl.json"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
}

/// A tree checked from outside the working directory keeps its own references: its
/// sibling `schema:` files are inside its root, whether it is named relatively
/// (`cd examples && check ../demo/notes-app`) or absolutely (as CI does with
/// `$GITHUB_WORKSPACE/telemetry`); `audit --manifests /abs/path` likewise. Escapes from
/// inside that root are still refused (the other tests here).
#[test]
fn a_tree_checked_from_outside_the_working_directory_keeps_its_schemas() {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = checkout.join("demo/notes-app");
    let expected = |prefix: &str| -> Vec<String> {
        [
            "40:34: identification-too-high",
            "51:35: denied-data",
            "62:37: consent-too-low",
            "73:17: unclassified-field",
        ]
        .iter()
        .map(|s| format!("{prefix}telemetry.yaml:{s}"))
        .collect()
    };
    let found = |out: &Outcome| -> Vec<String> {
        out.stdout
            .lines()
            .map(|l| {
                let (place, rest) = l.split_once(": ").unwrap();
                format!("{place}: {}", rest.split(['[', ' ']).next().unwrap())
            })
            .collect()
    };
    let relative = consentlint(
        &checkout.join("examples"),
        &[
            "check",
            "../demo/notes-app",
            "--format",
            "concise",
            "--quiet",
        ],
    );
    assert_eq!(relative.code, 1, "{}", relative.stdout);
    assert_eq!(found(&relative), expected("../demo/notes-app/"));
    let absolute_arg = demo.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let absolute = consentlint(
        tmp.path(),
        &["check", absolute_arg, "--format", "concise", "--quiet"],
    );
    assert_eq!(absolute.code, 1, "{}", absolute.stdout);
    assert_eq!(found(&absolute), expected(&format!("{absolute_arg}/")));
    let fixture = checkout.join("tests/fixtures/codes/pii-in-payload");
    let audit = consentlint(
        tmp.path(),
        &[
            "audit",
            fixture.join("payloads.ndjson").to_str().unwrap(),
            "--manifests",
            fixture.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(audit.code, 1, "{}", audit.stdout);
    assert!(
        audit.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] == "pii-in-payload"),
        "{}",
        audit.stdout
    );
}
