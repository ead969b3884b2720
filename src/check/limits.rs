//! Event-level limits: transport, regions and retention (collection's end is `expiry.rs`'s).
//!
//! An event inherits `transport`, `regions` and `retention_days` from the manifest's
//! `defaults:`. When the policy limits one of them, an event that declares nothing for it
//! fails: an unknown transport is not a known-good transport.

use crate::diagnostic::{Code, Diagnostic};
use crate::document::Sp;
use crate::document::manifest::{EventDecl, ManifestDoc};
use crate::policy::taxonomy::Origin;
use crate::policy::{LevelIdx, Policy};
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// The settings in force for one event, each with the span it came from.
pub struct Settings<'a> {
    pub transport: Option<&'a Sp<String>>,
    pub regions: Option<&'a [Sp<String>]>,
    pub retention_days: Option<&'a Sp<u64>>,
    pub expires: Option<&'a Sp<String>>,
    /// Where to point when a setting is missing altogether.
    pub event_span: Span,
    /// Whether a setting the policy limits must be declared (a manifest's events); a policy
    /// test checks only what its case says.
    pub undeclared_fails: bool,
}

impl<'a> Settings<'a> {
    pub fn of(event: &'a EventDecl, doc: &'a ManifestDoc) -> Settings<'a> {
        Settings {
            transport: event
                .settings
                .transport
                .as_ref()
                .or(doc.defaults.transport.as_ref()),
            regions: event
                .settings
                .regions
                .as_deref()
                .or(doc.defaults.regions.as_deref()),
            retention_days: event
                .settings
                .retention_days
                .as_ref()
                .or(doc.defaults.retention_days.as_ref()),
            expires: event
                .settings
                .expires
                .as_ref()
                .or(doc.defaults.expires.as_ref()),
            event_span: event.name.span,
            undeclared_fails: true,
        }
    }
}

pub fn check(
    source: &Arc<SourceFile>,
    settings: &Settings<'_>,
    level: LevelIdx,
    policy: &Policy,
    out: &mut Vec<Diagnostic>,
) {
    let limits = policy.limits_at(level);
    if let Some(allowed) = &limits.transport {
        let names: Vec<&str> = allowed.iter().map(|(t, _)| t.as_str()).collect();
        let ok = match settings.transport {
            Some(t) => names.contains(&t.value.as_str()),
            None => !settings.undeclared_fails,
        };
        if !ok {
            let (span, message) = match settings.transport {
                Some(t) => (
                    t.span,
                    format!("transport `{}` is not allowed by the policy", t.value),
                ),
                None => (
                    settings.event_span,
                    "the event declares no `transport`, and the policy limits transports"
                        .to_owned(),
                ),
            };
            let mut d = Diagnostic::at(Code::TransportNotAllowed, source, span, message)
                .with_label("transport not allowed")
                .with_help(format!("send it over {}", quoted(&names)));
            if let Some((_, origin)) = allowed.first() {
                d = d.with_related(origin.label("allowed transports"));
            }
            out.push(d);
        }
    }
    if let Some(allowed) = &limits.regions {
        let names: Vec<&str> = allowed.iter().map(|(r, _)| r.as_str()).collect();
        let related = allowed.first().map(|(_, o)| o.label("allowed regions"));
        let mut report = |span: Span, message: String| {
            let mut d = Diagnostic::at(Code::RegionNotAllowed, source, span, message)
                .with_label("region not allowed")
                .with_help(format!("store it only in {}", quoted(&names)));
            if let Some(label) = &related {
                d = d.with_related(label.clone());
            }
            out.push(d);
        };
        match settings.regions {
            Some(regions) => {
                for r in regions
                    .iter()
                    .filter(|r| !names.contains(&r.value.as_str()))
                {
                    report(
                        r.span,
                        format!("region `{}` is not allowed by the policy", r.value),
                    );
                }
            }
            None if !settings.undeclared_fails => {}
            None => report(
                settings.event_span,
                "the event declares no `regions`, and the policy limits regions".to_owned(),
            ),
        }
    }
    if let Some((max, origin)) = &limits.max_retention_days {
        let (span, message) = match settings.retention_days {
            Some(days) if days.value > *max => (
                days.span,
                format!(
                    "retention of {} days exceeds the policy's limit of {max} days",
                    days.value
                ),
            ),
            Some(_) => return,
            None if !settings.undeclared_fails => return,
            None => (
                settings.event_span,
                format!(
                    "the event declares no `retention_days`, and the policy keeps data at most {max} days"
                ),
            ),
        };
        out.push(retention_exceeded(
            source,
            span,
            message,
            *max,
            origin,
            format!("set `retention_days: {max}` or less"),
        ));
    }
}

/// `retention-exceeded` for an event (`message` says how long it keeps data, or that
/// nobody says) past the `max` days of the limit at `origin`.
pub fn retention_exceeded(
    source: &Arc<SourceFile>,
    span: Span,
    message: String,
    max: u64,
    origin: &Origin,
    help: String,
) -> Diagnostic {
    Diagnostic::at(Code::RetentionExceeded, source, span, message)
        .with_label(format!("at most {max} days"))
        .with_help(help)
        .with_related(origin.label("retention limit"))
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}
