//! Stage 3 — compiling a policy: `extends`, taxonomy, ids, decision table.
//!
//! In: a policy reference (`builtin:NAME` or a path). Out: an immutable [`Policy`], or the
//! diagnostics explaining why there is none. Every id a policy uses is resolved here, with
//! a "did you mean" for the ones that do not exist, so checking never meets an unknown id.
//!
//! The steps, one file each: [`chain`] reads the `extends` chain (bases first, cycles and
//! refused references reported); [`taxonomy`] loads the taxonomy it names; [`resolver`]
//! resolves rules and source mappings against the merged levels, purposes and types; this
//! file merges the layers and hands the parts to [`Policy::new`], which builds the table.

mod chain;
mod resolver;
mod taxonomy;

use super::table::{
    ConsentLevel, Defaults, LimitSet, Parts, Policy, Provenance, Rule, Unclassified,
};
use super::taxonomy::{Identification, Origin};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::document::Sp;
use crate::document::policy::{self as doc};
use crate::load::Limits;
use crate::policy::problems;
use crate::source::SourceFile;
use crate::suggest;
use chain::Layer;
use resolver::Resolver;
use std::collections::HashMap;
use std::sync::Arc;

/// Compile the policy named by `reference` (`builtin:NAME` or a path as displayed).
pub fn compile(reference: &str, limits: &Limits) -> (Option<Policy>, Vec<Diagnostic>) {
    compile_with(reference, None, limits)
}

/// Compile a policy whose text is already in memory (its `extends` are still read from
/// disk, relative to `source.name`).
pub fn compile_source(
    source: Arc<SourceFile>,
    limits: &Limits,
) -> (Option<Policy>, Vec<Diagnostic>) {
    let reference = source.name.clone();
    compile_with(&reference, Some(source), limits)
}

fn compile_with(
    reference: &str,
    preloaded: Option<Arc<SourceFile>>,
    limits: &Limits,
) -> (Option<Policy>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut layers = Vec::new();
    let mut stack = Vec::new();
    chain::collect_layers(
        reference,
        preloaded,
        None,
        limits,
        &mut stack,
        &mut layers,
        &mut out,
    );
    if layers.is_empty() || has_errors(&out) {
        return (None, out);
    }
    let policy = build(reference, &layers, limits, &mut out);
    if has_errors(&out) {
        return (None, out);
    }
    (policy, out)
}

fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

fn origin(source: &Arc<SourceFile>, span: crate::source::Span) -> Origin {
    Origin {
        source: Arc::clone(source),
        span,
    }
}

/// The merged view of an `extends` chain; later layers override earlier ones.
struct Merged<'a> {
    levels: Option<(&'a Layer, &'a [doc::LevelDecl])>,
    purposes: Option<&'a [Sp<String>]>,
    taxonomy: Option<(&'a Layer, &'a Sp<String>)>,
    unclassified: Option<(&'a Layer, &'a Sp<String>)>,
    unmatched: Option<(&'a Layer, &'a Sp<String>)>,
    identification: Option<(&'a Layer, &'a Sp<String>)>,
    expired: Option<(&'a Layer, &'a Sp<String>)>,
}

