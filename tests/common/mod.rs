//! Helpers shared by the integration tests.

// Each test binary includes this module and uses only some of it.
#![allow(dead_code)]

use serde_json::Value;

/// A JSON-report diagnostic as fixtures announce it: `code`, or `code[rule]`.
pub fn announced(d: &Value) -> String {
    let code = d["code"].as_str().unwrap();
    match d["rule"].as_str() {
        Some(rule) => format!("{code}[{rule}]"),
        None => code.to_owned(),
    }
}

/// The full corpora beside the checkout (only our machines have them; CI does too).
pub const SHARED_CORPUS: &str = "../shared/corpus";

/// `../shared/corpus/REL` when it is there; otherwise `None`, after saying on the terminal
/// which check was skipped and why. The note is written to the process's own stderr, past
/// the test harness's capture, so a skipped check is visible in every `cargo test` run.
pub fn shared_corpus(rel: &str, what: &str) -> Option<String> {
    let path = format!("{SHARED_CORPUS}/{rel}");
    if std::path::Path::new(&path).exists() {
        return Some(path);
    }
    skipped(what, &format!("`{path}` is not beside this checkout"));
    None
}

/// Say on the terminal, past the harness's capture, that a check was skipped.
pub fn skipped(what: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "note: skipped {what}: {why}");
}
