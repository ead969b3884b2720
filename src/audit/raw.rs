//! The scanned line as an instance `jsonschema` validates in place, so that a clean payload
//! of an event with a JSON Schema is checked without building its `serde_json::Value`.
//!
//! In: a [`Members`] tape and the index of an object on it. Out: a [`RawNode`] for a
//! `jsonschema::Validator<Raw>` (compiled once per schema, beside the `Value` one). Each
//! accessor answers as the same node of the line's `Value` would — strings decoded, numbers
//! read by `serde_json` — with one difference: an object's members come in line order and
//! repeated keys are all there, where a `Value` keeps only the last. Validity does not depend
//! on the order, and [`without_repeated_keys`] tells the caller when the tape can be used.

use super::scan::{Kind, Members, Of};
use jsonschema::json::{Array, Json, NodeIdentity, Object};
use jsonschema::{JsonType, json::Node};
use serde_json::Value;
use std::borrow::Cow;

/// Objects with more members are not checked for repeated keys (the check is quadratic);
/// their payloads are validated on a `Value`.
const MAX_MEMBERS: usize = 32;

/// The representation: nodes of a scanned line.
pub struct Raw;

/// A value of the line, or a detached string (a property name, for `propertyNames`).
#[derive(Clone, Copy)]
pub enum RawNode<'a> {
    At(Members<'a>, usize),
    Name(&'a str),
}

#[derive(Clone, Copy)]
pub struct Container<'a>(Members<'a>, usize);

impl Json for Raw {
    type Node<'a> = RawNode<'a>;
    type PreparedKey = String;
    type StringBuffer = ();

    // A lookup is a walk over the members: one pass over them is never dearer.
    const KEYS_PER_LOOKUP: usize = 8;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(RawNode<'_>) -> T) -> T {
        f(RawNode::Name(string))
    }
}

/// Whether no object inside the container at `index` (itself included) repeats a key, and
/// each has at most [`MAX_MEMBERS`] members — the tape then reads as the `Value` would.
pub fn without_repeated_keys(line: &Members<'_>, index: usize) -> bool {
    line.subtree(index).all(|i| {
        if line.at(i).kind != Kind::Object {
            return true;
        }
        line.of(Some(i)).enumerate().all(|(n, (j, member))| {
            let key = line.key(member);
            n < MAX_MEMBERS
                && !line
                    .of(Some(i))
                    .take_while(|&(k, _)| k < j)
                    .any(|(_, earlier)| line.key(earlier) == key)
        })
    })
}

impl<'a> RawNode<'a> {
    fn kind(&self) -> Kind {
        match self {
            RawNode::At(line, i) => line.at(*i).kind,
            RawNode::Name(_) => Kind::String { escaped: true },
        }
    }

    /// The value's text, for scalars.
    fn raw(&self) -> &'a str {
        match self {
            RawNode::At(line, i) => line.raw(line.at(*i)),
            RawNode::Name(_) => "",
        }
    }
}

impl<'a> Node<'a, Raw> for RawNode<'a> {
    type Object = Container<'a>;
    type Array = Container<'a>;
    type Number = serde_json::Number;

    fn as_object(&self) -> Option<Container<'a>> {
        match (self, self.kind()) {
            (RawNode::At(line, i), Kind::Object) => Some(Container(*line, *i)),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Container<'a>> {
        match (self, self.kind()) {
            (RawNode::At(line, i), Kind::Array) => Some(Container(*line, *i)),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            RawNode::At(line, i) => line.string(line.at(*i)),
            RawNode::Name(name) => Some(Cow::Borrowed(name)),
        }
    }

    fn as_number(&self) -> Option<serde_json::Number> {
        match self.raw().as_bytes().first()? {
            b'-' | b'0'..=b'9' => serde_json::from_str(self.raw()).ok(),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match (self.kind(), self.raw()) {
            (Kind::Scalar, "true") => Some(true),
            (Kind::Scalar, "false") => Some(false),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!((self.kind(), self.raw()), (Kind::Scalar, "null"))
    }

    fn json_type(&self) -> JsonType {
        match self.kind() {
            Kind::Object => JsonType::Object,
            Kind::Array => JsonType::Array,
            Kind::String { .. } => JsonType::String,
            Kind::Scalar => match self.raw() {
                "true" | "false" => JsonType::Boolean,
                "null" => JsonType::Null,
                _ => JsonType::Number,
            },
        }
    }

    /// Cold paths (`const`, `enum`, `uniqueItems`, errors): the value `serde_json` reads.
    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(match self {
            RawNode::At(line, i) => serde_json::from_str(line.raw(line.at(*i))).unwrap_or_default(),
            RawNode::Name(name) => Value::String((*name).to_owned()),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        match self {
            RawNode::At(line, i) => Some(NodeIdentity::tagged(
                line.all().as_ptr() as usize,
                u32::try_from(*i).ok()?,
            )),
            RawNode::Name(_) => None,
        }
    }
}

impl<'a> Object<'a, Raw> for Container<'a> {
    type Node = RawNode<'a>;
    type MemberName = &'a str;
    type MembersIter = RawMembers<'a>;

    fn len(&self) -> usize {
        self.0.of(Some(self.1)).count()
    }

    fn get(&self, key: &String) -> Option<RawNode<'a>> {
        let Container(line, i) = *self;
        line.get(Some(i), key).map(|(j, _)| RawNode::At(line, j))
    }

    fn members(&self) -> RawMembers<'a> {
        RawMembers(self.0, self.0.of(Some(self.1)))
    }
}

