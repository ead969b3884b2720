//! Stage 5 — rendering diagnostics. Every renderer reads the same [`Diagnostic`] data.

pub mod human;
pub mod json;
pub mod progress;
pub mod taxonomy;

use crate::diagnostic::{Diagnostic, Severity};

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
        }
    }
}
