//! `--format markdown`: a summary for a pull-request comment.
//!
//! A headline verdict, counts per code, then one table row per diagnostic (at most
//! [`MAX_ROWS`], so the comment stays under GitHub's size limit). Table cells escape `|`,
//! HTML and Markdown punctuation, so user text cannot break out of its cell or inject
//! markup.

use super::{Input, location};
use crate::diagnostic::{Diagnostic, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The most diagnostics listed one per row.
pub const MAX_ROWS: usize = 200;

pub fn render(input: &Input<'_>) -> String {
    let s = input.summary;
    let failing = input.diagnostics.iter().filter(|d| input.fails(d)).count();
    let mut out = String::new();
    let verdict = if failing > 0 {
        "❌ consentlint found problems"
    } else if input.diagnostics.is_empty() {
        "✅ consentlint: no findings"
    } else {
        "⚠️ consentlint: findings below the failure threshold"
    };
    let _ = writeln!(out, "## {verdict}\n");
    let _ = writeln!(
        out,
        "{} files checked ({} events, {} fields): **{} errors**, {} warnings, {} infos.",
        s.files, s.events, s.fields, s.errors, s.warnings, s.infos
    );
    if input.diagnostics.is_empty() {
        return out;
    }

    let mut by_code: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    for d in input.diagnostics {
        *by_code.entry((d.severity, d.code.as_str())).or_default() += 1;
    }
    out.push_str("\n| Severity | Code | Count |\n|---|---|---:|\n");
    for ((severity, code), count) in &by_code {
        let _ = writeln!(out, "| {} | `{code}` | {count} |", badge(*severity));
    }

    out.push_str("\n| Severity | Location | Code | Rule | Message |\n|---|---|---|---|---|\n");
    for d in input.diagnostics.iter().take(MAX_ROWS) {
        out.push_str(&row(d));
    }
    if input.diagnostics.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more; run `consentlint check` for the full report.",
            input.diagnostics.len() - MAX_ROWS
        );
    }
    out
}

fn badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Info => "ℹ️ info",
    }
}

fn row(d: &Diagnostic) -> String {
    let mut message = cell(&d.message);
    if let Some(help) = &d.help {
        let _ = write!(message, "<br>**help:** {}", cell(help));
    }
    let rule = d
        .rule
        .as_deref()
        .map_or_else(String::new, |r| cell(r).to_string());
    format!(
        "| {} | {} | `{}` | {rule} | {message} |\n",
        badge(d.severity),
        cell(&location(d)),
        d.code.as_str(),
    )
}

/// Escape text for one table cell: no line breaks, pipes, HTML or Markdown markup. The
/// `code spans` of our messages stay code spans (with only `|` escaped inside, as tables
/// require); an unpaired backtick is escaped like any other markup.
pub fn cell(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return plain(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&plain(part));
        } else {
            out.push('`');
            for c in part.chars() {
                match c {
                    '|' => out.push_str("\\|"),
                    c if crate::diagnostic::escape::is_unsafe(c) => out.push(' '),
                    c => out.push(c),
                }
            }
            out.push('`');
        }
    }
    out
}

fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if crate::diagnostic::escape::is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        assert_eq!(
            cell("a|b\n<img src=x> `x|<y>` [l](u) \u{1b}"),
            "a\\|b<br>&lt;img src=x&gt; `x\\|<y>` \\[l\\](u) \\u{1b}"
        );
        assert_eq!(cell("odd ` *x*"), "odd \\` \\*x\\*");
    }
}
