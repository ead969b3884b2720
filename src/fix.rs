//! Applying the machine-applicable fixes of a run's findings (`check --fix`, `--diff`).
//!
//! In: the diagnostics of a run, each with its [`Fix`] when it has one. Out: per file, its
//! text before and after. The edits of a file are applied in one pass from the end: an edit
//! whose span no longer holds the text it was made for (the file changed since) is left out,
//! of several edits of one span the one of highest rank wins (two fields asking one
//! `consent:` for different levels: the higher), and an edit overlapping one already taken
//! is left for the next pass. A file whose fixed text no longer reads as the same kind of
//! valid document is left unchanged and reported: a fix never breaks a file.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::fix::{Applicability, Edit};
use crate::document::Kind;
use crate::load::{self, Limits};
use crate::source::SourceFile;
use std::collections::BTreeMap;

/// One file's text, before and after its fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFix {
    pub file: String,
    pub before: String,
    pub after: String,
    /// How many findings the applied edits fix.
    pub fixed: usize,
}

/// What fixing a run's findings would do.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: Vec<FileFix>,
    /// Findings whose fix was not applied because it is unsafe (without `--unsafe-fixes`).
    pub unsafe_left: usize,
    /// Files left unchanged because the fixed text would not be valid, with why.
    pub refused: Vec<(String, String)>,
}

/// The fixes of `diagnostics`, unsafe ones too when `unsafe_fixes`, applied to the files as
/// they are now on disk (`root` is the directory their shown paths are relative to).
pub fn plan(
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
    root: &std::path::Path,
    limits: &Limits,
) -> Plan {
    let mut plan = Plan::default();
    let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for fix in diagnostics.iter().filter_map(|d| d.fix.as_deref()) {
        if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
            plan.unsafe_left += 1;
            continue;
        }
        // Every fix today is one edit; a fix of several would need them all or none.
        if let [edit] = fix.edits.as_slice() {
            by_file.entry(edit.file.as_str()).or_default().push(edit);
        }
    }
    for (file, mut edits) in by_file {
        let Ok(before) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        // By start, then end; among equal spans the highest rank first.
        edits.sort_by(|a, b| {
            (a.span.start, a.span.end, std::cmp::Reverse(a.rank)).cmp(&(
                b.span.start,
                b.span.end,
                std::cmp::Reverse(b.rank),
            ))
        });
        // The edits applied, one per span, and the findings they fix.
        let mut taken: Vec<&Edit> = Vec::new();
        let mut fixed = 0;
        for edit in edits {
            let (start, end) = (edit.span.start as usize, edit.span.end as usize);
            if before.get(start..end) != Some(edit.original.as_str()) {
                continue;
            }
            match taken.last() {
                Some(last) if last.span == edit.span => {
                    // The highest rank won, and fixes what a lower rank asked too (a higher
                    // consent level satisfies a lower); so does the same edit asked twice.
                    let subsumed = edit.rank > 0 && edit.rank <= last.rank;
                    fixed += usize::from(subsumed || last.replacement == edit.replacement);
                }
                Some(last) if start < last.span.end as usize => {}
                _ => {
                    taken.push(edit);
                    fixed += 1;
                }
            }
        }
        if taken.is_empty() {
            continue;
        }
        let mut after = before.clone();
        for edit in taken.iter().rev() {
            after.replace_range(
                edit.span.start as usize..edit.span.end as usize,
                &edit.replacement,
            );
        }
        if let Err(why) = still_valid(file, &before, &after, limits) {
            plan.refused.push((file.to_owned(), why));
            continue;
        }
        plan.files.push(FileFix {
            file: file.to_owned(),
            before,
            after,
            fixed,
        });
    }
    plan
}

/// Whether the fixed text is still the document it was: it parses, and a document of
/// consentlint's own format still passes its schema.
fn still_valid(file: &str, before: &str, after: &str, limits: &Limits) -> Result<(), String> {
    let kind_of = |text: &str| -> Result<Option<Kind>, String> {
        let source = SourceFile::new(file, text);
        let root = load::parse(&source, limits).map_err(|d| d.message)?;
        let kind = Kind::detect(&root);
        if kind == Some(Kind::Manifest) {
            let mut problems = Vec::new();
            load::duplicate_keys(&root, &source, &mut problems);
            problems.extend(load::schema_check::validate(
                &root,
                &source,
                load::schema_check::Format::Manifest,
            ));
            if let Some(first) = problems.first() {
                return Err(first.message.clone());
            }
        }
        Ok(kind)
    };
    let was = kind_of(before).ok().flatten();
    match kind_of(after) {
        Ok(kind) if kind == was => Ok(()),
        Ok(_) => Err("the fixed file would no longer be the same kind of document".to_owned()),
        Err(why) => Err(format!("the fixed file would not be valid: {why}")),
    }
}

/// Write the fixed files; the files that could not be written, with why.
pub fn write(plan: &Plan, root: &std::path::Path) -> Vec<(String, String)> {
    plan.files
        .iter()
        .filter_map(|f| {
            std::fs::write(root.join(&f.file), &f.after)
                .err()
                .map(|e| (f.file.clone(), e.to_string()))
        })
        .collect()
}

/// A unified diff of the plan, file by file (`a/FILE` → `b/FILE`).
pub fn diff(plan: &Plan) -> String {
    let mut out = String::new();
    for f in &plan.files {
        let diff = similar::TextDiff::from_lines(&f.before, &f.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", f.file), &format!("b/{}", f.file))
                .to_string(),
        );
    }
    out
}
