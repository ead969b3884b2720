//! Validating a document tree against the JSON Schema of its kind.
//!
//! The schemas in `schemas/` are the single description of every document format: editors
//! use them for completion, and this module compiles them once (embedded in the binary)
//! and turns every validation error into a span-precise diagnostic — an unknown key with a
//! "did you mean", a missing key at the mapping that lacks it, a bad value at the value.

use super::node::Node;
use super::node_json::{Tree, TreeNode, has_duplicate_keys};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;
use crate::suggest;
use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;
use std::sync::{Arc, OnceLock};

/// The document formats that have a schema in `schemas/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Taxonomy,
    Policy,
    Manifest,
    Config,
    Baseline,
    Classifier,
    Classification,
    PolicyTest,
    /// Glean's own formats (`schemas/glean/`, glean_parser's schemas), by `$schema`.
    GleanMetrics1,
    GleanMetrics2,
    GleanPings1,
    GleanPings2,
    GleanTags1,
}

/// How many formats there are (the size of the compiled-schema caches).
const FORMATS: usize = 13;

impl Format {
    /// Every format, by the name `consentlint schema NAME` knows it by.
    pub const NAMED: &'static [(&'static str, Format)] = &[
        ("manifest", Format::Manifest),
        ("policy", Format::Policy),
        ("taxonomy", Format::Taxonomy),
        ("config", Format::Config),
        ("classification", Format::Classification),
        ("classifier", Format::Classifier),
        ("baseline", Format::Baseline),
        ("policy-test", Format::PolicyTest),
    ];

    /// The JSON Schema of the format, as shipped in `schemas/`.
    pub fn schema_text(self) -> &'static str {
        match self {
            Format::Taxonomy => include_str!("../../schemas/taxonomy.schema.json"),
            Format::Policy => include_str!("../../schemas/policy.schema.json"),
            Format::Manifest => include_str!("../../schemas/manifest.schema.json"),
            Format::Config => include_str!("../../schemas/config.schema.json"),
            Format::Baseline => include_str!("../../schemas/baseline.schema.json"),
            Format::Classifier => include_str!("../../schemas/classifier.schema.json"),
            Format::Classification => include_str!("../../schemas/classification.schema.json"),
            Format::PolicyTest => include_str!("../../schemas/policy-test.schema.json"),
            Format::GleanMetrics1 => include_str!("../../schemas/glean/metrics.1-0-0.schema.yaml"),
            Format::GleanMetrics2 => include_str!("../../schemas/glean/metrics.2-0-0.schema.yaml"),
            Format::GleanPings1 => include_str!("../../schemas/glean/pings.1-0-0.schema.yaml"),
            Format::GleanPings2 => include_str!("../../schemas/glean/pings.2-0-0.schema.yaml"),
            Format::GleanTags1 => include_str!("../../schemas/glean/tags.1-0-0.schema.yaml"),
        }
    }

    /// The Glean format a `$schema` names (`moz://mozilla.org/schemas/glean/metrics/2-0-0`),
    /// if glean_parser knows it.
    pub fn glean(schema: &str) -> Option<Format> {
        let rest = schema.strip_prefix("moz://mozilla.org/schemas/glean/")?;
        Some(match rest.trim_end_matches('#') {
            "metrics/1-0-0" => Format::GleanMetrics1,
            "metrics/2-0-0" => Format::GleanMetrics2,
            "pings/1-0-0" => Format::GleanPings1,
            "pings/2-0-0" => Format::GleanPings2,
            "tags/1-0-0" => Format::GleanTags1,
            _ => return None,
        })
    }

    fn is_glean(self) -> bool {
        self as usize >= Format::GleanMetrics1 as usize
    }

    fn schema(self) -> &'static Json {
        static CELLS: [OnceLock<Json>; FORMATS] = [const { OnceLock::new() }; FORMATS];
        CELLS[self as usize].get_or_init(|| {
            // The schemas ship inside the binary and are tested, so failure here is a bug.
            if self.is_glean() {
                serde_saphyr::from_str(self.schema_text()).expect("embedded Glean schema is YAML")
            } else {
                serde_json::from_str(self.schema_text()).expect("embedded schema is valid JSON")
            }
        })
    }

    /// The validator that reads the tree in place: the clean path.
    fn on_tree(self) -> &'static Validator<Tree> {
        static CELLS: [OnceLock<Validator<Tree>>; FORMATS] = [const { OnceLock::new() }; FORMATS];
        CELLS[self as usize].get_or_init(|| {
            jsonschema::options_for::<Tree>()
                .should_validate_formats(false)
                .build(self.schema())
                .expect("embedded schema compiles")
        })
    }

    /// The validator over a `serde_json` copy, whose errors become diagnostics.
    fn on_copy(self) -> &'static Validator {
        static CELLS: [OnceLock<Validator>; FORMATS] = [const { OnceLock::new() }; FORMATS];
        CELLS[self as usize].get_or_init(|| {
            jsonschema::options()
                .should_validate_formats(false)
                .build(self.schema())
                .expect("embedded schema compiles")
        })
    }
}

