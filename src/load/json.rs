//! The fast path for `.json` files: strict JSON text → [`Node`] tree in one pass.
//!
//! serde-saphyr reads JSON correctly (it is YAML), but at a fraction of the speed of a JSON
//! parser, and `.json` files were parsed twice (serde_json for strictness, then
//! serde-saphyr for spans). This parser does both jobs in one pass and builds exactly the
//! tree serde-saphyr builds, spans included. It declines — returns `None` — on anything it
//! does not reproduce exactly (a syntax error, a budget breach, a number that is not a
//! plain `i64` or a finite `f64`, an unpaired surrogate), and the caller then takes the
//! slow path, which produces the precise diagnostic. So a file either gets the very same
//! tree, or the very same error, as before.

use super::Limits;
use super::node::{Entry, Node, Value};
use crate::source::Span;

/// Parse strict JSON, or `None` to leave the file to the general parser.
pub fn parse(text: &str, limits: &Limits) -> Option<Node> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        nodes: 0,
        limits,
    };
    parser.skip_ws();
    let node = parser.value()?;
    parser.skip_ws();
    (parser.pos == parser.bytes.len()).then_some(node)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    nodes: usize,
    limits: &'a Limits,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Option<Node> {
        // Budgets are checked with margin: a file anywhere near one takes the general
        // parser, whose way of counting decides.
        self.nodes += 1;
        if self.nodes.saturating_mul(2) > self.limits.max_nodes {
            return None;
        }
        let start = self.pos;
        match *self.bytes.get(self.pos)? {
            b'{' => self.container(start, true),
            b'[' => self.container(start, false),
            b'"' => {
                let s = self.string()?;
                Some(Node::new(Span::new(start, self.pos), Value::Str(s)))
            }
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Node> {
        let start = self.pos;
        if !self.bytes[start..].starts_with(word) {
            return None;
        }
        self.pos += word.len();
        Some(Node::new(Span::new(start, self.pos), value))
    }

    fn number(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = self.digits();
        if digits == 0 || (digits > 1 && self.bytes[self.pos - digits] == b'0') {
            return None;
        }
        let mut float = false;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            // Exponents are rare in these files and YAML reads some of them differently.
            return None;
        }
        let token = &self.text[start..self.pos];
        let value = if float {
            let f: f64 = token.parse().ok()?;
            if !f.is_finite() {
                return None;
            }
            Value::Float(f)
        } else {
            if token == "-0" {
                return None;
            }
            Value::Int(token.parse().ok()?)
        };
        Some(Node::new(Span::new(start, self.pos), value))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A string at `"`; leaves `pos` after the closing quote.
    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let start = self.pos;
        // The common case: no escapes, so one copy of the bytes between the quotes.
        loop {
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    let s = self.text[start..self.pos].to_owned();
                    self.pos += 1;
                    return Some(s);
                }
                b'\\' => break,
                0..=0x1F => return None,
                _ => self.pos += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            let run = self.pos;
            loop {
                match *self.bytes.get(self.pos)? {
                    b'"' | b'\\' => break,
                    0..=0x1F => return None,
                    _ => self.pos += 1,
                }
            }
            out.push_str(&self.text[run..self.pos]);
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Some(out);
            }
            self.pos += 1;
            let escaped = *self.bytes.get(self.pos)?;
            self.pos += 1;
            out.push(match escaped {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let high = self.hex4()?;
                    let code = if (0xD800..0xDC00).contains(&high) {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return None;
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return None;
                        }
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        high
                    };
                    char::from_u32(code)?
                }
                _ => return None,
            });
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        let value = u32::from_str_radix(digits, 16).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(value)
    }

    /// A mapping (`{`) or a list (`[`) starting at `start`.
    fn container(&mut self, start: usize, map: bool) -> Option<Node> {
        self.depth += 1;
        if self.depth + 1 >= self.limits.max_depth {
            return None;
        }
        self.pos += 1;
        let close = if map { b'}' } else { b']' };
        let mut entries = Vec::new();
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&close) {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if map {
                    let key_start = self.pos;
                    if self.bytes.get(self.pos) != Some(&b'"') {
                        return None;
                    }
                    self.nodes += 1;
                    let key = self.string()?;
                    let key_span = Span::new(key_start, self.pos);
                    self.skip_ws();
                    if self.bytes.get(self.pos) != Some(&b':') {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let value = self.value()?;
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                } else {
                    items.push(self.value()?);
                }
                self.skip_ws();
                match *self.bytes.get(self.pos)? {
                    b',' => self.pos += 1,
                    b if b == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let value = if map {
            Value::Map(entries)
        } else {
            Value::Seq(items)
        };
        // As in serde-saphyr, a collection's span is its opening bracket.
        Some(Node::new(Span::new(start, start + 1), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// The general parser's tree for the same text.
    fn general(name: &str, text: &str) -> Node {
        let source = SourceFile::new(name, text.to_owned());
        super::super::yaml::parse(&source, &Limits::default()).expect("general parser reads it")
    }

    fn same_tree(name: &str, text: &str) {
        let fast = parse(text, &Limits::default());
        let Some(fast) = fast else {
            // Declining is always allowed; the general parser then decides.
            return;
        };
        assert_eq!(fast, general(name, text), "{name}");
    }

    #[test]
    fn builds_the_general_parsers_tree_spans_included() {
        let text = "{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n  \"a\": [1, -2, 3.5, true, false, null, \"x\\\"y\\u00e9\\ud83d\\ude00\"],\n  \"b\": {}, \"c\": [], \"d\": {\"e\": {\"f\": \"g\"}},\n  \"a\": 0\n}\n";
        let fast = parse(text, &Limits::default()).expect("fast path reads it");
        assert_eq!(fast, general("t.json", text));
        for text in [
            "[]",
            "{}",
            "\"s\"",
            "12",
            "[[[]]]",
            "{\"k\": \"\\/\\b\\f\\n\\r\\t\"}",
        ] {
            assert!(parse(text, &Limits::default()).is_some(), "{text}");
            same_tree("t.json", text);
        }
    }

    #[test]
    fn declines_what_it_does_not_reproduce() {
        for text in [
            "{\"a\": 1,}",
            "[1,]",
            "{'a': 1}",
            "{a: 1}",
            "[01]",
            "[1e5]",
            "[-0]",
            "[1.]",
            "[\"\\ud800\"]",
            "[\"\\x\"]",
            "[\"a\nb\"]",
            "{\"a\" 1}",
            "[1] [2]",
            "",
            "[99999999999999999999]",
            "# comment\n{}",
        ] {
            assert!(parse(text, &Limits::default()).is_none(), "{text:?}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep, &Limits::default()).is_none());
    }

    /// Every JSON file this repository ships or tests with (real third-party schemas among
    /// them, in `tests/vendored/`), and the whole corpus of Mozilla's schemas when it is
    /// beside the checkout: the fast tree equals the general parser's tree.
    #[test]
    fn same_tree_as_the_general_parser_on_every_json_file() {
        let ours = [
            "examples",
            "demo",
            "tests/fixtures",
            "tests/vendored",
            "schemas",
        ];
        let compared = ours.iter().map(|root| same_tree_under(root)).sum::<usize>();
        assert!(compared > 50, "only {compared} files compared");
        let shared = "../shared/corpus/mozilla-pipeline-schemas";
        if std::path::Path::new(shared).is_dir() {
            assert!(same_tree_under(shared) > 120);
        } else {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "note: skipped the fast JSON parser on the whole of {shared}: not beside this checkout"
            );
        }
    }

    /// How many JSON files under `root` both parsers read (asserting the same tree).
    fn same_tree_under(root: &str) -> usize {
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let name = path.display().to_string();
            let source = SourceFile::new(&name, text.clone());
            let general = super::super::yaml::parse(&source, &Limits::default()).ok();
            match (parse(&text, &Limits::default()), general) {
                (Some(fast), Some(general)) => {
                    assert_eq!(fast, general, "{name}");
                    checked += 1;
                }
                (Some(_), None) => {
                    panic!("{name}: fast path accepted what the general parser rejects")
                }
                (None, _) => {}
            }
        }
        checked
    }
}
