//! `explain`: why the policy decides what it decides for one data type in one situation.
//!
//! In: a compiled [`Policy`] and a [`Query`] (type, level, identification, purposes,
//! retention). Out: an [`Explanation`] — the verdict of [`Policy::decide`], every deny rule
//! and grant whose selector matches the type with each of its conditions checked, and the
//! smallest changes to the event that would make it pass. The changes are found by asking
//! `decide` again with one dimension changed at a time (then all the closest grant needs),
//! so they can never disagree with what `check` would say.

use super::table::{EventContext, Failure, LevelIdx, Policy, RuleIdx, Verdict};
use super::taxonomy::{Identification, TypeId, purpose_within};

/// The situation to explain.
#[derive(Clone, Debug)]
pub struct Query {
    pub ty: TypeId,
    pub level: LevelIdx,
    pub identification: Identification,
    pub purposes: Vec<String>,
    pub retention_days: Option<u64>,
}

impl Query {
    fn decide(&self, policy: &Policy) -> Verdict {
        let purposes: Vec<&str> = self.purposes.iter().map(String::as_str).collect();
        policy.decide(
            self.ty,
            self.identification,
            EventContext {
                level: self.level,
                purposes: &purposes,
                retention_days: self.retention_days,
            },
        )
    }
}

/// A deny rule whose selector matches the type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DenyStep {
    pub rule: RuleIdx,
    /// Whether it denies in this situation.
    pub applies: bool,
    /// `below:` keeps it from the query's level.
    pub level_exempt: bool,
    /// `purposes:` names none of the query's purposes.
    pub purpose_exempt: bool,
}

/// A grant whose selector matches the type, and the conditions it fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantStep {
    pub rule: RuleIdx,
    pub failures: Vec<Failure>,
}

/// One change to the event that would make the type pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Collect it at this level (or above).
    Level(LevelIdx),
    /// Send it at most this identifiable.
    Identification(Identification),
    /// Do not declare these purposes.
    DropPurposes(Vec<String>),
    /// Keep it at most this many days.
    Retention(u64),
}

/// A set of changes that together make the type pass, and the rule that then permits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub changes: Vec<Change>,
    pub permitted_by: Option<RuleIdx>,
}

#[derive(Clone, Debug)]
pub struct Explanation {
    pub query: Query,
    pub verdict: Verdict,
    pub denies: Vec<DenyStep>,
    pub grants: Vec<GrantStep>,
    /// Single changes that pass, smallest first; a combined change when no single one does.
    pub fixes: Vec<Fix>,
    /// The retention limit of the policy at the query's level (`limits`), when it has one.
    pub retention_limit: Option<u64>,
}

impl Explanation {
    /// Whether an event like the query passes: the type is permitted and the level's
    /// retention limit holds.
    pub fn passes(&self) -> bool {
        matches!(self.verdict, Verdict::Permitted(_)) && !self.exceeds_retention_limit()
    }

    pub fn exceeds_retention_limit(&self) -> bool {
        self.retention_limit
            .is_some_and(|max| self.query.retention_days.is_some_and(|d| d > max))
    }
}

pub fn explain(policy: &Policy, query: Query) -> Explanation {
    let verdict = query.decide(policy);
    let denies = policy
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.effect == super::table::Effect::Deny && r.matches.contains(&query.ty))
        .map(|(i, r)| {
            let level_exempt = r.below.is_some_and(|b| query.level >= b);
            let purpose_exempt = r.purposes.as_ref().is_some_and(|denied| {
                !query
                    .purposes
                    .iter()
                    .any(|p| denied.iter().any(|d| purpose_within(p, d)))
            });
            DenyStep {
                rule: i,
                applies: !level_exempt && !purpose_exempt,
                level_exempt,
                purpose_exempt,
            }
        })
        .collect();
    let purposes: Vec<&str> = query.purposes.iter().map(String::as_str).collect();
    let context = EventContext {
        level: query.level,
        purposes: &purposes,
        retention_days: query.retention_days,
    };
    let grants = policy
        .grants_for(query.ty)
        .iter()
        .map(|&g| GrantStep {
            rule: g,
            failures: policy.grant_failures(g, query.identification, context),
        })
        .collect();
    let mut fixes = if matches!(verdict, Verdict::Permitted(_)) {
        Vec::new()
    } else {
        fixes(policy, &query, &verdict)
    };
    // The change the closest grant needs comes first: it is the one `check` suggests.
    if let Verdict::Failed { grant, .. } = verdict {
        fixes.sort_by_key(|f| f.permitted_by != Some(grant));
    }
    Explanation {
        retention_limit: policy
            .limits_at(query.level)
            .max_retention_days
            .map(|(d, _)| d),
        query,
        verdict,
        denies,
        grants,
        fixes,
    }
}

fn permitted_by(policy: &Policy, query: &Query) -> Option<Option<RuleIdx>> {
    match query.decide(policy) {
        Verdict::Permitted(rule) => Some(rule),
        _ => None,
    }
}

