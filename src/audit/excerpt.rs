//! Showing one captured line in a diagnostic without showing its values.
//!
//! Only lines with a finding get here. A small tolerant JSON lexer rewrites the line with
//! every string value masked ([`super::pii::mask`], same length, so columns stay true) —
//! except the event name — and records where each member sits, by JSON pointer, so a
//! diagnostic can point at the offending key or value. Each diagnostic keeps only a window
//! of the masked line around its spot, as a [`SourceFile`] excerpt numbered as the line of
//! the payload file: reports stay small whatever the line length.

use super::pii::mask;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// Characters of context kept on each side of the spot a diagnostic points at.
const CONTEXT: usize = 60;
/// The most characters of the spot itself that an excerpt shows.
const MAX_SPOT: usize = 120;

/// One captured line, masked, with the position of every member.
pub struct LineView {
    file: String,
    line: usize,
    masked: String,
    /// `(pointer, key span, value span)` in `masked`.
    members: Vec<(String, Span, Span)>,
}

enum Frame {
    Object {
        pointer: String,
        key: Option<(String, Span)>,
        expecting_key: bool,
    },
    Array {
        pointer: String,
        index: usize,
    },
}

impl LineView {
    /// Lex `raw` (which may be invalid JSON or invalid UTF-8); the string value at pointer
    /// `shown` (the event name) stays readable.
    pub fn new(file: &str, line: usize, raw: &[u8], shown: &str) -> LineView {
        let text = String::from_utf8_lossy(raw);
        let mut masked = String::with_capacity(text.len());
        let mut members = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        // Pointer, key span and start offset (in `masked`) of each open container.
        let mut starts: Vec<(String, Span, usize)> = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    let (end, closed) = string_end(&text, i);
                    let content = &text[i + 1..if closed { end - 1 } else { end }];
                    let start = masked.len();
                    let is_key = matches!(
                        stack.last(),
                        Some(Frame::Object {
                            expecting_key: true,
                            ..
                        })
                    );
                    let pointer = current_pointer(&stack);
                    if is_key || pointer.as_deref() == Some(shown) {
                        masked.push_str(&text[i..end]);
                    } else {
                        masked.push('"');
                        masked.push_str(&mask(content));
                        if closed {
                            masked.push('"');
                        }
                    }
                    let span = Span::new(start, masked.len());
                    if is_key {
                        if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                            *key = Some((content.to_owned(), span));
                        }
                    } else if let Some(pointer) = pointer {
                        members.push((pointer, key_span(&stack), span));
                    }
                    while chars.peek().is_some_and(|&(j, _)| j < end) {
                        chars.next();
                    }
                }
                '{' | '[' => {
                    let pointer = current_pointer(&stack).unwrap_or_default();
                    starts.push((pointer.clone(), key_span(&stack), masked.len()));
                    masked.push(c);
                    stack.push(if c == '{' {
                        Frame::Object {
                            pointer,
                            key: None,
                            expecting_key: true,
                        }
                    } else {
                        Frame::Array { pointer, index: 0 }
                    });
                }
                '}' | ']' => {
                    masked.push(c);
                    stack.pop();
                    if let Some((pointer, key, start)) = starts.pop() {
                        members.push((pointer, key, Span::new(start, masked.len())));
                    }
                }
                ':' => {
                    masked.push(c);
                    if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                        *expecting_key = false;
                    }
                }
                ',' => {
                    masked.push(c);
                    match stack.last_mut() {
                        Some(Frame::Object {
                            expecting_key, key, ..
                        }) => {
                            *expecting_key = true;
                            *key = None;
                        }
                        Some(Frame::Array { index, .. }) => *index += 1,
                        None => {}
                    }
                }
                c if c.is_whitespace() => masked.push(c),
                _ => {
                    // A number, `true`, `false`, `null` or garbage: up to the next delimiter.
                    let start = masked.len();
                    masked.push(c);
                    while let Some(&(_, n)) = chars.peek() {
                        if matches!(n, ',' | '}' | ']' | ':' | '"' | '{' | '[') || n.is_whitespace()
                        {
                            break;
                        }
                        masked.push(n);
                        chars.next();
                    }
                    if let Some(pointer) = current_pointer(&stack) {
                        members.push((pointer, key_span(&stack), Span::new(start, masked.len())));
                    }
                }
            }
        }
        LineView {
            file: file.to_owned(),
            line,
            masked,
            members,
        }
    }

    /// The span of the value at `pointer` (the whole line if it is not found).
    pub fn value(&self, pointer: &str) -> Span {
        self.member(pointer).map_or(self.whole(), |m| m.2)
    }

    /// The span of the key naming the member at `pointer` (else its value, else the line).
    pub fn key(&self, pointer: &str) -> Span {
        self.member(pointer)
            .map(|m| if m.1.is_empty() { m.2 } else { m.1 })
            .unwrap_or(self.whole())
    }

    fn member(&self, pointer: &str) -> Option<&(String, Span, Span)> {
        self.members.iter().find(|m| m.0 == pointer)
    }

    fn whole(&self) -> Span {
        Span::new(0, self.masked.len())
    }

    /// The span starting at the 1-based character `column` of the line (one character).
    pub fn at_column(&self, column: usize) -> Span {
        let start = self
            .masked
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(self.masked.len(), |(i, _)| i);
        let end = self.masked[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        Span::new(start, end)
    }

    /// A small excerpt around `span`, numbered as the payload file, and the span in it.
    pub fn excerpt(&self, span: Span) -> (Arc<SourceFile>, Span) {
        let text = &self.masked;
        let (start, end) = (span.start as usize, span.end as usize);
        let spot_end = char_boundary_after(text, start, MAX_SPOT).min(end);
        let from = char_boundary_before(text, start, CONTEXT);
        let to = char_boundary_after(text, spot_end, CONTEXT);
        let column = text[..from].chars().count() + 1;
        let source = SourceFile::excerpt(&self.file, &text[from..to], self.line, column);
        (source, Span::new(start - from, spot_end - from))
    }
}

