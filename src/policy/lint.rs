//! `policy lint`: problems in a policy itself, found on the compiled policy.
//!
//! In: a compiled [`Policy`] (and, for `extends`, its bases compiled on their own). Out:
//! diagnostics pointing into the policy file — selectors that select nothing, `except`
//! entries outside their selector, grants no event can ever use or that another grant
//! makes redundant, levels and purposes no rule mentions, types `unmatched: allow` lets
//! through unnoticed, and loosenings of a base policy nobody declared in `loosens:`.
//! Only problems located in the policy's own file are reported: its bases are linted when
//! they are linted themselves. `check` shows the error-level findings of every policy it
//! uses; `policy lint` shows them all.

use super::matrix::{Matrix, cell};
use super::table::{Effect, Policy, Rule, RuleIdx};
use super::taxonomy::{Origin, TypeId, purpose_within};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::load::Limits;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Lint a compiled policy; `limits` bound the reading of its bases.
pub fn lint(policy: &Policy, limits: &Limits) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    selectors(policy, &mut out);
    shadowed_grants(policy, &mut out);
    redundant_grants(policy, &mut out);
    unused_levels(policy, &mut out);
    unused_purposes(policy, &mut out);
    implicitly_allowed(policy, &mut out);
    for (base, via) in &policy.provenance.extends {
        loosenings(policy, base, via, limits, &mut out);
    }
    let home = &policy.origin.source;
    out.retain(|d| {
        d.primary
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(&p.source, home))
    });
    diagnostic::sort(&mut out);
    out
}

fn at(origin: &Origin, code: Code, message: String) -> Diagnostic {
    Diagnostic::at(code, &origin.source, origin.span, message)
}

fn selectors(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let taxonomy = &policy.taxonomy;
    for rule in &policy.rules {
        let s = &rule.selector;
        for (class, origin) in &s.classes {
            if !taxonomy.types.iter().any(|t| t.class == *class) {
                out.push(
                    at(origin, Code::EmptySelector, format!("no data type of the taxonomy has class `{class}`, so this entry of rule `{}` selects nothing", rule.id))
                        .with_label("matches no type")
                        .with_rule(&rule.id)
                        .with_help("remove the entry, or add types of that class (`taxonomy_extensions`)"),
                );
            }
        }
        if rule.matches.is_empty() && !s.types.is_empty() {
            out.push(
                at(
                    &rule.origin,
                    Code::EmptySelector,
                    format!(
                        "rule `{}` selects no data type: `except` removes everything it names",
                        rule.id
                    ),
                )
                .with_label("selects nothing")
                .with_rule(&rule.id)
                .with_help("remove the rule, or narrow its `except`"),
            );
        }
        let selected = |t: TypeId| {
            s.types.iter().any(|&(sel, _)| taxonomy.is_within(t, sel))
                || s.classes.iter().any(|(c, _)| taxonomy.types[t].class == *c)
        };
        for (except, origin) in &s.except {
            let overlaps =
                (0..taxonomy.len()).any(|t| taxonomy.is_within(t, *except) && selected(t));
            if !overlaps {
                out.push(
                    at(
                        origin,
                        Code::ExceptOutsideSelector,
                        format!(
                            "`except` names `{}`, which rule `{}` does not select ({})",
                            taxonomy.types[*except].id, rule.id, rule.selector_text
                        ),
                    )
                    .with_label("not in the selector")
                    .with_rule(&rule.id)
                    .with_help("remove it from `except`, or correct the id"),
                );
            }
        }
    }
}

fn grants(policy: &Policy) -> impl Iterator<Item = (RuleIdx, &Rule)> {
    policy
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.effect == Effect::Allow)
}

fn shadowed_grants(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for (_, rule) in grants(policy) {
        if rule.matches.is_empty() {
            continue;
        }
        let mut deniers: Vec<RuleIdx> = Vec::new();
        let shadowed = rule.matches.iter().all(|&t| {
            (rule.min_consent..policy.levels.len()).all(|level| {
                let c = cell(policy, t, level);
                match c.verdict {
                    super::matrix::CellVerdict::Denied { rules } => {
                        deniers.extend(rules);
                        true
                    }
                    _ => false,
                }
            })
        });
        if !shadowed {
            continue;
        }
        deniers.sort_unstable();
        deniers.dedup();
        let names: Vec<String> = deniers
            .iter()
            .map(|&d| format!("`{}`", policy.rules[d].id))
            .collect();
        let mut d = at(
            &rule.origin,
            Code::ShadowedGrant,
            format!(
                "grant `{}` can never permit anything: deny rule{} {} cover{} every type it selects at every level it applies to",
                rule.id,
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                if names.len() == 1 { "s" } else { "" },
            ),
        )
        .with_label("never used")
        .with_rule(&rule.id)
        .with_help("remove the grant, or narrow the deny rule (`below:`, `purposes:`, `except:`) if the data should be allowed");
        for &r in &deniers {
            d = d.with_related(
                policy.rules[r]
                    .origin
                    .label(format!("denied by `{}`", policy.rules[r].id)),
            );
        }
        out.push(d);
    }
}

