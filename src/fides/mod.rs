//! Fides resources read as they are, and evaluated as `fides evaluate` evaluates them.
//!
//! In: files holding Fides `system:`, `dataset:` and `policy:` lists (no `kind:`), as
//! Fides' own manifests are written. A privacy declaration of a system is an event: its
//! data categories are its fields' types, its `data_use` its purpose, and it has data
//! subjects; the datasets it references add the categories labelled at their dataset,
//! collection and field levels. A Fides policy is translated into deny rules
//! ([`rules`]): each rule matches data categories (types), data uses (purposes) and data
//! subjects, each dimension with Fides' `ANY` / `ALL` / `NONE` / `OTHER`. Out:
//! [`evaluate`]'s `denied-data` findings, one per declaration (or referenced dataset level)
//! and rule, at the categories that violate it.
//!
//! The other Fides resources (`organization`, `data_category`, `data_use`, …) are not read:
//! keys are compared by their dotted hierarchy, as in Fides' default taxonomy.

pub mod evaluate;
pub mod rules;

use crate::diagnostic::{Code, Diagnostic};
use crate::document::{self, Sp};
use crate::load::Node;
use crate::source::{SourceFile, Span};
use rules::{Match, Mode, Rule};
use std::sync::Arc;

/// The Fides resources of one file.
#[derive(Clone, Debug)]
pub struct Resources {
    pub source: Arc<SourceFile>,
    pub systems: Vec<System>,
    pub datasets: Vec<Dataset>,
    pub policies: Vec<Policy>,
}

#[derive(Clone, Debug)]
pub struct System {
    pub key: Sp<String>,
    pub declarations: Vec<Declaration>,
}

/// A privacy declaration: what a system collects, for which use, about whom.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// Its `name`, or (without one) the declaration's own span with the use as name.
    pub name: Sp<String>,
    pub categories: Vec<Sp<String>>,
    pub data_use: Sp<String>,
    pub subjects: Vec<Sp<String>>,
    pub datasets: Vec<Sp<String>>,
}

/// A dataset: the categories labelled at each of its levels.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub key: Sp<String>,
    /// `(where, categories)`: the dataset's own (where: empty), each collection's, each
    /// field's (nested fields by dotted path), in file order; levels without categories are
    /// left out.
    pub levels: Vec<(String, Vec<Sp<String>>)>,
}

/// A Fides policy, translated into deny rules.
#[derive(Clone, Debug)]
pub struct Policy {
    pub key: Sp<String>,
    pub rules: Vec<Rule>,
}

/// Whether a document is a file of Fides resources consentlint reads: a `system:`,
/// `dataset:` or `policy:` list, and no `kind:`.
pub fn is_resources(root: &Node) -> bool {
    root.get("kind").is_none()
        && ["system", "dataset", "policy"]
            .iter()
            .any(|k| root.get(k).and_then(Node::as_seq).is_some())
}

/// Read the resources of a file; problems (a declaration with no `data_use`, a rule with an
/// unknown `matches`) are `invalid-value` at the spot, and the rest is still read.
pub fn read(source: &Arc<SourceFile>, root: &Node) -> (Resources, Vec<Diagnostic>) {
    let mut cx = Reader {
        source,
        problems: Vec::new(),
    };
    let systems = document::items(root, "system")
        .iter()
        .filter_map(|s| cx.system(s))
        .collect();
    let datasets = document::items(root, "dataset")
        .iter()
        .filter_map(|d| cx.dataset(d))
        .collect();
    let policies = document::items(root, "policy")
        .iter()
        .filter_map(|p| cx.policy(p))
        .collect();
    let resources = Resources {
        source: Arc::clone(source),
        systems,
        datasets,
        policies,
    };
    (resources, cx.problems)
}