fn fixes(policy: &Policy, query: &Query, verdict: &Verdict) -> Vec<Fix> {
    let mut out = Vec::new();
    let mut single = |changes: Vec<Change>, q: Query| {
        if let Some(rule) = permitted_by(policy, &q) {
            out.push(Fix {
                changes,
                permitted_by: rule,
            });
        }
    };
    // A higher level: the lowest that passes.
    if let Some(level) = (query.level + 1..policy.levels.len()).find(|&l| {
        permitted_by(
            policy,
            &Query {
                level: l,
                ..query.clone()
            },
        )
        .is_some()
    }) {
        single(
            vec![Change::Level(level)],
            Query {
                level,
                ..query.clone()
            },
        );
    }
    // A less identifiable form: the most identifiable that passes.
    if let Some(&q) = Identification::ALL
        .iter()
        .rev()
        .filter(|&&q| q < query.identification)
        .find(|&&q| {
            permitted_by(
                policy,
                &Query {
                    identification: q,
                    ..query.clone()
                },
            )
            .is_some()
        })
    {
        single(
            vec![Change::Identification(q)],
            Query {
                identification: q,
                ..query.clone()
            },
        );
    }
    // Fewer purposes: drop them all, then keep back every one the verdict tolerates.
    if !query.purposes.is_empty() {
        let mut kept: Vec<String> = Vec::new();
        let none = Query {
            purposes: Vec::new(),
            ..query.clone()
        };
        if permitted_by(policy, &none).is_some() {
            for p in &query.purposes {
                let mut trial = kept.clone();
                trial.push(p.clone());
                let q = Query {
                    purposes: trial.clone(),
                    ..query.clone()
                };
                if permitted_by(policy, &q).is_some() {
                    kept = trial;
                }
            }
            let drop = query
                .purposes
                .iter()
                .filter(|p| !kept.contains(p))
                .cloned()
                .collect();
            single(
                vec![Change::DropPurposes(drop)],
                Query {
                    purposes: kept,
                    ..query.clone()
                },
            );
        }
    }
    // A shorter retention: the longest a grant accepts.
    if let Some(days) = policy
        .grants_for(query.ty)
        .iter()
        .filter_map(|&g| policy.rules[g].max_retention_days)
        .filter(|&d| query.retention_days.is_none_or(|r| d < r))
        .max()
    {
        single(
            vec![Change::Retention(days)],
            Query {
                retention_days: Some(days),
                ..query.clone()
            },
        );
    }
    if out.is_empty()
        && let Verdict::Failed { failures, .. } = verdict
    {
        // No single change is enough: everything the closest grant needs, together.
        let mut q = query.clone();
        let mut changes = Vec::new();
        for f in failures {
            match f {
                Failure::Consent { needed } => {
                    q.level = *needed;
                    changes.push(Change::Level(*needed));
                }
                Failure::Identification { max } => {
                    q.identification = *max;
                    changes.push(Change::Identification(*max));
                }
                Failure::Purpose { purpose } => {
                    q.purposes.retain(|p| p != purpose);
                    changes.push(Change::DropPurposes(vec![purpose.clone()]));
                }
                Failure::Retention { max, .. } => {
                    q.retention_days = Some(*max);
                    changes.push(Change::Retention(*max));
                }
            }
        }
        if let Some(rule) = permitted_by(policy, &q) {
            out.push(Fix {
                changes,
                permitted_by: rule,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Limits;

    fn skype() -> Policy {
        let (policy, problems) = crate::policy::compile("builtin:skype-teams", &Limits::default());
        assert!(problems.is_empty(), "{problems:?}");
        policy.unwrap()
    }

    #[test]
    fn an_identified_user_id_at_census_needs_hashing_or_error_reporting() {
        let policy = skype();
        let query = Query {
            ty: policy.taxonomy.get("user.id").unwrap(),
            level: policy.level("census").unwrap(),
            identification: Identification::Identified,
            purposes: vec!["support".into()],
            retention_days: None,
        };
        let e = explain(&policy, query);
        let hashed = policy.rule("census-user-id-hashed").unwrap();
        let clear = policy.rule("error-reporting-user-id").unwrap();
        assert_eq!(
            e.verdict,
            Verdict::Failed {
                grant: hashed,
                failures: vec![Failure::Identification {
                    max: Identification::Pseudonymized
                }]
            }
        );
        assert_eq!(
            e.fixes,
            vec![
                Fix {
                    changes: vec![Change::Identification(Identification::Pseudonymized)],
                    permitted_by: Some(hashed)
                },
                Fix {
                    changes: vec![Change::Level(policy.level("error_reporting").unwrap())],
                    permitted_by: Some(clear)
                },
            ]
        );
    }

    #[test]
    fn a_denied_type_below_its_level_passes_only_higher_up() {
        let policy = skype();
        let query = Query {
            ty: policy.taxonomy.get("user.ip_address").unwrap(),
            level: policy.level("usage").unwrap(),
            identification: Identification::Identified,
            purposes: vec![],
            retention_days: None,
        };
        let e = explain(&policy, query);
        let deny = policy.rule("usage-identifies-no-users").unwrap();
        assert_eq!(e.verdict, Verdict::Denied(deny));
        assert!(e.denies.iter().any(|d| d.rule == deny && d.applies));
        assert_eq!(
            e.fixes,
            vec![Fix {
                changes: vec![Change::Level(policy.level("error_reporting").unwrap())],
                permitted_by: policy.rule("error-reporting-personal-info")
            }]
        );
    }
}