/// Validate `root` against `format`'s schema; every error becomes a diagnostic.
pub fn validate(root: &Node, source: &Arc<SourceFile>, format: Format) -> Vec<Diagnostic> {
    // A tree with a repeated key is validated as its copy reads it (first key wins).
    if !has_duplicate_keys(root) && format.on_tree().is_valid(TreeNode::new(root)) {
        return Vec::new();
    }
    let (schema, validator) = (format.schema(), format.on_copy());
    let instance = root.to_json();
    if validator.is_valid(&instance) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for error in validator.iter_errors(&instance) {
        collect(root, source, schema, &error, &mut out);
    }
    // `anyOf`/`oneOf` can report the same spot more than once.
    out.dedup_by(|a, b| {
        a.message == b.message
            && a.primary.as_ref().map(|l| l.span) == b.primary.as_ref().map(|l| l.span)
    });
    out
}

fn path_of(error: &ValidationError<'_>) -> Vec<String> {
    super::pointer::keys(error.instance_path().as_str())
}

/// The schema object that holds the failing keyword.
fn keyword_parent<'s>(schema: &'s Json, error: &ValidationError<'_>) -> Option<&'s Json> {
    let pointer = error
        .absolute_keyword_location()
        .and_then(|uri| uri.fragment().map(|f| f.as_str().to_owned()))
        .unwrap_or_else(|| error.schema_path().as_str().to_owned());
    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
    schema.pointer(parent)
}

fn collect(
    root: &Node,
    source: &Arc<SourceFile>,
    schema: &Json,
    error: &ValidationError<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let path = path_of(error);
    let node = root.at_path(&path).unwrap_or(root);
    // A key of this mapping broke `propertyNames` (the error's instance is the key).
    if error.schema_path().as_str().contains("/propertyNames")
        && let Some((key, reason)) = failing_key(error, node)
        && let Some(entry) = node.entry(&key)
    {
        let form = match reason.kind() {
            ValidationErrorKind::Pattern { pattern } => format!(": expected the form `{pattern}`"),
            ValidationErrorKind::MaxLength { limit } => format!(": at most {limit} characters"),
            _ => String::new(),
        };
        out.push(
            Diagnostic::at(
                Code::InvalidValue,
                source,
                entry.key_span,
                format!("`{key}` is not a valid key here{form}"),
            )
            .with_label("invalid key"),
        );
        return;
    }
    // Point a value error at the value, but name it by its key.
    let is_index = |k: &String| k.parse::<usize>().is_ok();
    let place = match path.as_slice() {
        [.., key] if !is_index(key) => format!("`{key}`"),
        [.., list, _] if !is_index(list) => format!("an entry of `{list}`"),
        _ => "this value".to_owned(),
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let known: Vec<&str> = keyword_parent(schema, error)
                .and_then(|s| s.get("properties"))
                .and_then(Json::as_object)
                .map(|props| props.keys().map(String::as_str).collect())
                .unwrap_or_default();
            for key in unexpected {
                let span = node.entry(key).map_or(node.span, |e| e.key_span);
                let mut d = Diagnostic::at(
                    Code::UnknownKey,
                    source,
                    span,
                    format!("unknown key `{key}`"),
                )
                .with_label("not a known key here");
                let hint = suggest::hint(key, known.iter().copied());
                d.help = Some(if hint.is_empty() {
                    format!("known keys: {}", known.join(", "))
                } else {
                    hint
                });
                out.push(d);
            }
        }
        ValidationErrorKind::Required { property } => {
            let key = property.as_str().unwrap_or_default();
            // Point at the key that holds the incomplete mapping, when there is one.
            let span = root.entry_at_path(&path).map_or(node.span, |e| e.key_span);
            let mut d = Diagnostic::at(
                Code::InvalidValue,
                source,
                span,
                format!("missing required key `{key}`"),
            )
            .with_label(format!("this mapping needs `{key}`"));
            // A conditional requirement (`if`/`then`) may say why (Glean's schemas do).
            d.help = keyword_parent(schema, error)
                .filter(|s| s.get("properties").is_none())
                .and_then(note);
            out.push(d);
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let value = node
                .scalar_text()
                .unwrap_or_else(|| node.kind_name().to_owned());
            let hint = suggest::hint(&value, allowed.iter().map(String::as_str));
            out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    node.span,
                    format!("{place} cannot be `{value}`"),
                )
                .with_label("not an allowed value")
                .with_help(if hint.is_empty() {
                    format!("expected one of: {}", allowed.join(", "))
                } else {
                    hint
                }),
            );
        }
        ValidationErrorKind::Constant { expected_value } => {
            out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    node.span,
                    format!("{place} must be {expected_value}"),
                )
                .with_label("unexpected value"),
            );
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                jsonschema::error::TypeKind::Single(t) => type_phrase(&t.to_string()),
                jsonschema::error::TypeKind::Multiple(ts) => {
                    let names: Vec<String> = (*ts)
                        .into_iter()
                        .map(|t| type_phrase(&t.to_string()))
                        .collect();
                    names.join(" or ")
                }
            };
            out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    node.span,
                    format!("{place} must be {expected}, not {}", node.kind_name()),
                )
                .with_label(format!("expected {expected}")),
            );
        }
        ValidationErrorKind::Pattern { .. } => {
            let value = node.scalar_text().unwrap_or_default();
            let description = keyword_parent(schema, error)
                .and_then(|s| s.get("description"))
                .and_then(Json::as_str)
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    node.span,
                    format!("`{value}` is not a valid value for {place}"),
                )
                .with_label("does not match the expected form")
                .with_help(format!(
                    "expected the form {}{description}",
                    pattern_phrase(error)
                )),
            );
        }
        ValidationErrorKind::MaxProperties { limit } | ValidationErrorKind::MaxItems { limit } => {
            let count = node
                .as_map()
                .map(<[_]>::len)
                .or_else(|| node.as_seq().map(<[_]>::len))
                .unwrap_or_default();
            out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    node.span,
                    format!("{place} has {count} entries; at most {limit} are allowed"),
                )
                .with_label("too many entries"),
            );
        }
        ValidationErrorKind::MaxLength { limit } => {
            out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    node.span,
                    format!("{place} is longer than {limit} characters"),
                )
                .with_label("too long"),
            );
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Report the branch that got furthest: the one with the fewest errors.
            match context
                .iter()
                .filter(|c| !c.is_empty())
                .min_by_key(|c| c.len())
            {
                Some(best) if context.len() > 1 && best.len() < 3 => {
                    for inner in best {
                        collect(root, source, schema, inner, out);
                    }
                }
                _ => out.push(generic(source, node, &place, error)),
            }
        }
        ValidationErrorKind::Not { schema: not } => {
            let mut d = generic(source, node, &place, error);
            d.help = note(not);
            out.push(d);
        }
        _ => out.push(generic(source, node, &place, error)),
    }
}

