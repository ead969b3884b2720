//! The decision matrix: every taxonomy type × consent level, decided once.
//!
//! In: a compiled [`Policy`]. Out: a [`Matrix`] whose rows follow the taxonomy's tree order
//! and whose cells say what an event at that level may send of that type, with the rules
//! behind the verdict. `policy compile` prints it, `policy diff` compares two of them and
//! `policy lint` compares a policy's matrix with its bases'.

use super::table::{LevelIdx, Policy, RuleIdx};
use super::taxonomy::{Identification, TypeId};

/// What a cell allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellVerdict {
    /// A deny rule without `purposes:` applies: nothing of this type, whatever the event.
    Denied { rules: Vec<RuleIdx> },
    /// At least one grant applies at this level; `max_identification` is the most
    /// identifiable form any of them permits (each grant's own conditions still apply).
    Allowed {
        max_identification: Identification,
        grants: Vec<RuleIdx>,
    },
    /// Grants exist for the type, but only from a higher level on.
    NotGranted {
        lowest: LevelIdx,
        grants: Vec<RuleIdx>,
    },
    /// No rule mentions the type and `defaults.unmatched` is `deny`.
    NotCovered,
    /// No rule mentions the type and `defaults.unmatched` is `allow`.
    AllowedUnmatched,
}

impl CellVerdict {
    /// The stable name used in JSON and CSV.
    pub fn name(&self) -> &'static str {
        match self {
            CellVerdict::Denied { .. } => "denied",
            CellVerdict::Allowed { .. } => "allowed",
            CellVerdict::NotGranted { .. } => "not-granted",
            CellVerdict::NotCovered => "not-covered",
            CellVerdict::AllowedUnmatched => "allowed-unmatched",
        }
    }

    /// The most identifiable form the cell lets through, if any.
    pub fn allows(&self) -> Option<Identification> {
        match self {
            CellVerdict::Allowed {
                max_identification, ..
            } => Some(*max_identification),
            CellVerdict::AllowedUnmatched => Some(Identification::Identified),
            _ => None,
        }
    }

    /// The rules that decided the verdict.
    pub fn rules(&self) -> &[RuleIdx] {
        match self {
            CellVerdict::Denied { rules } => rules,
            CellVerdict::Allowed { grants, .. } | CellVerdict::NotGranted { grants, .. } => grants,
            CellVerdict::NotCovered | CellVerdict::AllowedUnmatched => &[],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub verdict: CellVerdict,
    /// Deny rules scoped by `purposes:` that apply here: the type is denied for events
    /// declaring one of their purposes.
    pub purpose_denies: Vec<RuleIdx>,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub ty: TypeId,
    /// One cell per consent level, lowest first.
    pub cells: Vec<Cell>,
}

/// The whole decision matrix of a policy.
#[derive(Clone, Debug)]
pub struct Matrix<'p> {
    pub policy: &'p Policy,
    /// Rows in taxonomy tree order.
    pub rows: Vec<Row>,
}

impl<'p> Matrix<'p> {
    pub fn new(policy: &'p Policy) -> Matrix<'p> {
        let rows = policy
            .taxonomy
            .in_tree_order()
            .iter()
            .map(|&ty| Row {
                ty,
                cells: (0..policy.levels.len())
                    .map(|level| cell(policy, ty, level))
                    .collect(),
            })
            .collect();
        Matrix { policy, rows }
    }

    /// The row of a type.
    pub fn row(&self, ty: TypeId) -> Option<&Row> {
        self.rows.iter().find(|r| r.ty == ty)
    }
}

/// Decide one cell from the policy's table.
pub fn cell(policy: &Policy, ty: TypeId, level: LevelIdx) -> Cell {
    let (purpose_denies, denies): (Vec<RuleIdx>, Vec<RuleIdx>) = policy
        .denies_at(ty, level)
        .iter()
        .partition(|&&d| policy.rules[d].purposes.is_some());
    let verdict = if !denies.is_empty() {
        CellVerdict::Denied { rules: denies }
    } else {
        let all = policy.grants_for(ty);
        let here: Vec<RuleIdx> = all
            .iter()
            .copied()
            .filter(|&g| policy.rules[g].min_consent <= level)
            .collect();
        if let Some(max) = here
            .iter()
            .map(|&g| policy.rules[g].max_identification)
            .max()
        {
            CellVerdict::Allowed {
                max_identification: max,
                grants: here,
            }
        } else if let Some(lowest) = all.iter().map(|&g| policy.rules[g].min_consent).min() {
            CellVerdict::NotGranted {
                lowest,
                grants: all.to_vec(),
            }
        } else if policy.defaults.unmatched_allow {
            CellVerdict::AllowedUnmatched
        } else {
            CellVerdict::NotCovered
        }
    };
    Cell {
        verdict,
        purpose_denies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Limits;

    #[test]
    fn the_default_policy_decides_cells_by_class() {
        let (policy, problems) = crate::policy::compile("builtin:default", &Limits::default());
        assert!(problems.is_empty(), "{problems:?}");
        let policy = policy.unwrap();
        let matrix = Matrix::new(&policy);
        let at = |ty: &str, level: &str| {
            let ty = policy.taxonomy.get(ty).unwrap();
            let level = policy.level(level).unwrap();
            matrix.row(ty).unwrap().cells[level].verdict.clone()
        };
        let rule = |id: &str| policy.rule(id).unwrap();
        assert_eq!(
            at("user.email", "optional"),
            CellVerdict::Denied {
                rules: vec![rule("no-end-user-identifiable-info")]
            }
        );
        assert_eq!(
            at("device.id", "required"),
            CellVerdict::Allowed {
                max_identification: Identification::Pseudonymized,
                grants: vec![rule("pseudonymous-identifiers")]
            }
        );
        assert_eq!(
            at("app.error.crash_report", "required"),
            CellVerdict::NotGranted {
                lowest: 1,
                grants: vec![rule("crash-and-exception-data")]
            }
        );
        assert_eq!(
            at("org.tenant_id", "optional").name(),
            "allowed",
            "oii is optional data"
        );
    }
}
