//! Stage 3 — compiling a policy: `extends`, taxonomy, ids, decision table.
//!
//! In: a policy reference (`builtin:NAME` or a path). Out: an immutable [`Policy`], or the
//! diagnostics explaining why there is none. Every id a policy uses is resolved here, with
//! a "did you mean" for the ones that do not exist, so checking never meets an unknown id.

use super::sources::{self, Sources};
use super::table::{
    ConsentLevel, Defaults, Effect, LimitSet, Policy, Provenance, Rule, Selector, Unclassified,
};
use super::taxonomy::{DataClass, Identification, Origin, Taxonomy, TypeId};
use crate::builtin;
use crate::diagnostic::{Code, Diagnostic, Label, Severity};
use crate::document::Sp;
use crate::document::policy::{self as doc, PolicyDoc, RuleDecl};
use crate::document::taxonomy::{TaxonomyDoc, TypeDecl};
use crate::load::schema_check::Format;
use crate::load::{self, Limits};
use crate::project;
use crate::source::SourceFile;
use crate::sources::fideslang;
use crate::suggest;
use std::collections::HashMap;
use std::sync::Arc;

/// A policy file in an `extends` chain, read and validated.
struct Layer {
    source: Arc<SourceFile>,
    doc: PolicyDoc,
}

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
    collect_layers(
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

fn read(reference: &str, limits: &Limits) -> Result<Arc<SourceFile>, Diagnostic> {
    match builtin::name(reference) {
        Some(name) => builtin::policy(name).ok_or_else(|| {
            let hint = suggest::hint(name, builtin::policy_names());
            Diagnostic::new(
                Code::UnresolvedRef,
                reference,
                format!("there is no built-in policy `{name}`"),
            )
            .with_help(if hint.is_empty() {
                format!(
                    "built-in policies: {}",
                    builtin::policy_names().collect::<Vec<_>>().join(", ")
                )
            } else {
                hint
            })
        }),
        None => load::read_reference(reference, limits),
    }
}

/// Depth-first through `extends`: bases first, each file once, cycles reported.
#[allow(clippy::too_many_arguments)]
fn collect_layers(
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
        let mut d = Diagnostic::new(
            Code::RefCycle,
            reference,
            format!(
                "`extends` loops back to `{reference}`: {} → {reference}",
                stack.join(" → ")
            ),
        );
        if let Some(via) = via {
            d.file = via.source.name.clone();
            d.primary = Some(via);
        }
        out.push(d);
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
                out.push(refused(&loaded.source, base, "extend", &reason));
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
/// like every other reference in the project's files (a pull request could otherwise
/// name `/etc/passwd` and have a parse error quote it into the CI log).
fn resolve(from: &str, reference: &str, limits: &Limits) -> Result<String, String> {
    let confined = limits
        .confine_to
        .as_deref()
        .map(project::Project::new)
        .filter(|project| {
            builtin::name(reference).is_none()
                && load::git::join(from, reference).is_none()
                && builtin::name(from).is_none()
                && project.contains(from)
        });
    match confined {
        Some(project) => project.resolve(from, reference).map(|r| r.display),
        None => Ok(resolve_relative(from, reference)),
    }
}

/// The diagnostic for a reference [`resolve`] refused.
fn refused(
    source: &Arc<SourceFile>,
    reference: &Sp<String>,
    what: &str,
    reason: &str,
) -> Diagnostic {
    Diagnostic::at(
        Code::UnresolvedRef,
        source,
        reference.span,
        format!("cannot {what} `{}`: {reason}", reference.value),
    )
    .with_label("not followed")
}

/// `builtin:` references stay as they are; paths are relative to the referring file.
fn resolve_relative(from: &str, reference: &str) -> String {
    if builtin::name(reference).is_some() {
        reference.to_owned()
    } else if let Some(joined) = load::git::join(from, reference) {
        joined
    } else if builtin::name(from).is_some() {
        // A built-in policy can only extend other built-ins.
        format!("builtin:{reference}")
    } else {
        project::join(from, reference).display
    }
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
}

fn build(
    reference: &str,
    layers: &[Layer],
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<Policy> {
    let mut merged = Merged {
        levels: None,
        purposes: None,
        taxonomy: None,
        unclassified: None,
        unmatched: None,
        identification: None,
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
    }
    let top = layers.last()?;

    // Consent levels.
    let Some((level_layer, level_decls)) = merged.levels else {
        out.push(
            Diagnostic::at(
                Code::InvalidValue,
                &top.source,
                top.doc.id.span,
                format!("policy `{}` declares no `consent_levels`", top.doc.id.value),
            )
            .with_help("declare the levels, lowest first, or extend a policy that does"),
        );
        return None;
    };
    let mut levels: Vec<ConsentLevel> = Vec::new();
    for l in level_decls {
        if levels.iter().any(|x| x.id == l.id.value) {
            out.push(Diagnostic::at(
                Code::InvalidValue,
                &level_layer.source,
                l.id.span,
                format!("consent level `{}` is declared twice", l.id.value),
            ));
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
        out.push(Diagnostic::at(
            Code::InvalidValue,
            &level_layer.source,
            top.doc.id.span,
            "a policy needs at least one consent level",
        ));
        return None;
    }
    let purposes: Option<Vec<String>> = merged
        .purposes
        .map(|p| p.iter().map(|s| s.value.clone()).collect());

    // Taxonomy and extensions.
    let taxonomy_ref = match merged.taxonomy {
        Some((layer, t)) => {
            let resolved = match t.value.strip_prefix(fideslang::PREFIX) {
                Some(path) => resolve(&layer.source.name, path, limits)
                    .map(|path| format!("{}{path}", fideslang::PREFIX)),
                None => resolve(&layer.source.name, &t.value, limits),
            };
            match resolved {
                Ok(reference) => (
                    reference,
                    Some(Label::new(&layer.source, t.span, "taxonomy named here")),
                ),
                Err(reason) => {
                    out.push(refused(&layer.source, t, "use taxonomy", &reason));
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
    let taxonomy = Taxonomy::build(&decls, out);

    let resolver = Resolver {
        levels: &levels,
        purposes: purposes.as_deref(),
        taxonomy: &taxonomy,
    };

    // Defaults.
    let unclassified = match merged.unclassified.map(|(_, v)| v.value.as_str()) {
        Some("warning") => Unclassified::Warning,
        Some("allow") => Unclassified::Allow,
        _ => Unclassified::Error,
    };
    let identification = merged
        .identification
        .and_then(|(_, v)| Identification::parse(&v.value))
        .unwrap_or(Identification::Identified);
    let defaults = Defaults {
        unclassified,
        unmatched_allow: merged.unmatched.is_some_and(|(_, v)| v.value == "allow"),
        identification,
        unmatched_origin: merged
            .unmatched
            .map(|(layer, v)| origin(&layer.source, v.span)),
    };

    // Limits: key by key, later layers win; per-level entries merge by level.
    let mut global = LimitSet::default();
    let mut per_level = vec![LimitSet::default(); levels.len()];
    for layer in layers {
        merge_limits(&mut global, &layer.doc.limits.all, &layer.source);
        for (level, set) in &layer.doc.limits.per_level {
            if let Some(i) = resolver.level(&layer.source, level, "limits.per_level", out) {
                merge_limits(&mut per_level[i], set, &layer.source);
            }
        }
    }

    // Rules.
    let mut rules: Vec<Rule> = Vec::new();
    let mut seen: HashMap<String, Label> = HashMap::new();
    for layer in layers {
        for decl in &layer.doc.rules {
            let here = Label::new(&layer.source, decl.id.span, "defined again here");
            if let Some(first) = seen.get(&decl.id.value) {
                out.push(
                    Diagnostic::at(
                        Code::DuplicateRule,
                        &layer.source,
                        decl.id.span,
                        format!("rule id `{}` is used twice", decl.id.value),
                    )
                    .with_label("defined again here")
                    .with_related(Label {
                        message: "first defined here".to_owned(),
                        ..first.clone()
                    })
                    .with_help("give every rule a unique id"),
                );
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
                out.push(
                    Diagnostic::at(
                        Code::UnknownId,
                        &layer.source,
                        id.span,
                        format!("`loosens` names rule `{}`, which does not exist", id.value),
                    )
                    .with_help(hint),
                );
            }
        }
    }

    // Source mappings: the last layer that declares one wins, whole.
    let mut sources = Sources::default();
    if let Some((layer, decl)) = layers
        .iter()
        .rev()
        .find_map(|l| l.doc.sources.glean.as_ref().map(|g| (l, g)))
    {
        sources.glean = Some(sources::resolve_glean(&layer.source, decl, &resolver, out));
    }

    let mut policy = Policy::new(
        top.doc.id.value.clone(),
        top.doc.title.clone(),
        reference.to_owned(),
        origin(&top.source, top.doc.id.span),
        levels,
        purposes,
        defaults,
        global,
        per_level,
        taxonomy,
        rules,
    );
    policy.provenance = Provenance {
        extends: top
            .doc
            .extends
            .iter()
            .map(|e| {
                (
                    resolve_relative(&top.source.name, &e.value),
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
    };
    policy.sources = sources;
    Some(policy)
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
}

fn load_taxonomy(
    reference: &str,
    via: Option<Label>,
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<(Arc<SourceFile>, TypeDecl)>> {
    if let Some(path) = reference.strip_prefix(fideslang::PREFIX) {
        return load_fideslang(path, via, limits, out);
    }
    let source = match builtin::name(reference) {
        Some(name) => builtin::taxonomy(name).ok_or_else(|| {
            Diagnostic::new(
                Code::UnresolvedRef,
                reference,
                format!("there is no built-in taxonomy `{name}`"),
            )
            .with_help(format!(
                "built-in taxonomies: {}",
                builtin::taxonomy_names().collect::<Vec<_>>().join(", ")
            ))
        }),
        None => load::read_reference(reference, limits),
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
        Ok((source, root)) => Diagnostic::at(
            Code::InvalidValue,
            &source,
            root.span,
            format!("`{path}` is not a fideslang data-categories file"),
        )
        .with_help("a fideslang taxonomy has a top-level `data_category:` list (fideslang's data_files/data_categories.yml)"),
        Err(problem) => problem,
    };
    out.push(match via {
        Some(via) => problem.with_related(via),
        None => problem,
    });
    None
}

/// Resolves the ids a rule (or a source mapping) uses against the merged policy.
pub(super) struct Resolver<'a> {
    levels: &'a [ConsentLevel],
    purposes: Option<&'a [String]>,
    taxonomy: &'a Taxonomy,
}

impl Resolver<'_> {
    fn unknown(
        &self,
        source: &Arc<SourceFile>,
        value: &Sp<String>,
        what: &str,
        hint: String,
        out: &mut Vec<Diagnostic>,
    ) {
        out.push(
            Diagnostic::at(
                Code::UnknownId,
                source,
                value.span,
                format!("unknown {what} `{}`", value.value),
            )
            .with_label(format!("not a {what} of this policy"))
            .with_help(hint),
        );
    }

    pub(super) fn level(
        &self,
        source: &Arc<SourceFile>,
        id: &Sp<String>,
        _context: &str,
        out: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let found = self.levels.iter().position(|l| l.id == id.value);
        if found.is_none() {
            let hint = suggest::hint(&id.value, self.levels.iter().map(|l| l.id.as_str()));
            let hint = if hint.is_empty() {
                format!(
                    "levels: {}",
                    self.levels
                        .iter()
                        .map(|l| l.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                hint
            };
            self.unknown(source, id, "consent level", hint, out);
        }
        found
    }

    pub(super) fn data_type(
        &self,
        source: &Arc<SourceFile>,
        id: &Sp<String>,
        out: &mut Vec<Diagnostic>,
    ) -> Option<TypeId> {
        let found = self.taxonomy.get(&id.value);
        if found.is_none() {
            self.unknown(
                source,
                id,
                "data type",
                self.taxonomy.suggest(&id.value),
                out,
            );
        }
        found
    }

    fn purposes(
        &self,
        source: &Arc<SourceFile>,
        list: &[Sp<String>],
        out: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        if let Some(declared) = self.purposes {
            for p in list {
                if !declared
                    .iter()
                    .any(|d| super::taxonomy::purpose_within(&p.value, d))
                {
                    let hint = suggest::hint(&p.value, declared.iter().map(String::as_str));
                    self.unknown(source, p, "purpose", hint, out);
                }
            }
        }
        list.iter().map(|p| p.value.clone()).collect()
    }

    fn rule(
        &self,
        source: &Arc<SourceFile>,
        decl: &RuleDecl,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Rule> {
        let before = out.len();
        let resolve_types =
            |list: &[Sp<String>], out: &mut Vec<Diagnostic>| -> Vec<(TypeId, Origin)> {
                list.iter()
                    .filter_map(|t| Some((self.data_type(source, t, out)?, origin(source, t.span))))
                    .collect()
            };
        let selector = Selector {
            types: resolve_types(&decl.selector.types, out),
            except: resolve_types(&decl.selector.except, out),
            classes: decl
                .selector
                .classes
                .iter()
                .filter_map(|c| Some((DataClass::parse(&c.value)?, origin(source, c.span))))
                .collect(),
        };
        let types: Vec<TypeId> = selector.types.iter().map(|t| t.0).collect();
        let except: Vec<TypeId> = selector.except.iter().map(|t| t.0).collect();
        let classes: Vec<DataClass> = selector.classes.iter().map(|c| c.0).collect();
        let min_consent = match &decl.min_consent {
            Some(l) => self.level(source, l, "min_consent", out).unwrap_or(0),
            None => 0,
        };
        let below = decl
            .below
            .as_ref()
            .and_then(|l| self.level(source, l, "below", out));
        let purposes = decl
            .purposes
            .as_ref()
            .map(|p| self.purposes(source, p, out));
        if out.len() > before {
            return None;
        }
        let matches = (0..self.taxonomy.len())
            .filter(|&t| {
                let selected = types.iter().any(|&s| self.taxonomy.is_within(t, s))
                    || classes.contains(&self.taxonomy.types[t].class);
                selected && !except.iter().any(|&e| self.taxonomy.is_within(t, e))
            })
            .collect();
        let mut selector_parts = Vec::new();
        let join = |items: &[Sp<String>]| {
            items
                .iter()
                .map(|s| s.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !decl.selector.types.is_empty() {
            selector_parts.push(format!("types: [{}]", join(&decl.selector.types)));
        }
        if !decl.selector.classes.is_empty() {
            selector_parts.push(format!("classes: [{}]", join(&decl.selector.classes)));
        }
        if !decl.selector.except.is_empty() {
            selector_parts.push(format!("except: [{}]", join(&decl.selector.except)));
        }
        Some(Rule {
            id: decl.id.value.clone(),
            effect: match decl.effect {
                doc::Effect::Allow => Effect::Allow,
                doc::Effect::Deny => Effect::Deny,
            },
            severity: decl
                .severity
                .as_ref()
                .and_then(|s| Severity::parse(&s.value))
                .unwrap_or(Severity::Error),
            message: decl.message.clone(),
            reference: decl.reference.clone(),
            min_consent,
            max_identification: decl
                .max_identification
                .as_ref()
                .and_then(|m| Identification::parse(&m.value))
                .unwrap_or(Identification::Identified),
            purposes,
            max_retention_days: decl.max_retention_days.as_ref().map(|d| d.value),
            below,
            selector_text: selector_parts.join(", "),
            origin: origin(source, decl.id.span),
            matches,
            selector,
        })
    }
}
