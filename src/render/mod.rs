//! Stage 5 — rendering diagnostics. Every renderer reads the same [`Diagnostic`] data.

pub mod audit;
pub mod concise;
pub mod diff;
pub mod explain;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod ndjson;
pub mod policy_test;
pub mod progress;
pub mod report;
pub mod sarif;
pub mod suppressions;
pub mod taxonomy;

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::Policy;
use std::sync::Arc;

/// Everything a report format may show about a run.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// The findings to report, in output order.
    pub diagnostics: &'a [Diagnostic],
    pub summary: &'a Summary,
    /// Every file that was checked, clean or not, in output order.
    pub files: &'a [String],
    /// The policies the run compiled, to describe the rules behind findings.
    pub policies: &'a [Arc<Policy>],
    /// The lowest severity that fails the run (`None`: nothing fails it).
    pub fail_on: Option<Severity>,
}

impl Input<'_> {
    /// Whether a diagnostic is serious enough to fail the run.
    pub fn fails(&self, d: &Diagnostic) -> bool {
        self.fail_on.is_some_and(|t| d.severity.at_least(t)) || d.is_input_error()
    }

    /// The policy rule behind a diagnostic: the rule of that id whose definition the
    /// diagnostic points at, else the first policy's rule of that id.
    pub fn rule(&self, d: &Diagnostic) -> Option<(&Policy, &crate::policy::Rule)> {
        let id = d.rule.as_deref()?;
        let candidates = || {
            self.policies.iter().flat_map(move |p| {
                p.rules
                    .iter()
                    .filter(move |r| r.id == id)
                    .map(move |r| (p.as_ref(), r))
            })
        };
        candidates()
            .find(|(_, r)| {
                d.related
                    .iter()
                    .any(|l| l.source.name == r.origin.source.name && l.span == r.origin.span)
            })
            .or_else(|| candidates().next())
    }
}

/// A JSON array written element by element as `f` makes each from an item, so that a
/// long list is never held as one `serde_json::Value`.
pub(crate) struct Each<'a, T, F>(pub &'a [T], pub F);

impl<'a, T, V: serde::Serialize, F: Fn(&'a T) -> V> serde::Serialize for Each<'a, T, F> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(&self.1))
    }
}

/// Write `value` as pretty-printed JSON (two-space indent) and a final line end, in many
/// small writes (`out` had better be buffered).
pub(crate) fn write_pretty(
    out: &mut (impl std::io::Write + ?Sized),
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// The version of every JSON document consentlint prints (`check`, `audit`, `classify`,
/// `report`, `policy compile` and `diff`, `explain`, `taxonomy`, `--list-suppressions`);
/// raised only for an incompatible change.
pub const JSON_VERSION: u32 = 1;

/// A JSON document as consentlint prints one: the object `body` with `"version"` among
/// its keys (keys sorted), pretty-printed, with a final line end.
pub fn json_document(mut body: serde_json::Value) -> String {
    if let serde_json::Value::Object(map) = &mut body {
        map.insert("version".into(), JSON_VERSION.into());
    }
    pretty_string(&body)
}

/// [`write_pretty`] into a string.
pub(crate) fn pretty_string(value: &impl serde::Serialize) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and serializing these types cannot either.
    let _ = write_pretty(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

/// `a.yaml:3:7` or `a.yaml` for a diagnostic without a position.
pub fn location(d: &Diagnostic) -> String {
    match d.start() {
        Some(at) => format!("{}:{}:{}", d.file, at.line, at.column),
        None => d.file.clone(),
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub skipped: usize,
    pub events: usize,
    pub fields: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings a baseline absorbed, when a baseline was used.
    pub baselined: Option<usize>,
}

impl Summary {
    pub fn new(
        diagnostics: &[Diagnostic],
        files: usize,
        skipped: usize,
        events: usize,
        fields: usize,
    ) -> Summary {
        let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            files,
            skipped,
            events,
            fields,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            baselined: None,
        }
    }
}
