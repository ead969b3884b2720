//! A strict, allocation-light scan of one NDJSON line: the members of the top-level object
//! and of the objects directly inside it, each with its key and the byte range of its value,
//! without building a `serde_json::Value`.
//!
//! In: a line's bytes. Out: [`Members`], or `None` when the line is anything but plain JSON
//! the scanner is sure of. The scanner accepts a subset of what `serde_json` accepts — never
//! more: it gives up (returns `None`) on invalid UTF-8, nesting deeper than [`MAX_DEPTH`], a
//! number with a long mantissa or exponent, a `\u` escape of a surrogate, and on every
//! syntax error. The caller then audits the line the exact way (a full `Value`), so the
//! diagnostics of a hostile line never depend on this module. What is accepted has the
//! members `serde_json` would read: keys are decoded (escapes included), and a value's
//! range parsed by `serde_json` gives the same `Value` as the whole line's parse holds.

use std::borrow::Cow;
use std::ops::Range;

/// Deeper lines are left to `serde_json` (whose own limit is 128).
const MAX_DEPTH: usize = 64;
/// Longer numbers are left to `serde_json` (so no accepted number can overflow an `f64`).
const MAX_NUMBER: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    /// A string; `escaped` when it holds a backslash escape (its range includes the quotes).
    String {
        escaped: bool,
    },
    /// A number, `true`, `false` or `null`.
    Scalar,
}

/// One member of the top-level object, or of an object that is the value of one.
#[derive(Debug)]
pub struct Member<'a> {
    pub key: Cow<'a, str>,
    /// The value's bytes in the line.
    pub value: Range<usize>,
    pub kind: Kind,
    /// The index of the top-level member whose object holds this one; `None` at the top.
    pub parent: Option<usize>,
}

/// The scanned line: its text and members in line order (duplicates kept; as in
/// `serde_json`, the last of a key's duplicates is the one that counts).
#[derive(Debug)]
pub struct Members<'a> {
    pub text: &'a str,
    pub members: Vec<Member<'a>>,
}

impl<'a> Members<'a> {
    /// The members of the top-level object (`None`) or of top-level member `parent`.
    pub fn of(&self, parent: Option<usize>) -> impl Iterator<Item = (usize, &Member<'a>)> {
        self.members
            .iter()
            .enumerate()
            .filter(move |(_, m)| m.parent == parent)
    }

    /// The member holding `key` in the object `parent` (the last one, if repeated).
    pub fn get(&self, parent: Option<usize>, key: &str) -> Option<(usize, &Member<'a>)> {
        self.of(parent).filter(|(_, m)| m.key == key).last()
    }

