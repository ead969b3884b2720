//! Recognising raw identifiers and personal data in captured values, and masking values so
//! that no report ever prints one in full.
//!
//! In: a string value of a field declared `pseudonymized` or less. Out: what it looks like
//! ([`Pii`]), if anything. Each whitespace-separated token is tested on its own, so a value
//! like `"contact jane@example.com"` is caught too. Hand-written matchers, not regexes:
//! they run on every declared-pseudonymous value of every payload.

use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pii {
    Email,
    Ipv4,
    Ipv6,
    Phone,
    Guid,
    UrlWithQuery,
    /// A payment card number: an issuer's prefix and length, and a valid Luhn check digit.
    CardNumber,
    /// An IBAN: a country's length and a valid ISO 7064 mod-97 checksum.
    Iban,
    /// A JSON Web Token: three base64url segments, the first two JSON objects.
    Jwt,
    /// A secret in a provider's published key format (AWS, GitHub, Slack, Stripe, Google,
    /// GitLab, OpenAI), or a PEM private key.
    ApiKey,
    /// A latitude and longitude to four decimals or more (about 10 m).
    Coordinates,
}

impl Pii {
    pub fn describe(self) -> &'static str {
        match self {
            Pii::Email => "an email address",
            Pii::Ipv4 => "an IPv4 address",
            Pii::Ipv6 => "an IPv6 address",
            Pii::Phone => "a phone number",
            Pii::Guid => "a raw GUID (an unhashed identifier)",
            Pii::UrlWithQuery => "a URL with a query string",
            Pii::CardNumber => "a payment card number",
            Pii::Iban => "an IBAN (a bank account number)",
            Pii::Jwt => "a JSON Web Token (a credential)",
            Pii::ApiKey => "an API key or private key",
            Pii::Coordinates => "precise coordinates",
        }
    }
}

mod formats;

pub use formats::precise_pair;
use formats::{
    is_api_key, is_card, is_coordinates, is_email, is_guid, is_iban, is_jwt, is_phone,
    is_url_with_query,
};

/// What to look for in a field's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// Raw identifiers too (GUIDs, URLs with a query): for fields declared pseudonymized,
    /// where any unhashed id is a contradiction. Fields declared non-personal (system
    /// metadata) legitimately carry request ids and URLs of the service.
    pub identifiers: bool,
    /// IPv4 addresses: not in a field whose type is a version, where `1.0.0.0` is one.
    pub ipv4: bool,
}

impl Look {
    /// Everything either looks for.
    pub fn union(self, other: Look) -> Look {
        Look {
            identifiers: self.identifiers || other.identifiers,
            ipv4: self.ipv4 || other.ipv4,
        }
    }

    /// Everything: a field declared pseudonymized or less.
    pub const PSEUDONYMOUS: Look = Look {
        identifiers: true,
        ipv4: true,
    };
}

/// What `value` looks like, if it holds a raw identifier or personal data (everything
/// [`Look::PSEUDONYMOUS`] looks for).
pub fn detect(value: &str) -> Option<Pii> {
    detect_as(value, Look::PSEUDONYMOUS)
}

/// What `value` looks like, of what `look` asks for.
pub fn detect_as(value: &str, look: Look) -> Option<Pii> {
    // One pass over the bytes decides which matchers can apply. Hashes and random ids —
    // most pseudonymous values — are one run of letters, digits and `_`: such a value can
    // only be a card number, an IBAN or a key in a provider's format, each told by a prefix
    // and a checksum or a fixed shape. Without `@` (email), `:` (URL, IPv6) or `.` (IPv4,
    // JWT, coordinates), with fewer than 7 digits (phone, card) and shorter than 15
    // characters (IBAN; keys are 20 or more), a value is none of the kinds.
    let (mut seen, mut digits) = (0u8, 0usize);
    for &b in value.as_bytes() {
        let class = CLASS[usize::from(b)];
        seen |= class;
        digits += usize::from(class & DIGIT);
    }
    if seen & OTHER == 0 {
        return detect_plain(value);
    }
    if seen & MARK == 0 && digits < 7 && value.len() < 15 {
        return None;
    }
    detect_any(value, look)
}

const DIGIT: u8 = 1;
/// `@`, `:` or `.`.
const MARK: u8 = 2;
/// Anything but a letter, a digit or `_`.
const OTHER: u8 = 4;

/// The class of each byte, for the one pass of [`detect_as`].
static CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'0'..=b'9' => DIGIT,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => 0,
            b'@' | b':' | b'.' => MARK | OTHER,
            _ => OTHER,
        };
        b += 1;
    }
    table
};

