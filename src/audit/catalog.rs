//! What the manifests declare, arranged for auditing payloads.
//!
//! In: the manifest files under `--manifests` (read with the loaders `check` uses) and the
//! policy each one uses (compiled once per reference). Out: a [`Catalog`] mapping each
//! declared event name to its consent level, its declared top-level properties, the fields
//! whose values must not look like raw identifiers, and its JSON Schema compiled once
//! into a validator. Problems reading any of it are diagnostics.

use super::Options;
use super::pii;
use crate::check;
use crate::check::event_schema;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::manifest::{EventDecl, ManifestDoc};
use crate::document::{Kind, Sp};
use crate::policy::{DataClass, Identification, LevelIdx, Policy};
use crate::project::Project;
use crate::run::policies::{self, Missed, Policies};
use crate::run::walk;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// The catalog's name maps, looked up for every payload line (SipHash was a tenth of the
/// audit's time), use foldhash: they are built from the manifests and only looked up with
/// payload names, never filled from the payloads, so no input can make them collide.
pub type NameMap<V> = foldhash::HashMap<String, V>;

/// One step of a declared field path into a payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    /// `*` (`additionalProperties`) or `/regex/` (`patternProperties`): every member.
    AnyKey,
    /// `[]`: every item.
    AnyItem,
    /// `[N]` (`prefixItems`).
    Item(usize),
}

/// The steps of a field name as `check` spells schema paths: `device.id`, `crumbs[].ip`,
/// `tags.*`, `pairs[0]`. A manifest field name is a single key.
pub fn steps(name: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for segment in name.split('.') {
        let (key, mut brackets) = segment
            .split_once('[')
            .map_or((segment, ""), |(k, b)| (k, b));
        out.push(match key {
            "*" => Step::AnyKey,
            k if k.len() > 1 && k.starts_with('/') && k.ends_with('/') => Step::AnyKey,
            k => Step::Key(k.to_owned()),
        });
        while let Some((inside, rest)) = brackets.split_once(']') {
            out.push(inside.parse().map_or(Step::AnyItem, Step::Item));
            brackets = rest.strip_prefix('[').unwrap_or(rest);
        }
    }
    out
}

/// A declared field whose values are checked for personal data they should not hold.
pub struct Sensitive {
    /// The declared name: a property, or a dotted schema path (`device.id`, `crumbs[].ip`).
    pub name: String,
    pub path: Vec<Step>,
    /// What the declaration says that its values contradict.
    pub declared: Declared,
    /// What to look for in its values.
    pub look: pii::Look,
    /// Where the identification or type (or, when defaulted, the field) is declared.
    pub source: Arc<SourceFile>,
    pub span: Span,
}

/// Why a field's values are checked.
pub enum Declared {
    /// Sent pseudonymized or less: a raw identifier contradicts it.
    Identification(Identification),
    /// Of a non-personal type (system metadata, public data): personal data contradicts it.
    Type { id: String, class: DataClass },
}

impl std::fmt::Display for Declared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Declared::Identification(i) => write!(f, "`{i}`"),
            Declared::Type { id, class } => write!(f, "`{id}` ({class})"),
        }
    }
}

/// A declared event.
pub struct EventSpec {
    pub name: String,
    pub manifest: Arc<SourceFile>,
    pub name_span: Span,
    pub policy: Arc<Policy>,
    pub level: Option<LevelIdx>,
    pub consent: Option<Sp<String>>,
    /// Top-level property names the event declares (fields and schema properties), each
    /// with the indices in `sensitive` of the fields whose path starts with it.
    pub properties: NameMap<Vec<usize>>,
    pub sensitive: Vec<Sensitive>,
    pub validator: Option<jsonschema::Validator>,
    /// The same schema compiled for payloads validated on the scanned line.
    pub raw_validator: Option<jsonschema::Validator<super::raw::Raw>>,
}

#[derive(Default)]
pub struct Catalog {
    pub events: NameMap<EventSpec>,
    pub manifests: usize,
    pub policies: Vec<Arc<Policy>>,
}

