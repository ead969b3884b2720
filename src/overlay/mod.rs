//! Classification overlays: data types for fields, kept beside schemas a team does not own.
//!
//! An overlay is a `kind: Classification` document (`schemas/classification.schema.json`)
//! or a Fides `dataset:` file (`fides`), named from `consentlint.yaml`
//! (`classifications:`) or with `--overlay`. Each entry matches fields by the file they are
//! defined in (globs relative to the overlay), the event and the dotted field path, and
//! gives them a type (Fides: one or more categories) and optionally an identification.
//! `check` applies them before deciding (`check::check_fields`); what they matched is
//! traced per file, and at the end of the run entries that matched nothing where they
//! could have are reported (`unmatched`).

pub mod draft;
mod fides;
mod pattern;

use crate::diagnostic::{Code, Diagnostic, Label, Severity};
use crate::document::{self, Sp};
use crate::load::schema_check::Format;
use crate::load::{self, Limits, Node};
use crate::project;
use crate::source::{SourceFile, Span};
use globset::GlobSet;
use pattern::FieldPattern;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One entry of an overlay.
#[derive(Debug)]
pub struct Entry {
    pub source: Arc<SourceFile>,
    /// Where the entry is (its `field:` value): what `overlay-unmatched` points at.
    pub span: Span,
    pub files: Option<Files>,
    pub event: Option<Sp<String>>,
    pub field: Sp<String>,
    /// The data types it gives (one, except for a Fides field with several categories).
    pub types: Vec<Sp<String>>,
    pub identification: Option<Sp<String>>,
    pattern: FieldPattern,
    event_pattern: Option<pattern::Wild>,
}

/// An entry's `files:` globs, and the directory they are relative to.
#[derive(Debug)]
pub struct Files {
    pub patterns: Vec<String>,
    set: GlobSet,
    base: PathBuf,
}

impl Entry {
    /// The label for "classified here": at the entry's first type.
    pub fn label(&self, data_type: &str) -> Label {
        let span = self
            .types
            .iter()
            .find(|t| t.value == data_type)
            .map_or(self.span, |t| t.span);
        Label::new(
            &self.source,
            span,
            format!("classified `{data_type}` by this overlay entry"),
        )
    }

    fn matches_event(&self, event: &str) -> bool {
        self.event_pattern.as_ref().is_none_or(|p| p.matches(event))
    }
}

/// Every overlay of a run, indexed for lookup by field path.
#[derive(Debug, Default)]
pub struct Overlays {
    pub entries: Vec<Entry>,
    /// The working directory, against which field file names are shown.
    cwd: PathBuf,
    /// Entries with a literal field path, by path, in entry order.
    exact: HashMap<String, Vec<usize>>,
    /// Entries with wildcards in the path, in entry order.
    wild: Vec<usize>,
}

/// What checking one file saw, for the end-of-run report on unmatched entries.
#[derive(Debug, Default)]
pub struct Trace {
    /// Indices of the entries that classified (or agreed with) a field.
    pub hits: Vec<usize>,
    /// Every field checked: (file, event, field).
    pub seen: Vec<(String, String, String)>,
}

