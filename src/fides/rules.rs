//! Fides policy rules in consentlint's terms: deny rules over data categories (types),
//! data uses (purposes) and data subjects, each dimension matched as Fides matches it.
//!
//! A rule denies a declaration when all three dimensions match (Fides'
//! `evaluate_policy_rule`). In one dimension, a declared key is *within* a rule key when it
//! is that key or below it (`user.contact.email` is within `user`; subjects have no
//! hierarchy), and the dimension's violating keys are (Fides'
//! `compare_rule_to_declaration`): `ANY` — the declared keys within some rule key; `ALL` —
//! those, when every rule key has a declared key within it, else none; `NONE` — every
//! declared key, when none is within a rule key, else none; `OTHER` — the declared keys
//! within no rule key.

use crate::policy::taxonomy::Origin;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Any,
    All,
    None,
    Other,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        Some(match text {
            "ANY" => Mode::Any,
            "ALL" => Mode::All,
            "NONE" => Mode::None,
            "OTHER" => Mode::Other,
            _ => return None,
        })
    }
}

/// One dimension of a rule: `matches:` and `values:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub mode: Mode,
    pub values: Vec<String>,
}

/// A Fides policy rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Its `fides_key`, else its `name`.
    pub id: String,
    /// Where the id is written.
    pub origin: Origin,
    pub categories: Match,
    pub uses: Match,
    pub subjects: Match,
}

/// `key` is `parent` or below it in a dotted hierarchy.
fn within(key: &str, parent: &str, hierarchical: bool) -> bool {
    key == parent
        || (hierarchical
            && key.len() > parent.len()
            && key.starts_with(parent)
            && key.as_bytes()[parent.len()] == b'.')
}

impl Match {
    /// The positions in `declared` of the keys that violate this dimension (empty: the
    /// dimension does not match), each once, in declared order.
    pub fn violations(&self, declared: &[&str], hierarchical: bool) -> Vec<usize> {
        let hit = |key: &str| self.values.iter().any(|v| within(key, v, hierarchical));
        let mut matched = Vec::new();
        let mut others = Vec::new();
        for (i, key) in declared.iter().enumerate() {
            if declared[..i].contains(key) {
                continue;
            }
            if hit(key) {
                matched.push(i);
            } else {
                others.push(i);
            }
        }
        match self.mode {
            Mode::Any => matched,
            Mode::All => {
                let all = self
                    .values
                    .iter()
                    .all(|v| declared.iter().any(|k| within(k, v, hierarchical)));
                if all { matched } else { Vec::new() }
            }
            Mode::None if matched.is_empty() => others,
            Mode::None => Vec::new(),
            Mode::Other => others,
        }
    }
}

impl Rule {
    /// The violating categories, use and subjects of a declaration (positions in each),
    /// when the rule denies it: every dimension matches.
    pub fn denies(
        &self,
        categories: &[&str],
        data_use: &str,
        subjects: &[&str],
    ) -> Option<(Vec<usize>, Vec<usize>)> {
        let categories = self.categories.violations(categories, true);
        if categories.is_empty() || self.uses.violations(&[data_use], true).is_empty() {
            return None;
        }
        let subjects = self.subjects.violations(subjects, false);
        (!subjects.is_empty()).then_some((categories, subjects))
    }
}

#[cfg(test)]
mod tests {
    use super::{Match, Mode};

    fn m(mode: Mode, values: &[&str]) -> Match {
        Match {
            mode,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    /// The cases of Fides' own tests (tests/ctl/core/test_evaluate.py,
    /// compare_rule_to_declaration), with `k1.p` for "key_1 whose parent is key_1_parent".
    #[test]
    fn dimensions_match_as_fides_compares_rule_to_declaration() {
        use Mode::*;
        // (match, rule keys, declared keys, violating positions)
        type Case = (
            Mode,
            &'static [&'static str],
            &'static [&'static str],
            &'static [usize],
        );
        let cases: &[Case] = &[
            (Any, &["k1"], &["k2", "k1"], &[1]),
            (Any, &["p"], &["k2", "p.k1"], &[1]),
            (Any, &["k1"], &["k2", "k3"], &[]),
            (All, &["k1", "k3"], &["k3", "k1"], &[0, 1]),
            (All, &["k1", "k3"], &["k2", "k1"], &[]),
            (All, &["p"], &["p.k1", "k2"], &[0]),
            (None, &["k1"], &["k2", "k3"], &[0, 1]),
            (None, &["k1"], &["k2", "k3", "k1"], &[]),
            (None, &["p"], &["k2", "p.k1"], &[]),
            (Other, &["k1"], &["k2", "k1"], &[0]),
            (Other, &["k1", "k3"], &["k1", "k3"], &[]),
            (Other, &["p"], &["p.k1", "k2"], &[1]),
        ];
        for (mode, rule, declared, expected) in cases {
            assert_eq!(
                m(*mode, rule).violations(declared, true),
                expected.to_vec(),
                "{mode:?} {rule:?} {declared:?}"
            );
        }
    }

    #[test]
    fn a_key_is_within_its_dotted_parents_only() {
        let any = m(Mode::Any, &["user.contact"]);
        assert_eq!(
            any.violations(&["user.contact.email", "user.contacts", "user"], true),
            vec![0]
        );
        // Subjects have no hierarchy.
        assert_eq!(
            m(Mode::Any, &["customer"]).violations(&["customer.vip"], false),
            Vec::<usize>::new()
        );
    }
}
