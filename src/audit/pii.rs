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

/// 13 to 19 digits (spaces or dashes between groups allowed) with an issuer's prefix and
/// length — Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay,
/// Maestro — and a valid Luhn check digit. The prefix rules out what Luhn alone would
/// pass one time in ten: millisecond timestamps (`17…`), counters, numeric ids.
fn is_card(s: &str) -> bool {
    if s.len() < 13 || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
        || s.starts_with([' ', '-'])
        || s.ends_with([' ', '-'])
    {
        return false;
    }
    let digits: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    let n = digits.len();
    if !(13..=19).contains(&n) {
        return false;
    }
    let prefix = |k: usize| {
        digits[..k]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
    };
    let brand = match digits[0] {
        4 => matches!(n, 13 | 16 | 19),
        2 => n == 16 && (2221..=2720).contains(&prefix(4)),
        5 => {
            (n == 16 && (51..=55).contains(&prefix(2)))
                || (12..=19).contains(&n) && matches!(prefix(2), 50 | 56..=58)
        }
        3 => {
            (n == 15 && matches!(prefix(2), 34 | 37))
                || (n == 14 && matches!(prefix(2), 36 | 38 | 39))
                || ((16..=19).contains(&n) && (3528..=3589).contains(&prefix(4)))
        }
        6 => {
            (16..=19).contains(&n)
                && (prefix(4) == 6011
                    || prefix(2) == 65
                    || (644..=649).contains(&prefix(3))
                    || prefix(2) == 62
                    || prefix(2) == 67)
        }
        _ => false,
    };
    brand && luhn(&digits)
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// IBAN lengths by country (the SWIFT registry): only a country's exact length with a valid
/// checksum is an IBAN.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// Countries whose account number inside the IBAN (the BBAN) is digits only.
const NUMERIC_BBAN: &[&str] = &[
    "AE", "AT", "BA", "BE", "CZ", "DE", "DK", "EE", "EG", "ES", "FI", "FO", "GL", "HR", "HU", "IL",
    "IS", "LT", "ME", "NO", "PL", "PT", "RS", "SE", "SI", "SK", "TL", "TN", "XK",
];

/// An IBAN, printed (groups of four separated by spaces) or electronic.
fn is_iban(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 15 || !b[0].is_ascii_uppercase() || !b[1].is_ascii_uppercase() {
        return false;
    }
    let compact: Vec<u8> = s.bytes().filter(|&b| b != b' ').collect();
    if compact.len() < 15
        || compact.len() > 34
        || !compact
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        || !compact[2..4].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    // Printed, it is in groups of four (the last may be shorter).
    if let Some((last, full)) = s
        .contains(' ')
        .then(|| s.split(' ').collect::<Vec<_>>())
        .as_deref()
        .and_then(<[&str]>::split_last)
        && (full.iter().any(|g| g.len() != 4) || last.is_empty() || last.len() > 4)
    {
        return false;
    }
    let Ok(country) = std::str::from_utf8(&compact[..2]) else {
        return false;
    };
    if !IBAN_LENGTHS
        .iter()
        .any(|&(c, n)| c == country && n == compact.len())
    {
        return false;
    }
    // Where the national account number is digits only, a letter in it rules an IBAN out
    // (an uppercase hex id that happens to start `BE12` is not a Belgian account).
    if NUMERIC_BBAN.contains(&country) && !compact[4..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Move the first four characters to the end, letters to numbers (A = 10), mod 97.
    let mut rest = 0u32;
    for &b in compact[4..].iter().chain(&compact[..4]) {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        rest = if value >= 10 {
            (rest * 100 + value) % 97
        } else {
            (rest * 10 + value) % 97
        };
    }
    rest == 1
}

/// `header.payload.signature`, base64url, the first two segments encoded JSON objects
/// (`eyJ` is `{"`).
fn is_jwt(s: &str) -> bool {
    let mut parts = s.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let base64url = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    header.starts_with("eyJ")
        && payload.starts_with("eyJ")
        && header.len() >= 10
        && payload.len() >= 10
        && base64url(header)
        && base64url(payload)
        && base64url(signature)
}

/// A key in a provider's published format: a fixed prefix, then a body of the documented
/// alphabet and length.
fn is_api_key(s: &str) -> bool {
    let body = |rest: &str, min: usize, extra: &[u8]| {
        rest.len() >= min
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    if let Some(rest) = s.strip_prefix("AKIA").or_else(|| s.strip_prefix("ASIA")) {
        return rest.len() == 16
            && rest
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return rest.len() == 36 && body(rest, 36, b"");
        }
    }
    if let Some(rest) = s.strip_prefix("github_pat_") {
        return body(rest, 40, b"_");
    }
    for prefix in ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return body(rest, 20, b"-");
        }
    }
    for prefix in ["sk_live_", "rk_live_", "sk_test_", "rk_test_"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return body(rest, 16, b"");
        }
    }
    if let Some(rest) = s.strip_prefix("AIza") {
        return rest.len() == 35 && body(rest, 35, b"-_");
    }
    if let Some(rest) = s.strip_prefix("glpat-") {
        return body(rest, 20, b"-_");
    }
    if let Some(rest) = s.strip_prefix("sk-proj-").or_else(|| s.strip_prefix("sk-")) {
        return body(rest, 32, b"-_");
    }
    false
}

