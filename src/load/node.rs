//! The spanned document tree every loader produces.
//!
//! YAML and JSON both parse into a [`Node`] tree that remembers the byte span of every
//! value and every mapping key. Later stages read typed documents out of it and point
//! diagnostics at the exact spot; nothing downstream ever sees parser types.

use crate::source::Span;
use serde_json::{Map as JsonMap, Number, Value as Json};

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry; keys are always strings (scalar keys are stringified).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(span: Span, value: Value) -> Node {
        Node { span, value }
    }

    /// Where the node's text ends: a collection's span is only where it starts, so this is
    /// the furthest end of its keys and values (a flow collection's closing bracket aside).
    pub fn extent_end(&self) -> u32 {
        let inner = match &self.value {
            Value::Seq(items) => items.iter().map(Node::extent_end).max(),
            Value::Map(entries) => entries
                .iter()
                .map(|e| e.key_span.end.max(e.value.extent_end()))
                .max(),
            _ => None,
        };
        inner.unwrap_or(0).max(self.span.end)
    }

    /// The value under `key`, if this is a mapping that has it (first occurrence).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self.value {
            Value::Int(n) => u64::try_from(n).ok(),
            _ => None,
        }
    }

    /// A number, integer or not.
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Int(n) => Some(n as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// A scalar as text, the way a user wrote it (`2027-03-01`, `28`, `true`).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(n) => Some(n.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Follow a JSON-pointer-like path of keys and indices.
    pub fn at_path<'a, I, S>(&self, path: I) -> Option<&Node>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str> + 'a,
    {
        let mut node = self;
        for segment in path {
            let segment = segment.as_ref();
            node = match &node.value {
                Value::Map(_) => node.get(segment)?,
                Value::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The entry (key and value) a path ends at, when its last step is a mapping key.
    pub fn entry_at_path<S: AsRef<str>>(&self, path: &[S]) -> Option<&Entry> {
        let (last, parent) = path.split_last()?;
        self.at_path(parent.iter().map(AsRef::as_ref))?
            .entry(last.as_ref())
    }

    /// A description of the value's type for messages: "a mapping", "a string", …
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Convert to a `serde_json::Value` for JSON Schema validation.
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(n) => Json::Number((*n).into()),
            Value::Float(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::Str(s) => Json::String(s.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = JsonMap::with_capacity(entries.len());
                for entry in entries {
                    map.entry(entry.key.clone())
                        .or_insert_with(|| entry.value.to_json());
                }
                Json::Object(map)
            }
        }
    }
}
