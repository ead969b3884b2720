//! `--format concise`: one line per finding, `file:line:col: code[rule] message`, the shape
//! editors' problem matchers and `grep` read; and `--statistics`, the count per code.

use crate::diagnostic::escape::escape;
use crate::diagnostic::{Code, Diagnostic};
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let place = match (&d.primary, d.start()) {
            (Some(_), Some(at)) => format!("{}:{}:{}", escape(&d.file), at.line, at.column),
            _ => escape(&d.file).into_owned(),
        };
        let code = match &d.rule {
            Some(rule) => format!("{}[{}]", d.code.as_str(), escape(rule)),
            None => d.code.as_str().to_owned(),
        };
        // One line each, whatever the message holds.
        let message = escape(&d.message).replace(['\n', '\r'], " ");
        let _ = writeln!(out, "{place}: {code} {message}");
    }
    out
}

/// How many findings of each code, most first: `   12  unclassified-field  (error)`.
pub fn statistics(diagnostics: &[Diagnostic]) -> String {
    let mut counts: BTreeMap<(Code, &'static str), usize> = BTreeMap::new();
    for d in diagnostics {
        *counts.entry((d.code, d.severity.as_str())).or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let width = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for ((code, severity), n) in rows {
        let _ = writeln!(out, "{n:>width$}  {}  ({severity})", code.as_str());
    }
    out
}
