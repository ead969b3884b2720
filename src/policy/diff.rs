//! `policy diff`: what became looser or tighter between two versions of a policy.
//!
//! In: two compiled policies. Out: [`Change`]s, found cell by cell on their decision
//! matrices (types and levels matched by id) and limit by limit, each with the rules of the
//! new version responsible (of the old one for what it no longer allows). A change seen at
//! several levels in the same way is one change listing those levels.

use super::matrix::{Cell, CellVerdict, Matrix};
use super::table::{LimitSet, Policy};
use super::taxonomy::{Identification, Origin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    Looser,
    Tighter,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub direction: Direction,
    /// Stable kebab-case kind: `newly-allowed`, `more-identifiable`, `longer-retention`, …
    pub kind: &'static str,
    /// The data type, or `None` for a limit of the whole policy.
    pub data_type: Option<String>,
    pub levels: Vec<String>,
    /// What changed, in words.
    pub detail: String,
    /// The rules responsible (grants that now allow, or rules that now deny).
    pub rules: Vec<String>,
    /// How many descendants of the type changed in exactly the same way (not listed).
    pub descendants: usize,
}

/// Compare `old` with `new`.
pub fn diff(old: &Policy, new: &Policy) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    let old_matrix = Matrix::new(old);
    let new_matrix = Matrix::new(new);
    let common_levels: Vec<(usize, usize, &str)> = new
        .levels
        .iter()
        .enumerate()
        .filter_map(|(n, l)| Some((old.level(&l.id)?, n, l.id.as_str())))
        .collect();
    for row in &new_matrix.rows {
        let id = &new.taxonomy.types[row.ty].id;
        let Some(old_row) = old.taxonomy.get(id).and_then(|t| old_matrix.row(t)) else {
            if let Some(level) = row.cells.iter().position(|c| c.verdict.allows().is_some()) {
                push(
                    &mut out,
                    Change {
                        direction: Direction::Looser,
                        kind: "new-type",
                        data_type: Some(id.clone()),
                        levels: vec![new.levels[level].id.clone()],
                        detail: "a new data type, allowed from this level".to_owned(),
                        rules: names(new, row.cells[level].verdict.rules()),
                        descendants: 0,
                    },
                );
            }
            continue;
        };
        for &(o, n, level) in &common_levels {
            for change in compare_cell(old, &old_row.cells[o], new, &row.cells[n]) {
                push(
                    &mut out,
                    Change {
                        data_type: Some(id.clone()),
                        levels: vec![level.to_owned()],
                        ..change
                    },
                );
            }
        }
    }
    for &(o, n, level) in &common_levels {
        for change in compare_limits(&old.limits_at(o), &new.limits_at(n)) {
            push(
                &mut out,
                Change {
                    levels: vec![level.to_owned()],
                    ..change
                },
            );
        }
    }
    // Levels only one version has: their cells have nothing to be compared with.
    for level in new.levels.iter().filter(|l| old.level(&l.id).is_none()) {
        push(
            &mut out,
            Change {
                levels: vec![level.id.clone()],
                ..change(
                    Direction::Looser,
                    "new-level",
                    "new; cells at a level only one version has are not compared (`policy compile` shows them)".to_owned(),
                    Vec::new(),
                )
            },
        );
    }
    for level in old.levels.iter().filter(|l| new.level(&l.id).is_none()) {
        push(
            &mut out,
            Change {
                levels: vec![level.id.clone()],
                ..change(
                    Direction::Tighter,
                    "removed-level",
                    "removed".to_owned(),
                    Vec::new(),
                )
            },
        );
    }
    let mut out = fold_subtrees(new, out);
    out.sort_by_key(|c| c.direction);
    out
}

