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
    /// How shown offsets map back to the file's, when characters were escaped or long
    /// lines cropped (empty: the identity).
    anchors: Vec<Anchor>,
    /// The file shown, for the true column of a span on a cropped line.
    file: std::sync::Arc<SourceFile>,
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
        // On a cropped line the shown column is not the file's: ask the file.
        let column = if self.anchors.is_empty() {
            if line == 0 {
                inner.column() + self.origin.1
            } else {
                inner.column()
            }
        } else {
            let original = original_offset(&self.anchors, span.offset());
            self.file
                .line_col(u32::try_from(original).unwrap_or(u32::MAX))
                .column
                .saturating_sub(1)
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

/// Lines longer than this (bytes) are cropped around the spots shown on them: a minified
/// schema is one line of megabytes, and a snippet must stay readable and bounded.
const LONG_LINE: usize = 512;
/// Bytes of context kept on each side of a spot on a cropped line.
const CROP_CONTEXT: usize = 80;
/// The most bytes of a spot itself kept on a cropped line.
const CROP_SPOT: usize = 200;
/// What stands for the text cut from a cropped line.
const ELLIPSIS: &str = "…";

/// A point where the shown text and the file's text line up: from `orig` (file offset) on,
/// text is copied unchanged to `shown` (shown offset) — or, for a gap, cut out up to
/// `gap_end`, with [`ELLIPSIS`] shown at `shown` in its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Anchor {
    orig: usize,
    shown: usize,
    gap_end: Option<usize>,
}

/// The file offset of a shown offset (the start of a gap for its ellipsis).
fn original_offset(anchors: &[Anchor], shown: usize) -> usize {
    match anchors.partition_point(|a| a.shown <= shown) {
        0 => shown,
        i => {
            let a = anchors[i - 1];
            match a.gap_end {
                Some(_) => a.orig,
                None => a.orig + (shown - a.shown),
            }
        }
    }
}

/// A file's text as quoted in a snippet: characters that could drive the terminal are
/// escaped (`\u{1b}`), lines longer than [`LONG_LINE`] are cropped around the spans shown
/// on them, and spans are moved to match. Tabs and line ends stay, so lines keep their
/// numbers.
struct Shown {
    source: NamedSource<Text>,
}

impl Shown {
    fn new(file: &std::sync::Arc<SourceFile>, spans: &[crate::source::Span]) -> Shown {
        let text = &file.text;
        let base = file.base;
        let cuts = cuts(text, base, spans);
        // Every unsafe character (a control, C0 or C1, or a bidi override) starts with an
        // ASCII control byte, 0x7f, 0xc2 or 0xe2, so only those places are decoded: this
        // runs for every file a diagnostic shows, the whole policy file included.
        let unsafe_at: Vec<(usize, char)> = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| {
                (b < 0x20 && b != b'\n' && b != b'\t') || matches!(b, 0x7f | 0xc2 | 0xe2)
            })
            .filter_map(|(i, _)| Some((i, text.get(i..)?.chars().next()?)))
            .filter(|&(i, c)| {
                let line_end = c == '\r' && text[i + 1..].starts_with('\n');
                is_unsafe(c) && c != '\n' && c != '\t' && !line_end
            })
            .collect();
        let mut anchors = Vec::new();
        let shown = if cuts.is_empty() && unsafe_at.is_empty() {
            text.clone()
        } else {
            let mut shown = String::with_capacity(text.len().min(1 << 16));
            let mut at = 0;
            let mut unsafe_iter = unsafe_at.iter().peekable();
            let mut copy_to =
                |shown: &mut String, anchors: &mut Vec<Anchor>, from: usize, to: usize| {
                    let mut copied = from;
                    while let Some(&&(i, c)) = unsafe_iter.peek() {
                        if i >= to {
                            break;
                        }
                        unsafe_iter.next();
                        if i < from {
                            continue;
                        }
                        shown.push_str(&text[copied..i]);
                        shown.push_str(&escape(c.encode_utf8(&mut [0; 4])));
                        copied = i + c.len_utf8();
                        anchors.push(Anchor {
                            orig: base + copied,
                            shown: base + shown.len(),
                            gap_end: None,
                        });
                    }
                    shown.push_str(&text[copied..to]);
                };
            for &(cut_start, cut_end) in &cuts {
                copy_to(&mut shown, &mut anchors, at, cut_start);
                anchors.push(Anchor {
                    orig: base + cut_start,
                    shown: base + shown.len(),
                    gap_end: Some(base + cut_end),
                });
                shown.push_str(ELLIPSIS);
                anchors.push(Anchor {
                    orig: base + cut_end,
                    shown: base + shown.len(),
                    gap_end: None,
                });
                at = cut_end;
            }
            copy_to(&mut shown, &mut anchors, at, text.len());
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
                    anchors,
                    file: std::sync::Arc::clone(file),
                },
            ),
        }
    }

    fn offset(&self, offset: usize) -> usize {
        let anchors = &self.source.inner().anchors;
        match anchors.partition_point(|a| a.orig <= offset) {
            0 => offset,
            i => {
                let a = anchors[i - 1];
                match a.gap_end {
                    Some(end) if offset < end => a.shown,
                    _ => a.shown + (offset - a.orig),
                }
            }
        }
    }

    fn span(&self, label: &Label) -> SourceSpan {
        let start = self.offset(label.span.start as usize);
        let end = self.offset(label.span.end as usize).max(start);
        SourceSpan::new(start.into(), end - start)
    }
}

