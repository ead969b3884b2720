//! Drafting an overlay from the classifier's proposals (`classify --write`), for a person
//! to review.
//!
//! The draft lists one entry per proposed field, in a stable order (file, event, field),
//! each under a comment with the evidence. Proposals at confidence `accept` or above are
//! active; those between `min` and `accept` are commented out, to be confirmed by
//! uncommenting; fields with no proposal are listed at the end. Re-drafting over an
//! existing overlay keeps every active entry in it exactly as written — its lines and
//! the comments right above them — so a person's edits are never overwritten; the fields
//! those entries classify are not proposed again (the run applies the overlay first).

use crate::classify::{Candidate, Placed};
use crate::document;
use crate::load::Node;
use crate::project;
use crate::source::SourceFile;
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

/// What a draft contains, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Active entries kept from the existing overlay.
    pub kept: usize,
    /// New active entries (confidence at least `accept`).
    pub active: usize,
    /// New entries commented out for review (confidence in `[min, accept)`).
    pub review: usize,
    /// Fields listed with no proposal.
    pub unplaced: usize,
}

/// The draft's settings.
pub struct Settings<'a> {
    /// The directory the overlay is written to (absolute): `files:` are relative to it.
    pub dir: &'a Path,
    /// The working directory, against which the proposals' file names are shown.
    pub cwd: &'a Path,
    pub min: f64,
    pub accept: f64,
}

/// One entry of the draft, with the key that orders it.
struct Item {
    key: (String, String, String),
    text: String,
}

/// The draft's text: the existing overlay's header and active entries, merged with new
/// entries for `placed`.
pub fn draft(
    existing: Option<(&Arc<SourceFile>, &Node)>,
    placed: &[Placed],
    settings: &Settings<'_>,
) -> (String, Counts) {
    let mut counts = Counts::default();
    let mut items = Vec::new();
    let mut out = String::from(HEADER);
    if let Some((source, root)) = existing {
        for key in ["id", "title", "description"] {
            if let Some(value) = document::string(root, key) {
                let _ = writeln!(out, "{key}: {}", scalar(&value.value));
            }
        }
        for node in document::items(root, "fields") {
            items.push(kept(source, node));
            counts.kept += 1;
        }
    }
    let mut unplaced = Vec::new();
    for p in placed {
        let files = project::relative(&settings.cwd.join(&p.file), settings.dir);
        let key = (files, p.event.clone(), p.field.clone());
        let best = p.proposal.as_ref().map(|p| &p.best);
        match best.filter(|b| b.confidence >= settings.min) {
            Some(best) => {
                let active = best.confidence >= settings.accept;
                if active {
                    counts.active += 1;
                } else {
                    counts.review += 1;
                }
                let alternatives = p.proposal.iter().flat_map(|p| &p.alternatives);
                items.push(proposed(key, p, best, alternatives, active));
            }
            None => {
                counts.unplaced += 1;
                unplaced.push(key);
            }
        }
    }
    items.sort_by(|a, b| a.key.cmp(&b.key));
    out.push_str("kind: Classification\n");
    if counts.kept + counts.active == 0 {
        // Nothing active yet: an empty list, which a first uncommented entry replaces.
        out.push_str("fields: # none active yet: uncomment the entries you confirm\n");
    } else {
        out.push_str("fields:\n");
    }
    for item in &items {
        out.push_str(&item.text);
    }
    if !unplaced.is_empty() {
        unplaced.sort();
        out.push_str(
            "\n# No rule had evidence for these fields: classify them by hand (add `type:`\n# and uncomment) or leave them for `check` to report as unclassified.\n",
        );
        for (files, event, field) in &unplaced {
            let _ = writeln!(
                out,
                "#  - {{ files: {}, event: {}, field: {} }}",
                scalar(files),
                scalar(event),
                scalar(field)
            );
        }
    }
    (out, counts)
}

const HEADER: &str = "\
# A classification overlay drafted by `consentlint classify --write`: review it.
# Active entries had confidence 0.8 or more; commented-out ones less: uncomment the ones
# you confirm. Edit freely: re-running `classify --write` keeps every active entry, and the
# comments right above it, exactly as written, and adds only fields still unclassified.
";

/// A new entry for a proposal, under its evidence.
fn proposed<'a>(
    key: (String, String, String),
    p: &Placed,
    best: &Candidate,
    alternatives: impl Iterator<Item = &'a Candidate>,
    active: bool,
) -> Item {
    let evidence: Vec<String> = best.evidence.iter().map(ToString::to_string).collect();
    let mut text = format!(
        "  # {}:{}: {:.2} from {}",
        p.file,
        p.line,
        best.confidence,
        evidence.join(", ")
    );
    let others: Vec<String> = alternatives
        .map(|a| format!("{} ({:.2})", a.data_type, a.confidence))
        .collect();
    if !others.is_empty() {
        let _ = write!(text, "; or {}", others.join(", "));
    }
    let mut text = one_line(&text);
    text.push('\n');
    let entry = format!(
        "- {{ files: {}, event: {}, field: {}, type: {} }}\n",
        scalar(&key.0),
        scalar(&key.1),
        scalar(&key.2),
        scalar(&best.data_type)
    );
    text.push_str(if active { "  " } else { "  # " });
    text.push_str(&entry);
    Item { key, text }
}

