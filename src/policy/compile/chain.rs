//! The `extends` chain of a policy: each file read once, bases first, cycles and refused
//! references reported where they are written.

use crate::builtin;
use crate::diagnostic::{Diagnostic, Label};
use crate::document::policy::PolicyDoc;
use crate::load::schema_check::Format;
use crate::load::{self, Limits};
use crate::policy::problems;
use crate::project;
use crate::reference::{Reference, no_builtin, refused};
use crate::source::SourceFile;
use std::sync::Arc;

/// A policy file in an `extends` chain, read and validated.
pub(super) struct Layer {
    pub source: Arc<SourceFile>,
    pub doc: PolicyDoc,
}

fn read(reference: &str, limits: &Limits) -> Result<Arc<SourceFile>, Diagnostic> {
    match Reference::parse(reference).builtin() {
        Some(name) => builtin::policy(name)
            .ok_or_else(|| no_builtin(reference, ("policy", "policies"), builtin::policy_names())),
        None => load::read_reference(reference, limits),
    }
}

/// Depth-first through `extends`: bases first, each file once, cycles reported.
#[allow(clippy::too_many_arguments)]
pub(super) fn collect_layers(
    reference: &str,
    preloaded: Option<Arc<SourceFile>>,
    via: Option<Label>,
    limits: &Limits,
    stack: &mut Vec<String>,
    layers: &mut Vec<Layer>,
    out: &mut Vec<Diagnostic>,
) {
    if layers.iter().any(|l| l.source.name == reference) {
        return;
    }
    if stack.iter().any(|s| s == reference) {
        out.push(problems::extends_cycle(reference, stack, via));
        return;
    }
    let source = match preloaded.map_or_else(|| read(reference, limits), Ok) {
        Ok(source) => source,
        Err(mut d) => {
            if let Some(via) = via {
                d.related.push(via);
            }
            out.push(d);
            return;
        }
    };
    let loaded = match load::load_document(Ok(source), Format::Policy, limits) {
        Ok(loaded) => loaded,
        Err(problems) => {
            out.extend(problems);
            return;
        }
    };
    let doc = PolicyDoc::read(&loaded.root);
    stack.push(reference.to_owned());
    for base in &doc.extends {
        let target = match resolve(&loaded.source.name, &base.value, limits) {
            Ok(target) => target,
            Err(reason) => {
                out.push(refused(&loaded.source, base.span, "base policy", &reason));
                continue;
            }
        };
        let via = Label::new(&loaded.source, base.span, "extended here");
        collect_layers(&target, None, Some(via), limits, stack, layers, out);
    }
    stack.pop();
    layers.push(Layer {
        source: loaded.source,
        doc,
    });
}

/// A file a policy names (`extends:`, `taxonomy:`), for reading: relative to the
/// referring file, and — for a policy inside the project — confined to the project root
/// like every other reference in the project's files.
pub(super) fn resolve(from: &str, reference: &str, limits: &Limits) -> Result<String, String> {
    let project = limits.confine_to.as_deref().map(project::Project::new);
    crate::reference::resolve(from, reference, project.as_ref())
}
