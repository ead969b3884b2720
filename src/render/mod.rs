//! Stage 5 — rendering diagnostics. Every renderer reads the same [`Diagnostic`] data.

pub mod audit;
pub mod diff;
pub mod explain;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
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
        self.fail_on.is_some_and(|t| d.severity.at_least(t))
            || d.code.category() == crate::diagnostic::Category::Input
                && d.severity == Severity::Error
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