/// An existing entry, as written: its lines and the comments right above them, indented
/// as the draft's list is. An entry that does not stand on lines of its own (inside a
/// flow list) is written anew from its values.
fn kept(source: &Arc<SourceFile>, node: &Node) -> Item {
    let text = source.text.as_str();
    let value = |key: &str| document::string(node, key).map(|v| v.value);
    let files = document::strings(node, "files").unwrap_or_default();
    let key = (
        files.first().map(|f| f.value.clone()).unwrap_or_default(),
        value("event").unwrap_or_default(),
        value("field").unwrap_or_default(),
    );
    // A mapping's own span marks only where it starts: it ends with its last value.
    let (start, end) = (node.span.start as usize, last_end(node));
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..start).unwrap_or_default();
    let dash = before.trim_end().strip_suffix('-').map(str::len);
    let line_end = text
        .get(end.max(start)..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| end.max(start) + i);
    // What follows the last value on its line: a flow mapping's `}`, or a comment.
    let after = text.get(end..line_end).unwrap_or_default().trim_start();
    let after = after.trim_start_matches(['"', '\'']).trim_start();
    let after = after.strip_prefix('}').map_or(after, str::trim_start);
    let Some(dash) = dash.filter(|_| {
        before.trim_end().trim_end_matches('-').trim().is_empty()
            && (after.is_empty() || after.starts_with('#'))
    }) else {
        let mut parts = Vec::new();
        match files.as_slice() {
            [] => {}
            [one] => parts.push(format!("files: {}", scalar(&one.value))),
            many => parts.push(format!(
                "files: [{}]",
                many.iter()
                    .map(|f| scalar(&f.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
        for k in ["event", "field", "type", "identification", "note"] {
            if let Some(v) = value(k) {
                parts.push(format!("{k}: {}", scalar(&v)));
            }
        }
        return Item {
            key,
            text: format!("  - {{ {} }}\n", parts.join(", ")),
        };
    };
    let mut out = String::new();
    // The comments right above, up to a blank line or a commented-out entry of a draft.
    let above: Vec<&str> = text[..line_start]
        .lines()
        .rev()
        .take_while(|l| {
            let l = l.trim_start();
            l.starts_with('#') && !l.trim_start_matches('#').trim_start().starts_with("- ")
        })
        .collect();
    for line in above.iter().rev() {
        let _ = writeln!(out, "  {}", line.trim_start());
    }
    for line in text[line_start..line_end].lines() {
        let _ = writeln!(out, "{}", reindent(line, dash, 2));
    }
    Item { key, text: out }
}

/// Where the last value under `node` ends.
fn last_end(node: &Node) -> usize {
    let own = node.span.end as usize;
    if let Some(entries) = node.as_map() {
        return entries
            .iter()
            .map(|e| (e.key_span.end as usize).max(last_end(&e.value)))
            .fold(own, usize::max);
    }
    if let Some(items) = node.as_seq() {
        return items.iter().map(last_end).fold(own, usize::max);
    }
    own
}

/// Move a line from an item indented at `from` columns to one at `to`.
fn reindent(line: &str, from: usize, to: usize) -> String {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let strip = from.min(spaces);
    format!("{}{}", " ".repeat(to), &line[strip..])
}

/// A comment line never spans lines or carries control characters.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted.
pub fn scalar(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | '@'))
        && !value.starts_with(['-', '@'])
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "true"
                | "false"
                | "null"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "y"
                | "n"
                | "~"
                | ".inf"
                | ".nan"
        )
        && value.parse::<f64>().is_err();
    if plain {
        value.to_owned()
    } else {
        // A JSON string is a valid YAML double-quoted scalar.
        serde_json::to_string(value).unwrap_or_else(|_| format!("{value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_the_same_string() {
        for value in [
            "schemas/app/main.schema.json",
            "crumbs[].name",
            "yes",
            "1.5",
            "a: b",
            "#x",
            "- x",
            "{x}",
            "naïve",
            "",
            "line\nbreak",
            "say \"hi\"",
            "../x.json",
            ".inf",
            ".NaN",
            "-x",
        ] {
            let text = format!("v: {}\n", scalar(value));
            let back: std::collections::BTreeMap<String, String> =
                serde_saphyr::from_str(&text).unwrap();
            assert_eq!(back["v"], value, "{text}");
        }
        assert_eq!(scalar("user.email"), "user.email");
        assert_eq!(scalar("crumbs[].name"), "\"crumbs[].name\"");
    }

    #[test]
    fn reindenting_keeps_relative_indentation() {
        assert_eq!(reindent("- field: x", 0, 2), "  - field: x");
        assert_eq!(reindent("  type: y", 0, 2), "    type: y");
        assert_eq!(reindent("    - field: x", 4, 2), "  - field: x");
        assert_eq!(reindent("      type: y", 4, 2), "    type: y");
    }
}
