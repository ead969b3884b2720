//! `--format json`: the stable machine-readable report (version 1).
//!
//! The report is written one diagnostic at a time, never built as one `serde_json::Value`:
//! a run with many findings costs their text, not a tree of it. Objects list their keys in
//! sorted order, as the report always has.

use super::{Each, Summary};
use crate::diagnostic::{Diagnostic, Label};
use serde::Serialize;
use serde_json::Value;

pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    super::pretty_string(&report(diagnostics, summary))
}

/// Write the report (and a final line end) to `out`.
pub fn write(
    out: &mut (impl std::io::Write + ?Sized),
    diagnostics: &[Diagnostic],
    summary: &Summary,
) -> std::io::Result<()> {
    super::write_pretty(out, &report(diagnostics, summary))
}

#[derive(Serialize)]
struct Report<D> {
    diagnostics: D,
    summary: Counts,
    version: u32,
}

#[derive(Serialize)]
struct Counts {
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    errors: usize,
    events: usize,
    fields: usize,
    files: usize,
    infos: usize,
    warnings: usize,
}

fn report<'a>(diagnostics: &'a [Diagnostic], summary: &Summary) -> Report<impl Serialize + 'a> {
    Report {
        diagnostics: Each(diagnostics, entry),
        summary: Counts {
            baselined: summary.baselined,
            errors: summary.errors,
            events: summary.events,
            fields: summary.fields,
            files: summary.files,
            infos: summary.infos,
            warnings: summary.warnings,
        },
        version: super::JSON_VERSION,
    }
}

/// One diagnostic of the report, as a JSON object.
pub fn diagnostic(d: &Diagnostic) -> Value {
    serde_json::to_value(entry(d)).unwrap_or_default()
}

#[derive(Serialize)]
struct Entry<'a, R> {
    code: &'a str,
    column: Option<usize>,
    data_type: &'a Option<String>,
    end_column: Option<usize>,
    end_line: Option<usize>,
    event: &'a Option<String>,
    field: &'a Option<String>,
    file: &'a str,
    fingerprint: String,
    help: &'a Option<String>,
    line: Option<usize>,
    message: &'a str,
    related: R,
    rule: &'a Option<String>,
    severity: &'a str,
}

#[derive(Serialize)]
struct Related<'a> {
    column: usize,
    file: &'a str,
    line: usize,
    message: &'a str,
}

fn related(l: &Label) -> Related<'_> {
    let at = l.start();
    Related {
        column: at.column,
        file: &l.source.name,
        line: at.line,
        message: &l.message,
    }
}

fn entry(d: &Diagnostic) -> Entry<'_, impl Serialize + '_> {
    let (start, end) = match &d.primary {
        Some(label) => (Some(label.start()), Some(label.end())),
        None => (None, None),
    };
    Entry {
        code: d.code.as_str(),
        column: start.map(|p| p.column),
        data_type: &d.data_type,
        end_column: end.map(|p| p.column),
        end_line: end.map(|p| p.line),
        event: &d.event,
        field: &d.field,
        file: &d.file,
        fingerprint: d.fingerprint(),
        help: &d.help,
        line: start.map(|p| p.line),
        message: &d.message,
        related: Each(&d.related, related),
        rule: &d.rule,
        severity: d.severity.as_str(),
    }
}