/// `lat,lon` (or `lat, lon`, `lat lon`), each with four decimals or more, in range.
fn is_coordinates(s: &str) -> bool {
    let Some((lat, lon)) = s
        .split_once(',')
        .or_else(|| s.split_once(' '))
        .map(|(a, b)| (a.trim(), b.trim()))
    else {
        return false;
    };
    precise_pair(lat, lon)
}

/// Whether two numbers, written as they are, are a latitude and a longitude to four
/// decimals or more.
pub fn precise_pair(lat: &str, lon: &str) -> bool {
    let precise = |text: &str, limit: f64| {
        let Some((whole, fraction)) = text.split_once('.') else {
            return false;
        };
        let whole = whole.strip_prefix('-').unwrap_or(whole);
        !whole.is_empty()
            && whole.len() <= 3
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.len() >= 4
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && text.parse::<f64>().is_ok_and(|x| x.abs() <= limit)
    };
    precise(lat, 90.0) && precise(lon, 180.0)
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "._%+-!#$&'*/=?^`{|}~".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic));
    local_ok && domain_ok
}

fn is_guid(s: &str) -> bool {
    let s = s
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(s);
    if s.len() != 36 {
        return false;
    }
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 7 to 15 digits (E.164) written as a phone number: a leading `+`, or separators between
/// digit groups. A bare run of digits is not reported — it is as likely a count or a
/// timestamp.
fn is_phone(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let allowed = body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')'));
    if !allowed {
        return false;
    }
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let formatted = s.starts_with('+') || body.bytes().any(|b| !b.is_ascii_digit());
    // Dotted quads and version numbers (`10.0.19045.3803`) are not phone numbers, nor are
    // dates (`2026-12-03`, `2026.12.03`).
    let dots_only = body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    formatted
        && !dots_only
        && !is_date(s)
        && (7..=15).contains(&digits)
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '(')
}

/// A calendar date, year first: `YYYY-MM-DD`, `YYYY.MM.DD`, `YYYY MM DD`.
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['-', '.', ' ']).collect();
    let number = |p: &str| p.parse::<u32>().ok();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4
            && (1..=2).contains(&m.len())
            && (1..=2).contains(&d.len())
            && number(m).is_some_and(|m| (1..=12).contains(&m))
            && number(d).is_some_and(|d| (1..=31).contains(&d)))
}

