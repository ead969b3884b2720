//! Stage 2 — typed documents read out of validated trees.
//!
//! By the time a tree reaches this module it has passed its JSON Schema
//! (`load::schema_check`), so the readers here only copy values out, keeping each one's
//! span. They never fail and never panic: a value of an unexpected shape (which the schema
//! already reported) simply reads as absent.
//!
//! Documents written for other tools are read here too, where they are: [`glean`]
//! (Mozilla Glean `metrics.yaml`) and [`fideslang`] (Fides data categories as a taxonomy).
//! Their readers keep the spans of the original file; how their events map onto consent
//! levels and data types is the policy's business (`sources:`, compiled by `policy`).

pub mod fideslang;
pub mod glean;
pub mod manifest;
pub mod policy;
pub mod policy_test;
pub mod taxonomy;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::load::Node;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// A value with the span it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Sp<T> {
        Sp { value, span }
    }
}

impl Sp<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// What a file is, decided from its root mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Taxonomy,
    Policy,
    Manifest,
    Config,
    /// A classification overlay (`kind: Classification`).
    Classification,
    /// Cases pinning down what a policy decides (`kind: PolicyTest`).
    PolicyTest,
    /// A baseline of known findings (`check --write-baseline`): `{"version", "findings"}`.
    Baseline,
    EventSchema,
    /// A Mozilla Glean `metrics.yaml` (`$schema: moz://mozilla.org/schemas/glean/metrics/…`).
    GleanMetrics,
    /// A Glean `pings.yaml`: the custom pings metrics are sent in.
    GleanPings,
    /// A Glean `tags.yaml`: the tags metrics may carry.
    GleanTags,
}

impl Kind {
    /// What the document is, for messages: `a telemetry manifest`.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Taxonomy => "a taxonomy",
            Kind::Policy => "a policy",
            Kind::Manifest => "a telemetry manifest",
            Kind::Config => "a project config",
            Kind::Classification => "a classification overlay",
            Kind::PolicyTest => "a policy test",
            Kind::Baseline => "a baseline",
            Kind::EventSchema => "an event schema",
            Kind::GleanMetrics => "a Glean metrics file",
            Kind::GleanPings => "a Glean pings file",
            Kind::GleanTags => "a Glean tags file",
        }
    }

    pub fn detect(root: &Node) -> Option<Kind> {
        if let Some(kind) = root.get("kind").and_then(Node::as_str) {
            return match kind {
                "Taxonomy" => Some(Kind::Taxonomy),
                "Policy" => Some(Kind::Policy),
                "TelemetryManifest" => Some(Kind::Manifest),
                "Config" => Some(Kind::Config),
                "Classification" => Some(Kind::Classification),
                "PolicyTest" => Some(Kind::PolicyTest),
                _ => None,
            };
        }
        if glean::is_metrics_file(root) {
            return Some(Kind::GleanMetrics);
        }
        if glean::is_pings_file(root) {
            return Some(Kind::GleanPings);
        }
        if glean::is_tags_file(root) {
            return Some(Kind::GleanTags);
        }
        // consentlint's own baseline, which `--write-baseline` may put inside the project.
        if let Some(entries) = root.as_map()
            && root.get("findings").and_then(Node::as_seq).is_some()
            && root.get("version").and_then(Node::as_u64).is_some()
            && entries
                .iter()
                .all(|e| matches!(e.key.as_str(), "version" | "findings"))
        {
            return Some(Kind::Baseline);
        }
        let schema = root.get("$schema").and_then(Node::as_str)?;
        is_json_schema_uri(schema).then_some(Kind::EventSchema)
    }
}

