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
mod tests;