impl<'a> Merged<'a> {
    fn of(layers: &'a [Layer]) -> Merged<'a> {
        let mut merged = Merged {
            levels: None,
            purposes: None,
            taxonomy: None,
            unclassified: None,
            unmatched: None,
            identification: None,
            expired: None,
        };
        for layer in layers {
            let d = &layer.doc;
            if let Some(levels) = &d.consent_levels {
                merged.levels = Some((layer, levels));
            }
            if let Some(purposes) = &d.purposes {
                merged.purposes = Some(purposes);
            }
            if let Some(t) = &d.taxonomy {
                merged.taxonomy = Some((layer, t));
            }
            if let Some(v) = &d.defaults.unclassified {
                merged.unclassified = Some((layer, v));
            }
            if let Some(v) = &d.defaults.unmatched {
                merged.unmatched = Some((layer, v));
            }
            if let Some(v) = &d.defaults.identification {
                merged.identification = Some((layer, v));
            }
            if let Some(v) = &d.defaults.expired {
                merged.expired = Some((layer, v));
            }
        }
        merged
    }
}

/// The layers of an `extends` chain (bases first) merged into one policy.
fn build(
    reference: &str,
    layers: &[Layer],
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<Policy> {
    let top = layers.last()?;
    let merged = Merged::of(layers);
    let levels = levels(&merged, top, out)?;
    let purposes: Option<Vec<String>> = merged
        .purposes
        .map(|p| p.iter().map(|s| s.value.clone()).collect());
    let taxonomy = taxonomy::build(merged.taxonomy, layers, limits, out)?;
    let resolver = Resolver {
        levels: &levels,
        purposes: purposes.as_deref(),
        taxonomy: &taxonomy,
    };
    let (global, per_level) = limit_sets(layers, &resolver, out);
    let rules = rules(layers, &resolver, out);
    let mappings = resolver.mappings(layers, out);
    Some(Policy::new(Parts {
        id: top.doc.id.value.clone(),
        title: top.doc.title.clone(),
        name: reference.to_owned(),
        origin: origin(&top.source, top.doc.id.span),
        defaults: defaults(&merged),
        provenance: provenance(top, layers),
        levels,
        purposes,
        limits: global,
        per_level_limits: per_level,
        taxonomy,
        rules,
        mappings,
    }))
}

/// The consent levels, lowest first, from the last layer that declares them.
fn levels(
    merged: &Merged<'_>,
    top: &Layer,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<ConsentLevel>> {
    let Some((level_layer, level_decls)) = merged.levels else {
        out.push(problems::no_levels(&top.source, &top.doc.id));
        return None;
    };
    let mut levels: Vec<ConsentLevel> = Vec::new();
    for l in level_decls {
        if levels.iter().any(|x| x.id == l.id.value) {
            out.push(problems::level_declared_twice(&level_layer.source, &l.id));
            continue;
        }
        levels.push(ConsentLevel {
            id: l.id.value.clone(),
            title: l.title.clone(),
            description: l.description.clone(),
            default_on: l.default_on,
            can_disable: l.can_disable.clone(),
            opt_in: l.opt_in.clone(),
            reference: l.reference.clone(),
            origin: origin(&level_layer.source, l.id.span),
        });
    }
    if levels.is_empty() {
        out.push(problems::empty_levels(&level_layer.source, top.doc.id.span));
        return None;
    }
    Some(levels)
}

/// `defaults:`, key by key, later layers winning.
fn defaults(merged: &Merged<'_>) -> Defaults {
    let unclassified = match merged.unclassified.map(|(_, v)| v.value.as_str()) {
        Some("warning") => Unclassified::Warning,
        Some("allow") => Unclassified::Allow,
        _ => Unclassified::Error,
    };
    let identification = merged
        .identification
        .and_then(|(_, v)| Identification::parse(&v.value))
        .unwrap_or(Identification::Identified);
    Defaults {
        unclassified,
        unmatched_allow: merged.unmatched.is_some_and(|(_, v)| v.value == "allow"),
        identification,
        unmatched_origin: merged
            .unmatched
            .map(|(layer, v)| origin(&layer.source, v.span)),
        expired: merged.expired.and_then(|(layer, v)| {
            let severity = match v.value.as_str() {
                "error" => crate::diagnostic::Severity::Error,
                "warning" => crate::diagnostic::Severity::Warning,
                _ => return None,
            };
            Some((severity, origin(&layer.source, v.span)))
        }),
    }
}

/// `limits:` key by key, later layers win; per-level entries merge by level.
fn limit_sets(
    layers: &[Layer],
    resolver: &Resolver<'_>,
    out: &mut Vec<Diagnostic>,
) -> (LimitSet, Vec<LimitSet>) {
    let mut global = LimitSet::default();
    let mut per_level = vec![LimitSet::default(); resolver.levels.len()];
    for layer in layers {
        merge_limits(&mut global, &layer.doc.limits.all, &layer.source);
        for (level, set) in &layer.doc.limits.per_level {
            if let Some(i) = resolver.level(&layer.source, level, "limits.per_level", out) {
                merge_limits(&mut per_level[i], set, &layer.source);
            }
        }
    }
    (global, per_level)
}

/// Every layer's rules, resolved; an id used twice is reported and the second one dropped,
/// and a `loosens` naming no rule is reported.
fn rules(layers: &[Layer], resolver: &Resolver<'_>, out: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut seen: HashMap<String, Label> = HashMap::new();
    for layer in layers {
        for decl in &layer.doc.rules {
            let here = Label::new(&layer.source, decl.id.span, "defined again here");
            if let Some(first) = seen.get(&decl.id.value) {
                out.push(problems::duplicate_rule(&layer.source, &decl.id, first));
                continue;
            }
            seen.insert(decl.id.value.clone(), here);
            if let Some(rule) = resolver.rule(&layer.source, decl, out) {
                rules.push(rule);
            }
        }
    }
    for layer in layers {
        for id in &layer.doc.loosens {
            if !seen.contains_key(&id.value) {
                let hint = suggest::hint(&id.value, seen.keys().map(String::as_str));
                out.push(problems::unknown_loosened(&layer.source, id, hint));
            }
        }
    }
    rules
}

/// Where the top file's `extends`, `loosens` and the purposes came from.
fn provenance(top: &Layer, layers: &[Layer]) -> Provenance {
    Provenance {
        extends: top
            .doc
            .extends
            .iter()
            .map(|e| {
                (
                    crate::reference::join(&top.source.name, &e.value),
                    origin(&top.source, e.span),
                )
            })
            .collect(),
        loosens: top
            .doc
            .loosens
            .iter()
            .map(|l| (l.value.clone(), origin(&top.source, l.span)))
            .collect(),
        purposes: layers
            .iter()
            .rev()
            .find_map(|l| l.doc.purposes.as_ref().map(|p| (l, p)))
            .map(|(l, p)| {
                p.iter()
                    .map(|s| (s.value.clone(), origin(&l.source, s.span)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn merge_limits(into: &mut LimitSet, from: &doc::LimitSet, source: &Arc<SourceFile>) {
    let list = |items: &Vec<Sp<String>>| {
        items
            .iter()
            .map(|s| (s.value.clone(), origin(source, s.span)))
            .collect()
    };
    if let Some(t) = &from.transport {
        into.transport = Some(list(t));
    }
    if let Some(r) = &from.regions {
        into.regions = Some(list(r));
    }
    if let Some(d) = &from.max_retention_days {
        into.max_retention_days = Some((d.value, origin(source, d.span)));
    }
    if let Some(d) = &from.max_expiry_days {
        into.max_expiry_days = Some((d.value, origin(source, d.span)));
    }
}
