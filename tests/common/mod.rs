//! Helpers shared by the integration tests.

use serde_json::Value;

/// A JSON-report diagnostic as fixtures announce it: `code`, or `code[rule]`.
pub fn announced(d: &Value) -> String {
    let code = d["code"].as_str().unwrap();
    match d["rule"].as_str() {
        Some(rule) => format!("{code}[{rule}]"),
        None => code.to_owned(),
    }
}