impl Catalog {
    pub fn load(options: &Options, problems: &mut Vec<Diagnostic>) -> Catalog {
        let project = Project::new(&options.project_root);
        let mut catalog = Catalog::default();
        let policies = Policies::new(
            options.policy.as_deref(),
            &project,
            &options.limits,
            Missed::Audit,
        );
        for input in walk::inputs(
            std::slice::from_ref(&options.manifests),
            &options.files,
            &project.root,
            problems,
        ) {
            // Every parse problem is reported, as `check` does: a broken file in the
            // manifest directory may well be the manifest the payloads need.
            let (source, root) = match policies::read(&input, &options.limits, false) {
                Ok(read) => read,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            if Kind::detect(&root) != Some(Kind::Manifest) {
                continue;
            }
            let Some(doc) = policies::manifest(&source, &root, problems) else {
                continue;
            };
            catalog.manifests += 1;
            let policy = match policies.for_manifest(&source, &doc) {
                Ok(policy) => policy,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            if !catalog.policies.iter().any(|p| Arc::ptr_eq(p, &policy)) {
                catalog.policies.push(Arc::clone(&policy));
            }
            for event in &doc.events {
                if catalog.events.contains_key(&event.name.value) {
                    continue; // `check` reports duplicates; the first declaration is used.
                }
                let spec =
                    EventSpec::new(&source, &doc, event, &policy, &project, options, problems);
                catalog.events.insert(event.name.value.clone(), spec);
            }
        }
        problems.extend(policies.finish().1);
        catalog
    }
}

impl EventSpec {
    fn new(
        manifest: &Arc<SourceFile>,
        doc: &ManifestDoc,
        event: &EventDecl,
        policy: &Arc<Policy>,
        project: &Project,
        options: &Options,
        problems: &mut Vec<Diagnostic>,
    ) -> EventSpec {
        let default_identification =
            crate::check::manifest_identification(doc).unwrap_or(policy.defaults.identification);
        let mut spec = EventSpec {
            name: event.name.value.clone(),
            manifest: Arc::clone(manifest),
            name_span: event.name.span,
            policy: Arc::clone(policy),
            level: event.consent.as_ref().and_then(|c| policy.level(&c.value)),
            consent: event.consent.clone(),
            properties: NameMap::default(),
            sensitive: Vec::new(),
            validator: None,
            raw_validator: None,
        };
        let manifest_name = manifest.name.clone();
        let mut declare = |name: &str,
                           identification: Option<&Sp<String>>,
                           data_type: Option<&Sp<String>>,
                           source: &Arc<SourceFile>,
                           name_span: Span| {
            // Manifest field names are plain keys; schema-derived ones are paths.
            let top = if source.name == manifest_name {
                name
            } else {
                name.split(['.', '[']).next().unwrap_or(name)
            };
            spec.properties.entry(top.to_owned()).or_default();
            let level = identification
                .and_then(|i| Identification::parse(&i.value))
                .unwrap_or(default_identification);
            let class = data_type.and_then(|t| {
                let ty = policy.taxonomy.get(&t.value)?;
                Some((t, policy.class_of(ty)))
            });
            let (declared, look, span) = if level <= Identification::Pseudonymized {
                (
                    Declared::Identification(level),
                    pii::Look::PSEUDONYMOUS,
                    identification.map_or(name_span, |i| i.span),
                )
            } else if let Some((t, class)) = class.filter(|(_, c)| {
                matches!(c, DataClass::SystemMetadata | DataClass::PublicNonPersonal)
            }) {
                let look = pii::Look {
                    identifiers: false,
                    // `1.0.0.0` is a version before it is an address.
                    ipv4: !t.value.split(['.', '_']).any(|w| w == "version"),
                };
                let declared = Declared::Type {
                    id: t.value.clone(),
                    class,
                };
                // A schema field's type is in the schema; a manifest field's beside it.
                (declared, look, t.span)
            } else {
                return;
            };
            let path = if source.name == manifest_name {
                vec![Step::Key(name.to_owned())]
            } else {
                steps(name)
            };
            if let Some(Step::Key(first)) = path.first() {
                let index = spec.sensitive.len();
                spec.properties
                    .entry(first.clone())
                    .or_default()
                    .push(index);
            }
            spec.sensitive.push(Sensitive {
                name: name.to_owned(),
                path,
                declared,
                look,
                source: Arc::clone(source),
                span,
            });
        };
        for field in &event.fields {
            declare(
                &field.name.value,
                field.identification.as_ref(),
                field.data_type.as_ref(),
                manifest,
                field.name.span,
            );
        }
        if let Some(schema) = &event.schema {
            match check::load_event_schema(manifest, schema, project, &options.limits) {
                Ok((source, root)) => {
                    let json = root.to_json();
                    let walked =
                        event_schema::walk(Arc::new(root), &source, project, &options.limits);
                    for field in &walked.fields {
                        declare(
                            &field.name,
                            field.identification.as_ref(),
                            field.data_type.as_ref(),
                            &field.source,
                            field.name_span,
                        );
                    }
                    match jsonschema::validator_for(&json) {
                        Ok(validator) => {
                            spec.validator = Some(validator);
                            // Compiled the same way; if it could not be, payloads are
                            // validated on their `Value` only.
                            spec.raw_validator = jsonschema::options_for::<super::raw::Raw>()
                                .build(&json)
                                .ok();
                        }
                        Err(error) => problems.push(
                            Diagnostic::at(Code::InvalidEventSchema, &source, Span::new(0, 1), format!("cannot compile the schema of event `{}` to validate payloads: {error}", event.name.value))
                                .with_help("`consentlint check` on the manifest reports what is wrong with the schema"),
                        ),
                    }
                }
                Err(problem) => problems.push(problem),
            }
        }
        spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_paths_become_steps() {
        let key = |k: &str| Step::Key(k.to_owned());
        assert_eq!(steps("device.id"), [key("device"), key("id")]);
        assert_eq!(
            steps("crumbs[].ip"),
            [key("crumbs"), Step::AnyItem, key("ip")]
        );
        assert_eq!(
            steps("pairs[0][]"),
            [key("pairs"), Step::Item(0), Step::AnyItem]
        );
        assert_eq!(steps("tags.*"), [key("tags"), Step::AnyKey]);
        assert_eq!(steps("m./^x-/"), [key("m"), Step::AnyKey]);
    }
}