/// A schema's `description`, when it is short enough to be a note on one error.
fn note(schema: &Json) -> Option<String> {
    let text = schema.get("description")?.as_str()?.trim();
    (!text.is_empty() && text.len() <= 300)
        .then(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The key of `node` a `propertyNames` error is about, and the innermost error that says
/// why: the validator reports the mapping, and the key only in the nested branch errors
/// (or, for a single branch, in its message, which starts with the key as a JSON string).
fn failing_key<'e>(
    error: &'e ValidationError<'e>,
    node: &Node,
) -> Option<(String, &'e ValidationError<'e>)> {
    if let Some(key) = error.instance().as_str()
        && node.entry(key).is_some()
    {
        return Some((key.to_owned(), error));
    }
    if let ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } =
        error.kind()
    {
        // The first branch is the one for names; the others admit a few reserved keys.
        for inner in context.iter().flatten() {
            if let Some(found) = failing_key(inner, node) {
                return Some(found);
            }
        }
    }
    let message = error.to_string();
    let mut stream = serde_json::Deserializer::from_str(&message).into_iter::<String>();
    let key = stream.next()?.ok()?;
    node.entry(&key).is_some().then_some((key, error))
}

fn generic(
    source: &Arc<SourceFile>,
    node: &Node,
    place: &str,
    error: &ValidationError<'_>,
) -> Diagnostic {
    let mut message = error.to_string();
    // The validator quotes the whole instance; for mappings that is noise.
    if message.len() > 160 {
        message = format!("{place} is not valid here ({})", error.kind().keyword());
    }
    Diagnostic::at(Code::InvalidValue, source, node.span, message).with_label("invalid here")
}

fn pattern_phrase(error: &ValidationError<'_>) -> String {
    match error.kind() {
        ValidationErrorKind::Pattern { pattern } => format!("`{pattern}`"),
        _ => String::new(),
    }
}

fn type_phrase(json_type: &str) -> String {
    match json_type {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        "null" => "null",
        other => other,
    }
    .to_owned()
}
