//! Source files and byte spans.
//!
//! Every document consentlint reads becomes a [`SourceFile`]: its display path (as given on
//! the command line or found by walking, with `/` separators) and its text. Spans are byte
//! ranges into that text; line and column numbers are computed only when a diagnostic is
//! rendered, so the clean path never pays for them.
//!
//! Once a file's check is over, diagnostics keep only [windows](SourceFile::windows) of
//! the files they point into — the lines a snippet shows — so that a run with many findings
//! does not hold every file that has one. A window answers for the same absolute spans,
//! line numbers and columns as the whole file it was cut from.

use std::sync::{Arc, OnceLock};

/// A byte range `start..end` in a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One file's text, shared by every diagnostic that points into it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path shown to users: relative as given, `/`-separated, or `builtin:NAME`.
    pub name: String,
    /// The text, or for a [window](SourceFile::windows) the lines it kept (spans still
    /// count from the start of the whole text: see `base`).
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
    /// Where the text spans index starts in the file it was cut from: 0-based line and (on
    /// that first line) 0-based column. Zero for whole files; set for excerpts of files too
    /// large to keep, such as one line of a captured payload stream.
    pub origin: (usize, usize),
    /// What a window cut off before `text`: the bytes (spans count them) and the lines.
    /// Zero except for windows.
    pub base: usize,
    pub first_line: usize,
    /// Embedded in the binary (`builtin:NAME`): shipped, and validated by the test suite.
    pub embedded: bool,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
            origin: (0, 0),
            base: 0,
            first_line: 0,
            embedded: false,
        })
    }

    /// A document embedded in the binary, shown as `name` (`builtin:glean`).
    pub fn embedded(name: impl Into<String>, text: &'static str) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.to_owned(),
            line_starts: OnceLock::new(),
            origin: (0, 0),
            base: 0,
            first_line: 0,
            embedded: true,
        })
    }

    /// A piece of a larger file that starts at 1-based `line` and `column` of that file, so
    /// that positions inside it are reported as positions in the whole file.
    pub fn excerpt(
        name: impl Into<String>,
        text: impl Into<String>,
        line: usize,
        column: usize,
    ) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
            origin: (line.saturating_sub(1), column.saturating_sub(1)),
            base: 0,
            first_line: 0,
            embedded: false,
        })
    }

    /// The same text under another shown name (positions unchanged).
    pub fn renamed(&self, name: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: self.text.clone(),
            line_starts: OnceLock::new(),
            origin: self.origin,
            base: self.base,
            first_line: self.first_line,
            embedded: self.embedded,
        })
    }

    /// Whether `text` is a whole file as read (spans are its byte offsets): not a window,
    /// an excerpt of a larger file, or a document embedded in the binary.
    pub fn is_whole_file(&self) -> bool {
        self.origin == (0, 0) && self.base == 0 && !self.embedded
    }

    /// The offset in `text` of an offset spans use (clamped to the text).
    fn local(&self, offset: u32) -> usize {
        (offset as usize)
            .saturating_sub(self.base)
            .min(self.text.len())
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            // memchr: this runs over every file that has a finding.
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = self.local(offset);
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let line_start = starts[line - 1];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count())
            + 1;
        let line = line + self.first_line;
        let column = if line == 1 {
            column + self.origin.1
        } else {
            column
        };
        LineCol {
            line: line + self.origin.0,
            column,
        }
    }

    /// The byte offset where the text's 1-based `line` starts, if the text (or window)
    /// has that line.
    pub fn line_offset(&self, line: usize) -> Option<usize> {
        let index = line.checked_sub(1)?.checked_sub(self.first_line)?;
        Some(self.base + self.line_starts().get(index).copied()?)
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        let (start, end) = (span.start as usize, span.end as usize);
        match (start.checked_sub(self.base), end.checked_sub(self.base)) {
            (Some(start), Some(end)) => self.text.get(start..end).unwrap_or(""),
            _ => "",
        }
    }

    /// Windows of this text that keep what a snippet around each of `ranges` shows: the
    /// range's lines and `margin` lines either side. Ranges whose windows overlap or touch
    /// share one window, so labels that shared this file still share a window; the answer
    /// gives, for each range in order, the index of its window in the list returned.
    ///
    /// A window is cut at line starts and knows where it starts, so spans, line numbers and
    /// columns (and a renderer's context lines, up to `margin`) come out as for the whole
    /// text. A window that would be the whole text is this file itself. Two rare cases keep
    /// the whole file too: a span past its end (the renderer's error quotes the offset in
    /// the text it shows), and a carriage return that does not end a line (the renderer
    /// counts it as a line break where line numbers do not).
    pub fn windows(
        self: &Arc<SourceFile>,
        ranges: &[Span],
        margin: usize,
    ) -> (Vec<Arc<SourceFile>>, Vec<usize>) {
        if ranges.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let bare_cr = || {
            self.text
                .match_indices('\r')
                .any(|(i, _)| !self.text[i + 1..].starts_with('\n'))
        };
        let past_end = ranges
            .iter()
            .any(|span| span.end as usize > self.base + self.text.len());
        if past_end || bare_cr() {
            return (vec![Arc::clone(self)], vec![0; ranges.len()]);
        }
        let starts = self.line_starts();
        // 0-based index of the line holding a local offset.
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).max(1) - 1;
        let last_line = starts.len() - 1;
        let mut lines: Vec<(usize, usize, usize)> = ranges
            .iter()
            .enumerate()
            .map(|(i, span)| {
                let first = line_of(self.local(span.start)).saturating_sub(margin);
                let last = (line_of(self.local(span.end)) + margin).min(last_line);
                (first, last, i)
            })
            .collect();
        lines.sort_unstable();
        let mut windows = Vec::new();
        let mut of_range = vec![0; ranges.len()];
        let mut at = 0;
        while at < lines.len() {
            let (first, mut last, _) = lines[at];
            let mut end = at;
            while end < lines.len() && lines[end].0 <= last + 1 {
                last = last.max(lines[end].1);
                end += 1;
            }
            for &(_, _, i) in &lines[at..end] {
                of_range[i] = windows.len();
            }
            windows.push(self.window(first, last));
            at = end;
        }
        (windows, of_range)
    }

    /// The 0-based lines `first..=last` of the text (the whole file when that is all of it).
    fn window(self: &Arc<SourceFile>, first: usize, last: usize) -> Arc<SourceFile> {
        let starts = self.line_starts();
        let start = starts[first];
        let end = starts.get(last + 1).copied().unwrap_or(self.text.len());
        if start == 0 && end == self.text.len() {
            return Arc::clone(self);
        }
        Arc::new(SourceFile {
            name: self.name.clone(),
            text: self.text[start..end].to_owned(),
            line_starts: OnceLock::new(),
            origin: self.origin,
            base: self.base + start,
            first_line: self.first_line + first,
            embedded: self.embedded,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::new("x.yaml", "ab\nçd: e\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // `ç` is two bytes but one column.
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(999), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn excerpts_report_positions_in_the_whole_file() {
        let f = SourceFile::excerpt("p.ndjson", "{\"a\": 1}\nx", 42, 10);
        assert_eq!(
            f.line_col(0),
            LineCol {
                line: 42,
                column: 10
            }
        );
        assert_eq!(
            f.line_col(2),
            LineCol {
                line: 42,
                column: 12
            }
        );
        assert_eq!(
            f.line_col(9),
            LineCol {
                line: 43,
                column: 1
            }
        );
    }
}
