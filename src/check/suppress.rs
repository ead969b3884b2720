//! Inline `suppress:` entries: justified, expiring exceptions for one event.
//!
//! A suppression hides the findings of its event that match its `rule`, `code` and
//! `field`. It needs a reason; after `expires` it hides nothing and is itself an error;
//! one that hides nothing is reported as unused. Input problems are never suppressible.

use super::date::Date;
use super::{Suppression, SuppressionStatus};
use crate::diagnostic::fix::{self, Applicability, Fix};
use crate::diagnostic::{Category, Code, Diagnostic};
use crate::document::manifest::{EventDecl, SuppressDecl};
use crate::policy::Policy;
use crate::source::SourceFile;
use crate::suggest;
use std::sync::Arc;

/// The fix that deletes a suppression (with the event's `suppress:` key when it is the only
/// one): safe for one that hides nothing; unsafe for an expired one, whose reason is the
/// record a reviewer may want to renew instead.
fn deletion(
    source: &Arc<SourceFile>,
    event: &EventDecl,
    s: &SuppressDecl,
    applicability: Applicability,
    with_key: bool,
) -> Option<Fix> {
    let key = with_key.then_some(event.suppress_key).flatten();
    let edit = fix::delete_yaml_item(source, s.item, key)?;
    Some(Fix::new(
        "delete the suppression",
        applicability,
        vec![edit],
    ))
}

pub fn apply(
    source: &Arc<SourceFile>,
    event: &EventDecl,
    policy: &Policy,
    today: Date,
    diagnostics: &mut Vec<Diagnostic>,
    records: &mut Vec<Suppression>,
) {
    let mut extra = Vec::new();
    // The list's key goes with its last item: its only one, or (below) the first of a list
    // whose every entry is unused, all deleted by the safe fixes together.
    let only = event.suppress.len() == 1;
    let mut unused = Vec::new();
    for s in &event.suppress {
        if let Some(code) = &s.code
            && Code::from_name(&code.value).is_none()
        {
            let hint = suggest::hint(&code.value, Code::ALL.iter().map(|c| c.as_str()));
            extra.push(super::problems::unknown_code(source, code, hint));
            continue;
        }
        if let Some(rule) = &s.rule
            && !policy.rules.iter().any(|r| r.id == rule.value)
        {
            let hint = suggest::hint(&rule.value, policy.rules.iter().map(|r| r.id.as_str()));
            extra.push(super::problems::unknown_rule(source, rule, policy, hint));
            continue;
        }
        let expires = match &s.expires {
            Some(text) => match Date::parse(&text.value) {
                Some(date) => Some((date, text)),
                None => {
                    extra.push(super::problems::not_a_date(source, text));
                    continue;
                }
            },
            None => None,
        };
        let matches = |d: &Diagnostic| {
            d.code.category() == Category::Finding
                && s.rule
                    .as_ref()
                    .is_none_or(|r| d.rule.as_deref() == Some(r.value.as_str()))
                && s.code.as_ref().is_none_or(|c| d.code.as_str() == c.value)
                && s.field
                    .as_ref()
                    .is_none_or(|f| d.field.as_deref() == Some(f.value.as_str()))
        };
        let record = |status| Suppression {
            file: source.name.clone(),
            line: source.line_col(s.span.start).line,
            event: event.name.value.clone(),
            rule: s.rule.as_ref().map(|r| r.value.clone()),
            code: s.code.as_ref().map(|c| c.value.clone()),
            field: s.field.as_ref().map(|f| f.value.clone()),
            reason: s.reason.clone(),
            expires: expires.map(|(date, _)| date),
            status,
        };
        if let Some((date, text)) = expires
            && date < today
        {
            records.push(record(SuppressionStatus::Expired));
            extra.push(
                Diagnostic::at(
                    Code::SuppressionExpired,
                    source,
                    text.span,
                    format!("suppression expired on {date} (reason: {})", s.reason),
                )
                .with_label("expired")
                .with_help("fix the finding and delete the suppression, or renew it after review")
                .with_fix(deletion(source, event, s, Applicability::Unsafe, only)),
            );
            continue;
        }
        let before = diagnostics.len();
        diagnostics.retain(|d| !matches(d));
        let hidden = before - diagnostics.len();
        records.push(record(if hidden == 0 {
            SuppressionStatus::Unused
        } else {
            SuppressionStatus::Active(hidden)
        }));
        if hidden == 0 {
            unused.push((extra.len(), s));
            extra.push(
                Diagnostic::at(
                    Code::SuppressionUnused,
                    source,
                    s.span,
                    "this suppression matches no finding".to_owned(),
                )
                .with_label("suppresses nothing")
                .with_help("delete it")
                .with_fix(deletion(source, event, s, Applicability::Safe, only)),
            );
        }
    }
    if !only
        && unused.len() == event.suppress.len()
        && let Some(&(at, first)) = unused.first()
    {
        let fix = deletion(source, event, first, Applicability::Safe, true);
        extra[at].fix = fix.map(Box::new);
    }
    for d in &mut extra {
        d.event = Some(event.name.value.clone());
    }
    diagnostics.extend(extra);
}
