//! `report`: the data inventory as Markdown, self-contained HTML, CSV or JSON (version 1).
//!
//! Every format has the same content, in the shape of the vendor documents: per consent
//! level a table "data category | description | examples" (with class, how it is sent,
//! apps and events added), then "data not collected" from the deny rules.

use super::html::{self, escape};
use crate::policy::Policy;
use crate::policy::table::{ConsentLevel, Rule};
use crate::report::{Inventory, PolicyInventory, Row};
use serde_json::json;

fn level_heading(l: &ConsentLevel) -> String {
    match &l.title {
        Some(title) => format!("{title} (`{}`)", l.id),
        None => format!("`{}`", l.id),
    }
}

/// "On by default; the user can turn it off; the user must opt in."
fn level_controls(l: &ConsentLevel) -> String {
    let mut parts = vec![if l.default_on {
        "On by default".to_owned()
    } else {
        "Off by default".to_owned()
    }];
    parts.push(if l.can_disable.is_empty() {
        "cannot be turned off".to_owned()
    } else {
        format!("{} can turn it off", l.can_disable.join(" or "))
    });
    if !l.opt_in.is_empty() {
        parts.push(format!("{} must opt in", l.opt_in.join(" and ")));
    }
    format!("{}.", parts.join("; "))
}

/// The scope of a deny rule: always, below a level, or for some purposes.
fn scope(policy: &Policy, r: &Rule) -> String {
    let mut parts = Vec::new();
    if let Some(b) = r.below {
        parts.push(format!("below `{}`", policy.levels[b].id));
    }
    if let Some(p) = &r.purposes {
        parts.push(format!("for purposes {}", p.join(", ")));
    }
    if parts.is_empty() {
        "at every level".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The data a deny rule covers, in words: the titles of the top types it matches.
fn denied_category(policy: &Policy, r: &Rule) -> String {
    let t = &policy.taxonomy;
    let tops: Vec<String> = t
        .in_tree_order()
        .iter()
        .filter(|ty| r.matches.contains(ty))
        .filter(|&&ty| t.types[ty].parent.is_none_or(|p| !r.matches.contains(&p)))
        .map(|&ty| t.types[ty].title.clone())
        .collect();
    let classes: Vec<&str> = r.selector.classes.iter().map(|(c, _)| c.as_str()).collect();
    let what = tops.join(", ");
    if classes.is_empty() {
        what
    } else {
        format!("{what} (class {})", classes.join(", "))
    }
}

fn sent_as(row: &Row) -> String {
    let q: Vec<&str> = row
        .identifications
        .iter()
        .rev()
        .map(|i| i.as_str())
        .collect();
    q.join(", ")
}

fn joined(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One escaping for every Markdown renderer: `check --format markdown`'s (code spans kept,
/// markup, HTML, pipes and line breaks escaped).
fn md(text: &str) -> String {
    super::markdown::cell(text)
}

pub fn markdown(inventory: &Inventory) -> String {
    let mut out = "# Data inventory\n".to_owned();
    if inventory.policies.is_empty() {
        out.push_str("\nNo telemetry manifest found.\n");
    }
    for p in &inventory.policies {
        let policy = &p.policy;
        out.push_str(&format!(
            "\n## Policy `{}`{}\n\n{} · {} · {} · {} · policy file `{}`\n",
            policy.id,
            policy
                .title
                .as_ref()
                .map_or(String::new(), |t| format!(" — {}", md(t))),
            plural(p.apps.len(), "app"),
            plural(p.manifests.len(), "manifest"),
            plural(p.events, "event"),
            plural(fields(p), "classified field"),
            policy.name
        ));
        if p.unclassified > 0 {
            out.push_str(&format!(
                "\n{} without a known data type are not listed (`consentlint check` reports them).\n",
                plural(p.unclassified, "field")
            ));
        }
        for section in &p.levels {
            let level = &policy.levels[section.level];
            out.push_str(&format!("\n### {}\n\n", md(&level_heading(level))));
            if let Some(d) = &level.description {
                out.push_str(&format!("{} ", md(d)));
            }
            out.push_str(&format!("{}\n\n", level_controls(level)));
            if section.rows.is_empty() {
                out.push_str("_No data collected at this level._\n");
                continue;
            }
            out.push_str("| Data category | Description | Examples | Class | Sent as | Apps | Events |\n|---|---|---|---|---|---|---|\n");
            for row in &section.rows {
                let ty = &policy.taxonomy.types[row.ty];
                let mut sent = sent_as(row);
                if row.not_permitted > 0 {
                    sent.push_str(&format!(
                        " ⚠ {} not permitted",
                        plural(row.not_permitted, "field")
                    ));
                }
                out.push_str(&format!(
                    "| {} (`{}`) | {} | {} | {} | {} | {} | {} |\n",
                    md(&ty.title),
                    ty.id,
                    md(ty.description.as_deref().unwrap_or("")),
                    md(&ty.examples.join("; ")),
                    ty.class,
                    sent,
                    joined(&row.apps),
                    joined(&row.events)
                ));
            }
        }
        out.push_str("\n### Data not collected\n\n");
        if p.not_collected.is_empty() {
            out.push_str("_The policy has no deny rule._\n");
        } else {
            out.push_str("| Data category | Not collected | Why | Rule |\n|---|---|---|---|\n");
            for &r in &p.not_collected {
                let rule = &policy.rules[r];
                out.push_str(&format!(
                    "| {} | {} | {} | `{}` |\n",
                    md(&denied_category(policy, rule)),
                    scope(policy, rule),
                    md(rule.message.as_deref().unwrap_or("")),
                    rule.id
                ));
            }
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn fields(p: &PolicyInventory) -> usize {
    p.levels
        .iter()
        .flat_map(|s| &s.rows)
        .map(|r| r.fields)
        .sum()
}

/// One CSV cell, per RFC 4180 (quoted when it holds a comma or quote; quotes doubled), with
/// line breaks, control and bidi characters escaped (`\u{1b}`) and a cell a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return)
/// prefixed with `'`, as OWASP advises against CSV injection.
fn csv_field(text: &str) -> String {
    // Line breaks too: a cell's second line could start a forged CI workflow command.
    let text = crate::diagnostic::escape::escape(text);
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.into_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One row per collected type and level, then one per deny rule (`section` says which).
pub fn csv(inventory: &Inventory) -> String {
    let mut out = "section,policy,level,data_type,category,class,description,examples,sent_as,apps,events,fields,not_permitted,rule,scope,why\n".to_owned();
    let mut line = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    };
    for p in &inventory.policies {
        let policy = &p.policy;
        for section in &p.levels {
            for row in &section.rows {
                let ty = &policy.taxonomy.types[row.ty];
                line(&[
                    "collected".into(),
                    policy.id.clone(),
                    policy.levels[section.level].id.clone(),
                    ty.id.clone(),
                    ty.title.clone(),
                    ty.class.to_string(),
                    ty.description.clone().unwrap_or_default(),
                    ty.examples.join("; "),
                    sent_as(row).replace(", ", ";"),
                    joined(&row.apps).replace(", ", ";"),
                    joined(&row.events).replace(", ", ";"),
                    row.fields.to_string(),
                    row.not_permitted.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        for &r in &p.not_collected {
            let rule = &policy.rules[r];
            line(&[
                "not-collected".into(),
                policy.id.clone(),
                String::new(),
                String::new(),
                denied_category(policy, rule),
                joined(rule.selector.classes.iter().map(|(c, _)| c.as_str())).replace(", ", ";"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                rule.id.clone(),
                scope(policy, rule).replace('`', ""),
                rule.message.clone().unwrap_or_default(),
            ]);
        }
    }
    out
}

pub fn json(inventory: &Inventory) -> String {
    let policies: Vec<serde_json::Value> = inventory
        .policies
        .iter()
        .map(|p| {
            let policy = &p.policy;
            let levels: Vec<serde_json::Value> = p
                .levels
                .iter()
                .map(|s| {
                    let l = &policy.levels[s.level];
                    json!({
                        "id": l.id,
                        "title": l.title,
                        "description": l.description,
                        "default": if l.default_on { "on" } else { "off" },
                        "can_disable": l.can_disable,
                        "opt_in": l.opt_in,
                        "data": s.rows.iter().map(|row| {
                            let ty = &policy.taxonomy.types[row.ty];
                            json!({
                                "data_type": ty.id,
                                "category": ty.title,
                                "description": ty.description,
                                "examples": ty.examples,
                                "class": ty.class.as_str(),
                                "sent_as": row.identifications.iter().rev().map(|i| i.as_str()).collect::<Vec<_>>(),
                                "apps": row.apps,
                                "events": row.events,
                                "fields": row.fields,
                                "not_permitted": row.not_permitted,
                            })
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "policy": { "id": policy.id, "title": policy.title, "file": policy.name },
                "manifests": p.manifests,
                "apps": p.apps,
                "events": p.events,
                "unclassified_fields": p.unclassified,
                "levels": levels,
                "not_collected": p.not_collected.iter().map(|&r| {
                    let rule = &policy.rules[r];
                    json!({
                        "rule": rule.id,
                        "category": denied_category(policy, rule),
                        "selector": rule.selector_text,
                        "scope": scope(policy, rule).replace('`', ""),
                        "why": rule.message,
                        "reference": rule.reference,
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    super::json_document(json!({ "policies": policies }))
}

/// Inline code spans (`x`) of our own texts as <code>; everything else escaped.
fn code_spans(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

/// Green when pseudonymized or less; amber when a personal class is sent identified;
/// grey for identified system data (the normal case).
fn sent_tone(policy: &Policy, row: &Row) -> &'static str {
    use crate::policy::{DataClass, Identification};
    let identified = row.identifications.contains(&Identification::Identified);
    let personal = !matches!(
        policy.taxonomy.types[row.ty].class,
        DataClass::SystemMetadata | DataClass::CallstackOrException | DataClass::PublicNonPersonal
    );
    match (identified, personal) {
        (false, _) => "allow",
        (true, true) => "cond",
        (true, false) => "none",
    }
}

pub fn html(inventory: &Inventory) -> String {
    let mut body = "<h1>Data inventory</h1>\n".to_owned();
    if inventory.policies.is_empty() {
        body.push_str("<p>No telemetry manifest found.</p>\n");
    } else {
        body.push_str("<p class=\"meta\">What the telemetry manifests declare, per policy and consent level, in the shape of the vendors' diagnostic-data documents. Generated by consentlint.</p>\n<ul>\n");
        for p in &inventory.policies {
            body.push_str(&format!(
                "<li><a href=\"#policy-{id}\">{title}</a> <span class=\"meta\">({apps})</span></li>\n",
                id = escape(&p.policy.id),
                title = escape(p.policy.title.as_deref().unwrap_or(&p.policy.id)),
                apps = escape(&joined(&p.apps)),
            ));
        }
        body.push_str("</ul>\n");
    }
    for p in &inventory.policies {
        let policy = &p.policy;
        body.push_str(&format!(
            "<h2 id=\"policy-{}\">Policy <code>{}</code>{}</h2>\n<p class=\"meta\">Policy file <code>{}</code> · apps: {}</p>\n",
            escape(&policy.id),
            escape(&policy.id),
            policy
                .title
                .as_ref()
                .map_or(String::new(), |t| format!(" — {}", escape(t))),
            escape(&policy.name),
            escape(&joined(&p.apps)),
        ));
        let not_permitted: usize = p
            .levels
            .iter()
            .flat_map(|s| &s.rows)
            .map(|r| r.not_permitted)
            .sum();
        body.push_str("<div class=\"summary\">");
        for (n, what) in [
            (p.apps.len(), "apps"),
            (p.events, "events"),
            (fields(p), "classified fields"),
            (not_permitted, "fields not permitted"),
            (p.not_collected.len(), "deny rules"),
        ] {
            body.push_str(&format!("<div><b>{n}</b><span>{what}</span></div>"));
        }
        body.push_str("</div>\n");
        for section in &p.levels {
            let level = &policy.levels[section.level];
            body.push_str(&format!(
                "<h3>{} <code>{}</code></h3>\n<p>{} <span class=\"meta\">{}</span></p>\n",
                escape(level.title.as_deref().unwrap_or(&level.id)),
                escape(&level.id),
                escape(level.description.as_deref().unwrap_or("")),
                escape(&level_controls(level)),
            ));
            if section.rows.is_empty() {
                body.push_str("<p class=\"meta\">No data collected at this level.</p>\n");
                continue;
            }
            body.push_str("<table>\n<thead><tr><th>Data category</th><th>Description</th><th>Examples</th><th>Class</th><th>Sent as</th><th>Apps and events</th></tr></thead>\n<tbody>\n");
            for row in &section.rows {
                let ty = &policy.taxonomy.types[row.ty];
                let status = if row.not_permitted > 0 {
                    format!(
                        "<span class=\"pill deny\">{} not permitted</span>",
                        plural(row.not_permitted, "field")
                    )
                } else {
                    String::new()
                };
                body.push_str(&format!(
                    "<tr><td>{}<span class=\"rules\"><code>{}</code></span></td><td>{}</td><td class=\"examples\">{}</td><td class=\"class\">{}</td><td><span class=\"pill {}\">{}</span> {status}</td><td>{}<span class=\"rules\">{}</span></td></tr>\n",
                    escape(&ty.title),
                    escape(&ty.id),
                    escape(ty.description.as_deref().unwrap_or("")),
                    escape(&ty.examples.join("; ")),
                    ty.class,
                    sent_tone(policy, row),
                    escape(&sent_as(row)),
                    escape(&joined(&row.apps)),
                    escape(&joined(row.events.iter().map(|e| e.split_once('/').map_or(e.as_str(), |(_, ev)| ev)))),
                ));
            }
            body.push_str("</tbody>\n</table>\n");
        }
        body.push_str("<h3>Data not collected</h3>\n");
        if p.not_collected.is_empty() {
            body.push_str("<p class=\"meta\">The policy has no deny rule.</p>\n");
        } else {
            body.push_str("<table>\n<thead><tr><th>Data category</th><th>Not collected</th><th>Why</th></tr></thead>\n<tbody>\n");
            for &r in &p.not_collected {
                let rule = &policy.rules[r];
                body.push_str(&format!(
                    "<tr><td>{}<span class=\"rules\">rule <code>{}</code></span></td><td><span class=\"pill deny\">{}</span></td><td>{}</td></tr>\n",
                    escape(&denied_category(policy, rule)),
                    escape(&rule.id),
                    code_spans(&scope(policy, rule)),
                    escape(rule.message.as_deref().unwrap_or("")),
                ));
            }
            body.push_str("</tbody>\n</table>\n");
        }
    }
    html::page("Data inventory", &body)
}
