//! `kind: Policy` documents, as written (before `extends` and ids are resolved).

use super::taxonomy::{TypeDecl, read_types};
use super::{Sp, items, key_span, string, strings, uint};
use crate::load::Node;
use crate::source::Span;

#[derive(Clone, Debug)]
pub struct PolicyDoc {
    pub id: Sp<String>,
    pub title: Option<String>,
    pub extends: Vec<Sp<String>>,
    pub taxonomy: Option<Sp<String>>,
    pub taxonomy_extensions: Vec<TypeDecl>,
    pub consent_levels: Option<Vec<LevelDecl>>,
    pub purposes: Option<Vec<Sp<String>>>,
    pub defaults: DefaultsDecl,
    pub limits: LimitsDecl,
    pub rules: Vec<RuleDecl>,
    pub loosens: Vec<Sp<String>>,
    pub sources: SourcesDecl,
}

/// `sources:` — how definitions written in other formats map onto the policy.
#[derive(Clone, Debug, Default)]
pub struct SourcesDecl {
    pub glean: Option<GleanMappingDecl>,
}

/// `sources: glean:` — each table maps a Glean name (the key, with its span) to an id.
#[derive(Clone, Debug)]
pub struct GleanMappingDecl {
    /// The span of the `glean:` key.
    pub span: Span,
    pub data_sensitivity: Vec<(Sp<String>, Sp<String>)>,
    pub metric_types: Vec<(Sp<String>, Sp<String>)>,
    pub extra_types: Vec<(Sp<String>, Sp<String>)>,
    /// `require_data_review: true`: the span of the key.
    pub require_data_review: Option<Span>,
    /// `refine:`, in order.
    pub refine: Vec<RefineDecl>,
    /// `lifetimes:` — Glean lifetime → days or `until-expiry`, as written.
    pub lifetimes: Vec<(Sp<String>, Sp<String>)>,
}

/// One `refine:` entry: metrics of these types whose words say so get another data type.
#[derive(Clone, Debug)]
pub struct RefineDecl {
    /// The entry's span.
    pub span: Span,
    pub metric_types: Vec<Sp<String>>,
    pub data_type: Sp<String>,
    pub name_words: Vec<String>,
    pub description_words: Vec<String>,
    pub unless_words: Vec<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug)]
pub struct LevelDecl {
    pub id: Sp<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub default_on: bool,
    pub can_disable: Vec<String>,
    pub opt_in: Vec<String>,
    pub reference: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct DefaultsDecl {
    pub unclassified: Option<Sp<String>>,
    pub unmatched: Option<Sp<String>>,
    pub identification: Option<Sp<String>>,
    /// `expired: error | warning | allow`: what an event past its `expires` date is.
    pub expired: Option<Sp<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct LimitSet {
    pub transport: Option<Vec<Sp<String>>>,
    pub regions: Option<Vec<Sp<String>>>,
    pub max_retention_days: Option<Sp<u64>>,
    pub max_expiry_days: Option<Sp<u64>>,
}

#[derive(Clone, Debug, Default)]
pub struct LimitsDecl {
    pub all: LimitSet,
    pub per_level: Vec<(Sp<String>, LimitSet)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, Default)]
pub struct SelectorDecl {
    pub types: Vec<Sp<String>>,
    pub classes: Vec<Sp<String>>,
    pub except: Vec<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct RuleDecl {
    pub id: Sp<String>,
    pub effect: Effect,
    /// The span of the `allow:`/`deny:` key.
    pub effect_span: Span,
    pub selector: SelectorDecl,
    pub severity: Option<Sp<String>>,
    pub message: Option<String>,
    pub reference: Option<String>,
    pub min_consent: Option<Sp<String>>,
    pub max_identification: Option<Sp<String>>,
    pub purposes: Option<Vec<Sp<String>>>,
    pub max_retention_days: Option<Sp<u64>>,
    pub below: Option<Sp<String>>,
}

impl PolicyDoc {
    pub fn read(root: &Node) -> PolicyDoc {
        PolicyDoc {
            id: string(root, "id").unwrap_or_else(|| Sp::new(String::new(), root.span)),
            title: string(root, "title").map(|s| s.value),
            extends: strings(root, "extends").unwrap_or_default(),
            taxonomy: string(root, "taxonomy"),
            taxonomy_extensions: read_types(items(root, "taxonomy_extensions")),
            consent_levels: root.get("consent_levels").map(|_| {
                items(root, "consent_levels")
                    .iter()
                    .filter_map(read_level)
                    .collect()
            }),
            purposes: strings(root, "purposes"),
            defaults: root.get("defaults").map(read_defaults).unwrap_or_default(),
            limits: root.get("limits").map(read_limits).unwrap_or_default(),
            rules: items(root, "rules").iter().filter_map(read_rule).collect(),
            loosens: strings(root, "loosens").unwrap_or_default(),
            sources: SourcesDecl {
                glean: root.get("sources").and_then(read_glean),
            },
        }
    }
}

fn read_glean(sources: &Node) -> Option<GleanMappingDecl> {
    let node = sources.get("glean")?;
    Some(GleanMappingDecl {
        span: key_span(sources, "glean").unwrap_or(node.span),
        data_sensitivity: string_map(node, "data_sensitivity"),
        metric_types: string_map(node, "metric_types"),
        extra_types: string_map(node, "extra_types"),
        lifetimes: node
            .get("lifetimes")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| {
                let value = e.value.scalar_text()?;
                Some((
                    Sp::new(e.key.clone(), e.key_span),
                    Sp::new(value, e.value.span),
                ))
            })
            .collect(),
        refine: node
            .get("refine")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|entry| {
                let words = |key: &str| -> Vec<String> {
                    strings(entry, key)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|s| s.value)
                        .collect()
                };
                Some(RefineDecl {
                    span: entry.span,
                    metric_types: strings(entry, "metric_types").unwrap_or_default(),
                    data_type: string(entry, "data_type")?,
                    name_words: words("name_words"),
                    description_words: words("description_words"),
                    unless_words: words("unless_words"),
                    reason: string(entry, "reason").map(|r| r.value),
                })
            })
            .collect(),
        require_data_review: node
            .entry("require_data_review")
            .filter(|e| e.value.as_bool() == Some(true))
            .map(|e| e.key_span),
    })
}

