//! From a walked file to a manifest and its compiled policy — the step every command that
//! reads manifests shares (`check`, `report`, `audit`).
//!
//! In: a walked input, the project and `--policy`. Out: the file read and parsed; a
//! manifest validated (duplicate keys, its JSON Schema) and read; and the policy it uses
//! — `--policy`, else its own `policy:` resolved against the project and confined to it,
//! else `builtin:default` — compiled once per run and shared by every worker. When a
//! manifest gets no policy it gets one of two diagnostics: `unresolved-ref` (the reference
//! leaves the project or names no file) or `policy-unavailable` (the policy has errors,
//! reported once on their own).

use super::walk::Input;
use crate::diagnostic::{self, Code, Diagnostic, Label};
use crate::document::manifest::ManifestDoc;
use crate::load::schema_check::Format;
use crate::load::{self, Limits, Node};
use crate::policy::{self, Policy};
use crate::project::Project;
use crate::reference::Reference;
use crate::source::SourceFile;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Read and parse a walked input (standard input when `stdin`).
pub fn read(
    input: &Input,
    limits: &Limits,
    stdin: bool,
) -> Result<(Arc<SourceFile>, Node), Diagnostic> {
    let source = if stdin {
        load::read_stdin(&input.display, limits)?
    } else {
        load::read_source(&input.path, &input.display, limits)?
    };
    let root = load::parse(&source, limits)?;
    Ok((source, root))
}

/// A manifest's tree checked for duplicate keys and against the manifest schema, then
/// read; `None` (with the problems in `out`) when it is not valid.
pub fn manifest(
    source: &Arc<SourceFile>,
    root: &Node,
    out: &mut Vec<Diagnostic>,
) -> Option<ManifestDoc> {
    let before = out.len();
    load::duplicate_keys(root, source, out);
    out.extend(load::schema_check::validate(root, source, Format::Manifest));
    (out.len() == before).then(|| ManifestDoc::read(root))
}

/// Which policy a manifest uses: `forced` (`--policy`), else its own `policy:` resolved
/// in the project, else the default. The error is why the reference was refused.
pub fn reference(
    forced: Option<&str>,
    manifest_file: &str,
    doc: &ManifestDoc,
    project: &Project,
) -> Result<String, String> {
    if let Some(p) = forced {
        return Ok(p.to_owned());
    }
    match &doc.policy {
        Some(p) if Reference::parse(&p.value).is_local() => {
            project.resolve(manifest_file, &p.value).map(|r| r.display)
        }
        Some(p) => Ok(p.value.clone()),
        None => Ok("builtin:default".to_owned()),
    }
}

type Compiled = Option<Arc<Policy>>;

/// What a file without its policy missed, for the `policy-unavailable` message.
#[derive(Clone, Copy, Debug)]
pub enum Missed {
    /// `` `f` was not checked ``.
    Check,
    /// `` `f` is not in the report ``.
    Report,
    /// `` payloads of `f` were not audited ``.
    Audit,
    /// `` the cases of `f` were not run `` (`policy test`).
    Test,
}

/// The policies of a run, each compiled on first use and shared by every worker.
pub struct Policies<'a> {
    forced: Option<&'a str>,
    project: &'a Project,
    /// Policies in the project may not name files outside it (`extends:`, `taxonomy:`).
    limits: Limits,
    missed: Missed,
    /// Whether the policy's own lint errors are reported with its compile problems.
    lint: bool,
    cells: Mutex<HashMap<String, Arc<OnceLock<Compiled>>>>,
    diagnostics: Mutex<Vec<Diagnostic>>,
}

