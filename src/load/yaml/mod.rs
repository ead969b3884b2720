//! YAML and JSON text → [`Node`] tree, through `serde-saphyr`.
//!
//! JSON is parsed by the same YAML 1.2 parser (JSON is a subset of YAML's flow syntax),
//! so both formats get identical spans, budgets and error handling. The parser's budget
//! stops alias bombs, deep nesting and node floods before they cost memory or stack;
//! duplicate keys are passed through to us so that every duplicate is reported with both
//! locations instead of aborting at the first.

use super::Limits;
use super::node::{Entry, Node, Value};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options};
use std::fmt;
use std::sync::Arc;

/// Parse a file's text into a tree, or say precisely why not.
pub fn parse(source: &Arc<SourceFile>, limits: &Limits) -> Result<Node, Diagnostic> {
    let options = options(limits);
    // A node takes at least two bytes of text (`1,`), and alias replays have budgets of
    // their own, so only a text this long can exceed the node budget. For such a file
    // the budget is first checked on the parser's event stream, keeping nothing: a
    // breach is then reported, at its place, without first building the part of the
    // tree that fits (for a 200 MB file, hundreds of MB more than the text).
    if source.text.len() / 2 >= limits.max_nodes {
        stream_budget(source, options.clone(), limits)?;
    }
    build(source, options, limits)
}

/// Run the parser over the text against the budget, building nothing.
fn stream_budget(
    source: &Arc<SourceFile>,
    options: Options,
    limits: &Limits,
) -> Result<(), Diagnostic> {
    serde_saphyr::from_str_with_options::<de::IgnoredAny>(&source.text, options)
        .map(|_| ())
        .map_err(|error| syntax_diagnostic(source, &error, limits))
}

/// Parse the text into a tree.
fn build(source: &Arc<SourceFile>, options: Options, limits: &Limits) -> Result<Node, Diagnostic> {
    let parsed: Result<Spanned<RawValue>, serde_saphyr::Error> =
        serde_saphyr::from_str_with_options(&source.text, options);
    match parsed {
        Ok(spanned) => Ok(Node::new(spanned.span, spanned.value.0)),
        Err(error) => Err(syntax_diagnostic(source, &error, limits)),
    }
}

/// The parser's options: duplicate keys passed through, strict booleans, and the budget.
fn options(limits: &Limits) -> Options {
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    options.strict_booleans = true;
    options.with_snippet = false;
    options.emit_comments = false;
    let mut budget = Budget::default();
    budget.max_depth = limits.max_depth;
    // The parser's own cap on `[[[…]]]` nesting would fire first, as a bare syntax error
    // without a position; one level more lets the budget report it as a depth breach.
    budget.flow_nesting_limit = limits.max_depth.saturating_add(1);
    budget.max_nodes = limits.max_nodes;
    budget.max_aliases = limits.max_aliases;
    budget.max_events = limits.max_nodes.saturating_mul(4);
    // Alias bombs are stopped long before they can replay millions of events.
    budget.max_recorded_anchor_events = 100_000;
    budget.max_recorded_anchor_bytes = 8 * 1024 * 1024;
    options.budget = Some(budget);
    options
}

fn span_of(location: &Location) -> Span {
    byte_span(&location.span())
}

fn byte_span(span: &serde_saphyr::Span) -> Span {
    match (span.byte_offset(), span.byte_len()) {
        (Some(offset), Some(len)) => Span::new(offset as usize, (offset + len) as usize),
        _ => Span::default(),
    }
}

/// A value with the byte span of where it is used: what `serde_saphyr::Spanned` gives,
/// without its cost. Every key and value of a document is read through this, and
/// `Spanned` builds two full `Location`s per node (and allocates a `String` to recognise
/// its own marker field), which made span-keeping parsing 10 % slower than plain
/// parsing. This reads the same synthesized map serde-saphyr's deserializer hands
/// `Spanned` — `{marker, value, referenced, defined}`, each `Location` a map with a
/// `span` — by field name, takes the `referenced` span through serde-saphyr's own
/// `Span`, and stops once it has the value and the span. A test compares the spans with
/// `Spanned`'s on real documents.
struct Spanned<T> {
    value: T,
    span: Span,
}

