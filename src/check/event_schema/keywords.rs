//! What a subschema's keywords say: its JSON type as a value kind, the classifier's hints,
//! and the keywords the walk branches on.

use crate::check::names::ValueKind;
use crate::document::Sp;
use crate::load::{Entry, Node};

/// What a schema's `type` says its value can be.
pub(super) fn value_kind(type_: Option<&Node>) -> ValueKind {
    match type_ {
        Some(t) => match t.as_str() {
            Some(one) => ValueKind::of_json_types([one]),
            None => ValueKind::of_json_types(
                t.as_seq()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str),
            ),
        },
        None => ValueKind::Any,
    }
}

/// What an unclassified leaf's keywords tell the classifier (read only for those).
pub(super) fn hints(entries: &[Entry], type_: Option<&Node>) -> Box<crate::classify::Hints> {
    let mut hints = crate::classify::Hints::default();
    let mut text = String::new();
    for entry in entries {
        match entry.key.as_str() {
            "format" => hints.format = entry.value.as_str().map(str::to_owned),
            "pattern" => hints.pattern = entry.value.as_str().map(str::to_owned),
            "enum" => {
                let values = entry.value.as_seq().unwrap_or_default();
                hints.has_enum = !values.is_empty();
                hints.enum_values = values
                    .iter()
                    .filter_map(Node::scalar_text)
                    .take(32)
                    .map(|v| v.to_lowercase())
                    .collect();
            }
            "title" | "description" => {
                if let Some(t) = entry.value.as_str() {
                    text.push_str(t);
                    text.push('\n');
                }
            }
            _ => {}
        }
    }
    hints.text = (!text.is_empty()).then_some(text);
    let types: Vec<&str> = match type_ {
        Some(t) => match t.as_str() {
            Some(one) => vec![one],
            None => t
                .as_seq()
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect(),
        },
        None => Vec::new(),
    };
    hints.json_types = types
        .into_iter()
        .filter(|t| *t != "null")
        .map(|t| {
            if t == "integer" {
                "number".to_owned()
            } else {
                t.to_owned()
            }
        })
        .collect();
    Box::new(hints)
}

/// A string keyword's value with its span.
pub(super) fn spanned_str(node: &Node) -> Option<Sp<String>> {
    node.as_str().map(|s| Sp::new(s.to_owned(), node.span))
}

/// The keywords the walk reads from one subschema, found in one pass over its entries
/// (the first occurrence of each, as `Node::get` would find it).
#[derive(Default)]
pub(super) struct Keywords<'a> {
    pub(super) type_: Option<&'a Node>,
    pub(super) data_type: Option<&'a Node>,
    pub(super) identification: Option<&'a Node>,
    pub(super) reference: Option<&'a Node>,
    pub(super) properties: Option<&'a Node>,
    pub(super) pattern_properties: Option<&'a Node>,
    /// `allOf`, `anyOf`, `oneOf`, in that order.
    pub(super) combinators: [Option<&'a Node>; 3],
    pub(super) prefix_items: Option<&'a Node>,
    pub(super) items: Option<&'a Node>,
    pub(super) additional_properties: Option<&'a Entry>,
    pub(super) unevaluated_properties: Option<&'a Node>,
}

impl<'a> Keywords<'a> {
    pub(super) fn read(entries: &'a [Entry]) -> Keywords<'a> {
        let mut kw = Keywords::default();
        for entry in entries {
            let slot = match entry.key.as_str() {
                "type" => &mut kw.type_,
                "x-data-type" => &mut kw.data_type,
                "x-identification" => &mut kw.identification,
                "$ref" => &mut kw.reference,
                "properties" => &mut kw.properties,
                "patternProperties" => &mut kw.pattern_properties,
                "allOf" => &mut kw.combinators[0],
                "anyOf" => &mut kw.combinators[1],
                "oneOf" => &mut kw.combinators[2],
                "prefixItems" => &mut kw.prefix_items,
                "items" => &mut kw.items,
                "unevaluatedProperties" => &mut kw.unevaluated_properties,
                "additionalProperties" => {
                    kw.additional_properties.get_or_insert(entry);
                    continue;
                }
                _ => continue,
            };
            slot.get_or_insert(&entry.value);
        }
        kw
    }

    pub(super) fn is_object(&self) -> bool {
        let declared = self.type_.is_some_and(|t| {
            t.as_str() == Some("object")
                || t.as_seq()
                    .is_some_and(|ts| ts.iter().any(|t| t.as_str() == Some("object")))
        });
        declared || self.properties.is_some() || self.pattern_properties.is_some()
    }

    pub(super) fn closed_by_unevaluated(&self) -> bool {
        self.unevaluated_properties.and_then(Node::as_bool) == Some(false)
    }
}
