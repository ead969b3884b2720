//! `policy test --coverage`: which rules the cases exercised, and which cells of the
//! decision table (consent level × data class) any case reached.
//!
//! A rule is exercised by a case it decided (the permitting grant, the deny rule, or the
//! closest failing grant). A cell is reached by a case at that level whose type is of
//! that class; only classes the policy's taxonomy has types of are cells.

use super::Run;
use crate::policy::{DataClass, LevelIdx, Policy, RuleIdx};
use std::sync::Arc;

/// The coverage of one compiled policy.
pub struct PolicyCoverage {
    pub policy: Arc<Policy>,
    /// Every rule, in the order the files write them, with the number of cases it decided.
    pub rules: Vec<(RuleIdx, usize)>,
    /// Every level × class cell, levels lowest first, with the number of cases in it.
    pub cells: Vec<(LevelIdx, DataClass, usize)>,
}

impl PolicyCoverage {
    /// The share of rules some case exercised, in percent (100 for a policy without rules).
    pub fn percent(&self) -> f64 {
        if self.rules.is_empty() {
            return 100.0;
        }
        let hit = self.rules.iter().filter(|(_, n)| *n > 0).count();
        100.0 * hit as f64 / self.rules.len() as f64
    }

    pub fn unexercised(&self) -> impl Iterator<Item = RuleIdx> + '_ {
        self.rules.iter().filter(|(_, n)| *n == 0).map(|(r, _)| *r)
    }
}

/// The coverage of every policy the run's cases ran against, in the run's order.
pub fn of(run: &Run) -> Vec<PolicyCoverage> {
    run.policies
        .iter()
        .enumerate()
        .map(|(index, policy)| {
            let cases = || run.cases.iter().filter(move |c| c.policy == index);
            let mut hits = vec![0; policy.rules.len()];
            for rule in cases().filter_map(|c| c.outcome.rule) {
                hits[rule] += 1;
            }
            let mut classes: Vec<DataClass> =
                policy.taxonomy.types.iter().map(|t| t.class).collect();
            classes.sort();
            classes.dedup();
            let cells = (0..policy.levels.len())
                .flat_map(|level| classes.iter().map(move |&class| (level, class)))
                .map(|(level, class)| {
                    let n = cases()
                        .filter(|c| c.level == level && c.class == class)
                        .count();
                    (level, class, n)
                })
                .collect();
            // In the order they are written, file by file (compiled rules are by id).
            let mut rules: Vec<(RuleIdx, usize)> = hits.into_iter().enumerate().collect();
            rules.sort_by_key(|&(r, _)| {
                let origin = &policy.rules[r].origin;
                (origin.source.name.clone(), origin.span.start)
            });
            PolicyCoverage {
                policy: Arc::clone(policy),
                rules,
                cells,
            }
        })
        .collect()
}