impl<'a> Policies<'a> {
    pub fn new(
        forced: Option<&'a str>,
        project: &'a Project,
        limits: &Limits,
        missed: Missed,
    ) -> Policies<'a> {
        Policies {
            forced,
            project,
            limits: Limits {
                confine_to: Some(project.root.clone()),
                ..limits.clone()
            },
            missed,
            lint: false,
            cells: Mutex::default(),
            diagnostics: Mutex::default(),
        }
    }

    /// Report each policy's own lint errors too (`check`; `policy lint` shows everything).
    pub fn linted(mut self) -> Policies<'a> {
        self.lint = true;
        self
    }

    /// The policy at `reference`, compiled once; its problems are kept for
    /// [`finish`](Policies::finish).
    pub fn get(&self, reference: &str) -> Compiled {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(cells.entry(reference.to_owned()).or_default())
        };
        cell.get_or_init(|| {
            let (policy, mut problems) = policy::compile(reference, &self.limits);
            if self.lint
                && let Some(policy) = &policy
            {
                problems.extend(
                    policy::lint::lint(policy, &self.limits)
                        .into_iter()
                        .filter(|d| d.severity == diagnostic::Severity::Error),
                );
            }
            self.diagnostics
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(problems);
            policy.map(Arc::new)
        })
        .clone()
    }

    /// The compiled policy a manifest uses, or the diagnostic saying why it has none.
    pub fn for_manifest(
        &self,
        source: &Arc<SourceFile>,
        doc: &ManifestDoc,
    ) -> Result<Arc<Policy>, Diagnostic> {
        let reference = match reference(self.forced, &source.name, doc, self.project) {
            Ok(reference) => reference,
            Err(reason) => {
                let span = doc.policy.as_ref().map(|p| p.span).unwrap_or_default();
                return Err(crate::reference::refused(source, span, "policy", &reason));
            }
        };
        if Reference::parse(&reference).is_local() && !std::path::Path::new(&reference).is_file() {
            let span = doc.policy.as_ref().filter(|_| self.forced.is_none());
            return Err(crate::reference::missing(
                source,
                span.map(|p| p.span),
                "policy",
                &reference,
            ));
        }
        self.get(&reference).ok_or_else(|| {
            self.unavailable_at(source, doc.policy.as_ref().map(|p| p.span), &reference)
        })
    }

    /// `policy-unavailable` for a document whose policy (`reference`, named at `span`)
    /// has errors.
    pub fn unavailable_at(
        &self,
        source: &Arc<SourceFile>,
        span: Option<crate::source::Span>,
        reference: &str,
    ) -> Diagnostic {
        let mut d = self.unavailable(&source.name, reference);
        if let Some(span) = span {
            d.primary = Some(Label::new(source, span, "this policy has errors"));
        }
        d.with_help("fix the policy's own diagnostics first")
    }

    /// `--policy`, else `default`, compiled: the policy of a document that names none
    /// (an event schema checked on its own, a Glean metrics file).
    pub fn or_default(&self, file: &str, default: &str) -> Result<Arc<Policy>, Diagnostic> {
        let reference = self.forced.unwrap_or(default);
        self.get(reference)
            .ok_or_else(|| self.unavailable(file, reference))
    }

    /// A file left without its policy, which has errors (reported on their own).
    fn unavailable(&self, file: &str, reference: &str) -> Diagnostic {
        let what = match self.missed {
            Missed::Check => format!("`{file}` was not checked"),
            Missed::Report => format!("`{file}` is not in the report"),
            Missed::Audit => format!("payloads of `{file}` were not audited"),
            Missed::Test => format!("the cases of `{file}` were not run"),
        };
        Diagnostic::new(
            Code::PolicyUnavailable,
            file.to_owned(),
            format!("{what}: policy `{reference}` could not be loaded"),
        )
    }

    /// Every policy compiled (sorted by name), and the problems compiling them reported.
    pub fn finish(self) -> (Vec<Arc<Policy>>, Vec<Diagnostic>) {
        let mut policies: Vec<Arc<Policy>> = self
            .cells
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_values()
            .filter_map(|cell| cell.get().cloned().flatten())
            .collect();
        policies.sort_by(|a, b| a.name.cmp(&b.name));
        policies.dedup_by(|a, b| Arc::ptr_eq(a, b));
        let diagnostics = self
            .diagnostics
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        (policies, diagnostics)
    }
}
