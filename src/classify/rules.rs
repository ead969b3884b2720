//! Classifier rule files (`kind: Classifier`): reading, `extends:`, and compiling.
//!
//! In: `builtin:NAME` or a path. The file passes `schemas/classifier.schema.json` first,
//! so the reader here only copies values out; what the schema cannot say (a rule naming a
//! concept nobody declared, an `extends:` loop, an unknown `disable:` id) is a diagnostic
//! at its span. Out: [`Rules`], with every word sequence split and singularised once.

use super::words::{singular, words_of};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::{self, Sp};
use crate::load::schema_check::Format;
use crate::load::{self, Limits, Node};
use crate::reference::{self, Reference};
use crate::source::SourceFile;
use std::sync::Arc;

const BUILTIN: &[(&str, &str)] = &[("default", include_str!("../../classifiers/default.yaml"))];

/// What a field can hold, and the data types that hold it.
#[derive(Clone, Debug)]
pub struct Concept {
    pub id: String,
    pub what: String,
    /// Most specific first, across taxonomies.
    pub types: Vec<String>,
    pub personal: bool,
    /// JSON types a value of it can have (`integer` reads as `number`).
    pub values: Vec<String>,
}

/// A word sequence, split and singularised.
pub type Words = Vec<String>;

/// One rule: every condition it names must hold.
#[derive(Clone, Debug, Default)]
pub struct Rule {
    pub id: String,
    pub concept: usize,
    pub confidence: f64,
    pub name: Vec<Words>,
    pub name_end: Vec<Words>,
    pub name_start: Vec<Words>,
    pub owner: Vec<String>,
    pub format: Vec<String>,
    pub json_type: Vec<String>,
    pub pattern_contains: Vec<String>,
    pub enum_contains: Vec<String>,
    pub has_enum: bool,
    pub description: Vec<Words>,
    pub glean_type: Vec<String>,
}

/// A compiled rule set.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    /// `builtin:default`, or the file's display path.
    pub name: String,
    pub concepts: Vec<Concept>,
    pub rules: Vec<Rule>,
    pub derived: Vec<String>,
}

impl Rules {
    /// The embedded default rules (they are tested, so they always compile).
    pub fn builtin_default() -> Arc<Rules> {
        static DEFAULT: std::sync::LazyLock<Arc<Rules>> = std::sync::LazyLock::new(|| {
            Arc::new(
                Rules::load("builtin:default", &Limits::default())
                    .expect("the embedded classifier rules compile"),
            )
        });
        Arc::clone(&DEFAULT)
    }

    /// Load `reference` (`builtin:NAME` or a path) and everything it extends.
    pub fn load(reference: &str, limits: &Limits) -> Result<Rules, Vec<Diagnostic>> {
        let mut chain = Vec::new();
        let mut rules = Rules::default();
        load_into(reference, limits, &mut chain, &mut rules, None)?;
        rules.name = reference.to_owned();
        Ok(rules)
    }
}

fn source_of(reference: &str, limits: &Limits) -> Result<Arc<SourceFile>, Diagnostic> {
    if let Some(name) = Reference::parse(reference).builtin() {
        return BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| SourceFile::new(format!("builtin:{n}"), *text))
            .ok_or_else(|| {
                reference::no_builtin(
                    reference,
                    ("classifier rules", "classifier rules"),
                    BUILTIN.iter().map(|(n, _)| *n),
                )
            });
    }
    load::read_reference(reference, limits)
}