/// The byte ranges (text-local, on char boundaries, ascending, disjoint) cut from the long
/// lines of `text` that a snippet can show: everything farther than [`CROP_CONTEXT`] from the
/// spans on the line (a spot longer than [`CROP_SPOT`] is shown in part), or all but the
/// line's start when no span is on it.
fn cuts(text: &str, base: usize, spans: &[crate::source::Span]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if text.len() <= LONG_LINE {
        return out;
    }
    let local: Vec<(usize, usize)> = spans
        .iter()
        .map(|s| {
            let start = (s.start as usize).saturating_sub(base).min(text.len());
            let end = (s.end as usize)
                .saturating_sub(base)
                .clamp(start, text.len());
            (start, end)
        })
        .collect();
    let floor = |mut i: usize| {
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.trim_end_matches(['\n', '\r']).len();
        if line_end - line_start > LONG_LINE {
            let mut keep: Vec<(usize, usize)> = local
                .iter()
                .filter(|&&(s, e)| s <= line_end && e >= line_start)
                .map(|&(s, e)| {
                    let s = s.max(line_start);
                    let e = e.min(line_end).min(s + CROP_SPOT);
                    (
                        floor(s.saturating_sub(CROP_CONTEXT).max(line_start)),
                        floor((e + CROP_CONTEXT).min(line_end)),
                    )
                })
                .collect();
            if keep.is_empty() {
                keep.push((line_start, floor(line_start + 2 * CROP_CONTEXT)));
            }
            keep.sort_unstable();
            let mut merged: Vec<(usize, usize)> = Vec::new();
            for (s, e) in keep {
                match merged.last_mut() {
                    Some(last) if s <= last.1 + ELLIPSIS.len() => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            let mut at = line_start;
            for (s, e) in merged {
                if s > at {
                    out.push((at, s));
                }
                at = at.max(e);
            }
            if at < line_end {
                out.push((at, line_end));
            }
        }
        line_start += line.len();
    }
    out
}

impl<'a> Report<'a> {
    fn new(d: &'a Diagnostic) -> Report<'a> {
        let mut labels = Vec::new();
        let mut related = Vec::new();
        // The spans each file's snippet shows, so that long lines are cropped around them.
        let primary_spans: Vec<crate::source::Span> = d
            .primary
            .iter()
            .chain(d.related.iter().filter(|l| {
                d.primary
                    .as_ref()
                    .is_some_and(|p| std::sync::Arc::ptr_eq(&p.source, &l.source))
            }))
            .map(|l| l.span)
            .collect();
        let primary_shown = d
            .primary
            .as_ref()
            .map(|p| Shown::new(&p.source, &primary_spans));
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
                let shown = Shown::new(&label.source, &[label.span]);
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

    /// The shown text, computed character by character (the definition of the escaping).
    fn escaped_char_by_char(text: &str) -> String {
        let mut out = String::new();
        for (i, c) in text.char_indices() {
            let line_end = c == '\r' && text[i + 1..].starts_with('\n');
            if !is_unsafe(c) || c == '\n' || c == '\t' || line_end {
                out.push(c);
            } else {
                out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
            }
        }
        out
    }

    proptest! {
        /// Deciding only where an unsafe character can start escapes exactly the characters
        /// a character-by-character pass escapes: controls (C0, C1, a lone `\r`), bidi
        /// overrides, and none of their safe neighbours (`—`, `→`, `é`, CRLF).
        #[test]
        fn escapes_exactly_the_unsafe_characters(
            text in prop::collection::vec(prop::sample::select(vec![
                "a", "é", "—", "→", "\u{85}", "\u{9b}", "\u{a0}", "\u{202e}", "\u{2066}",
                "\u{200f}", "\u{2028}", "\r\n", "\r", "\n", "\t", "\u{1b}[31m", "\u{7f}", "€",
            ]), 0..24).prop_map(|parts| parts.concat()),
        ) {
            let file = SourceFile::new("t.yaml", text.clone());
            let shown = Shown::new(&file, &[]);
            prop_assert_eq!(&shown.source.inner().text, &escaped_char_by_char(&text));
        }

        /// No position or length panics the renderer, and a snippet stays bounded: any line
        /// length, any span on it, any output format's human rendering.
        #[test]
        fn any_span_on_any_line_renders_bounded(
            before in 0usize..200_000,
            len in 0usize..300,
            after in 0usize..2_000,
            multibyte in proptest::bool::ANY,
        ) {
            let filler = if multibyte { "é" } else { "x" };
            let text = format!("{}{}{}\n", filler.repeat(before), "y".repeat(len), filler.repeat(after));
            let file = SourceFile::new("long.json", text);
            let start = before * filler.len();
            let d = crate::diagnostic::Diagnostic::at(
                crate::diagnostic::Code::DeniedData,
                &file,
                crate::source::Span::new(start, start + len),
                "field is denied",
            )
            .with_label("here");
            let out = render(&[d], Style { color: false, width: 100 });
            prop_assert!(out.len() < 4_000, "{} bytes", out.len());
            let column = before + 1;
            let header = format!("long.json:1:{column}]");
            prop_assert!(out.contains(&header), "{}", out);
        }
    }
}
