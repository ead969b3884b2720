//! Baselines: known findings recorded once, so CI fails only on new ones.
//!
//! `check --write-baseline FILE` records every finding by what it is about — file, event,
//! field, code and policy rule — and never by line, so moving or reformatting lines keeps
//! it valid. Files are keyed relative to the baseline's own directory, so the baseline
//! works from any working directory. `check --baseline FILE` then absorbs each finding
//! that has a matching entry (an entry absorbs at most one finding), and reports every
//! entry that matched nothing as `stale-baseline-entry` so the baseline can be pruned. A
//! new violation of the same rule in another file, event or field has a different key and
//! is never absorbed. Input problems are never baselined.

use crate::diagnostic::{Category, Code, Diagnostic};
use crate::load::schema_check::Format;
use crate::load::{self, Limits, Node};
use crate::project;
use crate::source::{SourceFile, Span};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a finding is about; equal keys are the same finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Key {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// Where the baseline lives, to key files relative to it.
#[derive(Clone, Debug)]
pub struct Anchor {
    /// The baseline's directory, absolute.
    dir: PathBuf,
    /// The working directory the run's file names are relative to.
    cwd: PathBuf,
}

impl Anchor {
    /// Anchor at the baseline file `path` (relative to `cwd` or absolute).
    pub fn new(path: &Path, cwd: &Path) -> Anchor {
        let absolute = cwd.join(path);
        Anchor {
            dir: absolute
                .parent()
                .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf),
            cwd: cwd.to_path_buf(),
        }
    }

    fn key(&self, d: &Diagnostic) -> Key {
        Key {
            file: project::relative(&self.cwd.join(&d.file), &self.dir),
            event: d.event.clone(),
            field: d.field.clone(),
            code: d.code.as_str().to_owned(),
            rule: d.rule.clone(),
        }
    }
}

fn baselinable(d: &Diagnostic) -> bool {
    d.code.category() == Category::Finding
        && !matches!(d.code, Code::StaleBaselineEntry | Code::SuppressionExpired)
}

/// The baseline file recording `diagnostics`' findings: one entry per line, sorted, so
/// that it diffs well in review.
pub fn write(diagnostics: &[Diagnostic], anchor: &Anchor) -> String {
    #[derive(Serialize)]
    struct Entry<'a> {
        #[serde(flatten)]
        key: &'a Key,
        message: &'a str,
    }
    let mut entries: Vec<(Key, &str)> = diagnostics
        .iter()
        .filter(|d| baselinable(d))
        .map(|d| (anchor.key(d), d.message.as_str()))
        .collect();
    entries.sort();
    let lines: Vec<String> = entries
        .iter()
        .map(|(key, message)| {
            let entry = Entry { key, message };
            format!("    {}", serde_json::to_string(&entry).unwrap_or_default())
        })
        .collect();
    if lines.is_empty() {
        return "{\n  \"version\": 1,\n  \"findings\": []\n}\n".to_owned();
    }
    format!(
        "{{\n  \"version\": 1,\n  \"findings\": [\n{}\n  ]\n}}\n",
        lines.join(",\n")
    )
}

/// An entry's span widened to the rest of its line (without the separating comma): the
/// parser's span of a flow mapping covers only its opening brace.
fn line_span(text: &str, span: Span) -> Span {
    if span.len() > 1 {
        return span;
    }
    let start = span.start as usize;
    let rest = &text[start.min(text.len())..];
    let line = rest.split('\n').next().unwrap_or_default();
    let line = line.trim_end().trim_end_matches(',');
    Span::new(start, start + line.len().max(span.len()))
}

/// A loaded baseline.
#[derive(Debug)]
pub struct Baseline {
    source: Arc<SourceFile>,
    entries: Vec<(Key, Span)>,
    anchor: Anchor,
}

/// What applying a baseline did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Findings the baseline absorbed.
    pub absorbed: usize,
    /// Entries that matched nothing.
    pub stale: usize,
}

impl Baseline {
    /// Read and validate the baseline at `path`.
    pub fn load(path: &Path, cwd: &Path) -> Result<Baseline, Vec<Diagnostic>> {
        let display = project::normalize(path);
        let limits = Limits {
            // A baseline of a large project is large but flat.
            max_file_size: 256 * 1024 * 1024,
            ..Limits::default()
        };
        let loaded = load::load_document(
            load::read_source(&cwd.join(path), &display, &limits),
            Format::Baseline,
            &limits,
        )?;
        let entries = loaded
            .root
            .get("findings")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|entry| {
                let text = |key: &str| entry.get(key).and_then(Node::as_str).map(str::to_owned);
                let key = Key {
                    file: text("file").unwrap_or_default(),
                    event: text("event"),
                    field: text("field"),
                    code: text("code").unwrap_or_default(),
                    rule: text("rule"),
                };
                (key, line_span(&loaded.source.text, entry.span))
            })
            .collect();
        Ok(Baseline {
            source: loaded.source,
            entries,
            anchor: Anchor::new(path, cwd),
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drop the findings the baseline records and add a `stale-baseline-entry` for each
    /// entry of a `checked` file that matched nothing (entries of files this run did not
    /// check are left alone).
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>, checked: &[String]) -> Applied {
        let checked: std::collections::BTreeSet<String> = checked
            .iter()
            .map(|f| project::relative(&self.anchor.cwd.join(f), &self.anchor.dir))
            .collect();
        let mut unmatched: BTreeMap<&Key, Vec<Span>> = BTreeMap::new();
        for (key, span) in &self.entries {
            unmatched.entry(key).or_default().push(*span);
        }
        let before = diagnostics.len();
        diagnostics.retain(|d| {
            if !baselinable(d) {
                return true;
            }
            let key = self.anchor.key(d);
            match unmatched.get_mut(&key) {
                Some(spans) if !spans.is_empty() => {
                    spans.remove(0);
                    false
                }
                _ => true,
            }
        });
        let absorbed = before - diagnostics.len();
        let mut stale = 0;
        for (key, spans) in unmatched {
            if !checked.contains(&key.file) {
                continue;
            }
            for span in spans {
                stale += 1;
                let what = [key.event.as_deref(), key.field.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(".");
                let subject = if what.is_empty() {
                    format!("`{}` in `{}`", key.code, key.file)
                } else {
                    format!("`{}` at `{what}` in `{}`", key.code, key.file)
                };
                diagnostics.push(
                    Diagnostic::at(
                        Code::StaleBaselineEntry,
                        &self.source,
                        span,
                        format!("baselined finding {subject} no longer occurs"),
                    )
                    .with_label("fixed or moved")
                    .with_help(
                        "delete this entry, or rewrite the baseline with `--write-baseline`",
                    ),
                );
            }
        }
        crate::diagnostic::sort(diagnostics);
        Applied { absorbed, stale }
    }
}