/// Drop a type's change when its parent changed in exactly the same way, counting it on
/// the topmost such ancestor.
fn fold_subtrees(new: &Policy, changes: Vec<Change>) -> Vec<Change> {
    let same = |a: &Change, b: &Change| {
        a.direction == b.direction
            && a.kind == b.kind
            && a.levels == b.levels
            && a.detail == b.detail
            && a.rules == b.rules
    };
    let parent_of = |t: &str| {
        let ty = new.taxonomy.get(t)?;
        let p = new.taxonomy.types[ty].parent?;
        Some(new.taxonomy.types[p].id.clone())
    };
    let mut folded_into: Vec<Option<usize>> = vec![None; changes.len()];
    for (i, c) in changes.iter().enumerate() {
        let mut at = c.data_type.clone();
        while let Some(parent) = at.as_deref().and_then(parent_of) {
            let Some(j) = changes
                .iter()
                .position(|p| p.data_type.as_deref() == Some(parent.as_str()) && same(p, c))
            else {
                break;
            };
            folded_into[i] = Some(j);
            at = Some(parent);
        }
    }
    let mut out = changes.clone();
    for target in folded_into.iter().flatten() {
        out[*target].descendants += 1;
    }
    out.into_iter()
        .zip(folded_into)
        .filter(|(_, f)| f.is_none())
        .map(|(c, _)| c)
        .collect()
}

/// Add a change, merging it into an equal one seen at another level.
fn push(out: &mut Vec<Change>, change: Change) {
    if let Some(same) = out.iter_mut().find(|c| {
        c.direction == change.direction
            && c.kind == change.kind
            && c.data_type == change.data_type
            && c.detail == change.detail
            && c.rules == change.rules
    }) {
        same.levels.extend(change.levels);
    } else {
        out.push(change);
    }
}

fn names(policy: &Policy, rules: &[usize]) -> Vec<String> {
    rules.iter().map(|&r| policy.rules[r].id.clone()).collect()
}

