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
        }
    }
}

/// What `value` looks like, if it holds a raw identifier or personal data.
pub fn detect(value: &str) -> Option<Pii> {
    // Hashes and random ids — most pseudonymous values — are one run of letters and digits:
    // no `@` (email), `.` (IPv4), `:` (IPv6, URL), `-` (GUID), nor a phone number's `+`,
    // separators or all-digit body with them. Such a value is none of the kinds below.
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    detect_any(value)
}

/// [`detect`] without the shortcut.
fn detect_any(value: &str) -> Option<Pii> {
    // A phone number is often written with spaces, so it is tried on the whole value first.
    if is_phone(value.trim()) {
        return Some(Pii::Phone);
    }
    value.split_whitespace().find_map(detect_token)
}

fn detect_token(token: &str) -> Option<Pii> {
    let token = token.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | ',' | ';'));
    if token.len() < 7 {
        return None;
    }
    if is_url_with_query(token) {
        return Some(Pii::UrlWithQuery);
    }
    if token.contains('@') {
        return is_email(token.strip_prefix("mailto:").unwrap_or(token)).then_some(Pii::Email);
    }
    if is_guid(token) {
        return Some(Pii::Guid);
    }
    if token.contains(':') && token.parse::<Ipv6Addr>().is_ok() {
        return Some(Pii::Ipv6);
    }
    if token.parse::<Ipv4Addr>().is_ok() {
        return Some(Pii::Ipv4);
    }
    is_phone(token).then_some(Pii::Phone)
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
    // Dotted quads and version numbers (`10.0.19045.3803`) are not phone numbers.
    let dots_only = body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    formatted
        && !dots_only
        && (7..=15).contains(&digits)
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '(')
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
            "note_saved",
            "",
        ] {
            assert_eq!(detect(value), None, "{value}");
        }
    }

    proptest::proptest! {
        /// Values of one run of letters, digits and `_` are never anything, so [`detect`]
        /// skips the matchers for them: checked on such values, long and short, digits
        /// only (phone-like lengths) and mixed (hex ids).
        #[test]
        fn a_run_of_letters_and_digits_is_nothing_the_matchers_would_find(
            value in "[0-9]{0,20}|[0-9a-fA-F_]{0,70}|[a-zA-Z0-9_]{0,40}"
        ) {
            proptest::prop_assert_eq!(detect_any(&value), None);
            proptest::prop_assert_eq!(detect(&value), None);
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
