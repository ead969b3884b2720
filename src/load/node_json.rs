//! The [`Node`] tree as a JSON representation jsonschema can validate in place.
//!
//! Validating a document used to mean copying its whole tree into a `serde_json::Value`
//! (every key and string reallocated) and dropping the copy afterwards — about a tenth of a
//! clean `check`. jsonschema validates any representation that implements its `Json`
//! traits, so the clean path now asks `is_valid` of the tree itself and only a document
//! that fails is copied, for the error messages.
//!
//! The one place the two readings could differ is a mapping with a repeated key:
//! [`Node::to_json`] keeps the first occurrence, while a members pass here would see both.
//! [`has_duplicate_keys`] tells callers when to take the copying path instead, so verdicts
//! are the same by construction (and a property test compares them).

use super::node::{Entry, Node, Value};
use jsonschema::JsonType;
use jsonschema::json::{Array, Json, JsonNumber, Node as JsonNode, NodeIdentity, Object};
use serde_json::{Number, Value as Serde};
use std::borrow::Cow;

/// The representation marker: validators built with `jsonschema::options_for::<Tree>()`.
pub struct Tree;

/// A value of the tree, or a bare string jsonschema asks for (a property name under
/// `propertyNames`).
#[derive(Clone, Copy, Debug)]
pub enum TreeNode<'a> {
    Node(&'a Node),
    Name(&'a str),
}

impl<'a> TreeNode<'a> {
    pub fn new(node: &'a Node) -> TreeNode<'a> {
        TreeNode::Node(node)
    }

    fn value(self) -> Option<&'a Value> {
        match self {
            TreeNode::Node(node) => Some(&node.value),
            TreeNode::Name(_) => None,
        }
    }
}

impl Json for Tree {
    type Node<'a> = TreeNode<'a>;
    type PreparedKey = Box<str>;
    type StringBuffer = ();

    // A lookup is a scan of the entries, so one pass over the members always beats two
    // lookups; this only has to be large, not exact (jsonschema multiplies it by a count).
    const KEYS_PER_LOOKUP: usize = 1 << 16;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(TreeNode<'_>) -> T) -> T {
        f(TreeNode::Name(string))
    }
}

/// A number as the tree holds it: a YAML/JSON integer or a finite float.
#[derive(Clone, Copy, Debug)]
pub enum TreeNumber {
    Int(i64),
    Float(f64),
}

impl TreeNumber {
    fn serde(self) -> Number {
        match self {
            TreeNumber::Int(n) => n.into(),
            // Only finite floats become a `TreeNumber` (see `as_number`).
            TreeNumber::Float(f) => Number::from_f64(f).unwrap_or_else(|| 0.into()),
        }
    }
}

impl JsonNumber for TreeNumber {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            TreeNumber::Int(n) => u64::try_from(n).ok(),
            TreeNumber::Float(_) => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match *self {
            TreeNumber::Int(n) => Some(n),
            TreeNumber::Float(_) => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match *self {
            // The same conversion serde_json's `Number::as_f64` makes.
            TreeNumber::Int(n) => Some(n as f64),
            TreeNumber::Float(f) => Some(f),
        }
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(self.serde().to_string())
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Owned(self.serde())
    }
}

/// A finite float, which is all `Node::to_json` keeps as a number (non-finite becomes null).
fn finite(f: f64) -> Option<f64> {
    f.is_finite().then_some(f)
}

impl<'a> JsonNode<'a, Tree> for TreeNode<'a> {
    type Object = &'a [Entry];
    type Array = &'a [Node];
    type Number = TreeNumber;

    fn as_object(&self) -> Option<&'a [Entry]> {
        match self.value()? {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&'a [Node]> {
        match self.value()? {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match *self {
            TreeNode::Name(name) => Some(Cow::Borrowed(name)),
            TreeNode::Node(Node {
                value: Value::Str(s),
                ..
            }) => Some(Cow::Borrowed(s)),
            TreeNode::Node(_) => None,
        }
    }

    fn as_number(&self) -> Option<TreeNumber> {
        match *self.value()? {
            Value::Int(n) => Some(TreeNumber::Int(n)),
            Value::Float(f) => finite(f).map(TreeNumber::Float),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match *self.value()? {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        self.json_type() == JsonType::Null
    }

    fn json_type(&self) -> JsonType {
        match self.value() {
            None | Some(Value::Str(_)) => JsonType::String,
            Some(Value::Null) => JsonType::Null,
            Some(Value::Bool(_)) => JsonType::Boolean,
            Some(Value::Int(_)) => JsonType::Number,
            Some(Value::Float(f)) if f.is_finite() => JsonType::Number,
            Some(Value::Float(_)) => JsonType::Null,
            Some(Value::Seq(_)) => JsonType::Array,
            Some(Value::Map(_)) => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Serde) -> bool {
        // Scalars compare without building a `Value`: `enum` over strings is common in the
        // document schemas and runs on every field.
        match (self.as_string(), expected) {
            (Some(s), Serde::String(e)) => return *s == **e,
            (Some(_), _) => return false,
            (None, _) => {}
        }
        match (self.json_type(), expected) {
            (JsonType::Null, e) => e.is_null(),
            (JsonType::Boolean, Serde::Bool(e)) => self.as_boolean() == Some(*e),
            (JsonType::Number, Serde::Number(_)) => jsonschema::json::cmp::equal(
                &Serde::Number(self.as_number().map_or_else(|| 0.into(), |n| n.serde())),
                expected,
            ),
            (JsonType::Boolean | JsonType::Number, _) => false,
            _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Serde> {
        Cow::Owned(match *self {
            TreeNode::Node(node) => node.to_json(),
            TreeNode::Name(name) => Serde::String(name.to_owned()),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        match *self {
            TreeNode::Node(node) => Some(NodeIdentity::new(std::ptr::from_ref(node) as usize)),
            // A name is never a container, so it needs no identity.
            TreeNode::Name(_) => None,
        }
    }
}

impl<'a> Object<'a, Tree> for &'a [Entry] {
    type Node = TreeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        <[Entry]>::len(self)
    }

    fn get(&self, key: &Box<str>) -> Option<TreeNode<'a>> {
        self.iter()
            .find(|entry| *entry.key == **key)
            .map(|entry| TreeNode::Node(&entry.value))
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

pub struct Members<'a>(std::slice::Iter<'a, Entry>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, TreeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0
            .next()
            .map(|entry| (entry.key.as_str(), TreeNode::Node(&entry.value)))
    }
}

impl<'a> Array<'a, Tree> for &'a [Node] {
    type Node = TreeNode<'a>;
    type ElementsIter = std::iter::Map<std::slice::Iter<'a, Node>, fn(&'a Node) -> TreeNode<'a>>;

    fn len(&self) -> usize {
        <[Node]>::len(self)
    }

    fn elements(&self) -> Self::ElementsIter {
        self.iter().map(TreeNode::Node)
    }
}

/// Whether any mapping in the tree repeats a key, where validating the tree in place could
/// disagree with validating its `to_json` copy (which keeps the first occurrence).
pub fn has_duplicate_keys(root: &Node) -> bool {
    let mut stack = vec![root];
    let mut seen = std::collections::HashSet::new();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                // Pairwise for the small mappings documents are made of; a set for big ones.
                if entries.len() <= 16 {
                    let repeated = entries
                        .iter()
                        .enumerate()
                        .any(|(i, e)| entries[..i].iter().any(|f| f.key == e.key));
                    if repeated {
                        return true;
                    }
                } else {
                    seen.clear();
                    if !entries.iter().all(|e| seen.insert(e.key.as_str())) {
                        return true;
                    }
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use proptest::prelude::*;

    fn node(value: Value) -> Node {
        Node::new(Span::default(), value)
    }

    /// The tree of a `serde_json::Value` (keys in its order, so no duplicates).
    fn tree_of(json: &Serde) -> Node {
        node(match json {
            Serde::Null => Value::Null,
            Serde::Bool(b) => Value::Bool(*b),
            Serde::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Float(n.as_f64().unwrap_or_default()), Value::Int),
            Serde::String(s) => Value::Str(s.clone()),
            Serde::Array(items) => Value::Seq(items.iter().map(tree_of).collect()),
            Serde::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: Span::default(),
                        value: tree_of(v),
                    })
                    .collect(),
            ),
        })
    }

    #[test]
    fn the_tree_meets_jsonschemas_representation_contract() {
        let document = jsonschema::json::conformance::document();
        let tree = tree_of(&document);
        jsonschema::json::conformance::assert_conformance::<Tree>(&TreeNode::new(&tree));
    }

    #[test]
    fn repeated_keys_are_found_in_small_and_big_mappings() {
        let entry = |key: &str| Entry {
            key: key.to_owned(),
            key_span: Span::default(),
            value: node(Value::Null),
        };
        let small = node(Value::Map(vec![entry("a"), entry("b"), entry("a")]));
        assert!(has_duplicate_keys(&small));
        let mut many: Vec<Entry> = (0..40).map(|i| entry(&format!("k{i}"))).collect();
        assert!(!has_duplicate_keys(&node(Value::Map(many.clone()))));
        many.push(entry("k7"));
        let nested = node(Value::Seq(vec![node(Value::Map(many))]));
        assert!(has_duplicate_keys(&nested));
    }

    /// Trees with the scalars YAML can produce (ints, finite and non-finite floats) and
    /// mappings that may repeat a key.
    fn arb_tree() -> impl Strategy<Value = Node> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..300).prop_map(Value::Int),
            prop_oneof![
                Just(1.0),
                Just(1.5),
                Just(-0.5),
                Just(f64::NAN),
                Just(f64::INFINITY)
            ]
            .prop_map(Value::Float),
            "[a-c]{0,3}|[é€]{1,2}".prop_map(Value::Str),
        ]
        .prop_map(node);
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(|v| node(Value::Seq(v))),
                prop::collection::vec(("[a-d]", inner), 0..5).prop_map(|entries| {
                    node(Value::Map(
                        entries
                            .into_iter()
                            .map(|(key, value)| Entry {
                                key,
                                key_span: Span::default(),
                                value,
                            })
                            .collect(),
                    ))
                }),
            ]
        })
    }

    /// Schemas that exercise the keywords whose reading of a representation differs:
    /// types and integer-ness, lengths in code points, `enum`/`const`, `uniqueItems`,
    /// `required`, `properties`/`additionalProperties`, `propertyNames`, `minProperties`.
    fn schemas() -> Vec<Serde> {
        use serde_json::json;
        vec![
            json!({"type": "object"}),
            json!({"type": "integer"}),
            json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}),
            json!({"type": ["null", "number"]}),
            json!({"type": "string", "minLength": 2, "maxLength": 2}),
            json!({"enum": ["a", "b", 1, 1.0, null, true, [], {}]}),
            json!({"const": {"a": 1}}),
            json!({"type": "array", "uniqueItems": true}),
            json!({"required": ["a", "b"]}),
            json!({"properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                   "additionalProperties": false}),
            json!({"propertyNames": {"pattern": "^[ab]$"}}),
            json!({"minProperties": 2, "maxProperties": 3}),
            json!({"items": {"$ref": "#"}, "additionalProperties": {"$ref": "#"},
                   "type": ["array", "object", "string", "integer"]}),
            json!({"anyOf": [{"type": "boolean"}, {"multipleOf": 0.5}]}),
            json!({"minimum": 0, "maximum": 100}),
            json!({"exclusiveMinimum": 1.5, "multipleOf": 2}),
            json!({"items": {"minimum": -1, "type": "integer"}, "minItems": 1}),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Wherever `has_duplicate_keys` lets a caller validate in place, the verdict is
        /// the one the `to_json` copy gets.
        #[test]
        fn validating_in_place_agrees_with_the_copy(tree in arb_tree()) {
            if !has_duplicate_keys(&tree) {
                let copy = tree.to_json();
                for schema in schemas() {
                    let on_tree = jsonschema::options_for::<Tree>().build(&schema).unwrap();
                    let on_copy = jsonschema::options().build(&schema).unwrap();
                    prop_assert_eq!(
                        on_tree.is_valid(TreeNode::new(&tree)),
                        on_copy.is_valid(&copy),
                        "schema {} on {}", schema, copy
                    );
                }
                prop_assert_eq!(
                    jsonschema::meta::is_valid_for::<Tree>(TreeNode::new(&tree)).ok(),
                    jsonschema::meta::validator_for(&copy).ok().map(|v| v.is_valid(&copy))
                );
            }
        }
    }
}
