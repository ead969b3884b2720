//! Tests of the payload scanner: its tape against serde_json on random documents.

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
            let value: Value = serde_json::from_str(members.raw(member)).expect("a value parses");
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
