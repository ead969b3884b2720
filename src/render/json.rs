//! `--format json`: the stable machine-readable report (version 1).

use super::Summary;
use crate::diagnostic::Diagnostic;
use serde_json::{Value, json};

pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let mut report = json!({
        "version": 1,
        "summary": {
            "files": summary.files,
            "events": summary.events,
            "fields": summary.fields,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        },
        "diagnostics": diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
    });
    if let Some(n) = summary.baselined {
        report["summary"]["baselined"] = json!(n);
    }
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

pub fn diagnostic(d: &Diagnostic) -> Value {
    let (start, end) = match &d.primary {
        Some(label) => (Some(label.start()), Some(label.end())),
        None => (None, None),
    };
    json!({
        "code": d.code.as_str(),
        "rule": d.rule,
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": d.file,
        "line": start.map(|p| p.line),
        "column": start.map(|p| p.column),
        "end_line": end.map(|p| p.line),
        "end_column": end.map(|p| p.column),
        "event": d.event,
        "field": d.field,
        "data_type": d.data_type,
        "help": d.help,
        "related": d.related.iter().map(|l| {
            let at = l.start();
            json!({"file": l.source.name, "line": at.line, "column": at.column, "message": l.message})
        }).collect::<Vec<_>>(),
        "fingerprint": d.fingerprint(),
    })
}