fn load_into(
    reference: &str,
    limits: &Limits,
    chain: &mut Vec<String>,
    into: &mut Rules,
    via: Option<(&Arc<SourceFile>, &Sp<String>)>,
) -> Result<(), Vec<Diagnostic>> {
    if chain.iter().any(|c| c == reference) {
        let (source, at) = via.expect("a loop has an `extends:`");
        return Err(vec![
            Diagnostic::at(
                Code::RefCycle,
                source,
                at.span,
                format!(
                    "classifier rules extend themselves: {} → {reference}",
                    chain.join(" → ")
                ),
            )
            .with_label("loops back"),
        ]);
    }
    chain.push(reference.to_owned());
    let loaded = load::load_document(source_of(reference, limits), Format::Classifier, limits)
        .map_err(|mut problems| {
            if let Some((source, at)) = via {
                for p in &mut problems {
                    p.related.push(crate::diagnostic::Label::new(
                        source,
                        at.span,
                        "extended here",
                    ));
                }
            }
            problems
        })?;
    let (source, root) = (loaded.source, loaded.root);
    if let Some(parent) = document::string(&root, "extends") {
        // Confined to the project like every other reference its files make.
        let project = limits
            .confine_to
            .as_deref()
            .map(crate::project::Project::new);
        let target = reference::resolve(&source.name, &parent.value, project.as_ref()).map_err(
            |reason| {
                vec![reference::refused(
                    &source,
                    parent.span,
                    "classifier rules",
                    &reason,
                )]
            },
        )?;
        load_into(&target, limits, chain, into, Some((&source, &parent)))?;
    }
    let mut problems = Vec::new();
    if let Some(words) = document::strings(&root, "derived") {
        into.derived
            .extend(words.iter().map(|w| singular(&w.value.to_lowercase())));
    }
    for concept in document::items(&root, "concepts") {
        let Some(id) = document::string(concept, "id") else {
            continue;
        };
        let read = Concept {
            id: id.value.clone(),
            what: document::string(concept, "what")
                .map(|s| s.value)
                .unwrap_or_default(),
            types: plain(document::strings(concept, "types")),
            personal: concept
                .get("personal")
                .and_then(Node::as_bool)
                .unwrap_or(true),
            values: document::strings(concept, "values")
                .map(|v| v.into_iter().map(|s| json_kind(&s.value)).collect())
                .unwrap_or_else(|| vec!["string".into()]),
        };
        match into.concepts.iter_mut().find(|c| c.id == read.id) {
            Some(existing) => *existing = read,
            None => into.concepts.push(read),
        }
    }
    if let Some(disabled) = document::strings(&root, "disable") {
        for id in disabled {
            let before = into.rules.len();
            into.rules.retain(|r| r.id != id.value);
            if into.rules.len() == before {
                problems.push(
                    Diagnostic::at(
                        Code::UnknownId,
                        &source,
                        id.span,
                        format!("`disable:` names no inherited rule `{}`", id.value),
                    )
                    .with_label("no such rule")
                    .with_help(crate::suggest::hint(
                        &id.value,
                        into.rules.iter().map(|r| r.id.as_str()),
                    )),
                );
            }
        }
    }
    for node in document::items(&root, "rules") {
        let (Some(id), Some(concept)) = (
            document::string(node, "id"),
            document::string(node, "concept"),
        ) else {
            continue;
        };
        let Some(concept_index) = into.concepts.iter().position(|c| c.id == concept.value) else {
            problems.push(
                Diagnostic::at(
                    Code::UnknownId,
                    &source,
                    concept.span,
                    format!("rule `{}` names no concept `{}`", id.value, concept.value),
                )
                .with_label("unknown concept")
                .with_help(crate::suggest::hint(
                    &concept.value,
                    into.concepts.iter().map(|c| c.id.as_str()),
                )),
            );
            continue;
        };
        let rule = Rule {
            id: id.value.clone(),
            concept: concept_index,
            confidence: node.get("confidence").and_then(Node::as_f64).unwrap_or(0.5),
            name: sequences(document::strings(node, "name")),
            name_end: sequences(document::strings(node, "name_end")),
            name_start: sequences(document::strings(node, "name_start")),
            owner: sequences(document::strings(node, "owner"))
                .into_iter()
                .flatten()
                .collect(),
            format: lower(document::strings(node, "format")),
            json_type: document::strings(node, "type")
                .unwrap_or_default()
                .iter()
                .map(|t| json_kind(&t.value))
                .collect(),
            pattern_contains: plain(document::strings(node, "pattern_contains")),
            enum_contains: lower(document::strings(node, "enum_contains")),
            has_enum: node.get("has_enum").and_then(Node::as_bool) == Some(true),
            description: sequences(document::strings(node, "description")),
            glean_type: lower(document::strings(node, "glean_type")),
        };
        match into.rules.iter_mut().find(|r| r.id == rule.id) {
            Some(existing) => *existing = rule,
            None => into.rules.push(rule),
        }
    }
    chain.pop();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `path` relative to the directory of the file `from`.
/// `integer` is a number to the classifier.
fn json_kind(t: &str) -> String {
    if t == "integer" {
        "number".into()
    } else {
        t.to_owned()
    }
}

fn plain(values: Option<Vec<Sp<String>>>) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect()
}

fn lower(values: Option<Vec<Sp<String>>>) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value.to_lowercase())
        .collect()
}

fn sequences(values: Option<Vec<Sp<String>>>) -> Vec<Words> {
    values
        .unwrap_or_default()
        .iter()
        .map(|s| words_of(&s.value))
        .filter(|w| !w.is_empty())
        .collect()
}
