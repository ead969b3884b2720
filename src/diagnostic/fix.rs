//! Machine-applicable fixes: the edits that would resolve a finding, as data.
//!
//! A check that knows the smallest change attaches a [`Fix`] to its diagnostic: text edits
//! to the file as it was read, each keeping the text it replaces so that applying it to a
//! file that changed since is refused. The edits keep the user's formatting: a scalar is
//! replaced in the quoting it was written in, a key is added in the style of its mapping
//! (`{ a: 1, b: 2 }` or one key per line), a list item is removed with its lines. `check
//! --fix` applies them (`crate::fix`), SARIF carries them as `fixes`.

use crate::source::{LineCol, SourceFile, Span};
use std::sync::Arc;

/// Whether a fix can be applied without a person deciding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Applicability {
    /// Changes nothing `check` decides on: removing a suppression that hides nothing.
    Safe,
    /// Changes what the manifest declares (a consent level, an identification): right only
    /// if the app then does what it declares. Applied with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One text edit: replace `span` (byte offsets in the file as read) with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The file, as shown (relative to the working directory).
    pub file: String,
    pub span: Span,
    /// The text the span held when the fix was made.
    pub original: String,
    pub replacement: String,
    /// Where the span starts and ends (1-based, end exclusive as an insertion point), for
    /// SARIF's `deletedRegion`.
    pub start: LineCol,
    pub end: LineCol,
    /// Among edits of one span, the one of highest rank is applied, and it also fixes what
    /// the others of rank 1 or more asked (two fields asking one `consent:` for different
    /// levels: the higher level satisfies both). 0: no such order.
    pub rank: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, for people: "raise `consent:` to `optional`".
    pub description: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(
        description: impl Into<String>,
        applicability: Applicability,
        edits: Vec<Edit>,
    ) -> Fix {
        Fix {
            description: description.into(),
            applicability,
            edits,
        }
    }
}

/// An edit of `span` in `source`; `None` for text that is not a whole file on disk (an
/// embedded document, an excerpt), whose offsets are not the file's.
pub fn edit(source: &Arc<SourceFile>, span: Span, replacement: String) -> Option<Edit> {
    if !source.is_whole_file() {
        return None;
    }
    let original = source
        .text
        .get(span.start as usize..span.end as usize)?
        .to_owned();
    let (start, end) = (source.line_col(span.start), source.line_col(span.end));
    Some(Edit {
        file: source.name.clone(),
        span,
        original,
        replacement,
        start,
        end,
        rank: 0,
    })
}

/// Replace the scalar at `span` by `value`, in the quotes it was written in (`"…"` in JSON
/// or YAML, `'…'`, or plain).
pub fn replace_scalar(source: &Arc<SourceFile>, span: Span, value: &str) -> Option<Edit> {
    let written = source.text.get(span.start as usize..span.end as usize)?;
    let replacement = match written.chars().next() {
        Some('"') => serde_json::to_string(value).ok()?,
        Some('\'') => format!("'{}'", value.replace('\'', "''")),
        _ => value.to_owned(),
    };
    edit(source, span, replacement)
}

/// Add `key: value` to the YAML mapping whose entry `after` (a value's span) is in, right
/// after that value: `, key: value` in a flow mapping (`{ … }`), else a line of its own at
/// the indentation of the entry's key. `None` when the shape is not one of those.
pub fn insert_yaml_key(
    source: &Arc<SourceFile>,
    after: Span,
    key: &str,
    value: &str,
) -> Option<Edit> {
    let text = &source.text;
    let at = after.end as usize;
    let line_start = text
        .get(..after.start as usize)?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let before = &text[line_start..after.start as usize];
    let rest_of_line = &text[at..text[at..].find('\n').map_or(text.len(), |i| at + i)];
    let in_flow = before.contains('{') && rest_of_line.trim_start().starts_with([',', '}']);
    if in_flow {
        return edit(source, Span::new(at, at), format!(", {key}: {value}"));
    }
    // Block style: the entry's key starts the line (after `- ` for a list item's first key),
    // and nothing but a comment follows the value.
    let trimmed = rest_of_line.trim_start();
    if !(trimmed.is_empty() || trimmed.starts_with('#')) || before.contains(['{', '[']) {
        return None;
    }
    let indent = before.len() - before.trim_start_matches([' ', '-']).len();
    if !before[..indent].chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let end_of_line = at + rest_of_line.len();
    edit(
        source,
        Span::new(end_of_line, end_of_line),
        format!("\n{}{key}: {value}", " ".repeat(indent)),
    )
}