/// Why [`Kind::detect`] found no document in `root`, for `check --verbose`.
pub fn unrecognised(root: &Node) -> String {
    // Fides `system`, `dataset` and `policy` resources are read (`crate::fides`).
    const FIDES: &[&str] = &[
        "organization",
        "registry",
        "evaluation",
        "data_category",
        "data_use",
        "data_subject",
        "data_qualifier",
    ];
    if root.as_map().is_none() {
        return format!("the document is {}, not a mapping", root.kind_name());
    }
    if let Some(kind) = root.get("kind") {
        return match kind.as_str() {
            Some(kind) => format!("`kind: {kind}` is not a consentlint document kind"),
            None => "`kind:` is not a string".to_owned(),
        };
    }
    if let Some(key) = FIDES
        .iter()
        .find(|k| root.get(k).and_then(Node::as_seq).is_some())
    {
        return format!("a Fides `{key}` resource, which consentlint does not read");
    }
    if let Some(schema) = root.get("$schema").and_then(Node::as_str) {
        return format!("`$schema: {schema}` names no JSON Schema draft and no Glean schema");
    }
    "no `kind:`, no JSON Schema `$schema`, not a Glean metrics file".to_owned()
}

/// `unknown-document`, for a file named on the command line: consentlint reads no document
/// of this kind.
pub fn not_a_document(display: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownDocument,
        display.to_owned(),
        format!("`{display}` is not a consentlint document"),
    )
    .with_help("a document starts with `kind: TelemetryManifest`, `kind: Policy` or `kind: Taxonomy`, or is a JSON Schema with `$schema`")
}

/// `unknown-document` (info), for a file named to `policy lint` that is another kind of
/// document.
pub fn not_a_policy(display: &str, kind: Kind) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownDocument,
        display.to_owned(),
        format!(
            "`{display}` is not a policy ({}): not linted",
            kind.describe()
        ),
    )
    .with_severity(Severity::Info)
    .with_help(
        "`policy lint` lints `kind: Policy` documents; `consentlint check` checks the others",
    )
}

/// `unknown-document`, for a file named as an overlay (`--overlay`, `overlays:`), at its
/// `kind:` when it has one.
pub fn not_an_overlay(source: &Arc<SourceFile>, root: &Node) -> Diagnostic {
    Diagnostic::at(
        Code::UnknownDocument,
        source,
        root.get("kind").map_or(Span::default(), |k| k.span),
        format!("`{}` is not a classification overlay", source.name),
    )
    .with_help("an overlay starts with `kind: Classification`, or is a Fides dataset (`dataset:`)")
}

/// Whether `$schema` names one of the JSON Schema drafts, or Snowplow's self-describing
/// meta-schema (draft-04 plus a `self` block; Iglu Central's schemas use it).
pub fn is_json_schema_uri(uri: &str) -> bool {
    uri.contains("json-schema.org/") || is_iglu_self_describing(uri)
}

/// Snowplow's self-describing JSON Schema meta-schema, which extends draft-04.
pub fn is_iglu_self_describing(uri: &str) -> bool {
    uri.contains("iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/")
}

/// A string at `key`, with its span.
pub fn string(node: &Node, key: &str) -> Option<Sp<String>> {
    let value = node.get(key)?;
    value.as_str().map(|s| Sp::new(s.to_owned(), value.span))
}

/// A scalar at `key` as text (dates may arrive as strings or as YAML timestamps).
pub fn text(node: &Node, key: &str) -> Option<Sp<String>> {
    let value = node.get(key)?;
    value.scalar_text().map(|s| Sp::new(s, value.span))
}

pub fn uint(node: &Node, key: &str) -> Option<Sp<u64>> {
    let value = node.get(key)?;
    value.as_u64().map(|n| Sp::new(n, value.span))
}

/// A list of strings at `key`; a single string reads as a one-element list.
pub fn strings(node: &Node, key: &str) -> Option<Vec<Sp<String>>> {
    let value = node.get(key)?;
    if let Some(s) = value.as_str() {
        return Some(vec![Sp::new(s.to_owned(), value.span)]);
    }
    Some(
        value
            .as_seq()?
            .iter()
            .filter_map(|item| item.as_str().map(|s| Sp::new(s.to_owned(), item.span)))
            .collect(),
    )
}

pub fn items<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    node.get(key).and_then(Node::as_seq).unwrap_or_default()
}

/// The span of `key` itself (for pointing at a whole entry).
pub fn key_span(node: &Node, key: &str) -> Option<Span> {
    node.entry(key).map(|e| e.key_span)
}
