//! Human output: miette reports with the offending value labelled, the event's consent
//! and the deciding policy rule shown in their own files, and the fix as `help:`.

use super::Summary;
use crate::diagnostic::{CONTEXT_LINES, Diagnostic, Label, Severity, escape, is_unsafe};
use crate::source::SourceFile;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// How to draw.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(diagnostics: &[Diagnostic], style: Style) -> String {
    let handler = handler(style);
    let mut out = String::new();
    for d in diagnostics {
        one(&handler, d, &mut out);
    }
    out
}

/// [`render`] to `out`, one diagnostic at a time (the whole text is never held).
pub fn write(
    out: &mut (impl std::io::Write + ?Sized),
    diagnostics: &[Diagnostic],
    style: Style,
) -> std::io::Result<()> {
    let handler = handler(style);
    let mut text = String::new();
    for d in diagnostics {
        text.clear();
        one(&handler, d, &mut text);
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

fn handler(style: Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES)
}

fn one(handler: &GraphicalReportHandler, d: &Diagnostic, out: &mut String) {
    let report = Report::new(d);
    if handler.render_report(out, &report).is_err() {
        out.push_str(&format!("{}: {}\n", d.code.as_str(), d.message));
    }
    out.push('\n');
}

pub fn summary_line(summary: &Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{} checked ({}, {}): {}, {}, {}",
        plural(summary.files, "file"),
        plural(summary.events, "event"),
        plural(summary.fields, "field"),
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.infos, "info"),
    );
    if summary.skipped > 0 {
        line.push_str(&format!(
            "; {} skipped (not consentlint documents)",
            plural(summary.skipped, "file")
        ));
    }
    if let Some(n) = summary.baselined {
        line.push_str(&format!(
            "; {} in the baseline not shown",
            plural(n, "finding")
        ));
    }
    line.push('\n');
    line
}

/// One diagnostic as a miette report: labels in the primary file, related locations in
/// other files (the policy) as related reports with their own snippet.
struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<NamedSource<Text>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Related>,
}

struct Related {
    message: String,
    source: NamedSource<Text>,
    label: LabeledSpan,
}

/// A file's text for miette, numbered from where it starts in its file (an excerpt, such
/// as one line of a payload stream, starts at that line; a window, at its first line).
struct Text {
    text: String,
    origin: (usize, usize),
    /// What a window cut off before `text`: bytes (miette sees spans as they count, so
    /// that they read the same in every message) and lines.
    base: usize,
    first_line: usize,
}

impl SourceCode for Text {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.base).into(), span.len());
        let inner = self.text.as_str().read_span(&local, before, after)?;
        let line = inner.line() + self.first_line;
        let column = if line == 0 {
            inner.column() + self.origin.1
        } else {
            inner.column()
        };
        // miette's line count runs from the start of the text, and decides whether two
        // labels share a snippet: a window counts the lines it cut off too.
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.base).into(),
                inner.span().len(),
            ),
            line + self.origin.0,
            column,
            inner.line_count() + self.first_line,
        )))
    }
}

/// A file's text as quoted in a snippet: characters that could drive the terminal are
/// escaped (`\u{1b}`), and spans are moved to match. Tabs and line ends stay.
struct Shown {
    source: NamedSource<Text>,
    /// `(offset just after an escaped character, bytes added up to there)`, ascending;
    /// offsets count as spans do.
    shifts: Vec<(usize, usize)>,
}

impl Shown {
    fn new(file: &SourceFile) -> Shown {
        let text = &file.text;
        let mut shifts = Vec::new();
        let mut shown = String::new();
        let mut copied = 0;
        // Every unsafe character (a control, C0 or C1, or a bidi override) starts with an
        // ASCII control byte, 0x7f, 0xc2 or 0xe2, so only those places are decoded: this
        // runs for every file a diagnostic shows, the whole policy file included.
        let starts = text.bytes().enumerate().filter(|&(_, b)| {
            (b < 0x20 && b != b'\n' && b != b'\t') || matches!(b, 0x7f | 0xc2 | 0xe2)
        });
        for (i, c) in starts.filter_map(|(i, _)| Some((i, text.get(i..)?.chars().next()?))) {
            let line_end = c == '\r' && text[i + 1..].starts_with('\n');
            if !is_unsafe(c) || c == '\n' || c == '\t' || line_end {
                continue;
            }
            shown.push_str(&text[copied..i]);
            let escaped = escape(c.encode_utf8(&mut [0; 4])).into_owned();
            let added = shifts.last().map_or(0, |&(_, a)| a) + escaped.len() - c.len_utf8();
            shown.push_str(&escaped);
            copied = i + c.len_utf8();
            shifts.push((file.base + copied, added));
        }
        let shown = if shifts.is_empty() {
            text.clone()
        } else {
            shown.push_str(&text[copied..]);
            shown
        };
        Shown {
            source: NamedSource::new(
                &file.name,
                Text {
                    text: shown,
                    origin: file.origin,
                    base: file.base,
                    first_line: file.first_line,
                },
            ),
            shifts,
        }
    }

