//! Tests of the YAML loader: spans, budgets and refused constructs.

use super::*;
use std::path::Path;

/// A tree read through serde-saphyr's own `Spanned`, the reference for our spans.
enum Stock {
    Scalar,
    Seq(Vec<serde_saphyr::Spanned<Stock>>),
    Map(Vec<(serde_saphyr::Spanned<RawKey>, serde_saphyr::Spanned<Stock>)>),
}

impl<'de> Deserialize<'de> for Stock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Stock;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Stock, E> {
                Ok(Stock::Scalar)
            }
            fn visit_none<E>(self) -> Result<Stock, E> {
                Ok(Stock::Scalar)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Stock, E> {
                Ok(Stock::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Stock, E> {
                Ok(Stock::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Stock, E> {
                Ok(Stock::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Stock, E> {
                Ok(Stock::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Stock, E> {
                Ok(Stock::Scalar)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Stock, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Stock::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Stock, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Stock::Map(entries))
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn same_spans(ours: &Node, stock: &serde_saphyr::Spanned<Stock>, checked: &mut usize) {
    assert_eq!(ours.span, span_of(&stock.referenced));
    *checked += 1;
    match (&ours.value, &stock.value) {
        (Value::Seq(items), Stock::Seq(stock_items)) => {
            assert_eq!(items.len(), stock_items.len());
            for (a, b) in items.iter().zip(stock_items) {
                same_spans(a, b, checked);
            }
        }
        (Value::Map(entries), Stock::Map(stock_entries)) => {
            assert_eq!(entries.len(), stock_entries.len());
            for (entry, (key, value)) in entries.iter().zip(stock_entries) {
                assert_eq!(entry.key, key.value.0);
                assert_eq!(
                    entry.key_span,
                    span_of(&key.referenced),
                    "key {}",
                    entry.key
                );
                same_spans(&entry.value, value, checked);
            }
        }
        (Value::Seq(_) | Value::Map(_), _) | (_, Stock::Seq(_) | Stock::Map(_)) => {
            panic!("different shapes at {:?}", ours.span)
        }
        _ => {}
    }
}

/// The lean `Spanned` gives every key and value the span serde-saphyr's own gives, on
/// every shipped YAML document (policies, taxonomy, examples, fixtures, anchors and
/// aliases included).
#[test]
fn spans_match_serde_saphyrs_spanned() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    let mut checked = 0;
    // Aliases are where the two locations differ: the span is where the node is used.
    let aliases = "base: &base\n  a: 1\n  b: [x, y]\nuse: *base\nlist:\n  - &item {k: v}\n  - *item\nmerged:\n  <<: *base\n  c: 3\n";
    let source = SourceFile::new("aliases.yaml".to_owned(), aliases.to_owned());
    let stock: serde_saphyr::Spanned<Stock> = serde_saphyr::from_str(aliases).unwrap();
    same_spans(
        &parse(&source, &Limits::default()).unwrap(),
        &stock,
        &mut checked,
    );
    for dir in ["policies", "examples", "tests/fixtures", "demo"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue; // a fixture that is not UTF-8 on purpose
            };
            let source = SourceFile::new(path.display().to_string(), text);
            let Ok(ours) = parse(&source, &Limits::default()) else {
                continue;
            };
            let mut options = Options::default();
            options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
            options.strict_booleans = true;
            let stock: serde_saphyr::Spanned<Stock> =
                serde_saphyr::from_str_with_options(&source.text, options).unwrap();
            same_spans(&ours, &stock, &mut checked);
            files += 1;
        }
    }
    assert!(
        files > 100 && checked > 4_000,
        "{files} files, {checked} nodes"
    );
}

/// A text long enough to exceed the node budget is checked on the event stream first:
/// the breach is reported exactly as the tree-building parse reports it (same code,
/// message and place), and a text within budget still parses.
#[test]
fn the_streamed_budget_check_reports_what_the_tree_parse_would() {
    let limits = Limits {
        max_nodes: 1_000,
        ..Limits::default()
    };
    let text = format!("kind: Taxonomy\nitems:\n{}", "  - 1\n".repeat(1_200));
    let source = SourceFile::new("big.yaml", text);
    assert!(
        source.text.len() / 2 >= limits.max_nodes,
        "takes the streamed path"
    );
    let streamed = parse(&source, &limits).unwrap_err();
    let built = build(&source, options(&limits), &limits).unwrap_err();
    assert_eq!(streamed.code, Code::ResourceLimit);
    assert_eq!(streamed.message, "`big.yaml` has more than 1000 nodes");
    assert_eq!(streamed.message, built.message);
    let at = |d: &Diagnostic| d.start().map(|lc| (lc.line, lc.column));
    assert_eq!(at(&streamed), at(&built));
    // Node 1,001 is the 996th item: line 2 + 996 (root, two keys, `kind`'s value and the
    // list come first).
    assert_eq!(at(&streamed), Some((998, 5)));
    let within = Limits {
        max_nodes: 1_300,
        ..Limits::default()
    };
    assert!(source.text.len() / 2 >= within.max_nodes);
    assert!(parse(&source, &within).is_ok());
}