impl Overlays {
    /// Load the overlays at `paths` (relative to `cwd`). A broken overlay is reported and
    /// left out; the others still apply.
    pub fn load(paths: &[String], cwd: &Path, limits: &Limits) -> (Overlays, Vec<Diagnostic>) {
        let mut overlays = Overlays {
            cwd: cwd.to_path_buf(),
            ..Overlays::default()
        };
        let mut problems = Vec::new();
        for path in paths {
            match read(path, cwd, limits) {
                Ok(entries) => overlays.entries.extend(entries),
                Err(mut p) => problems.append(&mut p),
            }
        }
        for (i, entry) in overlays.entries.iter().enumerate() {
            match entry.pattern.literal() {
                Some(path) => overlays.exact.entry(path.to_owned()).or_default().push(i),
                None => overlays.wild.push(i),
            }
        }
        (overlays, problems)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first entry (in overlay and entry order) that matches a field of `event` at
    /// `field`, defined in the file shown as `file`.
    pub fn lookup(&self, file: &str, event: &str, field: &str) -> Option<usize> {
        let exact = self.exact.get(field).map(Vec::as_slice).unwrap_or_default();
        // Both lists are in entry order: the first match of either, whichever comes first.
        let first_exact = exact
            .iter()
            .copied()
            .find(|&i| self.in_scope(i, file, event));
        let first_wild = self.wild.iter().copied().find(|&i| {
            first_exact.is_none_or(|e| i < e)
                && self.entries[i].pattern.matches(field)
                && self.in_scope(i, file, event)
        });
        first_wild.or(first_exact)
    }

    fn in_scope(&self, i: usize, file: &str, event: &str) -> bool {
        let entry = &self.entries[i];
        entry.matches_event(event) && self.matches_file(entry, file)
    }

    fn matches_file(&self, entry: &Entry, file: &str) -> bool {
        let Some(files) = &entry.files else {
            return true;
        };
        // Relative to the overlay: `../schemas/x.json` for an overlay kept in `ci/`.
        let relative = project::relative(&self.cwd.join(file), &files.base);
        files.set.is_match(&relative)
    }

    /// `overlay-unmatched` for every entry that classified nothing although the run
    /// checked what it is about: a file its `files:` match (any file, without `files:`)
    /// and, if it names one, its event. The help names the nearest field there. Entries
    /// with neither `files:` nor `event:` are never reported.
    pub fn unmatched(&self, traces: &[Trace]) -> Vec<Diagnostic> {
        let mut hit = vec![false; self.entries.len()];
        for i in traces.iter().flat_map(|t| &t.hits) {
            hit[*i] = true;
        }
        // The fields checked, by file and event.
        let mut seen: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
        for (file, event, field) in traces.iter().flat_map(|t| &t.seen) {
            seen.entry(file)
                .or_default()
                .entry(event)
                .or_default()
                .push(field);
        }
        let mut out = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            // An entry naming neither files nor an event is a pattern for any field
            // anywhere: no run can tell that it was meant to match something.
            if hit[i] || (entry.files.is_none() && entry.event.is_none()) {
                continue;
            }
            let files: Vec<_> = seen
                .iter()
                .filter(|(file, _)| self.matches_file(entry, file))
                .collect();
            if files.is_empty() {
                continue;
            }
            let events: Vec<(&str, &str, &Vec<&str>)> = files
                .iter()
                .flat_map(|(file, events)| {
                    events
                        .iter()
                        .filter(|(event, _)| entry.matches_event(event))
                        .map(|(event, fields)| (**file, *event, fields))
                })
                .collect();
            let d = if events.is_empty() {
                let Some(event) = &entry.event else { continue };
                if entry.files.is_none() {
                    // Without `files:`, an entry is about the event wherever it is: a run
                    // that checked no such event says nothing about it.
                    continue;
                }
                let names = files.iter().flat_map(|(_, events)| events.keys().copied());
                let nearest = nearest(&event.value, names);
                Diagnostic::at(
                    Code::OverlayUnmatched,
                    &entry.source,
                    event.span,
                    format!(
                        "overlay entry for `{}` matches no event `{}` in the files it names",
                        entry.field.value, event.value
                    ),
                )
                .with_label("no such event")
                .with_help(match nearest {
                    Some(n) => format!("the nearest event there is `{n}`"),
                    None => "the files it names define no events".to_owned(),
                })
            } else {
                let nearest = nearest(
                    &entry.field.value,
                    events
                        .iter()
                        .flat_map(|(_, _, fields)| fields.iter().copied()),
                );
                let place = events
                    .iter()
                    .find(|(_, _, fields)| nearest.is_some_and(|n| fields.contains(&n)));
                Diagnostic::at(
                    Code::OverlayUnmatched,
                    &entry.source,
                    entry.span,
                    format!("overlay entry `{}` matches no field", entry.field.value),
                )
                .with_label("matches nothing")
                .with_help(match (nearest, place) {
                    (Some(n), Some((file, event, _))) => {
                        format!("the nearest field is `{n}` in event `{event}` (`{file}`)")
                    }
                    _ => "the events it names have no fields".to_owned(),
                })
            };
            out.push(d.with_severity(Severity::Warning));
        }
        out
    }
}

/// The candidate with the fewest edits from `wanted` (ties: the first in order).
fn nearest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // A lower bound on the distance, to skip most candidates without computing it.
        let floor = c.len().abs_diff(wanted.len());
        if best.is_some_and(|(d, _)| floor >= d) {
            continue;
        }
        let d = strsim::levenshtein(wanted, c);
        if best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Read a `kind: Classification` document that `classify --write` is to merge into:
/// `None` when the file does not exist yet. A Fides dataset is refused (the draft is a
/// native overlay; name the dataset with `--overlay` instead).
pub fn read_for_draft(
    path: &str,
    cwd: &Path,
    limits: &Limits,
) -> Result<Option<load::Loaded>, Vec<Diagnostic>> {
    let absolute = cwd.join(path);
    if !absolute.exists() {
        return Ok(None);
    }
    let source = load::read_source(&absolute, path, limits).map_err(|d| vec![d])?;
    let root = load::parse(&source, limits).map_err(|d| vec![d])?;
    if fides::is_dataset(&root) {
        return Err(vec![fides::not_a_draft(path)]);
    }
    load::load_document(Ok(source), Format::Classification, limits).map(Some)
}

/// Read one overlay file: a `kind: Classification` document or a Fides dataset.
fn read(path: &str, cwd: &Path, limits: &Limits) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    let absolute = cwd.join(path);
    let source = load::read_source(&absolute, path, limits).map_err(|d| vec![d])?;
    let root = load::parse(&source, limits).map_err(|d| vec![d])?;
    let base = absolute
        .parent()
        .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
    if fides::is_dataset(&root) {
        return fides::entries(&root, &source);
    }
    if root.get("kind").and_then(Node::as_str) != Some("Classification") {
        return Err(vec![document::not_an_overlay(&source, &root)]);
    }
    let loaded = load::load_document(Ok(source), Format::Classification, limits)?;
    let (source, root) = (loaded.source, loaded.root);
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for node in document::items(&root, "fields") {
        let (Some(field), Some(data_type)) = (
            document::string(node, "field"),
            document::string(node, "type"),
        ) else {
            continue;
        };
        let files = match document::strings(node, "files") {
            None => None,
            Some(patterns) => {
                let set = project::glob_set(
                    &source,
                    patterns.iter().map(|p| (p.value.as_str(), p.span)),
                    &mut problems,
                );
                set.map(|set| Files {
                    patterns: patterns.into_iter().map(|p| p.value).collect(),
                    set,
                    base: base.clone(),
                })
            }
        };
        let event = document::string(node, "event");
        entries.push(Entry {
            span: field.span,
            pattern: FieldPattern::new(&field.value),
            event_pattern: event.as_ref().map(|e| pattern::Wild::new(&e.value)),
            files,
            event,
            field,
            types: vec![data_type],
            identification: document::string(node, "identification"),
            source: Arc::clone(&source),
        });
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}
