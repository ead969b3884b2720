//! The taxonomy a policy names (`taxonomy:`, else `builtin:default`), with every layer's
//! `taxonomy_extensions`: a consentlint taxonomy file, a built-in one, or a fideslang
//! data-categories file (`fideslang:PATH`).

use super::chain::{self, Layer};
use crate::builtin;
use crate::diagnostic::{Diagnostic, Label};
use crate::document::Sp;
use crate::document::fideslang;
use crate::document::taxonomy::{TaxonomyDoc, TypeDecl};
use crate::load::schema_check::Format;
use crate::load::{self, Limits};
use crate::policy::problems;
use crate::policy::taxonomy::Taxonomy;
use crate::reference::{Reference, no_builtin, refused};
use crate::source::SourceFile;
use std::sync::Arc;

/// The merged taxonomy: the named one (from the last layer naming one) plus every
/// layer's extensions.
pub(super) fn build(
    named: Option<(&Layer, &Sp<String>)>,
    layers: &[Layer],
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<Taxonomy> {
    let taxonomy_ref = match named {
        Some((layer, t)) => {
            let resolved = chain::resolve(&layer.source.name, &t.value, limits);
            match resolved {
                Ok(reference) => (
                    reference,
                    Some(Label::new(&layer.source, t.span, "taxonomy named here")),
                ),
                Err(reason) => {
                    out.push(refused(&layer.source, t.span, "taxonomy", &reason));
                    return None;
                }
            }
        }
        None => ("builtin:default".to_owned(), None),
    };
    let mut decls: Vec<(Arc<SourceFile>, TypeDecl)> =
        load_taxonomy(&taxonomy_ref.0, taxonomy_ref.1, limits, out)?;
    for layer in layers {
        decls.extend(
            layer
                .doc
                .taxonomy_extensions
                .iter()
                .map(|t| (Arc::clone(&layer.source), t.clone())),
        );
    }
    Some(Taxonomy::build(&decls, out))
}

fn load_taxonomy(
    reference: &str,
    via: Option<Label>,
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<(Arc<SourceFile>, TypeDecl)>> {
    let source = match Reference::parse(reference) {
        Reference::Fideslang(path) => return load_fideslang(path, via, limits, out),
        Reference::Builtin(name) => builtin::taxonomy(name).ok_or_else(|| {
            no_builtin(
                reference,
                ("taxonomy", "taxonomies"),
                builtin::taxonomy_names(),
            )
        }),
        Reference::Git(_) | Reference::Path(_) => load::read_reference(reference, limits),
    };
    match load::load_document(source, Format::Taxonomy, limits) {
        Ok(loaded) => {
            let doc = TaxonomyDoc::read(&loaded.root);
            Some(
                doc.types
                    .into_iter()
                    .map(|t| (Arc::clone(&loaded.source), t))
                    .collect(),
            )
        }
        Err(mut problems) => {
            if let (Some(via), Some(first)) = (via, problems.first_mut()) {
                first.related.push(via);
            }
            out.extend(problems);
            None
        }
    }
}

/// A fideslang data-categories file as taxonomy types (`taxonomy: fideslang:PATH`).
fn load_fideslang(
    path: &str,
    via: Option<Label>,
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<(Arc<SourceFile>, TypeDecl)>> {
    let loaded = load::read_reference(path, limits)
        .and_then(|source| load::parse(&source, limits).map(|root| (source, root)));
    let problem = match loaded {
        Ok((source, root)) if fideslang::is_data_categories(&root) => {
            return Some(
                fideslang::read(&root)
                    .into_iter()
                    .map(|t| (Arc::clone(&source), t))
                    .collect(),
            );
        }
        Ok((source, root)) => problems::not_fideslang(&source, root.span, path),
        Err(problem) => problem,
    };
    out.push(match via {
        Some(via) => problem.with_related(via),
        None => problem,
    });
    None
}
