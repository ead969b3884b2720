//! `policy compile`: the decision matrix as JSON (stable, hashed), Markdown and HTML.
//!
//! The JSON form carries `content_hash`: `sha256:` and the SHA-256 of the document's
//! canonical form (keys sorted, no whitespace) with `content_hash` itself, the policy's
//! `file` (the same policy may be named by a path or `builtin:NAME`) and every `origin`
//! (file:line of a rule, which moves when comments are edited) left out. It thus
//! covers the policy id and title, levels, purposes, defaults, limits, every rule with its
//! selector, conditions, message and reference, the whole taxonomy (ids, titles, classes)
//! and every cell — everything that decides or documents a verdict, and nothing that only
//! formats the files.

use super::html;
use crate::policy::matrix::{Cell, CellVerdict, Matrix};
use crate::policy::table::{Effect, LimitSet, Policy, Unclassified};
use crate::policy::{Identification, RuleIdx};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The JSON document, version 1.
pub fn json(matrix: &Matrix<'_>) -> String {
    let mut doc = json_value(matrix);
    let hash = content_hash(&doc);
    if let Value::Object(map) = &mut doc {
        map.insert("content_hash".into(), Value::String(hash));
    }
    // The version is part of what the content hash covers.
    super::json_document(doc)
}

fn json_value(matrix: &Matrix<'_>) -> Value {
    let policy = matrix.policy;
    let rule_ids = |rules: &[RuleIdx]| -> Vec<&str> {
        rules.iter().map(|&r| policy.rules[r].id.as_str()).collect()
    };
    let types: Vec<Value> = matrix
        .rows
        .iter()
        .map(|row| {
            let ty = &policy.taxonomy.types[row.ty];
            let cells: Vec<Value> = row
                .cells
                .iter()
                .zip(&policy.levels)
                .map(|(cell, level)| {
                    json!({
                        "level": level.id,
                        "verdict": cell.verdict.name(),
                        "max_identification": cell.verdict.allows().map(Identification::as_str),
                        "rules": rule_ids(cell.verdict.rules()),
                        "denied_for_purposes": rule_ids(&cell.purpose_denies),
                    })
                })
                .collect();
            json!({
                "id": ty.id,
                "title": ty.title,
                "class": ty.class.as_str(),
                "parent": ty.parent.map(|p| policy.taxonomy.types[p].id.as_str()),
                "cells": cells,
            })
        })
        .collect();
    json!({
        "version": super::JSON_VERSION,
        "policy": { "id": policy.id, "title": policy.title, "file": policy.name },
        "levels": policy.levels.iter().map(|l| json!({
            "id": l.id,
            "title": l.title,
            "default": if l.default_on { "on" } else { "off" },
            "can_disable": l.can_disable,
            "opt_in": l.opt_in,
        })).collect::<Vec<_>>(),
        "purposes": policy.purposes,
        "defaults": {
            "unclassified": match policy.defaults.unclassified {
                Unclassified::Error => "error",
                Unclassified::Warning => "warning",
                Unclassified::Allow => "allow",
            },
            "unmatched": if policy.defaults.unmatched_allow { "allow" } else { "deny" },
            "identification": policy.defaults.identification.as_str(),
        },
        "limits": limits_json(policy),
        "rules": policy.rules.iter().map(|r| {
            let at = r.origin.source.line_col(r.origin.span.start);
            json!({
                "id": r.id,
                "effect": match r.effect { Effect::Allow => "allow", Effect::Deny => "deny" },
                "selector": r.selector_text,
                "severity": r.severity.as_str(),
                "min_consent": (r.effect == Effect::Allow).then(|| policy.levels[r.min_consent].id.as_str()),
                "max_identification": (r.effect == Effect::Allow).then(|| r.max_identification.as_str()),
                "purposes": r.purposes,
                "max_retention_days": r.max_retention_days,
                "below": r.below.map(|b| policy.levels[b].id.as_str()),
                "message": r.message,
                "reference": r.reference,
                "origin": format!("{}:{}", r.origin.source.name, at.line),
            })
        }).collect::<Vec<_>>(),
        "types": types,
    })
}

fn limits_json(policy: &Policy) -> Value {
    let set = |s: &LimitSet| {
        let names = |l: &Option<Vec<(String, crate::policy::taxonomy::Origin)>>| {
            l.as_ref()
                .map(|v| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())
        };
        json!({
            "transport": names(&s.transport),
            "regions": names(&s.regions),
            "max_retention_days": s.max_retention_days.as_ref().map(|(d, _)| *d),
        })
    };
    let mut per_level = Map::new();
    for (level, limits) in policy.levels.iter().zip(&policy.per_level_limits) {
        if limits.transport.is_some()
            || limits.regions.is_some()
            || limits.max_retention_days.is_some()
        {
            per_level.insert(level.id.clone(), set(limits));
        }
    }
    let mut all = set(&policy.limits);
    if let Value::Object(map) = &mut all {
        map.insert("per_level".into(), Value::Object(per_level));
    }
    all
}

