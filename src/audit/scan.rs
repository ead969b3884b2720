//! A strict, allocation-free scan of one NDJSON line into a flat tape of its values — each
//! with its key (for object members) and the byte range of its value, containers followed by
//! their contents — without building a `serde_json::Value`.
//!
//! In: a line's bytes. Out: [`Members`], or `None` when the line is anything but plain JSON
//! the scanner is sure of. The scanner accepts a subset of what `serde_json` accepts — never
//! more: it gives up (returns `None`) on invalid UTF-8, nesting deeper than [`MAX_DEPTH`],
//! more than [`MAX_NODES`] values, a number with a long mantissa or exponent, a `\u` escape
//! of a surrogate, and on every syntax error. The caller then audits the line the exact way (a full `Value`), so the
//! diagnostics of a hostile line never depend on this module. What is accepted has the
//! members `serde_json` would read: keys are decoded (escapes included), and a value's
//! range parsed by `serde_json` gives the same `Value` as the whole line's parse holds.

use std::borrow::Cow;
use std::ops::Range;

/// Deeper lines are left to `serde_json` (whose own limit is 128).
const MAX_DEPTH: usize = 64;
/// Longer numbers are left to `serde_json` (so no accepted number can overflow an `f64`).
const MAX_NUMBER: usize = 40;
/// Lines with more values are left to `serde_json`: the tape, kept from line to line, stays
/// small (about 1 MiB at most) whatever the lines.
const MAX_NODES: usize = 1 << 14;

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

/// Where a member's key is: its bytes in the line (between the quotes), or — when it holds
/// an escape — its decoded text in [`Scratch`]; array items have none.
#[derive(Clone, Debug)]
enum Key {
    Plain(Range<usize>),
    Decoded(usize),
    Item,
}

/// One value of the line below the top-level object: a member of an object, or an item of
/// an array.
#[derive(Clone, Debug)]
pub struct Member {
    key: Key,
    /// The value's bytes in the line.
    pub value: Range<usize>,
    pub kind: Kind,
    /// The index of the next value of the same container, if any: an object's members and
    /// an array's items are the values between it and `next`.
    next: usize,
}

/// The buffers a scan fills, kept from one line to the next so that scanning a line
/// allocates nothing once they have grown.
#[derive(Debug, Default)]
pub struct Scratch {
    members: Vec<Member>,
    keys: Vec<String>,
}

/// The scanned line: its text and values in line order (duplicates kept; as in
/// `serde_json`, the last of a key's duplicates is the one that counts). The contents of a
/// container follow it.
#[derive(Clone, Copy, Debug)]
pub struct Members<'a> {
    pub text: &'a str,
    members: &'a [Member],
    keys: &'a [String],
}

impl<'a> Members<'a> {
    /// The members of the top-level object (`None`), or the contents of the container at
    /// index `parent`.
    pub fn of(&self, parent: Option<usize>) -> Of<'a> {
        let (at, end) = match parent {
            None => (0, self.members.len()),
            Some(i) => (i + 1, self.members[i].next),
        };
        Of {
            members: self.members,
            at,
            end,
        }
    }

    /// The indices of the container at `index` and of everything inside it.
    pub fn subtree(&self, index: usize) -> Range<usize> {
        index..self.members[index].next
    }

    /// The member holding `key` in the object `parent` (the last one, if repeated).
    pub fn get(&self, parent: Option<usize>, key: &str) -> Option<(usize, &'a Member)> {
        self.of(parent).filter(|(_, m)| self.key(m) == key).last()
    }

    /// The member at `index`.
    pub fn at(&self, index: usize) -> &'a Member {
        &self.members[index]
    }

    /// A member's key, decoded (empty for an array item).
    pub fn key(&self, member: &Member) -> &'a str {
        match &member.key {
            Key::Plain(range) => &self.text[range.clone()],
            Key::Decoded(i) => &self.keys[*i],
            Key::Item => "",
        }
    }

    /// All the values, in line order.
    pub fn all(&self) -> &'a [Member] {
        self.members
    }

    /// A member's value as text (string values with their quotes).
    pub fn raw(&self, member: &Member) -> &'a str {
        &self.text[member.value.clone()]
    }

    /// A string member's value, decoded.
    pub fn string(&self, member: &Member) -> Option<Cow<'a, str>> {
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