/// Whether no string literal in the raw JSON text `json` (keys included) looks like
/// anything `look` asks for, and no object in it can be a `lat`/`lon` pair: a cheap
/// over-approximation of searching the values at some path inside it.
pub fn strings_free(json: &str, look: Look) -> bool {
    let bytes = json.as_bytes();
    let mut i = 0;
    while let Some(open) = memchr::memchr(b'"', &bytes[i..]).map(|k| i + k) {
        let mut end = open + 1;
        let mut escaped = false;
        while end < bytes.len() {
            match bytes[end] {
                b'\\' => {
                    escaped = true;
                    end += 2;
                }
                b'"' => break,
                _ => end += 1,
            }
        }
        if end >= bytes.len() {
            // Unterminated: not JSON this function can vouch for.
            return false;
        }
        let literal = &json[open..=end];
        let content = &literal[1..literal.len() - 1];
        let free = if escaped {
            serde_json::from_str::<String>(literal).is_ok_and(|s| detect_as(&s, look).is_none())
        } else {
            detect_as(content, look).is_none()
                && !matches!(
                    content,
                    "lat" | "latitude" | "lon" | "lng" | "long" | "longitude"
                )
        };
        if !free {
            return false;
        }
        i = end + 1;
    }
    true
}

/// The kinds a run of letters, digits and `_` can be.
fn detect_plain(value: &str) -> Option<Pii> {
    if value.len() < 12 {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return is_card(value).then_some(Pii::CardNumber);
    }
    if is_iban(value) {
        return Some(Pii::Iban);
    }
    is_api_key(value).then_some(Pii::ApiKey)
}

/// [`detect_as`] without the shortcut.
fn detect_any(value: &str, look: Look) -> Option<Pii> {
    let whole = value.trim();
    // Most values have few digits: counted once, they rule out the numeric kinds.
    let digits = digits(whole);
    // Written with spaces, these are tried on the whole value first (a card number before
    // a phone number: a 15-digit card in groups is also shaped like one).
    if digits >= 13 && is_card(whole) {
        return Some(Pii::CardNumber);
    }
    if digits >= 7 && is_phone(whole) {
        return Some(Pii::Phone);
    }
    if digits >= 2 && is_iban(whole) {
        return Some(Pii::Iban);
    }
    if digits >= 8 && is_coordinates(whole) {
        return Some(Pii::Coordinates);
    }
    if whole.len() >= 27 && whole.contains("PRIVATE KEY-----") {
        return Some(Pii::ApiKey);
    }
    value
        .split_whitespace()
        .find_map(|token| detect_token(token, look))
}

fn digits(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

fn detect_token(token: &str, look: Look) -> Option<Pii> {
    let token = token.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | ',' | ';'));
    if token.len() < 7 {
        return None;
    }
    let has = |b: u8| memchr::memchr(b, token.as_bytes()).is_some();
    if has(b':') && is_url_with_query(token) {
        return look.identifiers.then_some(Pii::UrlWithQuery);
    }
    if has(b'@') {
        return is_email(token.strip_prefix("mailto:").unwrap_or(token)).then_some(Pii::Email);
    }
    if is_jwt(token) {
        return Some(Pii::Jwt);
    }
    if token.len() >= 20 && is_api_key(token) {
        return Some(Pii::ApiKey);
    }
    if is_guid(token) {
        return look.identifiers.then_some(Pii::Guid);
    }
    if has(b':') && token.parse::<Ipv6Addr>().is_ok() {
        return Some(Pii::Ipv6);
    }
    let digits = digits(token);
    if digits >= 4 && token.parse::<Ipv4Addr>().is_ok() {
        return look.ipv4.then_some(Pii::Ipv4);
    }
    if digits >= 13 && is_card(token) {
        return Some(Pii::CardNumber);
    }
    (digits >= 7 && is_phone(token)).then_some(Pii::Phone)
}

/// Mask a value for reports: separators (`@ . : / - _ + ? = & # {}` and spaces) stay, so the
/// shape is recognisable; in each run between them only the first character of a run of
/// three or more is kept, everything else becomes `*`. The result has exactly as many
/// characters as the value, so columns computed on masked text are columns of the original.
pub fn mask(value: &str) -> String {
    let is_separator = |c: char| "@.:/-_+?=&#{}() ,;".contains(c);
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    while i < chars.len() {
        if is_separator(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let end = chars[i..]
            .iter()
            .position(|&c| is_separator(c))
            .map_or(chars.len(), |n| i + n);
        for (k, &c) in chars[i..end].iter().enumerate() {
            out.push(if k == 0 && end - i >= 3 { c } else { '*' });
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests;
