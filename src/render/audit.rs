//! The summary of `consentlint audit`: events seen per name and findings per code, in human
//! and JSON form. The diagnostics themselves go through the renderers `check` uses.

use super::{Summary, json};
use crate::audit::Report;
use serde_json::json;
use std::fmt::Write;

/// The counts of `check`'s summary, for an audit: files are payload streams.
pub fn summary(report: &Report) -> Summary {
    let seen = usize::try_from(report.tally.events_seen()).unwrap_or(usize::MAX);
    Summary::new(&report.diagnostics, report.tally.files, 0, seen, 0)
}

/// The aggregate block printed after the diagnostics.
pub fn human(report: &Report) -> String {
    let t = &report.tally;
    let s = summary(report);
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "audited {} ({}, {}) against {}: {}, {}, {}\n",
        plural(t.files as u64, "payload file"),
        plural(t.lines, "line"),
        plural(t.events_seen(), "event"),
        plural(report.manifests as u64, "manifest"),
        plural(s.errors as u64, "error"),
        plural(s.warnings as u64, "warning"),
        plural(s.infos as u64, "info"),
    );
    let width = t
        .events
        .keys()
        .map(|k| k.chars().count())
        .chain(t.findings.keys().map(|k| k.len()))
        .max()
        .unwrap_or(0)
        .min(40);
    if !t.events.is_empty() {
        out.push_str("events seen:\n");
        for (name, count) in &t.events {
            let _ = writeln!(out, "  {name:<width$}  {count:>9}");
        }
        if t.other_events > 0 {
            let _ = writeln!(out, "  {:<width$}  {:>9}", "(other names)", t.other_events);
        }
    }
    if !t.findings.is_empty() {
        out.push_str("findings:\n");
        for (code, count) in &t.findings {
            let _ = writeln!(out, "  {code:<width$}  {count:>9}");
        }
    }
    if t.not_shown > 0 {
        let _ = writeln!(
            out,
            "{} not shown (each kind of finding is shown at most `--max-repeats` times)",
            plural(t.not_shown, "repeated finding")
        );
    }
    out
}

/// The JSON report: `check`'s version-1 report plus an `audit` object.
pub fn json(report: &Report) -> String {
    let t = &report.tally;
    let s = summary(report);
    let value = json!({
        "summary": {
            "files": s.files,
            "events": s.events,
            "fields": s.fields,
            "errors": s.errors,
            "warnings": s.warnings,
            "infos": s.infos,
        },
        "audit": {
            "manifests": report.manifests,
            "lines": t.lines,
            "bytes": t.bytes,
            "events": t.events,
            "other_events": t.other_events,
            "findings": t.findings,
            "not_shown": t.not_shown,
        },
        "diagnostics": report.diagnostics.iter().map(json::diagnostic).collect::<Vec<_>>(),
    });
    super::json_document(value)
}
