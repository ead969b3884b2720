//! Walking a JSON Schema to find every value an event can carry.
//!
//! In: an event schema's tree (already parsed). Out: the classified fields
//! (`x-data-type`, `x-identification`), the leaves nobody classified, and objects open to
//! undeclared properties. `$ref`s are followed locally (`#/…`) and into relative files
//! inside the project root — never over the network — and cycles are cut.

use super::field::FieldSite;
use super::names::ValueKind;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::{self, Sp};
use crate::load::node_json::{Tree, TreeNode, has_duplicate_keys};
use crate::load::{Limits, Node, Value};
use crate::project::Project;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

mod keywords;
mod refs;

use keywords::{Keywords, hints, spanned_str, value_kind};
pub use refs::RefFiles;

/// What walking a schema found.
#[derive(Debug, Default)]
pub struct SchemaFields {
    pub fields: Vec<FieldSite>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The root annotations of a schema checked on its own.
#[derive(Debug, Default)]
pub struct RootAnnotations {
    pub event: Option<String>,
    pub consent: Option<Sp<String>>,
    pub purposes: Vec<Sp<String>>,
}

impl RootAnnotations {
    pub fn read(root: &Node) -> RootAnnotations {
        RootAnnotations {
            event: document::string(root, "x-event")
                .or_else(|| document::string(root, "title"))
                .map(|s| s.value),
            consent: document::string(root, "x-consent"),
            purposes: document::strings(root, "x-purposes").unwrap_or_default(),
        }
    }
}

/// Validate a schema document against its draft's meta-schema.
pub fn meta_validate(root: &Node, source: &Arc<SourceFile>) -> Vec<Diagnostic> {
    let draft_uri = root
        .get("$schema")
        .and_then(Node::as_str)
        .unwrap_or_default();
    let known = ["draft-04", "draft-06", "draft-07", "2019-09", "2020-12"];
    let iglu = document::is_iglu_self_describing(draft_uri);
    if !iglu && !known.iter().any(|d| draft_uri.contains(d)) {
        let span = root.get("$schema").map_or(root.span, |n| n.span);
        return vec![
            Diagnostic::at(Code::InvalidEventSchema, source, span, format!("unsupported JSON Schema draft `{draft_uri}`"))
                .with_help("use draft-04, -06, -07, 2019-09 or 2020-12 (https://json-schema.org/draft/2020-12/schema)"),
        ];
    }
    // The common case costs a yes/no on the tree itself; the copy and the errors (with
    // their paths) are built only for an invalid schema, or one whose repeated keys the
    // copy reads differently (see `node_json`).
    if !iglu && !has_duplicate_keys(root) {
        match jsonschema::meta::is_valid_for::<Tree>(TreeNode::new(root)) {
            Ok(true) | Err(_) => return Vec::new(),
            Ok(false) => {}
        }
    }
    let mut json = root.to_json();
    if iglu {
        // Validate as the draft-04 schema it extends; `self` is an unknown keyword there.
        json["$schema"] = "http://json-schema.org/draft-04/schema#".into();
    }
    let Ok(validator) = jsonschema::meta::validator_for(&json) else {
        return Vec::new();
    };
    // The common case costs a yes/no; errors (with their paths) are built only if invalid.
    if validator.is_valid(&json) {
        return Vec::new();
    }
    validator
        .iter_errors(&json)
        .map(|error| {
            let path = crate::load::pointer::keys(error.instance_path().as_str());
            let node = root.at_path(&path).unwrap_or(root);
            let mut message = error.to_string();
            if message.len() > 200 {
                message = format!("invalid `{}` here", error.kind().keyword());
            }
            Diagnostic::at(
                Code::InvalidEventSchema,
                source,
                node.span,
                format!("not a valid JSON Schema: {message}"),
            )
            .with_label("invalid schema keyword")
        })
        .collect()
}

struct Walker<'a> {
    project: &'a Project,
    limits: &'a Limits,
    files: &'a mut RefFiles,
    /// Files whose failure to load this walk has already reported.
    reported: std::collections::HashSet<String>,
    /// `(file, pointer, path)` of the `$ref`s being followed.
    stack: Vec<(String, String, String)>,
    out: SchemaFields,
    seen_leaves: std::collections::HashSet<String>,
    /// Subschemas visited so far; `$ref`s shared by many branches are walked once per use,
    /// so a small schema can expand exponentially (a "`$ref` bomb").
    visits: usize,
    /// Set when a budget ran out: the walk stops and its fields are dropped.
    exhausted: bool,
}

/// Walk a schema rooted at `root` in `source`.
pub fn walk(
    root: Arc<Node>,
    source: &Arc<SourceFile>,
    project: &Project,
    limits: &Limits,
) -> SchemaFields {
    walk_with(root, source, project, limits, &mut RefFiles::default())
}

/// [`walk`], reading `$ref`'d files through `files`, shared with other walks (the other
/// events of the same manifest).
pub fn walk_with(
    root: Arc<Node>,
    source: &Arc<SourceFile>,
    project: &Project,
    limits: &Limits,
    files: &mut RefFiles,
) -> SchemaFields {
    let mut walker = Walker {
        project,
        limits,
        files,
        reported: Default::default(),
        stack: Vec::new(),
        out: SchemaFields::default(),
        seen_leaves: Default::default(),
        visits: 0,
        exhausted: false,
    };
    let doc = Doc {
        source: Arc::clone(source),
        root: Arc::clone(&root),
    };
    walker.walk(&doc, &root, "", root.span, false);
    if walker.exhausted {
        // A partial walk would report an arbitrary subset of the schema's fields.
        walker.out.fields.clear();
    }
    walker.out
}

