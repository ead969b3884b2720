//! `--format github`: GitHub Actions workflow commands, which annotate the pull request.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::MESSAGE`, with `warning`
//! and `notice` for the other severities. Everything that comes from user input is
//! escaped by the workflow-command rules (`%`, CR and LF everywhere; also `:` and `,` in
//! properties), so a manifest can neither end the command early nor start a new one.

use super::{Input, human};
use crate::diagnostic::{Diagnostic, Severity};

pub fn render(input: &Input<'_>) -> String {
    let mut out = String::new();
    for d in input.diagnostics {
        out.push_str(&command(d));
        out.push('\n');
    }
    out.push_str(&human::summary_line(input.summary));
    out
}

fn command(d: &Diagnostic) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut properties = vec![format!("file={}", property(&d.file))];
    if let Some(label) = &d.primary {
        let (start, end) = (label.start(), label.end());
        properties.push(format!("line={}", start.line));
        properties.push(format!("col={}", start.column));
        properties.push(format!("endLine={}", end.line));
        properties.push(format!("endColumn={}", end.column));
    }
    let title = match &d.rule {
        Some(rule) => format!("consentlint {} [{rule}]", d.code.as_str()),
        None => format!("consentlint {}", d.code.as_str()),
    };
    properties.push(format!("title={}", property(&title)));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{name} {}::{}", properties.join(","), data(&message))
}

/// Escape a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    #[test]
    fn user_text_cannot_start_or_end_a_command() {
        let d = Diagnostic::new(
            Code::UnknownDataType,
            "a,b:c.yaml",
            "bad\n::error file=x::forged 100%",
        );
        let line = command(&d);
        assert_eq!(
            line,
            "::error file=a%2Cb%3Ac.yaml,title=consentlint unknown-data-type::bad%0A::error file=x::forged 100%25"
        );
        assert_eq!(line.lines().count(), 1);
    }
}
