//! Resolving the ids a rule or a source mapping uses (consent levels, data types,
//! purposes) against the merged policy; an unknown id is reported at its place in the
//! policy file with a "did you mean".

use super::chain::Layer;
use super::origin;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Sp;
use crate::document::policy::{self as doc, GleanMappingDecl, RuleDecl};
use crate::policy::problems;
use crate::policy::table::{
    ConsentLevel, Effect, GleanMapping, LifetimeRetention, Mappings, Refinement, Rule, Selector,
};
use crate::policy::taxonomy::{DataClass, Identification, Origin, Taxonomy, TypeId};
use crate::source::SourceFile;
use crate::suggest;
use std::sync::Arc;

/// Resolves the ids a rule (or a source mapping) uses against the merged policy.
pub(super) struct Resolver<'a> {
    pub levels: &'a [ConsentLevel],
    pub purposes: Option<&'a [String]>,
    pub taxonomy: &'a Taxonomy,
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
        out.push(problems::unknown(source, value, what, hint));
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
                    .any(|d| crate::policy::taxonomy::purpose_within(&p.value, d))
                {
                    let hint = suggest::hint(&p.value, declared.iter().map(String::as_str));
                    self.unknown(source, p, "purpose", hint, out);
                }
            }
        }
        list.iter().map(|p| p.value.clone()).collect()
    }

    pub(super) fn rule(
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

impl Resolver<'_> {
    /// Source mappings: the last layer that declares one wins, whole.
    pub(super) fn mappings(&self, layers: &[Layer], out: &mut Vec<Diagnostic>) -> Mappings {
        let mut mappings = Mappings::default();
        if let Some((layer, decl)) = layers
            .iter()
            .rev()
            .find_map(|l| l.doc.sources.glean.as_ref().map(|g| (l, g)))
        {
            mappings.glean = Some(self.glean(&layer.source, decl, out));
        }
        mappings
    }

    /// A Glean mapping with its levels and types resolved.
    fn glean(
        &self,
        source: &Arc<SourceFile>,
        decl: &GleanMappingDecl,
        out: &mut Vec<Diagnostic>,
    ) -> GleanMapping {
        let data_sensitivity = decl
            .data_sensitivity
            .iter()
            .filter_map(|(key, level)| {
                let found = self.level(source, level, "sources.glean.data_sensitivity", out)?;
                Some((key.value.clone(), found))
            })
            .collect();
        let types = |table: &[(Sp<String>, Sp<String>)], out: &mut Vec<Diagnostic>| {
            table
                .iter()
                .filter_map(|(key, ty)| {
                    self.data_type(source, ty, out)?;
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
            require_data_review: decl.require_data_review.map(|span| Origin {
                source: Arc::clone(source),
                span,
            }),
            lifetimes: decl
                .lifetimes
                .iter()
                .filter_map(|(lifetime, retention)| {
                    Some((
                        lifetime.value.clone(),
                        LifetimeRetention::parse(&retention.value)?,
                        Origin {
                            source: Arc::clone(source),
                            span: retention.span,
                        },
                    ))
                })
                .collect(),
            refinements: decl
                .refine
                .iter()
                .filter_map(|r| {
                    self.data_type(source, &r.data_type, out)?;
                    Some(Refinement {
                        origin: Origin {
                            source: Arc::clone(source),
                            span: r.span,
                        },
                        metric_types: r.metric_types.iter().map(|t| t.value.clone()).collect(),
                        data_type: r.data_type.value.clone(),
                        name_words: r.name_words.clone(),
                        description_words: r.description_words.clone(),
                        unless: r.unless_words.clone(),
                        reason: r.reason.clone(),
                    })
                })
                .collect(),
        }
    }
}