/// The members of an object, or the items of an array, with their indices.
#[derive(Clone, Debug)]
pub struct Of<'a> {
    members: &'a [Member],
    at: usize,
    end: usize,
}

impl<'a> Iterator for Of<'a> {
    type Item = (usize, &'a Member);

    fn next(&mut self) -> Option<(usize, &'a Member)> {
        let member = self.members.get(self.at).filter(|_| self.at < self.end)?;
        let here = self.at;
        self.at = member.next;
        Some((here, member))
    }
}

/// Scan a line into `scratch`; `None` unless it is one JSON object the scanner is sure of.
pub fn scan<'a>(line: &'a [u8], scratch: &'a mut Scratch) -> Option<Members<'a>> {
    let text = std::str::from_utf8(line).ok()?;
    scratch.members.clear();
    scratch.keys.clear();
    let mut scanner = Scanner {
        text,
        bytes: line,
        at: 0,
        members: &mut scratch.members,
        keys: &mut scratch.keys,
    };
    scanner.ws();
    if scanner.peek()? != b'{' {
        return None;
    }
    scanner.object(0)?;
    scanner.ws();
    if scanner.at != line.len() {
        return None;
    }
    Some(Members {
        text,
        members: &scratch.members,
        keys: &scratch.keys,
    })
}

struct Scanner<'a, 's> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    members: &'s mut Vec<Member>,
    keys: &'s mut Vec<String>,
}

impl Scanner<'_, '_> {
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

    /// The object at `self.at` (which is `{`), `depth` levels inside the line.
    fn object(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
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
            let key = if escaped {
                let raw = &self.text[key_start..self.at];
                self.keys.push(serde_json::from_str::<String>(raw).ok()?);
                Key::Decoded(self.keys.len() - 1)
            } else {
                Key::Plain(key_start + 1..self.at - 1)
            };
            self.ws();
            self.eat(b':')?;
            self.ws();
            self.member(key, depth)?;
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

    /// Record the value at `self.at`, under `key`, in a container `depth` levels inside.
    fn member(&mut self, key: Key, depth: usize) -> Option<()> {
        let start = self.at;
        let index = self.members.len();
        if index >= MAX_NODES {
            return None;
        }
        // A placeholder, filled in once the value is scanned (its contents follow it).
        self.members.push(Member {
            key,
            value: start..start,
            kind: Kind::Scalar,
            next: index + 1,
        });
        let kind = self.value(depth + 1)?;
        let next = self.members.len();
        let member = &mut self.members[index];
        member.value = start..self.at;
        member.kind = kind;
        member.next = next;
        Some(())
    }

    /// The value at `self.at`, `depth` levels inside the line.
    fn value(&mut self, depth: usize) -> Option<Kind> {
        match self.peek()? {
            b'{' => self.object(depth).map(|()| Kind::Object),
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
            self.member(Key::Item, depth)?;
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
            self.at = plain_end(self.bytes, self.at);
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
                _ => return None, // a control character
            }
        }
    }
}

