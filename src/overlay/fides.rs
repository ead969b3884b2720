//! Fides `dataset:` resources read as overlays, as they are.
//!
//! A Fides dataset labels a database: `dataset:` → `collections:` (tables) → `fields:`
//! (columns, nested with their own `fields:`), each with `data_categories`. Read as an
//! overlay, a collection is an event and a field path a dotted field path; a field without
//! categories of its own takes those of its parent field, its collection, then its dataset.
//! Fides keys the rest of the file (`fides_meta`, `references`, …) for its own use: it is
//! read past, not validated here.

use super::Entry;
use super::pattern::{FieldPattern, Wild};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::{self, Sp};
use crate::load::Node;
use crate::source::SourceFile;
use std::sync::Arc;

/// `invalid-value`: `classify --write` was pointed at a Fides dataset, which it would overwrite
/// with a `kind: Classification` draft.
pub fn not_a_draft(path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        path.to_owned(),
        format!("`{path}` is a Fides dataset; `classify --write` drafts a `kind: Classification` overlay"),
    )
    .with_help("write the draft to a file of its own, and name the dataset with `--overlay` so the fields it classifies are not proposed")
}

pub fn is_dataset(root: &Node) -> bool {
    root.get("kind").is_none() && root.get("dataset").is_some()
}

pub fn entries(root: &Node, source: &Arc<SourceFile>) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    let Some(datasets) = root.get("dataset").and_then(Node::as_seq) else {
        let span = root.get("dataset").map_or(root.span, |d| d.span);
        return Err(vec![
            Diagnostic::at(
                Code::InvalidValue,
                source,
                span,
                "a Fides `dataset:` is a list of datasets",
            )
            .with_label("not a list"),
        ]);
    };
    let mut cx = Reader {
        source,
        entries: Vec::new(),
        problems: Vec::new(),
    };
    for dataset in datasets {
        let inherited = categories(dataset);
        for collection in document::items(dataset, "collections") {
            let Some(name) = cx.name(collection, "collection") else {
                continue;
            };
            let own = categories(collection);
            let inherited = if own.is_empty() { &inherited } else { &own };
            for field in document::items(collection, "fields") {
                cx.field(field, &name, "", inherited);
            }
        }
    }
    if cx.problems.is_empty() {
        Ok(cx.entries)
    } else {
        Err(cx.problems)
    }
}

struct Reader<'a> {
    source: &'a Arc<SourceFile>,
    entries: Vec<Entry>,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn name(&mut self, node: &Node, what: &str) -> Option<Sp<String>> {
        let name = document::string(node, "name");
        if name.is_none() {
            self.problems.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    self.source,
                    node.span,
                    format!("a Fides {what} needs a `name`"),
                )
                .with_label("no `name`"),
            );
        }
        name
    }

    fn field(
        &mut self,
        node: &Node,
        collection: &Sp<String>,
        prefix: &str,
        inherited: &[Sp<String>],
    ) {
        let Some(name) = self.name(node, "field") else {
            return;
        };
        let path = format!("{prefix}{}", name.value);
        let own = categories(node);
        let types = if own.is_empty() { inherited } else { &own };
        let children = document::items(node, "fields");
        if !children.is_empty() {
            let prefix = format!("{path}.");
            for child in children {
                self.field(child, collection, &prefix, types);
            }
            return;
        }
        if types.is_empty() {
            return;
        }
        self.entries.push(Entry {
            source: Arc::clone(self.source),
            span: name.span,
            files: None,
            event_pattern: Some(Wild::new(&collection.value)),
            event: Some(collection.clone()),
            pattern: FieldPattern::new(&path),
            field: Sp::new(path, name.span),
            types: types.to_vec(),
            identification: None,
        });
    }
}

fn categories(node: &Node) -> Vec<Sp<String>> {
    document::strings(node, "data_categories").unwrap_or_default()
}
