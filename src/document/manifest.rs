//! `kind: TelemetryManifest` documents.

use super::{Sp, items, key_span, string, strings, text, uint};
use crate::load::Node;
use crate::source::Span;

#[derive(Clone, Debug)]
pub struct ManifestDoc {
    pub app_id: Option<Sp<String>>,
    pub policy: Option<Sp<String>>,
    pub defaults: EventSettings,
    pub events: Vec<EventDecl>,
}

/// Settings an event inherits from the manifest's `defaults:` unless it sets its own.
#[derive(Clone, Debug, Default)]
pub struct EventSettings {
    pub transport: Option<Sp<String>>,
    pub regions: Option<Vec<Sp<String>>>,
    pub retention_days: Option<Sp<u64>>,
    /// `expires:` as written: a date (`YYYY-MM-DD`) or `never`.
    pub expires: Option<Sp<String>>,
    pub identification: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct EventDecl {
    pub name: Sp<String>,
    pub consent: Option<Sp<String>>,
    pub purposes: Vec<Sp<String>>,
    pub schema: Option<Sp<String>>,
    pub fields: Vec<FieldDecl>,
    pub settings: EventSettings,
    pub suppress: Vec<SuppressDecl>,
    /// The span of the `suppress` key, when the event has one.
    pub suppress_key: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct FieldDecl {
    pub name: Sp<String>,
    pub data_type: Option<Sp<String>>,
    pub identification: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct SuppressDecl {
    pub rule: Option<Sp<String>>,
    pub code: Option<Sp<String>>,
    pub field: Option<Sp<String>>,
    pub reason: String,
    pub expires: Option<Sp<String>>,
    /// The span of the suppression entry (its first key), for `suppression-unused`.
    pub span: Span,
    /// The whole entry, for the fix that deletes it.
    pub item: Span,
}

impl ManifestDoc {
    pub fn read(root: &Node) -> ManifestDoc {
        ManifestDoc {
            app_id: root.get("app").and_then(|app| string(app, "id")),
            policy: string(root, "policy"),
            defaults: root.get("defaults").map(read_settings).unwrap_or_default(),
            events: items(root, "events")
                .iter()
                .filter_map(read_event)
                .collect(),
        }
    }
}

fn read_settings(node: &Node) -> EventSettings {
    EventSettings {
        transport: string(node, "transport"),
        regions: strings(node, "regions"),
        retention_days: uint(node, "retention_days"),
        expires: text(node, "expires"),
        identification: string(node, "identification"),
    }
}

fn read_event(node: &Node) -> Option<EventDecl> {
    Some(EventDecl {
        name: string(node, "name")?,
        consent: string(node, "consent"),
        purposes: strings(node, "purposes").unwrap_or_default(),
        schema: string(node, "schema"),
        fields: items(node, "fields")
            .iter()
            .filter_map(read_field)
            .collect(),
        settings: read_settings(node),
        suppress: items(node, "suppress")
            .iter()
            .map(read_suppression)
            .collect(),
        suppress_key: key_span(node, "suppress"),
    })
}

fn read_field(node: &Node) -> Option<FieldDecl> {
    Some(FieldDecl {
        name: string(node, "name")?,
        data_type: string(node, "type"),
        identification: string(node, "identification"),
    })
}

fn read_suppression(node: &Node) -> SuppressDecl {
    let first_key = node
        .as_map()
        .and_then(|m| m.first())
        .map_or(node.span, |e| e.key_span);
    SuppressDecl {
        rule: string(node, "rule"),
        code: string(node, "code"),
        field: string(node, "field"),
        reason: string(node, "reason").map(|s| s.value).unwrap_or_default(),
        expires: text(node, "expires"),
        span: key_span(node, "rule")
            .or_else(|| key_span(node, "code"))
            .unwrap_or(first_key),
        item: Span {
            start: node.span.start,
            end: node.extent_end(),
        },
    }
}