fn describe(policy: &Policy, v: &CellVerdict) -> String {
    let list = |rules: &[usize]| {
        names(policy, rules)
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v {
        CellVerdict::Denied { rules } => format!("denied by {}", list(rules)),
        CellVerdict::Allowed {
            max_identification: Identification::Identified,
            ..
        } => "allowed".to_owned(),
        CellVerdict::Allowed {
            max_identification, ..
        } => format!("allowed {max_identification} or less"),
        CellVerdict::NotGranted { lowest, .. } => {
            format!("granted only from `{}`", policy.levels[*lowest].id)
        }
        CellVerdict::NotCovered => "not covered".to_owned(),
        CellVerdict::AllowedUnmatched => "allowed by `unmatched: allow`".to_owned(),
    }
}

fn change(direction: Direction, kind: &'static str, detail: String, rules: Vec<String>) -> Change {
    Change {
        direction,
        kind,
        data_type: None,
        levels: Vec::new(),
        detail,
        rules,
        descendants: 0,
    }
}

/// The longest retention any grant of an allowed cell accepts (`None`: unlimited).
fn retention(policy: &Policy, cell: &Cell) -> Option<Option<u64>> {
    match &cell.verdict {
        CellVerdict::Allowed { grants, .. } => Some(
            grants
                .iter()
                .map(|&g| policy.rules[g].max_retention_days)
                .try_fold(0, |acc, d| d.map(|d| acc.max(d))),
        ),
        _ => None,
    }
}

fn compare_cell(old: &Policy, a: &Cell, new: &Policy, b: &Cell) -> Vec<Change> {
    let (before, after) = (a.verdict.allows(), b.verdict.allows());
    let mut out = Vec::new();
    // The grants that let more through than before.
    let looser_by = || -> Vec<String> {
        b.verdict
            .rules()
            .iter()
            .filter(|&&g| before.is_none_or(|q| new.rules[g].max_identification > q))
            .map(|&g| new.rules[g].id.clone())
            .collect()
    };
    let was = describe(old, &a.verdict);
    let now = describe(new, &b.verdict);
    match (before, after) {
        (None, Some(_)) => {
            let kind = if matches!(a.verdict, CellVerdict::NotGranted { .. }) {
                "lower-level"
            } else {
                "newly-allowed"
            };
            out.push(change(
                Direction::Looser,
                kind,
                format!("{now} (was {was})"),
                looser_by(),
            ));
        }
        (Some(_), None) => out.push(change(
            Direction::Tighter,
            "no-longer-allowed",
            format!("{now} (was {was})"),
            names(new, b.verdict.rules()),
        )),
        (Some(x), Some(y)) if y > x => out.push(change(
            Direction::Looser,
            "more-identifiable",
            format!("{now} (was {was})"),
            looser_by(),
        )),
        (Some(x), Some(y)) if y < x => out.push(change(
            Direction::Tighter,
            "less-identifiable",
            format!("{now} (was {was})"),
            names(new, b.verdict.rules()),
        )),
        _ => {}
    }
    if let (Some(r0), Some(r1)) = (retention(old, a), retention(new, b))
        && r0 != r1
    {
        out.push(retention_change(
            "retention",
            r0,
            r1,
            names(new, b.verdict.rules()),
        ));
    }
    out
}

fn compare_limits(old: &LimitSet, new: &LimitSet) -> Vec<Change> {
    let mut out = Vec::new();
    let ids = |l: &Option<Vec<(String, Origin)>>| -> Option<Vec<String>> {
        l.as_ref()
            .map(|v| v.iter().map(|(s, _)| s.clone()).collect())
    };
    for (what, before, after, added, removed) in [
        (
            "regions",
            ids(&old.regions),
            ids(&new.regions),
            "new-region",
            "removed-region",
        ),
        (
            "transport",
            ids(&old.transport),
            ids(&new.transport),
            "new-transport",
            "removed-transport",
        ),
    ] {
        match (before, after) {
            (Some(b), Some(a)) => {
                for x in a.iter().filter(|x| !b.contains(x)) {
                    out.push(change(
                        Direction::Looser,
                        added,
                        format!("{what}: `{x}` now allowed"),
                        Vec::new(),
                    ));
                }
                for x in b.iter().filter(|x| !a.contains(x)) {
                    out.push(change(
                        Direction::Tighter,
                        removed,
                        format!("{what}: `{x}` no longer allowed"),
                        Vec::new(),
                    ));
                }
            }
            (Some(b), None) => out.push(change(
                Direction::Looser,
                added,
                format!("{what}: no longer limited (was {})", b.join(", ")),
                Vec::new(),
            )),
            (None, Some(a)) => out.push(change(
                Direction::Tighter,
                removed,
                format!("{what}: now limited to {}", a.join(", ")),
                Vec::new(),
            )),
            (None, None) => {}
        }
    }
    let (r0, r1) = (
        old.max_retention_days.as_ref().map(|r| r.0),
        new.max_retention_days.as_ref().map(|r| r.0),
    );
    if r0 != r1 {
        out.push(retention_change("retention limit", r0, r1, Vec::new()));
    }
    let (e0, e1) = (
        old.max_expiry_days.as_ref().map(|e| e.0),
        new.max_expiry_days.as_ref().map(|e| e.0),
    );
    if e0 != e1 {
        out.push(limit_change(
            "expiry limit",
            ("longer-collection", "shorter-collection"),
            e0,
            e1,
            Vec::new(),
        ));
    }
    out
}

/// A change of the longest retention allowed (`None`: unlimited).
fn retention_change(what: &str, r0: Option<u64>, r1: Option<u64>, rules: Vec<String>) -> Change {
    limit_change(
        what,
        ("longer-retention", "shorter-retention"),
        r0,
        r1,
        rules,
    )
}

/// A change of a limit in days (`None`: unlimited): longer is looser, with the first kind.
fn limit_change(
    what: &str,
    (longer_kind, shorter_kind): (&'static str, &'static str),
    r0: Option<u64>,
    r1: Option<u64>,
    rules: Vec<String>,
) -> Change {
    let days = |r: Option<u64>| r.map_or("unlimited".to_owned(), |d| format!("{d} days"));
    let longer = match (r0, r1) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(x), Some(y)) => y > x,
    };
    let (direction, kind) = if longer {
        (Direction::Looser, longer_kind)
    } else {
        (Direction::Tighter, shorter_kind)
    };
    change(
        direction,
        kind,
        format!("{what} {} (was {})", days(r1), days(r0)),
        rules,
    )
}