fn is_url_with_query(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let scheme_ok = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && rest
            .split_once('?')
            .is_some_and(|(_, query)| !query.is_empty())
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
mod tests {
    use super::*;

    #[test]
    fn recognises_each_kind_of_identifier() {
        let cases = [
            ("jane.doe@example.com", Some(Pii::Email)),
            ("mailto:jane@example.co.uk", Some(Pii::Email)),
            ("contact jane@example.com today", Some(Pii::Email)),
            ("192.168.10.23", Some(Pii::Ipv4)),
            ("2001:db8::8a2e:370:7334", Some(Pii::Ipv6)),
            ("+1 555 010 0199", Some(Pii::Phone)),
            ("(555) 010-0199", Some(Pii::Phone)),
            ("3f2504e0-4f89-11d3-9a0c-0305e82c3301", Some(Pii::Guid)),
            ("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", Some(Pii::Guid)),
            (
                "https://contoso.com/reset?token=abc",
                Some(Pii::UrlWithQuery),
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(detect(value), expected, "{value}");
        }
    }

    #[test]
    fn leaves_hashes_versions_counts_and_plain_urls_alone() {
        for value in [
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "10.0.19045.3803",
            "1700000000123",
            "https://contoso.com/help",
            "https://contoso.com/help?",
            "user@localhost",
            "12:30:00",
            "2026-12-03",
            "2026.12.03",
            "note_saved",
            "",
        ] {
            assert_eq!(detect(value), None, "{value}");
        }
    }

    #[test]
    fn recognises_cards_ibans_tokens_keys_and_coordinates() {
        let cases = [
            ("4111111111111111", Some(Pii::CardNumber)),
            ("4111 1111 1111 1111", Some(Pii::CardNumber)),
            ("5555-5555-5555-4444", Some(Pii::CardNumber)),
            ("378282246310005", Some(Pii::CardNumber)),
            ("3782 822463 10005", Some(Pii::CardNumber)),
            ("6011111111111117", Some(Pii::CardNumber)),
            ("paid with 4012888888881881 today", Some(Pii::CardNumber)),
            ("DE89370400440532013000", Some(Pii::Iban)),
            ("GB82 WEST 1234 5698 7654 32", Some(Pii::Iban)),
            ("FR1420041010050500013M02606", Some(Pii::Iban)),
            (
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                Some(Pii::Jwt),
            ),
            (
                "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwcyJ9.c2ln",
                Some(Pii::Jwt),
            ),
            ("AKIAIOSFODNN7EXAMPLE", Some(Pii::ApiKey)),
            (
                "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
                Some(Pii::ApiKey),
            ),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", Some(Pii::ApiKey)),
            (
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
                Some(Pii::ApiKey),
            ),
            ("AIzaSyA1234567890abcdefghijklmnopqrstuv", Some(Pii::ApiKey)),
            ("-----BEGIN RSA PRIVATE KEY----- MIIEow", Some(Pii::ApiKey)),
            ("47.62051,-122.34930", Some(Pii::Coordinates)),
            ("-33.8688, 151.2093", Some(Pii::Coordinates)),
        ];
        for (value, expected) in cases {
            assert_eq!(detect(value), expected, "{value}");
        }
    }

    #[test]
    fn leaves_lookalikes_alone() {
        for value in [
            // Luhn-valid, but no issuer's prefix: a millisecond timestamp, a counter.
            "1700000000123",
            "1234567812345670",
            // An issuer's prefix and length, but a wrong check digit.
            "4111111111111112",
            // A wrong IBAN checksum, an unknown country, a wrong length.
            "DE89370400440532013001",
            "ZZ89370400440532013000",
            "DE8937040044053201300",
            // A Belgian length and checksum, but letters where Belgium has digits.
            "BE6552D629447FDF",
            // Uppercase hex and error codes.
            "AADSTS50126",
            "9F86D081884C7D659A2FEAA0C55AD015",
            // Two dotted segments, or not JSON.
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0",
            "abc.def.ghi",
            // Publishable keys, short prefixes.
            "pk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "AKIA1234",
            // Coarse coordinates, a version pair, a resolution.
            "47.6,-122.3",
            "10.0, 19045.3803",
            "2256x1504",
        ] {
            assert_eq!(detect(value), None, "{value}");
        }
    }

    #[test]
    fn non_personal_fields_are_not_searched_for_service_identifiers() {
        let metadata = Look {
            identifiers: false,
            ipv4: false,
        };
        assert_eq!(
            detect_as("3f2504e0-4f89-11d3-9a0c-0305e82c3301", metadata),
            None
        );
        assert_eq!(
            detect_as("https://api.contoso.com/v1?page=2", metadata),
            None
        );
        assert_eq!(detect_as("1.0.0.0", metadata), None);
        assert_eq!(detect_as("jane@example.com", metadata), Some(Pii::Email));
        assert_eq!(
            detect_as("4111111111111111", metadata),
            Some(Pii::CardNumber)
        );
    }

    proptest::proptest! {
        /// Values of one run of letters, digits and `_`, and short values without `@`,
        /// `:` or `.`, take a shortcut past most matchers: it never changes the answer,
        /// checked on such values, long and short, digits only (phone- and card-like
        /// lengths), mixed (hex ids, key-like) and short ones with separators.
        #[test]
        fn the_shortcut_for_a_run_of_letters_and_digits_changes_no_answer(
            value in "[0-9]{0,20}|4[0-9]{12,18}|[0-9a-fA-F_]{0,70}|[a-zA-Z0-9_]{0,40}|[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}|AKIA[A-Z0-9]{16}|[a-zA-Z0-9 _()+-]{0,14}|[0-9 ()+-]{0,14}"
        ) {
            proptest::prop_assert_eq!(detect_any(&value, Look::PSEUDONYMOUS), detect(&value));
        }
    }

    #[test]
    fn masks_keep_the_shape_and_the_length_but_not_the_value() {
        assert_eq!(mask("john@example.com"), "j***@e******.c**");
        assert_eq!(mask("192.168.10.23"), "1**.1**.**.**");
        assert_eq!(
            mask("3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
            "3*******-4***-1***-9***-0***********"
        );
        assert_eq!(mask("+1 555 010 0199"), "+* 5** 0** 0***");
        assert_eq!(mask("é@ü.de").chars().count(), 6);
    }
}