/// The newtype name serde-saphyr's deserializer answers with the span-carrying map.
const SPANNED_NEWTYPE: &str = "__yaml_spanned";

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Newtype<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Newtype<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML node with its location")
            }

            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_any(Fields(std::marker::PhantomData))
            }
        }

        struct Fields<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Fields<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML node with its location")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut value, mut span) = (None, None);
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::Value => value = Some(map.next_value::<T>()?),
                        Field::Referenced => span = Some(map.next_value::<LocationSpan>()?.0),
                        Field::Defined => {
                            map.next_value::<LocationSpan>()?;
                        }
                        Field::Span | Field::Other => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                    if let (Some(_), Some(_)) = (&value, &span) {
                        break;
                    }
                }
                match (value, span) {
                    (Some(value), Some(span)) => Ok(Spanned { value, span }),
                    _ => Err(de::Error::custom(
                        "a YAML node arrived without its location",
                    )),
                }
            }
        }

        deserializer.deserialize_newtype_struct(SPANNED_NEWTYPE, Newtype(std::marker::PhantomData))
    }
}

/// The fields of the span-carrying map (and of a `Location` in it) that matter here.
enum Field {
    Value,
    Referenced,
    Defined,
    /// A `Location`'s byte span.
    Span,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;

        impl Visitor<'_> for Name {
            type Value = Field;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_str<E>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "value" => Field::Value,
                    "referenced" => Field::Referenced,
                    "defined" => Field::Defined,
                    "span" => Field::Span,
                    _ => Field::Other,
                })
            }
        }

        deserializer.deserialize_identifier(Name)
    }
}

/// The byte span of a `Location` map (its `line` and `column` are skipped).
struct LocationSpan(Span);

impl<'de> Deserialize<'de> for LocationSpan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = LocationSpan;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a location")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LocationSpan, A::Error> {
                while let Some(field) = map.next_key::<Field>()? {
                    if let Field::Span = field {
                        let span = map.next_value::<serde_saphyr::Span>()?;
                        return Ok(LocationSpan(byte_span(&span)));
                    }
                    map.next_value::<de::IgnoredAny>()?;
                }
                Ok(LocationSpan(Span::default()))
            }
        }

        deserializer.deserialize_struct("Location", &["line", "column", "span"], Fields)
    }
}

fn syntax_diagnostic(
    source: &Arc<SourceFile>,
    error: &serde_saphyr::Error,
    limits: &Limits,
) -> Diagnostic {
    let is_json = source.name.ends_with(".json");
    let raw = error.to_string();
    let detail = clean_message(&raw);
    let breach = raw.split("budget breached: ").nth(1).or_else(|| {
        // The parser's nesting caps, should one ever fire before the budget.
        raw.contains("recursion limit exceeded").then_some("Depth")
    });
    let (code, message, help) = if let Some(breach) = breach {
        let what = if breach.starts_with("Depth") {
            format!("nests deeper than {} levels", limits.max_depth)
        } else if ["Alias", "Anchor", "RecordedAnchor", "Replay", "Merge"]
            .iter()
            .any(|k| breach.starts_with(k))
        {
            "expands YAML aliases beyond the budget (an alias bomb?)".to_owned()
        } else if breach.starts_with("Documents") {
            "holds more YAML documents than allowed".to_owned()
        } else {
            format!("has more than {} nodes", limits.max_nodes)
        };
        (
            Code::ResourceLimit,
            format!("`{}` {what}", source.name),
            Some(
                "simplify the document, or raise the budget under `limits:` in consentlint.yaml (`max_depth`, `max_nodes`, `max_aliases`)"
                    .to_owned(),
            ),
        )
    } else if matches!(error, serde_saphyr::Error::MultipleDocuments { .. })
        || detail.contains("multiple documents")
    {
        (
            Code::MultipleDocuments,
            format!("`{}` holds more than one YAML document", source.name),
            Some("put each document in a file of its own".to_owned()),
        )
    } else if is_json {
        (Code::JsonSyntax, format!("invalid JSON: {detail}"), None)
    } else {
        (Code::YamlSyntax, format!("invalid YAML: {detail}"), None)
    };
    let span = error
        .location()
        .map(|loc| {
            let start = span_of(&loc).start as usize;
            // Fall back to the reported line/column when no byte offset came with it.
            let start = if start == 0 && (loc.line() > 1 || loc.column() > 1) {
                offset_of(source, loc.line() as usize, loc.column() as usize)
            } else {
                start
            };
            let end = next_char_boundary(&source.text, start);
            Span::new(start, end)
        })
        .unwrap_or_default();
    // The parser blames the second document's content; the `---` before it is the spot.
    let span = if code == Code::MultipleDocuments {
        let before = &source.text[..(span.start as usize).min(source.text.len())];
        match before.rfind("\n---") {
            Some(i) => Span::new(i + 1, i + 4),
            None => span,
        }
    } else {
        span
    };
    let label = if code == Code::ResourceLimit {
        "budget exceeded here".to_owned()
    } else {
        detail
    };
    let d = Diagnostic::at(code, source, span, message).with_label(label);
    match help {
        Some(help) => d.with_help(help),
        None => d,
    }
}