/// The index of the first `"`, `\` or control character at or after `at` in `bytes` (or
/// `bytes.len()`): the end of plain string text. Eight bytes at a time, with the classic
/// bit tricks (`x - 0x01…01 & !x & 0x80…80` flags the bytes of `x` below 0x01): a flag
/// may be spurious only above a genuine one, so the lowest flag is always exact.
fn plain_end(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTE: u64 = u64::from_ne_bytes([b'"'; 8]);
    const BACKSLASH: u64 = u64::from_ne_bytes([b'\\'; 8]);
    const SPACE: u64 = u64::from_ne_bytes([0x20; 8]);
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let quote = word ^ QUOTE;
        let backslash = word ^ BACKSLASH;
        let flags = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | word.wrapping_sub(SPACE) & !word)
            & HIGH;
        if flags != 0 {
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    /// The value the tape holds for the container at `parent` (`None`: the top-level
    /// object), read the way `serde_json` reads it: the last of duplicate keys wins.
    fn rebuild(members: &Members<'_>, parent: Option<usize>) -> Value {
        let kind = parent.map_or(Kind::Object, |i| members.at(i).kind);
        match kind {
            Kind::Object => {
                let mut map = Map::new();
                for (i, m) in members.of(parent) {
                    map.insert(members.key(m).to_owned(), rebuild(members, Some(i)));
                }
                Value::Object(map)
            }
            Kind::Array => Value::Array(
                members
                    .of(parent)
                    .map(|(i, _)| rebuild(members, Some(i)))
                    .collect(),
            ),
            _ => {
                let member = members.at(parent.expect("scalars are members"));
                let value: Value =
                    serde_json::from_str(members.raw(member)).expect("a value parses");
                if let Kind::String { .. } = member.kind {
                    assert_eq!(members.string(member).as_deref(), value.as_str());
                }
                value
            }
        }
    }

    /// The differential check: whatever the scanner accepts, serde_json accepts, with the
    /// same values at every depth; what serde_json rejects, the scanner rejects.
    fn agrees(line: &str) {
        let exact = serde_json::from_str::<Value>(line);
        let mut scratch = Scratch::default();
        let Some(members) = scan(line.as_bytes(), &mut scratch) else {
            return;
        };
        let exact = exact.unwrap_or_else(|e| panic!("scanned, but serde_json says {e}: {line}"));
        assert_eq!(rebuild(&members, None), exact, "{line}");
        for (i, m) in members.of(None) {
            let key = members.key(m);
            assert_eq!(m.kind == Kind::Object, exact[key].is_object());
            if members.get(None, key).map(|(j, _)| j) == Some(i) {
                assert_eq!(rebuild(&members, Some(i)), exact[key], "{line}");
            }
        }
    }

    #[test]
    fn plain_lines_are_scanned_with_their_members() {
        let line = r#" {"event":"a","n":-1.5e3,"payload":{"k":"v","x":[1,{"y":null}],"k":true},"a\u00e9":"\"q\""} "#;
        let mut scratch = Scratch::default();
        let members = scan(line.as_bytes(), &mut scratch).expect("scanned");
        let keys = |parent| {
            members
                .of(parent)
                .map(|(i, m)| (i, members.key(m)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(None),
            [(0, "event"), (1, "n"), (2, "payload"), (9, "aé")]
        );
        assert_eq!(keys(Some(2)), [(3, "k"), (4, "x"), (8, "k")]);
        assert_eq!(keys(Some(4)), [(5, ""), (6, "")]);
        assert_eq!(keys(Some(6)), [(7, "y")]);
        assert!(keys(Some(3)).is_empty());
        assert_eq!(members.get(Some(2), "k").unwrap().1.value, 67..71);
        assert_eq!(members.all().len(), 10);
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
            &format!("{{\"a\":[{}0]}}", "0,".repeat(MAX_NODES)),
        ] {
            assert!(
                scan(line.as_bytes(), &mut Scratch::default()).is_none(),
                "{line}"
            );
        }
        assert!(scan(b"{\"a\":\"\xff\"}", &mut Scratch::default()).is_none());
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
            "0123456789abcdef",
            "\"plain text longer than eight bytes\"",
            "\u{7f}ÿ",
        ])
    }

    /// The eight-bytes-at-a-time search against the obvious one, at every alignment.
    fn plain_end_slowly(bytes: &[u8], at: usize) -> usize {
        bytes[at..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .map_or(bytes.len(), |i| at + i)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn plain_text_ends_where_the_obvious_search_says(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b' ', b'"', b'\\', 0, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xff]),
                0..40,
            ),
            at in 0usize..40,
        ) {
            let at = at.min(bytes.len());
            prop_assert_eq!(plain_end(&bytes, at), plain_end_slowly(&bytes, at));
        }

        #[test]
        fn a_reused_scratch_scans_as_a_fresh_one(
            first in prop::collection::vec(piece(), 0..30),
            second in prop::collection::vec(piece(), 0..30),
        ) {
            let mut scratch = Scratch::default();
            let _ = scan(first.concat().as_bytes(), &mut scratch);
            let line = second.concat();
            // Everything scanned — members, decoded keys — is in the `Debug` form.
            let reused = scan(line.as_bytes(), &mut scratch).map(|m| format!("{m:?}"));
            let mut fresh_scratch = Scratch::default();
            let fresh = scan(line.as_bytes(), &mut fresh_scratch).map(|m| format!("{m:?}"));
            prop_assert_eq!(reused, fresh);
        }

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
                prop_assert!(scan(line.as_bytes(), &mut Scratch::default()).is_some(), "{}", line);
            }
        }
    }
}