impl<'a> Array<'a, Raw> for Container<'a> {
    type Node = RawNode<'a>;
    type ElementsIter = RawItems<'a>;

    fn len(&self) -> usize {
        self.0.of(Some(self.1)).count()
    }

    fn elements(&self) -> RawItems<'a> {
        RawItems(self.0, self.0.of(Some(self.1)))
    }
}

/// The members of an object.
pub struct RawMembers<'a>(Members<'a>, Of<'a>);

impl<'a> Iterator for RawMembers<'a> {
    type Item = (&'a str, RawNode<'a>);

    fn next(&mut self) -> Option<(&'a str, RawNode<'a>)> {
        let (j, member) = self.1.next()?;
        Some((self.0.key(member), RawNode::At(self.0, j)))
    }
}

/// The items of an array.
pub struct RawItems<'a>(Members<'a>, Of<'a>);

impl<'a> Iterator for RawItems<'a> {
    type Item = RawNode<'a>;

    fn next(&mut self) -> Option<RawNode<'a>> {
        let (j, _) = self.1.next()?;
        Some(RawNode::At(self.0, j))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::record::tests::Rng;
    use crate::audit::scan::{Scratch, scan};
    use serde_json::json;

    /// Schemas using most keywords, on the keys the generated payloads use.
    fn schemas() -> Vec<Value> {
        let quickstart = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/quickstart/schemas/app_started.schema.json"
        ))
        .unwrap();
        vec![
            serde_json::from_str(&quickstart).unwrap(),
            json!({
                "type": "object",
                "properties": {
                    "a": { "type": "integer", "minimum": 0, "maximum": 10 },
                    "b": { "type": ["string", "null"], "minLength": 2, "maxLength": 4, "pattern": "^x" },
                    "c": { "type": "array", "items": { "type": "number", "multipleOf": 0.5 }, "uniqueItems": true },
                    "d": { "type": "object", "required": ["a"], "additionalProperties": false,
                           "properties": { "a": { "const": 1 } } },
                    "e": { "enum": ["x", 1, null, [1], { "a": 1 }] },
                },
                "minProperties": 1,
                "maxProperties": 3,
            }),
            json!({
                "$defs": { "leaf": { "oneOf": [{ "type": "string" }, { "type": "integer", "exclusiveMaximum": 5 }] } },
                "propertyNames": { "maxLength": 1 },
                "patternProperties": { "^[a-c]$": { "$ref": "#/$defs/leaf" } },
                "additionalProperties": { "not": { "type": "boolean" } },
                "dependentRequired": { "b": ["a"] },
                "if": { "required": ["c"] }, "then": { "required": ["d"] },
            }),
            json!({
                "type": "object",
                "properties": {
                    "a": { "anyOf": [{ "type": "null" }, { "type": "array", "minItems": 1, "maxItems": 2 }] },
                    "b": { "type": "string", "format": "email" },
                    "d": { "type": "object", "minProperties": 1, "additionalProperties": { "type": "number" } },
                },
                "unevaluatedProperties": { "not": { "type": "object" } },
            }),
            json!({
                "additionalProperties": {
                    "items": { "type": ["boolean", "number", "string", "null"] },
                    "prefixItems": [{ "const": 1 }],
                    "uniqueItems": true,
                    "maxItems": 2,
                },
                "propertyNames": { "enum": ["a", "b", "c", "x", "app", "device"] },
            }),
        ]
    }

    const KEYS: &[&str] = &[
        "a",
        "b",
        "c",
        "d",
        "e",
        "x",
        "\\u0061",
        "app",
        "device",
        "sessionId",
        "name",
        "startupMs",
        "long_key",
    ];
    const SCALARS: &[&str] = &[
        "0",
        "-0",
        "1",
        "-1",
        "1.0",
        "1e2",
        "1.5",
        "0.5",
        "4",
        "5",
        "11",
        "18446744073709551616",
        "-9223372036854775809",
        "3.0e0",
        "true",
        "false",
        "null",
        "\"\"",
        "\"x\"",
        "\"xy\"",
        "\"xyz\"",
        "\"xyzzy\"",
        "\"x\\u00e9\"",
        "\"\\u00e9t\\u00e9\"",
        "\"j@e.co\"",
        "\"QuickNotes\"",
        "\"1.2.0\"",
        "\"abc\"",
    ];

    fn value(rng: &mut Rng, depth: usize) -> String {
        match if depth > 3 { 0 } else { rng.below(6) } {
            0..=2 => SCALARS[rng.below(SCALARS.len())].to_owned(),
            3 => format!(
                "[{}]",
                (0..rng.below(4))
                    .map(|_| value(rng, depth + 1))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => object(rng, depth + 1),
        }
    }

    fn object(rng: &mut Rng, depth: usize) -> String {
        let members: Vec<String> = (0..rng.below(5))
            .map(|_| format!("\"{}\": {}", KEYS[rng.below(KEYS.len())], value(rng, depth)))
            .collect();
        format!("{{{}}}", members.join(", "))
    }

    /// A payload shaped like `app_started`'s, each member there or not, mostly well typed.
    fn app_started(rng: &mut Rng) -> String {
        let mut pick = |members: &[(&str, &[&str])]| {
            let mut chosen = Vec::new();
            for (key, values) in members {
                // `extra` is undeclared: rarely there.
                if (rng.below(8) != 0) != (*key == "extra") {
                    chosen.push(format!("\"{key}\": {}", values[rng.below(values.len())]));
                }
            }
            format!("{{{}}}", chosen.join(", "))
        };
        let strings: &[&str] = &[
            "\"Windows\"",
            "\"1.2.0\"",
            "\"\\u00e9\"",
            "\"\"",
            "\"x\"",
            "\"é\"",
            "null",
            "3",
        ];
        let app = pick(&[("name", strings), ("version", strings)]);
        let device = pick(&[
            ("osName", strings),
            ("model", strings),
            ("screenResolution", strings),
        ]);
        pick(&[
            ("app", &[&app, &app, &app, "[]"]),
            ("device", &[&device, &device, &device, "\"d\""]),
            ("sessionId", &["\"24d9075c\"", "\"24d9075c\"", "\"a\"", "7"]),
            (
                "startupMs",
                &["12", "0", "7", "-0", "-1", "1.0", "1.5", "\"12\""],
            ),
            ("extra", &["1"]),
        ])
    }

    /// The differential test of the representation: on every payload whose keys are not
    /// repeated, the validator reading the tape and the one reading the `Value` agree. Both
    /// verdicts must be frequent, or the test proves little.
    #[test]
    fn the_tape_validates_as_the_value_does() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut scratch = Scratch::default();
        for (n, schema) in schemas().into_iter().enumerate() {
            let on_value = jsonschema::validator_for(&schema).unwrap();
            let on_tape = jsonschema::options_for::<Raw>().build(&schema).unwrap();
            let (mut valid, mut invalid, mut repeated) = (0, 0, 0);
            for _ in 0..6_000 {
                let payload = if n == 0 {
                    app_started(&mut rng)
                } else {
                    object(&mut rng, 0)
                };
                let line = format!("{{\"event\": \"e\", \"payload\": {payload}}}");
                let members = scan(line.as_bytes(), &mut scratch).expect("generated lines scan");
                let (index, _) = members.get(None, "payload").unwrap();
                if !without_repeated_keys(&members, index) {
                    repeated += 1;
                    continue;
                }
                let value: Value = serde_json::from_str(&payload).unwrap();
                let verdict = on_value.is_valid(&value);
                assert_eq!(
                    on_tape.is_valid(RawNode::At(members, index)),
                    verdict,
                    "{schema}\n{payload}"
                );
                if verdict { valid += 1 } else { invalid += 1 }
            }
            eprintln!(
                "schema {n}: {valid} valid, {invalid} invalid, {repeated} with repeated keys"
            );
            assert!(
                valid > 200 && invalid > 200,
                "{schema}: {valid} valid, {invalid} invalid, {repeated} with repeated keys"
            );
        }
    }

    /// jsonschema's own check of a representation's contract (types, numbers, strings,
    /// equality, node identity), on its document encoded as a payload.
    #[test]
    fn the_tape_honours_the_representation_contract() {
        let document = jsonschema::json::conformance::document();
        let line = format!("{{\"payload\": {document}}}");
        let mut scratch = Scratch::default();
        let members = scan(line.as_bytes(), &mut scratch).unwrap();
        jsonschema::json::conformance::assert_conformance::<Raw>(&RawNode::At(members, 0));
    }

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        let mut scratch = Scratch::default();
        for (payload, expected) in [
            (r#"{"a": 1, "b": {"c": [{"d": 1, "e": 2}]}}"#, true),
            (r#"{"a": 1, "a": 2}"#, false),
            (r#"{"a": 1, "b": {"c": [{"d": 1, "d": 2}]}}"#, false),
            (r#"{"a": 1, "\u0061": 2}"#, false),
            (r#"{"a": [{"b": 1}, {"b": 2}]}"#, true),
        ] {
            let line = format!("{{\"payload\": {payload}}}");
            let members = scan(line.as_bytes(), &mut scratch).unwrap();
            assert_eq!(without_repeated_keys(&members, 0), expected, "{payload}");
        }
    }
}