struct Reader<'a> {
    source: &'a Arc<SourceFile>,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn invalid(&mut self, span: Span, message: String, label: &str) {
        self.problems
            .push(Diagnostic::at(Code::InvalidValue, self.source, span, message).with_label(label));
    }

    fn key(&mut self, node: &Node, what: &str) -> Option<Sp<String>> {
        let key = document::string(node, "fides_key");
        if key.is_none() {
            self.invalid(
                node.span,
                format!("a Fides {what} needs a `fides_key`"),
                "no `fides_key`",
            );
        }
        key
    }

    fn system(&mut self, node: &Node) -> Option<System> {
        let key = self.key(node, "system")?;
        let declarations = document::items(node, "privacy_declarations")
            .iter()
            .filter_map(|d| self.declaration(d))
            .collect();
        Some(System { key, declarations })
    }

    fn declaration(&mut self, node: &Node) -> Option<Declaration> {
        let Some(data_use) = document::string(node, "data_use") else {
            self.invalid(
                node.span,
                "a Fides privacy declaration needs a `data_use`".to_owned(),
                "no `data_use`",
            );
            return None;
        };
        let name = document::string(node, "name")
            .unwrap_or_else(|| Sp::new(data_use.value.clone(), node.span));
        Some(Declaration {
            name,
            categories: strings(node, "data_categories"),
            data_use,
            subjects: strings(node, "data_subjects"),
            datasets: strings(node, "dataset_references"),
        })
    }

    fn dataset(&mut self, node: &Node) -> Option<Dataset> {
        let key = self.key(node, "dataset")?;
        let mut levels = Vec::new();
        push_level(&mut levels, String::new(), node);
        for collection in document::items(node, "collections") {
            let name = document::string(collection, "name").map_or_else(String::new, |n| n.value);
            push_level(&mut levels, format!("collection `{name}`"), collection);
            fields(
                &mut levels,
                &name,
                "",
                document::items(collection, "fields"),
            );
        }
        Some(Dataset { key, levels })
    }

    fn policy(&mut self, node: &Node) -> Option<Policy> {
        let key = self.key(node, "policy")?;
        let rules = document::items(node, "rules")
            .iter()
            .filter_map(|r| self.rule(r))
            .collect();
        Some(Policy { key, rules })
    }

    fn rule(&mut self, node: &Node) -> Option<Rule> {
        let Some(id) =
            document::string(node, "fides_key").or_else(|| document::string(node, "name"))
        else {
            self.invalid(
                node.span,
                "a Fides policy rule needs a `fides_key` or a `name`".to_owned(),
                "no `fides_key` or `name`",
            );
            return None;
        };
        let categories = self.matching(node, "data_categories", &id)?;
        let uses = self.matching(node, "data_uses", &id)?;
        let subjects = self.matching(node, "data_subjects", &id)?;
        Some(Rule {
            origin: crate::policy::taxonomy::Origin {
                source: Arc::clone(self.source),
                span: id.span,
            },
            id: id.value,
            categories,
            uses,
            subjects,
        })
    }

    fn matching(&mut self, rule: &Node, key: &str, id: &Sp<String>) -> Option<Match> {
        let Some(node) = rule.get(key) else {
            self.invalid(
                id.span,
                format!("Fides rule `{}` has no `{key}`", id.value),
                "every rule matches data_categories, data_uses and data_subjects",
            );
            return None;
        };
        let mode = document::string(node, "matches");
        let parsed = mode.as_ref().and_then(|m| Mode::parse(&m.value));
        let Some(mode) = parsed else {
            let span = mode.map_or(node.span, |m| m.span);
            self.invalid(
                span,
                format!(
                    "`{key}.matches` of Fides rule `{}` is not ANY, ALL, NONE or OTHER",
                    id.value
                ),
                "not ANY, ALL, NONE or OTHER",
            );
            return None;
        };
        Some(Match {
            mode,
            values: strings(node, "values")
                .into_iter()
                .map(|v| v.value)
                .collect(),
        })
    }
}

fn strings(node: &Node, key: &str) -> Vec<Sp<String>> {
    document::strings(node, key).unwrap_or_default()
}

fn push_level(levels: &mut Vec<(String, Vec<Sp<String>>)>, what: String, node: &Node) {
    let categories = strings(node, "data_categories");
    if !categories.is_empty() {
        levels.push((what, categories));
    }
}

fn fields(
    levels: &mut Vec<(String, Vec<Sp<String>>)>,
    collection: &str,
    prefix: &str,
    nodes: &[Node],
) {
    for field in nodes {
        let name = document::string(field, "name").map_or_else(String::new, |n| n.value);
        let path = format!("{prefix}{name}");
        push_level(levels, format!("field `{collection}.{path}`"), field);
        fields(
            levels,
            collection,
            &format!("{path}."),
            document::items(field, "fields"),
        );
    }
}