#[derive(Clone)]
struct Doc {
    source: Arc<SourceFile>,
    root: Arc<Node>,
}

impl Walker<'_> {
    /// Walk `node` at field `path`; `name_span` is the property key naming it;
    /// `covered` is true when an ancestor's `x-data-type` already classifies this value.
    fn walk(&mut self, doc: &Doc, node: &Node, path: &str, name_span: Span, covered: bool) {
        if self.exhausted {
            return;
        }
        self.visits += 1;
        let breach = if self.stack.len() > self.limits.max_depth {
            Some(format!(
                "follows more than {} nested `$ref`s",
                self.limits.max_depth
            ))
        } else if self.visits > self.limits.max_schema_visits {
            Some(format!(
                "expands to more than {} subschemas through its `$ref`s (a `$ref` bomb?)",
                self.limits.max_schema_visits
            ))
        } else {
            None
        };
        if let Some(what) = breach {
            self.exhausted = true;
            let at = Span::new(node.span.start as usize, node.span.start as usize + 1);
            self.out.diagnostics.push(
                Diagnostic::at(
                    Code::ResourceLimit,
                    &doc.source,
                    at,
                    format!("the event schema {what}; it was not checked"),
                )
                .with_label("budget exceeded here")
                .with_help(
                    "share fewer definitions through `$ref`s, or raise `limits.max_schema_visits` in consentlint.yaml",
                ),
            );
            return;
        }
        let Value::Map(entries) = &node.value else {
            // `true` (anything goes) is an unclassified leaf; `false` carries nothing.
            if node.as_bool() == Some(true) && !covered {
                self.unclassified(doc, path, name_span, ValueKind::Any);
            }
            return;
        };
        let kw = Keywords::read(entries);
        let mut covered = covered;
        if let Some(data_type) = kw.data_type.and_then(spanned_str) {
            self.out.fields.push(FieldSite {
                source: Arc::clone(&doc.source),
                name: display_path(path),
                name_span,
                data_type: Some(data_type),
                identification: kw.identification.and_then(spanned_str),
                value: value_kind(kw.type_),
                hints: None,
                inferred: None,
                overlaid: None,
                from_schema: true,
            });
            covered = true;
        }
        let mut structural = false;
        if let Some(reference) = kw.reference.and_then(spanned_str) {
            structural = true;
            self.follow(doc, &reference, path, name_span, covered);
        }
        if let Some(props) = kw.properties.and_then(Node::as_map) {
            structural = true;
            for entry in props {
                let child = join(path, &entry.key);
                self.walk(doc, &entry.value, &child, entry.key_span, covered);
            }
        }
        if let Some(patterns) = kw.pattern_properties.and_then(Node::as_map) {
            structural = true;
            for entry in patterns {
                let child = join(path, &format!("/{}/", entry.key));
                self.walk(doc, &entry.value, &child, entry.key_span, covered);
            }
        }
        for combinator in kw.combinators {
            for branch in combinator.and_then(Node::as_seq).unwrap_or_default() {
                structural = true;
                self.walk(doc, branch, path, name_span, covered);
            }
        }
        if let Some(items) = kw.prefix_items.and_then(Node::as_seq) {
            structural = true;
            for (i, item) in items.iter().enumerate() {
                self.walk(doc, item, &format!("{path}[{i}]"), name_span, covered);
            }
        }
        match kw.items {
            Some(items) if items.as_seq().is_some() => {
                structural = true;
                for (i, item) in items.as_seq().unwrap_or_default().iter().enumerate() {
                    self.walk(doc, item, &format!("{path}[{i}]"), name_span, covered);
                }
            }
            Some(items) => {
                structural = true;
                self.walk(doc, items, &format!("{path}[]"), name_span, covered);
            }
            None => {}
        }
        let object_like = kw.is_object();
        match kw.additional_properties.map(|e| &e.value) {
            Some(extra) if extra.as_map().is_some() => {
                structural = true;
                self.walk(doc, extra, &join(path, "*"), name_span, covered);
            }
            Some(extra) if extra.as_bool() == Some(false) => {}
            _ if object_like && !covered && !kw.closed_by_unevaluated() => {
                let span = kw.additional_properties.map_or(name_span, |e| e.key_span);
                self.out.diagnostics.push(
                    Diagnostic::at(Code::OpenSchema, &doc.source, span, format!("object `{}` accepts properties it does not declare", display_path(path)))
                        .with_label("open to undeclared properties")
                        .with_help("add `\"additionalProperties\": false`, or give `additionalProperties` a schema with an `x-data-type`"),
                );
                structural = true;
            }
            _ => {}
        }
        if !structural && !covered && !object_like {
            let hints = hints(entries, kw.type_);
            self.unclassified_with(doc, path, name_span, value_kind(kw.type_), Some(hints));
        }
    }

    fn unclassified(&mut self, doc: &Doc, path: &str, name_span: Span, value: ValueKind) {
        self.unclassified_with(doc, path, name_span, value, None);
    }

    fn unclassified_with(
        &mut self,
        doc: &Doc,
        path: &str,
        name_span: Span,
        value: ValueKind,
        hints: Option<Box<crate::classify::Hints>>,
    ) {
        let name = display_path(path);
        if !self
            .seen_leaves
            .insert(format!("{}#{name}", doc.source.name))
        {
            return;
        }
        self.out.fields.push(FieldSite {
            source: Arc::clone(&doc.source),
            name,
            name_span,
            data_type: None,
            identification: None,
            value,
            hints,
            inferred: None,
            overlaid: None,
            from_schema: true,
        });
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "(root)".to_owned()
    } else {
        path.to_owned()
    }
}
