//! Source mappings: how telemetry definitions written in other formats map onto a policy.
//!
//! In: the `sources:` declarations of the policy's `extends` chain (the last layer that
//! declares a format's mapping wins, whole). Out: a mapping whose every consent level and
//! data type is resolved against the compiled policy — an unknown id is reported at its
//! place in the policy file, exactly as in a rule — so checking a Glean file never meets
//! an id the policy does not know.

use super::compile::Resolver;
use super::table::LevelIdx;
use super::taxonomy::Origin;
use crate::diagnostic::Diagnostic;
use crate::document::Sp;
use crate::document::policy::GleanMappingDecl;
use crate::source::SourceFile;
use std::sync::Arc;

/// Every source mapping a compiled policy declares.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub glean: Option<GleanMapping>,
}

/// `sources: glean:` with every id resolved.
#[derive(Clone, Debug)]
pub struct GleanMapping {
    /// The `glean:` key in the policy file.
    pub origin: Origin,
    /// `data_sensitivity` value → consent level.
    pub data_sensitivity: Vec<(String, LevelIdx)>,
    /// Metric type → data type id of the metric's own value.
    pub metric_types: Vec<(String, String)>,
    /// Extra key type → data type id of the extra.
    pub extra_types: Vec<(String, String)>,
}

impl GleanMapping {
    pub fn level_of(&self, sensitivity: &str) -> Option<LevelIdx> {
        lookup(&self.data_sensitivity, sensitivity).copied()
    }

    pub fn metric_type(&self, glean_type: &str) -> Option<&str> {
        lookup(&self.metric_types, glean_type).map(String::as_str)
    }

    pub fn extra_type(&self, glean_type: &str) -> Option<&str> {
        lookup(&self.extra_types, glean_type).map(String::as_str)
    }
}

fn lookup<'a, T>(table: &'a [(String, T)], key: &str) -> Option<&'a T> {
    table.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Resolve a Glean mapping against the policy's levels and taxonomy.
pub(super) fn resolve_glean(
    source: &Arc<SourceFile>,
    decl: &GleanMappingDecl,
    resolver: &Resolver<'_>,
    out: &mut Vec<Diagnostic>,
) -> GleanMapping {
    let data_sensitivity = decl
        .data_sensitivity
        .iter()
        .filter_map(|(key, level)| {
            let found = resolver.level(source, level, "sources.glean.data_sensitivity", out)?;
            Some((key.value.clone(), found))
        })
        .collect();
    let types = |table: &[(Sp<String>, Sp<String>)], out: &mut Vec<Diagnostic>| {
        table
            .iter()
            .filter_map(|(key, ty)| {
                resolver.data_type(source, ty, out)?;
                Some((key.value.clone(), ty.value.clone()))
            })
            .collect()
    };
    GleanMapping {
        origin: Origin {
            source: Arc::clone(source),
            span: decl.span,
        },
        data_sensitivity,
        metric_types: types(&decl.metric_types, out),
        extra_types: types(&decl.extra_types, out),
    }
}
