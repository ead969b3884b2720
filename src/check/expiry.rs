//! When collection ends: an event's (a Glean metric's) `expires`, against the policy.
//!
//! In: the `expires` an event declares (a manifest event's own or its `defaults:`, a Glean
//! metric's), the event's level and today's date. Out: `collection-expired` for an event
//! past its date, at the severity the policy's `defaults.expired` gives (`allow`, the
//! default, reports nothing), and `expiry-too-far` for one whose collection ends later than
//! the policy's `limits.max_expiry_days` allows — or never.
//!
//! Dates follow Glean's reading: an event whose `expires` is today or earlier is expired.

use super::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::Sp;
use crate::policy::{LevelIdx, Policy};
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// What an `expires` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// Collection ends on this date (expired from that day on).
    On(Date),
    /// `never`.
    Never,
    /// Glean's `expired`: the metric is expired already.
    Expired,
    /// A Glean major version: collection ends when that version ships, which has no date.
    Version(u64),
}

impl Expiry {
    /// The `expires` value, or `None` when it is none of the forms (the document's schema
    /// reports that).
    pub fn parse(text: &str) -> Option<Expiry> {
        match text.trim() {
            "never" => Some(Expiry::Never),
            "expired" => Some(Expiry::Expired),
            t if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
                t.parse().ok().map(Expiry::Version)
            }
            t => Date::parse(t).map(Expiry::On),
        }
    }

    /// Whether collection has ended by `today`.
    pub fn has_passed(self, today: Date) -> bool {
        match self {
            Expiry::On(date) => date <= today,
            Expiry::Expired => true,
            Expiry::Never | Expiry::Version(_) => false,
        }
    }
}

/// The `expires` of one event, as the checks see it.
pub struct Declared<'a> {
    pub expires: Option<&'a Sp<String>>,
    /// Where to point when the event declares no `expires`.
    pub event_span: Span,
    /// Whether an absent `expires` is for the policy to judge (a manifest's) or already a
    /// structure error of the document (a Glean metric's, which Glean's schema requires).
    pub absent_is_finding: bool,
    /// The glean_parser lints the event opts out of (`no_lint`): `EXPIRED` silences
    /// `collection-expired`, `EXPIRATION_DATE_TOO_FAR` silences `expiry-too-far`.
    pub no_lint: &'a [String],
}

/// `invalid-value` for an `expires` written as a date that is none (`2027-02-30`), which a
/// pattern in the document's schema cannot tell; other malformed values are the schema's.
pub fn impossible_date(source: &Arc<SourceFile>, written: &Sp<String>) -> Option<Diagnostic> {
    let text = written.value.trim();
    let date_shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    (date_shaped && Date::parse(text).is_none())
        .then(|| super::problems::not_a_date(source, written))
}

/// `collection-expired` and `expiry-too-far` for one event at `level` (`None`: the event's
/// level is unknown, and only the policy's global limit applies).
pub fn check(
    source: &Arc<SourceFile>,
    declared: &Declared<'_>,
    level: Option<LevelIdx>,
    policy: &Policy,
    today: Date,
    out: &mut Vec<Diagnostic>,
) {
    let opted_out = |lint: &str| declared.no_lint.iter().any(|l| l == lint);
    let expiry = match declared.expires {
        Some(written) => match Expiry::parse(&written.value) {
            Some(expiry) => Some((written, expiry)),
            // Not a date, `never`, `expired` or a version: the schema's to report.
            None => return,
        },
        None => None,
    };
    if let (Some((severity, origin)), Some((written, expiry))) = (&policy.defaults.expired, expiry)
        && expiry.has_passed(today)
        && !opted_out("EXPIRED")
    {
        let message = match expiry {
            Expiry::On(date) => {
                format!("collection ended on {date} (`expires`), and the event is still declared")
            }
            _ => "the event is marked `expires: expired`, and is still declared".to_owned(),
        };
        out.push(
            Diagnostic::at(Code::CollectionExpired, source, written.span, message)
                .with_severity(*severity)
                .with_label("expired")
                .with_help(
                    "remove the event and the code that sends it, or renew the collection with a later `expires` after review",
                )
                .with_related(origin.label("the policy reports expired events")),
        );
    }
    let limits = policy.limits_for(level);
    let Some((max, origin)) = &limits.max_expiry_days else {
        return;
    };
    if opted_out("EXPIRATION_DATE_TOO_FAR") {
        return;
    }
    let latest = today.after_days(*max);
    let (span, message) = match expiry {
        Some((written, Expiry::On(date))) if date > latest => (
            written.span,
            format!(
                "collection ends on {date}, {} days from today; the policy ends collection within {max} days",
                today.days_until(date)
            ),
        ),
        Some((written, Expiry::Never)) => (
            written.span,
            format!("`expires: never`, and the policy ends collection within {max} days"),
        ),
        Some(_) => return,
        None if declared.absent_is_finding => (
            declared.event_span,
            format!(
                "the event declares no `expires`, and the policy ends collection within {max} days"
            ),
        ),
        None => return,
    };
    out.push(
        Diagnostic::at(Code::ExpiryTooFar, source, span, message)
            .with_label(format!("at most {max} days from today"))
            .with_help(format!(
                "set `expires: {latest}` or earlier, and renew it after review"
            ))
            .with_related(origin.label("expiry limit")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_glean_and_manifests_use() {
        let date = |s| Date::parse(s).unwrap();
        assert_eq!(
            Expiry::parse("2027-06-30"),
            Some(Expiry::On(date("2027-06-30")))
        );
        assert_eq!(Expiry::parse("never"), Some(Expiry::Never));
        assert_eq!(Expiry::parse("expired"), Some(Expiry::Expired));
        assert_eq!(Expiry::parse("125"), Some(Expiry::Version(125)));
        assert_eq!(Expiry::parse("soon"), None);
        assert_eq!(Expiry::parse(""), None);
        let today = date("2026-12-04");
        assert!(Expiry::On(today).has_passed(today));
        assert!(!Expiry::On(date("2026-12-05")).has_passed(today));
        assert!(Expiry::Expired.has_passed(today));
        assert!(!Expiry::Never.has_passed(today));
        assert!(!Expiry::Version(1).has_passed(today));
    }
}
