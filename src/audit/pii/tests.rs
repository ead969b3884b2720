//! Tests of the value detectors: each format on true and false cases, and masking.

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
