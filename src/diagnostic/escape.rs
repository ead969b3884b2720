//! Escaping text that came from input files before it reaches any output.
//!
//! Messages quote what users wrote — event and field names, ids, paths, parser excerpts —
//! and those files come from anyone who can open a pull request. A quoted ESC could
//! rewrite the terminal (`\x1b[2J`, hyperlinks, window titles), a line break could start a
//! forged line such as a GitHub workflow command (`::error ::…`), and bidirectional
//! overrides could make text read differently than it is. Every such character is shown
//! as a visible Rust-style escape (`\u{1b}`) instead.
//!
//! [`escape_all`] applies this to every text field of every diagnostic in one place, the
//! sink `diagnostic::sort` every command passes its diagnostics through before rendering; the human renderer also escapes the source
//! snippets it quotes (see `render::human`).

use super::Diagnostic;
use crate::source::SourceFile;
use std::borrow::Cow;
use std::fmt::Write;
use std::sync::Arc;

/// Whether `c` must not be written to an output as is: C0 and C1 control characters,
/// DEL, and the Unicode bidirectional controls ("Trojan Source").
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as `\u{…}`.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_except(text, |_| false)
}

/// Like [`escape`], but line breaks are kept (for multi-line help texts).
pub fn escape_keeping_lines(text: &str) -> Cow<'_, str> {
    escape_except(text, |c| c == '\n')
}

fn escape_except(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn escape_in_place(text: &mut String) {
    if let Cow::Owned(escaped) = escape(text) {
        *text = escaped;
    }
}

/// Escape every text field of every diagnostic, before any renderer sees them.
pub fn escape_all(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics {
        escape_in_place(&mut d.message);
        escape_in_place(&mut d.file);
        for text in [&mut d.rule, &mut d.event, &mut d.field, &mut d.data_type]
            .into_iter()
            .flatten()
        {
            escape_in_place(text);
        }
        if let Some(help) = &mut d.help
            && let Cow::Owned(escaped) = escape_keeping_lines(help)
        {
            *help = escaped;
        }
        // Labels in one file keep sharing one source when its shown name is escaped (the
        // human renderer groups labels by source); spans still index the same text.
        let mut renamed: Vec<(Arc<SourceFile>, Arc<SourceFile>)> = Vec::new();
        for label in d.primary.iter_mut().chain(d.related.iter_mut()) {
            escape_in_place(&mut label.message);
            if let Some((_, new)) = renamed
                .iter()
                .find(|(old, _)| Arc::ptr_eq(old, &label.source))
            {
                label.source = Arc::clone(new);
            } else if let Cow::Owned(name) = escape(&label.source.name) {
                let new = label.source.renamed(name);
                renamed.push((std::mem::replace(&mut label.source, Arc::clone(&new)), new));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_but_not_ordinary_text() {
        assert_eq!(escape("plain `é` 名前"), "plain `é` 名前");
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\n::error ::forged"), "x\\u{a}::error ::forged");
        assert_eq!(
            escape("\u{9b}31m\u{202e}cba\0"),
            "\\u{9b}31m\\u{202e}cba\\u{0}"
        );
        assert_eq!(escape_keeping_lines("one\ntwo\r"), "one\ntwo\\u{d}");
    }
}