    /// A member's value as text (string values with their quotes).
    pub fn raw(&self, member: &Member<'_>) -> &'a str {
        &self.text[member.value.clone()]
    }

    /// A string member's value, decoded.
    pub fn string(&self, member: &Member<'_>) -> Option<Cow<'a, str>> {
        let raw = self.raw(member);
        match member.kind {
            Kind::String { escaped: false } => Some(Cow::Borrowed(&raw[1..raw.len() - 1])),
            Kind::String { escaped: true } => {
                serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
            }
            _ => None,
        }
    }
}

/// Scan a line; `None` unless it is one JSON object the scanner is sure of.
pub fn scan(line: &[u8]) -> Option<Members<'_>> {
    let text = std::str::from_utf8(line).ok()?;
    let mut scanner = Scanner {
        text,
        bytes: line,
        at: 0,
        members: Vec::new(),
    };
    scanner.ws();
    if scanner.peek()? != b'{' {
        return None;
    }
    scanner.object(0, None)?;
    scanner.ws();
    if scanner.at != line.len() {
        return None;
    }
    Some(Members {
        text,
        members: scanner.members,
    })
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    members: Vec<Member<'a>>,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// JSON whitespace, as `serde_json` skips it.
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// The object at `self.at` (which is `{`). Its members are recorded when it is the
    /// top-level object (`depth` 0, `owner` None) or the value of a top-level member
    /// (`depth` 1, `owner` its index).
    fn object(&mut self, depth: usize, owner: Option<usize>) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let record = depth == 0 || owner.is_some();
        self.at += 1;
        self.ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key_start = self.at;
            let escaped = self.string()?;
            let raw_key = &self.text[key_start..self.at];
            let key = if escaped {
                Cow::Owned(serde_json::from_str::<String>(raw_key).ok()?)
            } else {
                Cow::Borrowed(&raw_key[1..raw_key.len() - 1])
            };
            self.ws();
            self.eat(b':')?;
            self.ws();
            let start = self.at;
            let index = self.members.len();
            if record {
                // A placeholder, filled in once the value is scanned (its children follow it).
                self.members.push(Member {
                    key,
                    value: start..start,
                    kind: Kind::Scalar,
                    parent: owner.filter(|_| depth == 1),
                });
            }
            let child_owner = (depth == 0).then_some(index);
            let kind = self.value(depth + 1, child_owner)?;
            if record {
                let member = &mut self.members[index];
                member.value = start..self.at;
                member.kind = kind;
            }
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The value at `self.at`, `depth` levels inside the line; `owner` is the index of the
    /// top-level member it is the value of (for recording its members if it is an object).
    fn value(&mut self, depth: usize, owner: Option<usize>) -> Option<Kind> {
        match self.peek()? {
            b'{' => self.object(depth, owner).map(|()| Kind::Object),
            b'[' => self.array(depth).map(|()| Kind::Array),
            b'"' => self.string().map(|escaped| Kind::String { escaped }),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.at += 1;
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.ws();
            self.value(depth + 1, None)?;
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<Kind> {
        if !self.bytes[self.at..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        Some(Kind::Scalar)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, short enough to be finite.
    fn number(&mut self) -> Option<Kind> {
        let start = self.at;
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            let exponent = self.at;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
            if self.at - exponent > 2 {
                return None;
            }
        }
        // `01` or `1x`: leave the error to serde_json.
        if let Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') = self.peek() {
            return None;
        }
        (self.at - start <= MAX_NUMBER).then_some(Kind::Scalar)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    /// The string at `self.at` (which is `"`); whether it holds an escape. Control
    /// characters, bad escapes and surrogate `\u` escapes end the scan.
    fn string(&mut self) -> Option<bool> {
        self.at += 1;
        let mut escaped = false;
        loop {
            // Plain text is skipped in one tight loop.
            let rest = &self.bytes[self.at..];
            self.at += rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            let byte = self.peek()?;
            self.at += 1;
            match byte {
                b'"' => return Some(escaped),
                b'\\' => {
                    escaped = true;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5)?;
                            let hex = std::str::from_utf8(hex).ok()?;
                            let code = u16::from_str_radix(hex, 16).ok()?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit())
                                || (0xD800..=0xDFFF).contains(&code)
                            {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                0x00..=0x1F => return None,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    /// The top-level members as `serde_json` reads them (the last of duplicates wins), and
    /// those of each object value.
    fn as_serde_reads(members: &Members<'_>) -> Value {
        let mut top = Map::new();
        for (_, m) in members.of(None) {
            let value: Value =
                serde_json::from_str(members.raw(m)).expect("a member's value parses");
            top.insert(m.key.to_string(), value);
        }
        Value::Object(top)
    }

    /// The differential check: whatever the scanner accepts, serde_json accepts, with the
    /// same members; what serde_json rejects, the scanner rejects.
    fn agrees(line: &str) {
        let exact = serde_json::from_str::<Value>(line);
        let Some(members) = scan(line.as_bytes()) else {
            return;
        };
        let exact = exact.unwrap_or_else(|e| panic!("scanned, but serde_json says {e}: {line}"));
        assert_eq!(as_serde_reads(&members), exact, "{line}");
        for (i, m) in members.of(None) {
            assert_eq!(m.kind == Kind::Object, exact[&*m.key].is_object());
            if m.kind == Kind::Object && members.get(None, &m.key).map(|(j, _)| j) == Some(i) {
                let mut inner = Map::new();
                for (_, c) in members.of(Some(i)) {
                    inner.insert(
                        c.key.to_string(),
                        serde_json::from_str(members.raw(c)).unwrap(),
                    );
                }
                assert_eq!(Value::Object(inner), exact[&*m.key], "{line}");
            }
            if let Kind::String { .. } = m.kind
                && members.get(None, &m.key).map(|(j, _)| j) == Some(i)
            {
                assert_eq!(members.string(m).as_deref(), exact[&*m.key].as_str());
            }
        }
    }

    #[test]
    fn plain_lines_are_scanned_with_their_members() {
        let line = r#" {"event":"a","n":-1.5e3,"payload":{"k":"v","x":[1,{"y":null}],"k":true},"a\u00e9":"\"q\""} "#;
        let members = scan(line.as_bytes()).expect("scanned");
        let keys: Vec<(&str, Option<usize>)> = members
            .members
            .iter()
            .map(|m| (&*m.key, m.parent))
            .collect();
        assert_eq!(
            keys,
            [
                ("event", None),
                ("n", None),
                ("payload", None),
                ("k", Some(2)),
                ("x", Some(2)),
                ("k", Some(2)),
                ("aé", None)
            ]
        );
        assert_eq!(members.get(Some(2), "k").unwrap().1.value, 67..71);
        agrees(line);
    }

    #[test]
    fn what_serde_json_rejects_or_might_read_differently_is_left_to_it() {
        for line in [
            "",
            "[1]",
            "\"s\"",
            "{\"a\":1}x",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":-}",
            "{\"a\":1e400}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\":tru}",
            &format!("{{\"a\":{}1{}}}", "[".repeat(80), "]".repeat(80)),
            &format!("{{\"a\":{}}}", "9".repeat(41)),
        ] {
            assert!(scan(line.as_bytes()).is_none(), "{line}");
        }
        assert!(scan(b"{\"a\":\"\xff\"}").is_none());
    }

    /// Pieces that JSON lines are made of, valid and not.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\"",
            "\\",
            "\\u00e9",
            "\\ud83d\\ude00",
            "\\n",
            "\\/",
            "é",
            "\t",
            "\u{1}",
            "event",
            "payload",
            "\"event\"",
            "\"payload\"",
            "\"k\"",
            "\"k\":",
            "0",
            "-0",
            "1.5",
            "12e3",
            "1E+2",
            "01",
            "-",
            ".",
            "e",
            "true",
            "false",
            "null",
            "nul",
            "\"a@b.co\"",
            "\"v\"",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn the_scanner_never_accepts_more_than_serde_json_nor_reads_differently(
            pieces in prop::collection::vec(piece(), 0..40)
        ) {
            agrees(&pieces.concat());
        }

        #[test]
        fn well_formed_records_are_scanned_as_serde_json_reads_them(
            members in prop::collection::vec((piece(), piece(), piece()), 0..8),
            nested in prop::collection::vec((piece(), piece()), 0..6),
        ) {
            let json = |v: &Value| v.to_string();
            let mut line = String::from("{");
            for (i, (k, a, b)) in members.iter().enumerate() {
                if i > 0 { line.push(','); }
                line.push_str(&json(&Value::String(format!("{k}{a}"))));
                line.push(':');
                line.push_str(&json(&Value::String(b.to_string())));
            }
            if !members.is_empty() { line.push(','); }
            line.push_str("\"payload\":{");
            for (i, (k, v)) in nested.iter().enumerate() {
                if i > 0 { line.push_str(" , "); }
                line.push_str(&json(&Value::String(k.to_string())));
                line.push_str(" : ");
                line.push_str(v);
            }
            line.push_str("}}");
            agrees(&line);
            if serde_json::from_str::<Value>(&line).is_ok() {
                prop_assert!(scan(line.as_bytes()).is_some(), "{}", line);
            }
        }
    }
}
