//! `check --list-suppressions`: every inline suppression, for auditors.
//!
//! Each suppression with where it is, what it hides (rule, code, field), why, until when,
//! and what it did in this run: how many findings it hid, or that it hid nothing, or that
//! it expired.

use crate::check::{Suppression, SuppressionStatus};
use serde_json::{Value, json};
use std::fmt::Write as _;

fn status(s: &Suppression) -> String {
    match s.status {
        SuppressionStatus::Active(1) => "active, hides 1 finding".to_owned(),
        SuppressionStatus::Active(n) => format!("active, hides {n} findings"),
        SuppressionStatus::Unused => "active, hides nothing (suppression-unused)".to_owned(),
        SuppressionStatus::Expired => "expired (suppression-expired)".to_owned(),
    }
}

fn matches(s: &Suppression) -> String {
    let mut parts = Vec::new();
    if let Some(rule) = &s.rule {
        parts.push(format!("rule {rule}"));
    }
    if let Some(code) = &s.code {
        parts.push(format!("code {code}"));
    }
    if let Some(field) = &s.field {
        parts.push(format!("field {field}"));
    }
    parts.join(", ")
}

pub fn human(suppressions: &[Suppression]) -> String {
    let mut out = String::new();
    for s in suppressions {
        let _ = writeln!(
            out,
            "{}:{}  event {}  ({})",
            s.file,
            s.line,
            s.event,
            matches(s)
        );
        let _ = writeln!(out, "    reason:  {}", s.reason);
        let expires = s
            .expires
            .map_or_else(|| "never".to_owned(), |d| d.to_string());
        let _ = writeln!(out, "    expires: {expires}");
        let _ = writeln!(out, "    status:  {}", status(s));
    }
    let expired = suppressions
        .iter()
        .filter(|s| s.status == SuppressionStatus::Expired)
        .count();
    let permanent = suppressions
        .iter()
        .filter(|s| s.expires.is_none() && s.status != SuppressionStatus::Expired)
        .count();
    let _ = writeln!(
        out,
        "{} suppression{} ({} in force, {expired} expired; {permanent} without an expiry date)",
        suppressions.len(),
        if suppressions.len() == 1 { "" } else { "s" },
        suppressions.len() - expired,
    );
    out
}

pub fn json(suppressions: &[Suppression]) -> String {
    let items: Vec<Value> = suppressions
        .iter()
        .map(|s| {
            let (state, hidden) = match s.status {
                SuppressionStatus::Active(n) => ("active", n),
                SuppressionStatus::Unused => ("unused", 0),
                SuppressionStatus::Expired => ("expired", 0),
            };
            json!({
                "file": s.file,
                "line": s.line,
                "event": s.event,
                "rule": s.rule,
                "code": s.code,
                "field": s.field,
                "reason": s.reason,
                "expires": s.expires.map(|d| d.to_string()),
                "status": state,
                "hidden": hidden,
            })
        })
        .collect();
    super::json_document(json!({ "suppressions": items }))
}
