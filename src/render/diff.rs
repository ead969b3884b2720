//! `policy diff`: the changes between two policy versions, as text or JSON (version 1).

use crate::policy::Policy;
use crate::policy::diff::{Change, Direction};
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

pub fn json(old: &Policy, new: &Policy, changes: &[Change]) -> String {
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
    let doc = json!({
        "old": { "id": old.id, "file": old.name },
        "new": { "id": new.id, "file": new.name },
        "looser": list(Direction::Looser),
        "tighter": list(Direction::Tighter),
    });
    super::json_document(doc)
}