    fn offset(&self, offset: usize) -> usize {
        match self.shifts.partition_point(|&(at, _)| at <= offset) {
            0 => offset,
            i => offset + self.shifts[i - 1].1,
        }
    }

    fn span(&self, label: &Label) -> SourceSpan {
        let start = self.offset(label.span.start as usize);
        let end = self.offset(label.span.end as usize);
        SourceSpan::new(start.into(), end - start)
    }
}

impl<'a> Report<'a> {
    fn new(d: &'a Diagnostic) -> Report<'a> {
        let mut labels = Vec::new();
        let mut related = Vec::new();
        let primary_shown = d.primary.as_ref().map(|p| Shown::new(&p.source));
        if let (Some(primary), Some(shown)) = (&d.primary, &primary_shown) {
            let text = (!primary.message.is_empty()).then(|| primary.message.clone());
            labels.push(LabeledSpan::new_primary_with_span(
                text,
                shown.span(primary),
            ));
        }
        for label in &d.related {
            let same_file = d
                .primary
                .as_ref()
                .is_some_and(|p| std::sync::Arc::ptr_eq(&p.source, &label.source));
            if let (true, Some(shown)) = (same_file, &primary_shown) {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.message.clone()),
                    shown.span(label),
                ));
            } else {
                let shown = Shown::new(&label.source);
                let at = label.start();
                related.push(Related {
                    message: format!(
                        "{} ({}:{}:{})",
                        label.message, label.source.name, at.line, at.column
                    ),
                    label: LabeledSpan::new_with_span(
                        Some(label.message.clone()),
                        shown.span(label),
                    ),
                    source: shown.source,
                });
            }
        }
        Report {
            d,
            source: primary_shown.map(|s| s.source),
            labels,
            related,
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let code = match &self.d.rule {
            Some(rule) => format!("{}[{rule}]", self.d.code.as_str()),
            None => self.d.code.as_str().to_owned(),
        };
        Some(Box::new(code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic))
                as Box<dyn Iterator<Item = &dyn miette::Diagnostic>>
        })
    }
}

impl fmt::Debug for Related {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Related {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Related {}

impl miette::Diagnostic for Related {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `Shown::new` computes, deciding every character (the definition).
    fn shifts_char_by_char(text: &str) -> Vec<(usize, usize)> {
        let mut shifts = Vec::new();
        for (i, c) in text.char_indices() {
            let line_end = c == '\r' && text[i + 1..].starts_with('\n');
            if !is_unsafe(c) || c == '\n' || c == '\t' || line_end {
                continue;
            }
            let escaped = escape(c.encode_utf8(&mut [0; 4])).into_owned();
            let added = shifts.last().map_or(0, |&(_, a)| a) + escaped.len() - c.len_utf8();
            shifts.push((i + c.len_utf8(), added));
        }
        shifts
    }

    proptest! {
        /// Deciding only where an unsafe character can start finds exactly the characters
        /// a character-by-character pass escapes: controls (C0, C1, a lone `\r`), bidi
        /// overrides, and none of their safe neighbours (`—`, `→`, `é`, CRLF).
        #[test]
        fn escapes_exactly_the_unsafe_characters(
            text in prop::collection::vec(prop::sample::select(vec![
                "a", "é", "—", "→", "\u{85}", "\u{9b}", "\u{a0}", "\u{202e}", "\u{2066}",
                "\u{200f}", "\u{2028}", "\r\n", "\r", "\n", "\t", "\u{1b}[31m", "\u{7f}", "€",
            ]), 0..24).prop_map(|parts| parts.concat()),
        ) {
            let shown = Shown::new(&SourceFile::new("t.yaml", text.clone()));
            prop_assert_eq!(&shown.shifts, &shifts_char_by_char(&text));
        }
    }
}