/// Remove the block-sequence item whose node spans `item` — its whole lines — or, when it
/// is the list's only item, the list's key (`key`, the span of e.g. `suppress`) with it.
/// `None` for an item of a flow sequence (`[ … ]`), or one sharing a line with other text.
pub fn delete_yaml_item(
    source: &Arc<SourceFile>,
    item: Span,
    only_under: Option<Span>,
) -> Option<Edit> {
    let text = &source.text;
    let line_of = |offset: usize| {
        text.get(..offset)
            .map_or(0, |t| t.rfind('\n').map_or(0, |i| i + 1))
    };
    let start = line_of(item.start as usize);
    let dash = text.get(start..item.start as usize)?;
    if dash.trim() != "-" {
        return None;
    }
    let end = {
        let after = item.end as usize;
        let line_end = text[after..]
            .find('\n')
            .map_or(text.len(), |i| after + i + 1);
        // A flow item's closing brackets may follow its last value on the line.
        let trailing = text[after..line_end]
            .trim()
            .trim_start_matches([']', '}', ' ']);
        if !(trailing.is_empty() || trailing.starts_with('#')) {
            return None;
        }
        line_end
    };
    let start = match only_under {
        Some(key) => {
            let key_line = line_of(key.start as usize);
            // Only when the key's line holds nothing but `key:`.
            let key_text = text.get(key_line..start)?;
            if key_text
                .lines()
                .next()
                .is_none_or(|l| !l.trim_end().ends_with(':'))
            {
                return None;
            }
            key_line
        }
        None => start,
    };
    edit(source, Span::new(start, end), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, e: &Edit) -> String {
        format!(
            "{}{}{}",
            &text[..e.span.start as usize],
            e.replacement,
            &text[e.span.end as usize..]
        )
    }

    fn span_of(text: &str, needle: &str) -> Span {
        let at = text.find(needle).unwrap();
        Span::new(at, at + needle.len())
    }

    #[test]
    fn a_scalar_keeps_its_quotes() {
        for (text, expected) in [
            ("consent: required\n", "consent: optional\n"),
            ("consent: \"required\"\n", "consent: \"optional\"\n"),
            ("consent: 'required'\n", "consent: 'optional'\n"),
        ] {
            let source = SourceFile::new("m.yaml", text);
            let at = text.find("required").unwrap();
            let quoted = text[..at].ends_with(['"', '\'']);
            let span = if quoted {
                Span::new(at - 1, at + 9)
            } else {
                span_of(text, "required")
            };
            let e = replace_scalar(&source, span, "optional").unwrap();
            assert_eq!(apply(text, &e), expected);
        }
    }

    #[test]
    fn a_key_is_added_in_the_style_of_its_mapping() {
        let flow = "fields:\n  - { name: a, type: user.id }\n";
        let e = insert_yaml_key(
            &SourceFile::new("m", flow),
            span_of(flow, "user.id"),
            "identification",
            "pseudonymized",
        )
        .unwrap();
        assert_eq!(
            apply(flow, &e),
            "fields:\n  - { name: a, type: user.id, identification: pseudonymized }\n"
        );
        let block = "fields:\n  - name: a\n    type: user.id # why\n  - name: b\n";
        let e = insert_yaml_key(
            &SourceFile::new("m", block),
            span_of(block, "user.id"),
            "identification",
            "pseudonymized",
        )
        .unwrap();
        assert_eq!(
            apply(block, &e),
            "fields:\n  - name: a\n    type: user.id # why\n    identification: pseudonymized\n  - name: b\n"
        );
        let first = "fields:\n  - type: user.id\n    name: a\n";
        let e = insert_yaml_key(
            &SourceFile::new("m", first),
            span_of(first, "user.id"),
            "identification",
            "pseudonymized",
        )
        .unwrap();
        assert_eq!(
            apply(first, &e),
            "fields:\n  - type: user.id\n    identification: pseudonymized\n    name: a\n"
        );
    }

    #[test]
    fn an_item_is_removed_with_its_lines_and_an_only_item_with_its_key() {
        let two = "    suppress:\n      - { rule: a, reason: x }\n      - { rule: b, reason: y }\n    x: 1\n";
        // A flow mapping's node ends at its last value: the bracket is on the line.
        let e = delete_yaml_item(
            &SourceFile::new("m", two),
            span_of(two, "{ rule: b, reason: y"),
            None,
        )
        .unwrap();
        assert_eq!(
            apply(two, &e),
            "    suppress:\n      - { rule: a, reason: x }\n    x: 1\n"
        );
        let one = "    suppress:\n      - rule: a\n        reason: x\n    x: 1\n";
        let item = span_of(one, "rule: a\n        reason: x");
        let key = span_of(one, "suppress");
        let e = delete_yaml_item(&SourceFile::new("m", one), item, Some(key)).unwrap();
        assert_eq!(apply(one, &e), "    x: 1\n");
        let flow = "    suppress: [{ rule: a, reason: x }]\n";
        assert!(
            delete_yaml_item(
                &SourceFile::new("m", flow),
                span_of(flow, "{ rule: a, reason: x }"),
                None
            )
            .is_none()
        );
    }
}
