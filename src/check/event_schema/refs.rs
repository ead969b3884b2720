//! Following `$ref`s: local pointers (`#/…`) and relative files inside the project root,
//! each file read once per manifest, cycles cut, every refusal reported at the `$ref`.

use super::{Doc, Walker};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::Sp;
use crate::load::{self, Node};
use crate::reference::not_followed;
use crate::source::{SourceFile, Span};
use std::collections::HashMap;
use std::sync::Arc;

/// A schema file reached through `$ref`: its source and tree, or why it failed to load.
pub(super) type LoadedSchema = Result<(Arc<SourceFile>, Arc<Node>), Diagnostic>;

/// Schema files reached through `$ref`, parsed once and shared by every walk that is given
/// the same set (all the events of one manifest), so a definitions file that every event
/// schema points into is read once per manifest, not once per event.
#[derive(Default)]
pub struct RefFiles(pub(super) HashMap<String, LoadedSchema>);

impl Walker<'_> {
    pub(super) fn follow(
        &mut self,
        doc: &Doc,
        reference: &Sp<String>,
        path: &str,
        name_span: Span,
        covered: bool,
    ) {
        let (file_part, pointer) = reference
            .value
            .split_once('#')
            .unwrap_or((&reference.value, ""));
        let target_doc = if file_part.is_empty() {
            doc.clone()
        } else {
            match self.load(doc, file_part, reference) {
                Some(target) => target,
                None => return,
            }
        };
        let key = (target_doc.source.name.clone(), pointer.to_owned());
        if let Some(at) = self
            .stack
            .iter()
            .position(|(f, p, _)| (f, p) == (&key.0, &key.1))
        {
            // Recursion through properties is a legal recursive schema; a loop of bare
            // `$ref`s with no property in between is not.
            if self.stack[at].2 == path {
                // Files are named only when the loop leaves this one.
                let one_file = self.stack[at..]
                    .iter()
                    .all(|(f, _, _)| *f == doc.source.name);
                let place = |(file, pointer, _): &(String, String, String)| match (
                    one_file,
                    pointer.is_empty(),
                ) {
                    (true, _) => format!("#{pointer}"),
                    (false, true) => file.clone(),
                    (false, false) => format!("{file}#{pointer}"),
                };
                let chain: Vec<String> = self.stack[at..]
                    .iter()
                    .chain(std::iter::once(&self.stack[at]))
                    .map(place)
                    .collect();
                self.out.diagnostics.push(
                    Diagnostic::at(
                        Code::RefCycle,
                        &doc.source,
                        reference.span,
                        format!(
                            "`$ref` `{}` loops back to itself: {}",
                            reference.value,
                            chain.join(" → ")
                        ),
                    )
                    .with_label("loops")
                    .with_help("break the chain of `$ref`s"),
                );
            }
            return;
        }
        let segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| crate::load::pointer::unescape(&percent_decode(s)))
            .collect();
        let root = Arc::clone(&target_doc.root);
        let Some(target) = root.at_path(&segments) else {
            self.out.diagnostics.push(
                not_followed(
                    &doc.source,
                    reference.span,
                    format!("`$ref` `{}` points nowhere", reference.value),
                )
                .with_label("no such location"),
            );
            return;
        };
        self.stack.push((key.0, key.1, path.to_owned()));
        self.walk(&target_doc, target, path, name_span, covered);
        self.stack.pop();
    }

    fn load(&mut self, doc: &Doc, file: &str, reference: &Sp<String>) -> Option<Doc> {
        let resolved = match self.project.resolve(&doc.source.name, file) {
            Ok(resolved) => resolved,
            Err(reason) => {
                self.out.diagnostics.push(not_followed(
                    &doc.source,
                    reference.span,
                    format!("cannot follow `$ref`: {reason}"),
                ));
                return None;
            }
        };
        let limits = self.limits;
        let loaded = self
            .files
            .0
            .entry(resolved.display.clone())
            .or_insert_with(|| {
                load::read_source(&resolved.path, &resolved.display, limits).and_then(|source| {
                    load::parse(&source, limits).map(|root| (source, Arc::new(root)))
                })
            });
        match loaded {
            Ok((source, root)) => Some(Doc {
                source: Arc::clone(source),
                root: Arc::clone(root),
            }),
            Err(problem) => {
                // Each walk reports the file's own problem once, as when it was read.
                if self.reported.insert(resolved.display.clone()) {
                    self.out.diagnostics.push(problem.clone());
                }
                self.out.diagnostics.push(not_followed(
                    &doc.source,
                    reference.span,
                    format!("cannot follow `$ref` to `{}`", resolved.display),
                ));
                None
            }
        }
    }
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or(""), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
