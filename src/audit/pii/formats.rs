//! The formats of identifiers and personal data, one matcher each: payment cards (issuer
//! prefix, length, Luhn), IBANs (country length, mod 97), JWTs, provider API keys,
//! coordinates, email addresses, GUIDs, phone numbers, dates and URLs with a query.

/// 13 to 19 digits (spaces or dashes between groups allowed) with an issuer's prefix and
/// length — Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay,
/// Maestro — and a valid Luhn check digit. The prefix rules out what Luhn alone would
/// pass one time in ten: millisecond timestamps (`17…`), counters, numeric ids.
pub(super) fn is_card(s: &str) -> bool {
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

pub(super) fn luhn(digits: &[u8]) -> bool {
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
pub(super) fn is_iban(s: &str) -> bool {
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
pub(super) fn is_jwt(s: &str) -> bool {
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
pub(super) fn is_api_key(s: &str) -> bool {
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
pub(super) fn is_coordinates(s: &str) -> bool {
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

pub(super) fn is_email(s: &str) -> bool {
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

pub(super) fn is_guid(s: &str) -> bool {
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
pub(super) fn is_phone(s: &str) -> bool {
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
pub(super) fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['-', '.', ' ']).collect();
    let number = |p: &str| p.parse::<u32>().ok();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4
            && (1..=2).contains(&m.len())
            && (1..=2).contains(&d.len())
            && number(m).is_some_and(|m| (1..=12).contains(&m))
            && number(d).is_some_and(|d| (1..=31).contains(&d)))
}

pub(super) fn is_url_with_query(s: &str) -> bool {
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