/// Whether grant `b` permits everything grant `a` permits.
fn covers(b: &Rule, a: &Rule) -> bool {
    let purposes_cover = match (&b.purposes, &a.purposes) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(bp), Some(ap)) => ap.iter().all(|p| bp.iter().any(|q| purpose_within(p, q))),
    };
    let retention_covers = match (b.max_retention_days, a.max_retention_days) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(bd), Some(ad)) => bd >= ad,
    };
    b.min_consent <= a.min_consent
        && b.max_identification >= a.max_identification
        && purposes_cover
        && retention_covers
        && a.matches.iter().all(|t| b.matches.binary_search(t).is_ok())
}

fn redundant_grants(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for (_, a) in grants(policy) {
        if a.matches.is_empty() {
            continue;
        }
        // Of two grants that cover each other, the one with the greater id is reported.
        let by = grants(policy)
            .find(|(_, b)| b.id != a.id && covers(b, a) && (!covers(a, b) || b.id < a.id));
        if let Some((_, b)) = by {
            out.push(
                at(
                    &a.origin,
                    Code::RedundantGrant,
                    format!(
                        "grant `{}` is redundant: grant `{}` permits every type it selects, from the same level or lower, at least as identifiable, for the same purposes and retention",
                        a.id, b.id
                    ),
                )
                .with_label("redundant")
                .with_rule(&a.id)
                .with_related(b.origin.label(format!("`{}` already permits it", b.id)))
                .with_help(format!("remove `{}`, or merge its `reference:` into `{}`", a.id, b.id)),
            );
        }
    }
}

fn unused_levels(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for (i, level) in policy.levels.iter().enumerate() {
        let mentioned = policy.rules.iter().any(|r| match r.effect {
            Effect::Allow => r.min_consent == i,
            Effect::Deny => r.below == Some(i),
        });
        if !mentioned {
            out.push(
                at(
                    &level.origin,
                    Code::UnusedConsentLevel,
                    if i == 0 {
                        format!(
                            "no rule mentions consent level `{}`: nothing may be collected at it",
                            level.id
                        )
                    } else {
                        format!(
                            "no rule mentions consent level `{}`: it permits exactly what `{}` permits",
                            level.id,
                            policy.levels[i - 1].id
                        )
                    },
                )
                .with_label("no rule starts or ends here")
                .with_help("grant what this level adds with `min_consent:`, or remove the level"),
            );
        }
    }
}

fn unused_purposes(policy: &Policy, out: &mut Vec<Diagnostic>) {
    // A policy none of whose rules is scoped by purpose declares its purposes as the
    // vocabulary events may use (checked as `unknown-purpose`), not as conditions: that
    // no rule names one is then the design, not an oversight.
    if policy.rules.iter().all(|r| r.purposes.is_none()) {
        return;
    }
    for (purpose, origin) in &policy.provenance.purposes {
        let mentioned = policy.rules.iter().any(|r| {
            r.purposes.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|q| purpose_within(q, purpose) || purpose_within(purpose, q))
            })
        });
        if !mentioned {
            out.push(
                at(
                    origin,
                    Code::UnusedPurpose,
                    format!("no rule mentions purpose `{purpose}`: only grants without `purposes:` allow it"),
                )
                .with_label("never named by a rule")
                .with_help("name it in the grants it belongs to, or remove it"),
            );
        }
    }
}