/// Byte offset just past the closing quote of the string starting at `open`, and whether
/// there was one (else the string runs to the end of the line).
fn string_end(text: &str, open: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return (i + 1, true),
            _ => i += 1,
        }
    }
    (text.len(), false)
}

/// The pointer of the value about to be read, if it sits in a container.
fn current_pointer(stack: &[Frame]) -> Option<String> {
    match stack.last()? {
        Frame::Object {
            pointer,
            key,
            expecting_key,
        } => {
            if *expecting_key {
                return None;
            }
            key.as_ref()
                .map(|(k, _)| format!("{pointer}/{}", crate::load::pointer::escape(k)))
        }
        Frame::Array { pointer, index } => Some(format!("{pointer}/{index}")),
    }
}

fn key_span(stack: &[Frame]) -> Span {
    match stack.last() {
        Some(Frame::Object {
            key: Some((_, span)),
            ..
        }) => *span,
        _ => Span::default(),
    }
}

fn char_boundary_before(text: &str, at: usize, chars: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn char_boundary_after(text: &str, at: usize, chars: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_masked_keys_and_the_event_name_are_not() {
        let raw = br#"{"event": "note_saved", "payload": {"email": "john@example.com", "n": 3, "tags": ["abc", {"x": null}]}}"#;
        let view = LineView::new("p.ndjson", 7, raw, "/event");
        assert_eq!(
            view.masked,
            r#"{"event": "note_saved", "payload": {"email": "j***@e******.c**", "n": 3, "tags": ["a**", {"x": null}]}}"#
        );
        assert_eq!(view.masked.len(), raw.len());
        let email = view.value("/payload/email");
        assert_eq!(
            &view.masked[email.start as usize..email.end as usize],
            "\"j***@e******.c**\""
        );
        let key = view.key("/payload/n");
        assert_eq!(&view.masked[key.start as usize..key.end as usize], "\"n\"");
        let x = view.value("/payload/tags/1/x");
        assert_eq!(&view.masked[x.start as usize..x.end as usize], "null");
        let (source, span) = view.excerpt(email);
        assert_eq!(source.line_col(span.start).line, 7);
        assert_eq!(source.line_col(span.start).column, 46);
    }

    #[test]
    fn garbage_never_panics_and_still_masks_strings() {
        for raw in [
            &b"{\"a\": \"secret"[..],
            b"}}]]:,\"",
            b"\xff\xfe{\"k\":\"v\"}",
            b"",
            b"\"\\",
        ] {
            let view = LineView::new("p", 1, raw, "/event");
            let _ = view.excerpt(view.value("/a"));
            assert!(!view.masked.contains("secret"));
        }
    }
}
