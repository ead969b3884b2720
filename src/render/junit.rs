//! `--format junit`: JUnit XML, one test case per checked file.
//!
//! A file whose diagnostics include one that fails the run (at or above `--fail-on`, or an
//! input error) is a failed test case (`<error>` for input errors, `<failure>` for
//! findings) carrying all its diagnostics; lesser findings of a passing file go to its
//! `<system-out>`. Text is XML-escaped, and characters XML 1.0 cannot carry are written as
//! `\u{..}`.

use super::html::escape;
use super::{Input, location};
use crate::diagnostic::Diagnostic;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub fn render(input: &Input<'_>) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = input
        .files
        .iter()
        .map(|f| (f.as_str(), Vec::new()))
        .collect();
    for d in input.diagnostics {
        by_file.entry(d.file.as_str()).or_default().push(d);
    }
    let mut cases = String::new();
    let (mut failures, mut errors) = (0, 0);
    for (file, diagnostics) in &by_file {
        let failing: Vec<_> = diagnostics.iter().filter(|d| input.fails(d)).collect();
        let input_error = failing.iter().any(|d| d.code.is_input());
        let _ = write!(
            cases,
            "    <testcase classname=\"consentlint\" name=\"{}\" file=\"{}\"",
            escape(file),
            escape(file)
        );
        if diagnostics.is_empty() {
            cases.push_str("/>\n");
            continue;
        }
        cases.push_str(">\n");
        let details: String = diagnostics.iter().map(|d| detail(d)).collect();
        if failing.is_empty() {
            let _ = writeln!(cases, "      <system-out>{}</system-out>", escape(&details));
        } else {
            let (element, kind) = if input_error {
                errors += 1;
                ("error", "input")
            } else {
                failures += 1;
                ("failure", "finding")
            };
            let first = failing[0];
            let message = if failing.len() == 1 {
                format!("{}: {}", first.code.as_str(), first.message)
            } else {
                format!(
                    "{} diagnostics, the first {}: {}",
                    failing.len(),
                    first.code.as_str(),
                    first.message
                )
            };
            let _ = writeln!(
                cases,
                "      <{element} type=\"{kind}\" message=\"{}\">{}</{element}>",
                escape(&message),
                escape(&details)
            );
        }
        cases.push_str("    </testcase>\n");
    }
    let tests = by_file.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"consentlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"consentlint check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">"
    );
    out.push_str(&cases);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// One diagnostic as plain text lines.
fn detail(d: &Diagnostic) -> String {
    let mut text = format!(
        "{} {}{}: {}\n",
        location(d),
        d.severity,
        match &d.rule {
            Some(rule) => format!(" {}[{rule}]", d.code.as_str()),
            None => format!(" {}", d.code.as_str()),
        },
        d.message
    );
    for related in &d.related {
        let at = related.start();
        let _ = writeln!(
            text,
            "  {}:{}:{}: {}",
            related.source.name, at.line, at.column, related.message
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(text, "  help: {help}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_characters_xml_cannot_carry() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1b}[31m\u{0}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\u{1b}[31m\\u{0}"
        );
    }
}