/// JSON must be JSON: the YAML parser would also accept comments, trailing commas and
/// unquoted strings, so `.json` files are first held to strict JSON.
pub fn strict_json(source: &Arc<SourceFile>) -> Result<(), Diagnostic> {
    let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(&source.text) else {
        return Ok(());
    };
    let start = offset_of(source, error.line(), error.column().max(1));
    let end = next_char_boundary(&source.text, start);
    let detail = error.to_string();
    let detail = detail
        .split(" at line ")
        .next()
        .unwrap_or(&detail)
        .to_owned();
    let code = if detail.contains("recursion limit") {
        Code::ResourceLimit
    } else {
        Code::JsonSyntax
    };
    Err(Diagnostic::at(
        code,
        source,
        Span::new(start, end),
        format!("invalid JSON: {detail}"),
    )
    .with_label(detail))
}

fn offset_of(source: &SourceFile, line: usize, column: usize) -> usize {
    let Some(line_start) = source.line_offset(line) else {
        return source.text.len();
    };
    source.text[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(source.text.len(), |(i, _)| line_start + i)
}

fn next_char_boundary(text: &str, start: usize) -> usize {
    text.get(start..)
        .and_then(|rest| rest.chars().next())
        .map_or(start, |c| start + c.len_utf8())
}

/// Drop the parser's own "line X column Y:" prefix and any trailing hint: the diagnostic
/// carries the position itself.
fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = match first.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with("line ") => rest,
        _ => first,
    };
    let first = first
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(first);
    let first = first.split(" at line ").next().unwrap_or(first);
    first.trim().to_owned()
}

/// Any YAML value; children carry their own spans.
struct RawValue(Value);

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor).map(RawValue)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(i64::try_from(n).map_or(Value::Float(n as f64), Value::Int))
    }

    fn visit_i128<E>(self, n: i128) -> Result<Value, E> {
        Ok(i64::try_from(n).map_or(Value::Float(n as f64), Value::Int))
    }

    fn visit_u128<E>(self, n: u128) -> Result<Value, E> {
        Ok(i64::try_from(n).map_or(Value::Float(n as f64), Value::Int))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(bytes).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<Spanned<RawValue>>()? {
            items.push(Node::new(item.span, item.value.0));
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(key) = map.next_key::<Spanned<RawKey>>()? {
            let value = map.next_value::<Spanned<RawValue>>()?;
            entries.push(Entry {
                key: key.value.0,
                key_span: key.span,
                value: Node::new(value.span, value.value.0),
            });
        }
        Ok(Value::Map(entries))
    }
}

/// A mapping key: any scalar, as text.
struct RawKey(String);

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(ValueVisitor)? {
            Value::Str(s) => Ok(RawKey(s)),
            Value::Int(n) => Ok(RawKey(n.to_string())),
            Value::Float(f) => Ok(RawKey(f.to_string())),
            Value::Bool(b) => Ok(RawKey(b.to_string())),
            Value::Null => Ok(RawKey("null".to_owned())),
            Value::Seq(_) | Value::Map(_) => Err(de::Error::custom(
                "a mapping key must be a plain value, not a list or mapping",
            )),
        }
    }
}

/// Every key that appears twice in a mapping, anywhere in the tree.
pub fn duplicate_keys(root: &Node, source: &Arc<SourceFile>, out: &mut Vec<Diagnostic>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    if let Some(first) = entries[..i].iter().find(|e| e.key == entry.key) {
                        out.push(
                            Diagnostic::at(
                                Code::DuplicateKey,
                                source,
                                entry.key_span,
                                format!("duplicate key `{}`", entry.key),
                            )
                            .with_label("defined again here")
                            .with_related(crate::diagnostic::Label::new(
                                source,
                                first.key_span,
                                "first defined here",
                            ))
                            .with_help("remove one of the two entries"),
                        );
                    }
                    stack.push(&entry.value);
                }
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