/// A mapping of strings to strings at `key`, keys and values with their spans.
fn string_map(node: &Node, key: &str) -> Vec<(Sp<String>, Sp<String>)> {
    node.get(key)
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let value = e.value.as_str()?;
            Some((
                Sp::new(e.key.clone(), e.key_span),
                Sp::new(value.to_owned(), e.value.span),
            ))
        })
        .collect()
}

fn read_level(node: &Node) -> Option<LevelDecl> {
    Some(LevelDecl {
        id: string(node, "id")?,
        title: string(node, "title").map(|s| s.value),
        description: string(node, "description").map(|s| s.value),
        default_on: match node.get("default") {
            Some(v) => v.as_str() == Some("on") || v.as_bool() == Some(true),
            None => false,
        },
        can_disable: plain(strings(node, "can_disable")),
        opt_in: plain(strings(node, "opt_in")),
        reference: string(node, "reference").map(|s| s.value),
    })
}

fn plain(list: Option<Vec<Sp<String>>>) -> Vec<String> {
    list.unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect()
}

fn read_defaults(node: &Node) -> DefaultsDecl {
    DefaultsDecl {
        unclassified: string(node, "unclassified"),
        expired: string(node, "expired"),
        unmatched: string(node, "unmatched"),
        identification: string(node, "identification"),
    }
}

fn read_limit_set(node: &Node) -> LimitSet {
    LimitSet {
        transport: strings(node, "transport"),
        regions: strings(node, "regions"),
        max_retention_days: uint(node, "max_retention_days"),
        max_expiry_days: uint(node, "max_expiry_days"),
    }
}

fn read_limits(node: &Node) -> LimitsDecl {
    let per_level = node
        .get("per_level")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .map(|e| (Sp::new(e.key.clone(), e.key_span), read_limit_set(&e.value)))
        .collect();
    LimitsDecl {
        all: read_limit_set(node),
        per_level,
    }
}

fn read_rule(node: &Node) -> Option<RuleDecl> {
    let (effect, key) = if node.get("allow").is_some() {
        (Effect::Allow, "allow")
    } else if node.get("deny").is_some() {
        (Effect::Deny, "deny")
    } else {
        return None;
    };
    let selector = node.get(key)?;
    Some(RuleDecl {
        id: string(node, "id")?,
        effect,
        effect_span: key_span(node, key).unwrap_or(node.span),
        selector: SelectorDecl {
            types: strings(selector, "types").unwrap_or_default(),
            classes: strings(selector, "classes").unwrap_or_default(),
            except: strings(selector, "except").unwrap_or_default(),
        },
        severity: string(node, "severity"),
        message: string(node, "message").map(|s| s.value),
        reference: string(node, "reference").map(|s| s.value),
        min_consent: string(node, "min_consent"),
        max_identification: string(node, "max_identification"),
        purposes: strings(node, "purposes"),
        max_retention_days: uint(node, "max_retention_days"),
        below: string(node, "below"),
    })
}
