//! Diagnostics as data.
//!
//! Detection code (loaders, policy compilation, checks) creates [`Diagnostic`]s with spans
//! into [`SourceFile`]s; nothing here formats text for a terminal. Renderers in
//! `crate::render` turn the same data into every output format.

mod code;
mod compact;
pub mod escape;
pub mod fix;

pub use code::{Category, Code};
pub use compact::{CONTEXT_LINES, compact};
pub use escape::{escape, escape_all, escape_keeping_lines, is_unsafe};

use crate::source::{LineCol, SourceFile, Span};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    /// Whether this severity is at least as serious as `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file, with what to say about it.
#[derive(Clone, Debug)]
pub struct Label {
    pub source: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(source: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Label {
        Label {
            source: Arc::clone(source),
            span,
            message: message.into(),
        }
    }

    pub fn start(&self) -> LineCol {
        self.source.line_col(self.span.start)
    }

    /// The end position, inclusive of the last character (as editors and SARIF expect).
    pub fn end(&self) -> LineCol {
        let end = if self.span.is_empty() {
            self.span.end
        } else {
            self.span.end - 1
        };
        let mut lc = self.source.line_col(end);
        if !self.span.is_empty() {
            lc.column += 1;
        }
        lc
    }
}

/// One finding or input problem.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// The policy rule that decided, when one did.
    pub rule: Option<String>,
    pub message: String,
    /// The file the diagnostic is about (display path).
    pub file: String,
    /// The offending spot; absent only when the whole file is the problem and has no text.
    pub primary: Option<Label>,
    /// Secondary locations: the event's `consent:`, the deciding rule in the policy file…
    pub related: Vec<Label>,
    pub event: Option<String>,
    pub field: Option<String>,
    pub data_type: Option<String>,
    /// The concrete fix.
    pub help: Option<String>,
    /// The same fix as edits, when it can be made by machine (`check --fix`, SARIF `fixes`).
    pub fix: Option<Box<fix::Fix>>,
}

impl Diagnostic {
    /// A diagnostic about `file` with the code's default severity and no location.
    pub fn new(code: Code, file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            rule: None,
            message: message.into(),
            file: file.into(),
            primary: None,
            related: Vec::new(),
            event: None,
            field: None,
            data_type: None,
            help: None,
            fix: None,
        }
    }

    /// A diagnostic pointing at `span` in `source`.
    pub fn at(
        code: Code,
        source: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut d = Diagnostic::new(code, source.name.clone(), message);
        d.primary = Some(Label::new(source, span, ""));
        d
    }

    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        if let Some(primary) = &mut self.primary {
            primary.message = message.into();
        }
        self
    }

    /// Set the fix; an empty text (no suggestion found) leaves the help absent.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        let help = help.into();
        self.help = (!help.is_empty()).then_some(help);
        self
    }

    pub fn with_related(mut self, label: Label) -> Diagnostic {
        self.related.push(label);
        self
    }

    /// Attach a machine-applicable fix (none when it has no edits).
    pub fn with_fix(mut self, fix: Option<fix::Fix>) -> Diagnostic {
        self.fix = fix.filter(|f| !f.edits.is_empty()).map(Box::new);
        self
    }

    pub fn with_rule(mut self, rule: impl Into<String>) -> Diagnostic {
        self.rule = Some(rule.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    pub fn start(&self) -> Option<LineCol> {
        self.primary.as_ref().map(Label::start)
    }

    /// A fingerprint that survives moving lines: file, event, field, code and rule.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let parts = [
            self.file.as_str(),
            self.event.as_deref().unwrap_or(""),
            self.field.as_deref().unwrap_or(""),
            self.code.as_str(),
            self.rule.as_deref().unwrap_or(""),
        ];
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    /// The deterministic output order: file, position, code, then the rest.
    pub fn sort_key(&self) -> impl Ord + '_ {
        let pos = self.start().map(|lc| (lc.line, lc.column));
        (
            self.file.as_str(),
            pos,
            self.code,
            self.rule.as_deref(),
            self.field.as_deref(),
            self.message.as_str(),
        )
    }
}

/// The sink every list of diagnostics passes through before rendering: text that came
/// from input files is escaped ([`escape_all`]; escaping twice changes nothing), then the
/// diagnostics are put in their deterministic output order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    escape_all(diagnostics);
    // A stable sort of the positions, then the diagnostics moved in place: sorting the
    // diagnostics themselves would take a scratch copy of (up to) all of them.
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by(|&a, &b| diagnostics[a].sort_key().cmp(&diagnostics[b].sort_key()));
    // Position `i` takes the diagnostic at `order[i]`: follow each cycle of the
    // permutation, marking positions done as `order[i] == i`.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != start && order[at] != at {
            let from = order[at];
            diagnostics.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_is_the_stable_sort_by_sort_key() {
        // Positions and codes in a scrambled order, with ties told apart only by help.
        let source = SourceFile::new("a.yaml", "x: 1\ny: 2\nz: 3\n".repeat(10));
        let mut diagnostics: Vec<Diagnostic> = (0..60)
            .map(|i| {
                let line = (i * 7) % 13;
                let code = if i % 3 == 0 {
                    Code::DeniedData
                } else {
                    Code::ConsentTooLow
                };
                Diagnostic::at(code, &source, Span::new(line * 5, line * 5 + 1), "m")
                    .with_help(format!("{i}"))
            })
            .collect();
        let mut expected = diagnostics.clone();
        expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        sort(&mut diagnostics);
        let helps = |ds: &[Diagnostic]| ds.iter().map(|d| d.help.clone()).collect::<Vec<_>>();
        assert_eq!(helps(&diagnostics), helps(&expected));
    }
}
