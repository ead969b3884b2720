//! Counting what an audit saw, and keeping a bounded number of diagnostics.
//!
//! A stream of millions of payloads may repeat one finding millions of times. Every finding
//! is counted (per code, for the summary), but only the first `max_repeats` of each kind —
//! same code, event and field — become diagnostics, and at most [`MAX_KINDS`] kinds are
//! tracked (`max_repeats` 0 keeps every finding, and memory then grows with them). Event names are counted per name up to [`MAX_EVENT_NAMES`]; later undeclared
//! names are counted together. So memory stays flat however long and hostile the input.

use crate::diagnostic::{Code, Diagnostic};
use std::collections::{BTreeMap, HashMap};

/// Most distinct (code, event, field) kinds of finding kept as diagnostics.
pub const MAX_KINDS: usize = 10_000;
/// Most distinct event names counted one by one.
pub const MAX_EVENT_NAMES: usize = 10_000;

#[derive(Debug, Default)]
pub struct Tally {
    pub files: usize,
    pub lines: u64,
    pub bytes: u64,
    /// Events seen per name (declared or not).
    pub events: BTreeMap<String, u64>,
    /// Events under names beyond [`MAX_EVENT_NAMES`].
    pub other_events: u64,
    /// Findings per code, shown or not.
    pub findings: BTreeMap<&'static str, u64>,
    /// Findings counted but not kept as diagnostics.
    pub not_shown: u64,
    pub diagnostics: Vec<Diagnostic>,
    kinds: HashMap<(Code, String, String), u32>,
    max_repeats: u32,
}

impl Tally {
    pub fn new(max_repeats: u32) -> Tally {
        Tally {
            max_repeats,
            ..Tally::default()
        }
    }

    pub fn event(&mut self, name: &str) {
        if let Some(count) = self.events.get_mut(name) {
            *count += 1;
        } else if self.events.len() < MAX_EVENT_NAMES {
            self.events.insert(name.to_owned(), 1);
        } else {
            self.other_events += 1;
        }
    }

    pub fn events_seen(&self) -> u64 {
        self.events.values().sum::<u64>() + self.other_events
    }

    /// Count a finding; whether to build its diagnostic (the first few of its kind; every
    /// one with `max_repeats` 0).
    pub fn admit(&mut self, code: Code, event: &str, field: &str) -> bool {
        *self.findings.entry(code.as_str()).or_default() += 1;
        if self.max_repeats == 0 {
            return true;
        }
        let key = (code, event.to_owned(), field.to_owned());
        if !self.kinds.contains_key(&key) && self.kinds.len() >= MAX_KINDS {
            self.not_shown += 1;
            return false;
        }
        let seen = self.kinds.entry(key).or_default();
        *seen += 1;
        if *seen > self.max_repeats {
            self.not_shown += 1;
            return false;
        }
        true
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_but_kept_only_up_to_the_limit() {
        let mut tally = Tally::new(2);
        let admitted: Vec<bool> = (0..4)
            .map(|_| tally.admit(Code::UndeclaredField, "e", "f"))
            .collect();
        assert_eq!(admitted, [true, true, false, false]);
        assert!(tally.admit(Code::UndeclaredField, "e", "g"));
        assert_eq!(tally.findings["undeclared-field"], 5);
        assert_eq!(tally.not_shown, 2);
    }

    #[test]
    fn no_limit_keeps_every_finding_of_every_kind() {
        let mut tally = Tally::new(0);
        assert!((0..100).all(|_| tally.admit(Code::UndeclaredField, "e", "f")));
        assert!((0..MAX_KINDS + 1).all(|i| tally.admit(
            Code::UndeclaredField,
            "e",
            &i.to_string()
        )));
        assert_eq!(tally.not_shown, 0);
        assert_eq!(
            tally.findings["undeclared-field"],
            100 + MAX_KINDS as u64 + 1
        );
    }
}