fn implicitly_allowed(policy: &Policy, out: &mut Vec<Diagnostic>) {
    if !policy.defaults.unmatched_allow {
        return;
    }
    let taxonomy = &policy.taxonomy;
    let unmentioned: Vec<bool> = (0..taxonomy.len())
        .map(|t| !policy.rules.iter().any(|r| r.matches.contains(&t)))
        .collect();
    // Name the top of each unmentioned subtree only.
    let tops: Vec<&str> = taxonomy
        .in_tree_order()
        .iter()
        .filter(|&&t| unmentioned[t] && taxonomy.types[t].parent.is_none_or(|p| !unmentioned[p]))
        .map(|&t| taxonomy.types[t].id.as_str())
        .collect();
    if tops.is_empty() {
        return;
    }
    let count = unmentioned.iter().filter(|&&u| u).count();
    let origin = policy
        .defaults
        .unmatched_origin
        .as_ref()
        .filter(|o| Arc::ptr_eq(&o.source, &policy.origin.source))
        .unwrap_or(&policy.origin);
    out.push(
        at(
            origin,
            Code::ImplicitlyAllowed,
            format!(
                "`unmatched: allow` lets {count} data type{} through that no rule mentions: {}",
                if count == 1 { "" } else { "s" },
                tops.iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_label("allows what no rule names")
        .with_help("grant or deny each of them explicitly, or set `unmatched: deny`"),
    );
}

/// What a base allows that the policy allows more of, grouped by the rule responsible.
fn loosenings(
    policy: &Policy,
    base_ref: &str,
    via: &Origin,
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(base), _) = super::compile(base_ref, limits) else {
        return; // compiling the policy itself already reported why
    };
    let child = Matrix::new(policy);
    let parent = Matrix::new(&base);
    // responsible rule (None: the defaults) → cells loosened
    let mut found: BTreeMap<Option<RuleIdx>, Vec<String>> = BTreeMap::new();
    let mut base_rules: BTreeMap<Option<RuleIdx>, Vec<RuleIdx>> = BTreeMap::new();
    for row in &child.rows {
        let ty = &policy.taxonomy.types[row.ty];
        let Some(base_row) = base.taxonomy.get(&ty.id).and_then(|t| parent.row(t)) else {
            continue;
        };
        for (level, c) in policy.levels.iter().zip(&row.cells) {
            let Some(bl) = base.level(&level.id) else {
                continue;
            };
            let b = &base_row.cells[bl];
            let (now, before) = (c.verdict.allows(), b.verdict.allows());
            if now <= before {
                continue;
            }
            let what = match before {
                None => format!(
                    "`{}` at `{}` ({} in the base)",
                    ty.id,
                    level.id,
                    b.verdict.name()
                ),
                Some(q) => format!(
                    "`{}` at `{}` sent {} (the base allows {q} or less)",
                    ty.id,
                    level.id,
                    now.map_or("", |q| q.as_str())
                ),
            };
            let responsible: Vec<RuleIdx> = c
                .verdict
                .rules()
                .iter()
                .copied()
                .filter(|&g| base.rule(&policy.rules[g].id).is_none())
                .filter(|&g| before.is_none_or(|q| policy.rules[g].max_identification > q))
                .collect();
            let keys: Vec<Option<RuleIdx>> = if responsible.is_empty() {
                vec![None]
            } else {
                responsible.into_iter().map(Some).collect()
            };
            for key in keys {
                found.entry(key).or_default().push(what.clone());
                base_rules
                    .entry(key)
                    .or_default()
                    .extend(b.verdict.rules().iter().copied());
            }
        }
    }
    let declared = |id: &str| policy.provenance.loosens.iter().any(|(l, _)| l == id);
    for (key, cells) in found {
        let shown: Vec<&str> = cells.iter().take(3).map(String::as_str).collect();
        let more = if cells.len() > 3 {
            format!(" and {} more", cells.len() - 3)
        } else {
            String::new()
        };
        let mut d = match key {
            Some(g) => {
                let rule = &policy.rules[g];
                if declared(&rule.id) {
                    continue;
                }
                let home = Arc::ptr_eq(&rule.origin.source, &policy.origin.source);
                let origin = if home { &rule.origin } else { via };
                at(
                    origin,
                    Code::LoosensBase,
                    format!(
                        "rule `{}` loosens base policy `{}`: it allows {}{more}",
                        rule.id,
                        base.id,
                        shown.join(", ")
                    ),
                )
                .with_label(if home { "loosens the base" } else { "this base is loosened" })
                .with_rule(&rule.id)
                .with_help(format!(
                    "if this is deliberate, declare it with `loosens: [{}]` (and have it reviewed); otherwise narrow the rule",
                    rule.id
                ))
            }
            None => {
                let origin = policy
                    .defaults
                    .unmatched_origin
                    .as_ref()
                    .filter(|o| Arc::ptr_eq(&o.source, &policy.origin.source))
                    .unwrap_or(via);
                at(
                    origin,
                    Code::LoosensBase,
                    format!(
                        "this policy loosens base policy `{}` through its defaults or levels, not a rule: it allows {}{more}",
                        base.id,
                        shown.join(", ")
                    ),
                )
                .with_label("loosens the base")
                .with_help("keep the base's `unmatched` and consent levels, or grant the types explicitly and declare those rules in `loosens:`")
            }
        };
        let mut olds: Vec<RuleIdx> = base_rules.remove(&key).unwrap_or_default();
        olds.sort_unstable();
        olds.dedup();
        for r in olds.into_iter().take(3) {
            let rule = &base.rules[r];
            d = d.with_related(
                rule.origin
                    .label(format!("the base decides with `{}`", rule.id)),
            );
        }
        out.push(d);
    }
}
