//! `policy diff`: the changes between two policy versions, as text or JSON (version 1).

use crate::policy::Policy;
use crate::policy::diff::{Change, Direction};
use crate::policy_test::{Flip, Side};
use serde_json::json;

fn line(c: &Change) -> String {
    let levels: Vec<String> = c.levels.iter().map(|l| format!("`{l}`")).collect();
    let subject = match &c.data_type {
        Some(t) => format!("`{t}`"),
        None if c.kind.ends_with("-level") => {
            let s = if levels.len() == 1 { "" } else { "s" };
            return format!(
                "consent level{s} {}: {} [{}]",
                levels.join(", "),
                c.detail,
                c.kind
            );
        }
        None => "limits".to_owned(),
    };
    let mut text = format!("{subject} at {}: {}", levels.join(", "), c.detail);
    if c.descendants > 0 {
        text = format!(
            "{subject} (and {} type{} below it, alike) at {}: {}",
            c.descendants,
            if c.descendants == 1 { "" } else { "s" },
            levels.join(", "),
            c.detail
        );
    }
    if !c.rules.is_empty() {
        let rules: Vec<String> = c.rules.iter().map(|r| format!("`{r}`")).collect();
        text.push_str(&format!(" — {}", rules.join(", ")));
    }
    format!("{text} [{}]", c.kind)
}

pub fn human(old: &Policy, new: &Policy, changes: &[Change]) -> String {
    let mut out = format!(
        "policy `{}` ({}) → policy `{}` ({})\n",
        old.id, old.name, new.id, new.name
    );
    for (direction, title) in [
        (Direction::Looser, "looser"),
        (Direction::Tighter, "tighter"),
    ] {
        let list: Vec<&Change> = changes
            .iter()
            .filter(|c| c.direction == direction)
            .collect();
        out.push_str(&format!("\n{title} ({}):\n", list.len()));
        if list.is_empty() {
            out.push_str("  (nothing)\n");
        }
        let mark = if direction == Direction::Looser {
            '+'
        } else {
            '-'
        };
        for c in list {
            out.push_str(&format!("  {mark} {}\n", line(c)));
        }
    }
    out
}

fn side(s: Option<&Side>) -> String {
    match s {
        None => "cannot run (a type, level or purpose it names is not in this version)".to_owned(),
        Some(s) => {
            let mut text = (if s.allowed { "allow" } else { "deny" }).to_owned();
            if let Some(code) = &s.code {
                text.push_str(&format!(" {code}"));
            }
            if let Some(rule) = &s.rule {
                text.push_str(&format!(" by `{rule}`"));
            }
            text.push_str(if s.passes { " (passes)" } else { " (fails)" });
            text
        }
    }
}

/// The policy tests a change flips, after the diff (`policy diff --tests`).
pub fn human_flips(flips: &[Flip], cases: usize) -> String {
    let mut out = format!(
        "\npolicy test cases flipped ({} of {cases}):\n",
        flips.len()
    );
    if flips.is_empty() {
        out.push_str("  (nothing)\n");
    }
    for f in flips {
        out.push_str(&format!(
            "  {}:{} `{}`: {} → {}\n",
            f.file,
            f.line,
            f.name,
            side(f.before.as_ref()),
            side(f.after.as_ref())
        ));
    }
    out
}

fn side_json(s: Option<&Side>) -> serde_json::Value {
    match s {
        None => serde_json::Value::Null,
        Some(s) => json!({
            "verdict": if s.allowed { "allow" } else { "deny" },
            "rule": s.rule,
            "code": s.code,
            "passes": s.passes,
        }),
    }
}

/// The diff as JSON; with `--tests`, `"flipped_tests"` lists the cases the change flips.
pub fn json(old: &Policy, new: &Policy, changes: &[Change], flips: Option<&[Flip]>) -> String {
    let list = |direction: Direction| {
        changes
            .iter()
            .filter(|c| c.direction == direction)
            .map(|c| {
                json!({
                    "kind": c.kind,
                    "data_type": c.data_type,
                    "levels": c.levels,
                    "detail": c.detail,
                    "rules": c.rules,
                    "descendants": c.descendants,
                })
            })
            .collect::<Vec<_>>()
    };
    let mut doc = json!({
        "old": { "id": old.id, "file": old.name },
        "new": { "id": new.id, "file": new.name },
        "looser": list(Direction::Looser),
        "tighter": list(Direction::Tighter),
    });
    if let Some(flips) = flips {
        doc["flipped_tests"] = flips
            .iter()
            .map(|f| {
                json!({
                    "file": f.file,
                    "line": f.line,
                    "name": f.name,
                    "old": side_json(f.before.as_ref()),
                    "new": side_json(f.after.as_ref()),
                })
            })
            .collect();
    }
    super::json_document(doc)
}
