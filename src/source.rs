//! Source files and byte spans.
//!
//! Every document consentlint reads becomes a [`SourceFile`]: its display path (as given on
//! the command line or found by walking, with `/` separators) and its text. Spans are byte
//! ranges into that text; line and column numbers are computed only when a diagnostic is
//! rendered, so the clean path never pays for them.

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
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
    /// Where `text` starts in the file it was cut from: 0-based line and (on that first line)
    /// 0-based column. Zero for whole files; set for excerpts of files too large to keep,
    /// such as one line of a captured payload stream.
    pub origin: (usize, usize),
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
            origin: (0, 0),
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
        })
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = (offset as usize).min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let line_start = starts[line - 1];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count())
            + 1;
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

    /// The byte offset where 1-based `line` starts, if the text has that line.
    pub fn line_offset(&self, line: usize) -> Option<usize> {
        self.line_starts().get(line.checked_sub(1)?).copied()
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
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