/// `sha256:HEX` of the canonical form, without `content_hash`, `file` and `origin` keys.
pub fn content_hash(doc: &Value) -> String {
    let mut canonical = String::new();
    write_canonical(doc, &mut canonical);
    let digest = Sha256::digest(canonical.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Keys sorted, no whitespace, hashed keys left out — independent of serde_json's map order.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map
                .keys()
                .filter(|k| !matches!(k.as_str(), "content_hash" | "origin" | "file"))
                .collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                write_canonical(&map[key.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A cell as short text: the verdict, the identification bound, the rules.
pub struct CellText {
    /// `denied`, `allowed`, `pseudonymized or less`, `not granted`, `not covered`.
    pub verdict: String,
    /// CSS class for HTML: deny, allow, cond, none.
    pub tone: &'static str,
    pub rules: Vec<String>,
    /// Conditions the grants add (purposes, retention) and purpose-scoped denials.
    pub notes: Vec<String>,
}

pub fn cell_text(policy: &Policy, cell: &Cell) -> CellText {
    let ids = |rules: &[RuleIdx]| -> Vec<String> {
        rules.iter().map(|&r| policy.rules[r].id.clone()).collect()
    };
    let mut notes = Vec::new();
    let (verdict, tone) = match &cell.verdict {
        CellVerdict::Denied { .. } => ("denied".to_owned(), "deny"),
        CellVerdict::Allowed {
            max_identification,
            grants,
        } => {
            let conditional = grants.iter().all(|&g| {
                let r = &policy.rules[g];
                r.purposes.is_some() || r.max_retention_days.is_some()
            });
            // With one grant the rule is named already; with several, say whose condition.
            let whose = |id: &str| {
                if grants.len() == 1 {
                    String::new()
                } else {
                    format!("{id}: ")
                }
            };
            for &g in grants {
                let r = &policy.rules[g];
                if let Some(p) = &r.purposes {
                    notes.push(format!("{}for {}", whose(&r.id), p.join(", ")));
                }
                if let Some(d) = r.max_retention_days {
                    notes.push(format!("{}kept at most {d} days", whose(&r.id)));
                }
            }
            match max_identification {
                Identification::Identified if !conditional => ("allowed".to_owned(), "allow"),
                Identification::Identified => ("allowed".to_owned(), "cond"),
                q => (format!("{q} or less"), "cond"),
            }
        }
        CellVerdict::NotGranted { lowest, .. } => (
            format!("not granted (from {})", policy.levels[*lowest].id),
            "none",
        ),
        CellVerdict::NotCovered => ("not covered".to_owned(), "none"),
        CellVerdict::AllowedUnmatched => ("allowed (unmatched)".to_owned(), "cond"),
    };
    for &d in &cell.purpose_denies {
        let r = &policy.rules[d];
        notes.push(format!(
            "{}: denied for purposes {}",
            r.id,
            r.purposes.as_deref().unwrap_or_default().join(", ")
        ));
    }
    let rules = match &cell.verdict {
        CellVerdict::NotGranted { .. } => Vec::new(),
        v => ids(v.rules()),
    };
    CellText {
        verdict,
        tone,
        rules,
        notes,
    }
}

fn level_line(policy: &Policy) -> Vec<String> {
    policy
        .levels
        .iter()
        .map(|l| {
            let mut who = if l.can_disable.is_empty() {
                "cannot be turned off".to_owned()
            } else {
                format!("{} can turn it off", l.can_disable.join(" or "))
            };
            if !l.opt_in.is_empty() {
                who.push_str(&format!("; {} must opt in", l.opt_in.join(" and ")));
            }
            format!(
                "`{}` ({}; default {}; {who})",
                l.id,
                l.title.as_deref().unwrap_or(&l.id),
                if l.default_on { "on" } else { "off" }
            )
        })
        .collect()
}

/// One escaping for every Markdown renderer: `check --format markdown`'s (code spans kept,
/// markup, HTML, pipes and line breaks escaped).
fn md_escape(text: &str) -> String {
    super::markdown::cell(text)
}

/// The Markdown matrix: a table of types × levels, then the rules behind it.
pub fn markdown(matrix: &Matrix<'_>) -> String {
    let policy = matrix.policy;
    let hash = content_hash(&json_value(matrix));
    let mut out = format!("# Decision table of policy `{}`\n\n", policy.id);
    if let Some(title) = &policy.title {
        out.push_str(&format!("{}\n\n", md_escape(title)));
    }
    out.push_str(&format!(
        "- File: `{}`\n- Content hash: `{hash}`\n- Consent levels, lowest first: {}\n- A type no rule mentions is {}\n\n",
        policy.name,
        level_line(policy).join(", "),
        if policy.defaults.unmatched_allow { "allowed (`unmatched: allow`)" } else { "not collected (`unmatched: deny`)" },
    ));
    out.push_str("| Data type | Class |");
    for l in &policy.levels {
        out.push_str(&format!(" `{}` |", l.id));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(policy.levels.len()));
    out.push('\n');
    for row in &matrix.rows {
        let ty = &policy.taxonomy.types[row.ty];
        out.push_str(&format!(
            "| {}`{}` | {} |",
            "&nbsp;&nbsp;".repeat(ty.depth),
            ty.id,
            ty.class
        ));
        for cell in &row.cells {
            let text = cell_text(policy, cell);
            let mut s = text.verdict.clone();
            if !text.notes.is_empty() {
                s.push('†');
            }
            if !text.rules.is_empty() {
                let rules: Vec<String> = text.rules.iter().map(|r| format!("`{r}`")).collect();
                s.push_str(&format!(": {}", rules.join(", ")));
            }
            out.push_str(&format!(" {} |", md_escape(&s)));
        }
        out.push('\n');
    }
    out.push_str("\n† a rule of the cell has conditions or a purpose-scoped denial: see its conditions below.\n");
    out.push_str("\n## Rules\n\n| Rule | Effect | Selector | Conditions | Defined at |\n|---|---|---|---|---|\n");
    for r in &policy.rules {
        let at = r.origin.source.line_col(r.origin.span.start);
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | `{}:{}` |\n",
            r.id,
            match r.effect {
                Effect::Allow => "allow",
                Effect::Deny => "deny",
            },
            md_escape(&r.selector_text),
            md_escape(&conditions(policy, r.effect, r)),
            r.origin.source.name,
            at.line
        ));
    }
    out
}

/// A rule's conditions in words.
pub fn conditions(policy: &Policy, effect: Effect, r: &crate::policy::Rule) -> String {
    let mut parts = Vec::new();
    match effect {
        Effect::Allow => {
            parts.push(format!("from `{}`", policy.levels[r.min_consent].id));
            if r.max_identification != Identification::Identified {
                parts.push(format!("{} or less", r.max_identification));
            }
        }
        Effect::Deny => {
            if let Some(b) = r.below {
                parts.push(format!("below `{}`", policy.levels[b].id));
            }
        }
    }
    if let Some(p) = &r.purposes {
        parts.push(format!("purposes {}", p.join(", ")));
    }
    if let Some(d) = r.max_retention_days {
        parts.push(format!("at most {d} days"));
    }
    parts.join("; ")
}

/// The matrix as one self-contained HTML page.
pub fn html(matrix: &Matrix<'_>) -> String {
    let policy = matrix.policy;
    let hash = content_hash(&json_value(matrix));
    let e = html::escape;
    let mut body = format!(
        "<h1>Decision table of policy <code>{}</code></h1>\n<p>{}</p>\n<p class=\"meta\">File <code>{}</code> · content hash <code>{hash}</code></p>\n<ul>\n",
        e(&policy.id),
        e(policy.title.as_deref().unwrap_or("")),
        e(&policy.name),
    );
    for l in level_line(policy) {
        body.push_str(&format!("<li>{}</li>\n", e(&l.replace('`', ""))));
    }
    body.push_str("</ul>\n<p class=\"meta\"><span class=\"pill deny\">denied</span> a deny rule applies · <span class=\"pill allow\">allowed</span> a grant applies · <span class=\"pill cond\">amber</span> allowed with conditions (identification, purposes, retention) · <span class=\"pill none\">not granted</span> grants start at a higher level · <span class=\"pill none\">not covered</span> no rule mentions the type</p>\n<table>\n<thead><tr><th>Data type</th><th>Class</th>");
    for l in &policy.levels {
        body.push_str(&format!("<th>{}</th>", e(&l.id)));
    }
    body.push_str("</tr></thead>\n<tbody>\n");
    for row in &matrix.rows {
        let ty = &policy.taxonomy.types[row.ty];
        body.push_str(&format!(
            "<tr><td class=\"type\" style=\"padding-left:{}px\"><code>{}</code><span class=\"rules\">{}</span></td><td class=\"class\">{}</td>",
            8 + 16 * ty.depth,
            e(&ty.id),
            e(&ty.title),
            ty.class
        ));
        for cell in &row.cells {
            let text = cell_text(policy, cell);
            let mut notes = e(&text.rules.join(", "));
            for n in &text.notes {
                notes.push_str(&format!("<br>{}", e(n)));
            }
            body.push_str(&format!(
                "<td><span class=\"pill {}\">{}</span><span class=\"rules\">{}</span></td>",
                text.tone,
                e(&text.verdict),
                notes
            ));
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</tbody>\n</table>\n");
    html::page(&format!("Decision table — {}", policy.id), &body)
}
