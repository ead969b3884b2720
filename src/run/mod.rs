//! Running a check over many files.
//!
//! Files are found (walk), then checked in parallel with rayon (on this thread when there is
//! only one to check). Manifests go first so the event schemas they pull in are known; a
//! schema no manifest used is then checked on its own. Each policy is compiled once, on
//! first use, and shared. A bad file is a diagnostic and never stops the others; output
//! order is fixed by sorting at the end.

pub mod policies;
pub mod walk;

pub use policies::{Missed, Policies};

use crate::check::{self, Context, FileOutcome, Suppression, date::Date};
use crate::config::FileFilter;
use crate::diagnostic::{self, Code, Diagnostic};
use crate::document;
use crate::document::Kind;
use crate::load::schema_check::Format;
use crate::load::{self, Limits};
use crate::policy::Policy;
use crate::project::Project;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Worker threads for runs of more than one file (`check --jobs`; `None`: one per core).
/// Set once, before the first run; the pool starts only when a run has two files or more
/// to work on, since starting its threads costs more than checking one small file.
pub fn configure_workers(jobs: Option<usize>) {
    let _ = WORKERS.set(jobs);
}

static WORKERS: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();

/// `f` over `items`, on the worker pool when there are two or more, else on this thread.
fn each<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if items.len() < 2 {
        return items.iter().map(f).collect();
    }
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        // Deep documents recurse: workers get the main thread's 8 MiB, not rayon's 2.
        let pool = rayon::ThreadPoolBuilder::new().stack_size(8 << 20);
        let pool = match WORKERS.get().copied().flatten() {
            Some(jobs) => pool.num_threads(jobs.max(1)),
            None => pool,
        };
        // Fails only when the global pool exists already (a library user built their own).
        let _ = pool.build_global();
    });
    items.par_iter().map(f).collect()
}

/// What to check and how.
#[derive(Clone, Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    /// A policy that overrides every manifest's own `policy:` (`--policy`).
    pub policy: Option<String>,
    pub limits: Limits,
    pub project_root: PathBuf,
    pub today: Date,
    /// Which walked files are checked (the config's `include`/`exclude`).
    pub files: FileFilter,
    /// Counters to update while the run works (for a progress bar); `None` costs nothing.
    pub progress: Option<Arc<Progress>>,
    /// The classifier, for `classify` and `check --infer`.
    pub classify: Option<crate::classify::Session>,
    /// Classification overlays applied before deciding (`classifications:`, `--overlay`).
    pub overlays: Option<Arc<crate::overlay::Overlays>>,
    /// Check standard input, as the file of this name, instead of `paths` (`check -`).
    pub stdin: Option<String>,
}

/// Live counters of a run, updated by its workers and read by whoever draws progress.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files found (set once the inputs are walked).
    pub total: AtomicUsize,
    /// Files done.
    pub done: AtomicUsize,
    /// Findings in the files done so far.
    pub findings: AtomicUsize,
}

impl Progress {
    fn file_done(&self, partial: &Partial) {
        self.findings
            .fetch_add(partial.outcome.diagnostics.len(), Ordering::Relaxed);
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub files: usize,
    /// Of `files`, those that are documents to check: not the project config or a baseline.
    pub documents: usize,
    /// Every walked file that is no consentlint document, and why, in path order.
    pub skipped: Vec<(String, String)>,
    pub events: usize,
    pub fields: usize,
    /// Every file checked, in output order.
    pub checked: Vec<String>,
    /// The policies compiled for the run, sorted by name.
    pub policies: Vec<Arc<Policy>>,
    /// Every valid inline suppression, in file and line order.
    pub suppressions: Vec<Suppression>,
    /// With the classifier proposing: every unclassified field, in file and line order.
    pub placed: Vec<crate::classify::Placed>,
}

/// One file's result before merging.
#[derive(Default)]
struct Partial {
    file: String,
    outcome: FileOutcome,
    checked: bool,
    /// A project config or a baseline: checked, but not a document under check.
    setting: bool,
    /// Why a walked file was skipped (not a document).
    skipped: Option<String>,
    /// A walked schema whose checking waits until every manifest is done.
    deferred_schema: bool,
    /// A valid Glean `pings.yaml` / `tags.yaml` named on the command line: what it defines.
    defines: Option<(Kind, Vec<String>)>,
    /// A file of Fides resources, evaluated with the run's others once all are read.
    fides: Option<Box<crate::fides::Resources>>,
}

pub fn run(options: &Options) -> Report {
    let mut report = Report::default();
    let project = Project::new(&options.project_root);
    let inputs = match &options.stdin {
        // Its name places it in the project (relative `schema:` and `policy:` paths).
        Some(name) => vec![walk::Input {
            path: PathBuf::from(name),
            display: name.clone(),
            explicit: true,
        }],
        None => walk::inputs(
            &options.paths,
            &options.files,
            &project.root,
            &mut report.diagnostics,
        ),
    };
    if let Some(progress) = &options.progress {
        progress.total.store(inputs.len(), Ordering::Relaxed);
    }
    let mut cx = Context {
        project: &project,
        limits: &options.limits,
        today: options.today,
        classify: options.classify.as_ref(),
        overlays: options.overlays.as_deref(),
        glean: None,
    };
    let cache = Policies::new(
        options.policy.as_deref(),
        &project,
        &options.limits,
        Missed::Check,
    )
    .linted();

    // Glean's pings.yaml and tags.yaml first, since metrics name what they define; then
    // manifests (a cheap textual test; anything it misses is still checked below).
    let sniffs = each(&inputs, |i| match options.stdin {
        Some(_) => Sniff::Other,
        None => sniff(&i.path, &options.limits),
    });
    let sniffed = inputs.into_iter().zip(sniffs);
    let mut registry_files = Vec::new();
    let mut manifests = Vec::new();
    let mut others = Vec::new();
    for (input, sniff) in sniffed {
        match sniff {
            Sniff::GleanRegistry => registry_files.push(input),
            Sniff::Manifest => manifests.push(input),
            Sniff::Other => others.push(input),
        }
    }
    let registered = each(&registry_files, |i| {
        check_file(i, options, &cx, &cache, None)
    });
    let registry = glean_registry(&registered);
    if registry.pings.is_some() || registry.tags.is_some() {
        cx.glean = Some(&registry);
    }
    let first = each(&manifests, |i| check_file(i, options, &cx, &cache, None));
    let used: HashSet<String> = first
        .iter()
        .flat_map(|p| p.outcome.schemas_used.iter().cloned())
        .collect();
    let second = each(&others, |i| {
        if used.contains(&i.display) {
            // Checked as part of a manifest that uses it: not read a second time.
            let partial = Partial {
                file: i.display.clone(),
                deferred_schema: true,
                ..Partial::default()
            };
            if let Some(progress) = &options.progress {
                progress.file_done(&partial);
            }
            return partial;
        }
        check_file(i, options, &cx, &cache, Some(&used))
    });

    // Reserved once: growing by doubling would briefly hold up to three copies.
    let findings = registered
        .iter()
        .chain(&first)
        .chain(&second)
        .map(|p| p.outcome.diagnostics.len())
        .sum::<usize>();
    report.diagnostics.reserve_exact(findings);
    let mut traces = Vec::new();
    let mut fides = Vec::new();
    for mut partial in registered.into_iter().chain(first).chain(second) {
        traces.push(std::mem::take(&mut partial.outcome.trace));
        fides.extend(partial.fides.take().map(|f| *f));
        if partial.checked || partial.deferred_schema {
            report.files += 1;
            report.documents += usize::from(!partial.setting);
            report.checked.push(partial.file);
        } else {
            let reason = partial
                .skipped
                .unwrap_or_else(|| "not a document".to_owned());
            report.skipped.push((partial.file, reason));
        }
        report.events += partial.outcome.events;
        report.fields += partial.outcome.fields;
        report.diagnostics.extend(partial.outcome.diagnostics);
        report.suppressions.extend(partial.outcome.suppressions);
        report.placed.extend(partial.outcome.placed);
    }
    if !fides.is_empty() {
        fides.sort_by(|a, b| a.source.name.cmp(&b.source.name));
        report
            .diagnostics
            .extend(crate::fides::evaluate::evaluate(&fides));
    }
    let (policies, problems) = cache.finish();
    report.diagnostics.extend(problems);
    report.policies = policies;
    if let Some(overlays) = &options.overlays {
        report.diagnostics.extend(overlays.unmatched(&traces));
    }
    report.checked.sort();
    report.skipped.sort();
    report
        .suppressions
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    report.placed.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.field).cmp(&(&b.file, b.line, b.column, &b.field))
    });
    diagnostic::sort(&mut report.diagnostics);
    report
}

/// `nothing-checked`: the run read no document (`report.documents == 0`) in `paths`.
pub fn nothing_checked(report: &Report, paths: &[PathBuf]) -> Diagnostic {
    let first = paths
        .first()
        .map_or_else(|| ".".to_owned(), |p| p.display().to_string());
    let paths: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
    let found = match report.skipped.len() {
        0 => "no file to check was found".to_owned(),
        1 => "the one file found is not a consentlint document".to_owned(),
        n => format!("none of the {n} files found is a consentlint document"),
    };
    Diagnostic::new(
        Code::NothingChecked,
        first,
        format!("nothing was checked in {}: {found}", paths.join(", ")),
    )
    .with_help(if !report.skipped.is_empty() {
        "`--verbose` lists each skipped file and why; point `check` at manifests, event schemas or metrics.yaml files, or pass `--allow-empty` if a run with nothing to check is expected"
    } else {
        "check the path and the config's `include:`/`exclude:`, or pass `--allow-empty` if a run with nothing to check is expected"
    })
}

/// What a cheap look at a file's text says it may be.
enum Sniff {
    /// It names `TelemetryManifest`.
    Manifest,
    /// It names Glean's pings or tags schema.
    GleanRegistry,
    Other,
}

/// Sort a file by its text — read only if it is a regular file within the size limit (the
/// real read reports everything else). A file sorted wrongly is still checked, later.
fn sniff(path: &std::path::Path, limits: &Limits) -> Sniff {
    use std::io::Read;
    use std::sync::LazyLock;
    static MANIFEST: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"TelemetryManifest"));
    static GLEAN: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"moz://mozilla.org/schemas/glean/"));
    let Ok(file) = std::fs::File::open(path) else {
        return Sniff::Other;
    };
    let Ok(metadata) = file.metadata() else {
        return Sniff::Other;
    };
    if !metadata.is_file() || metadata.len() > limits.max_file_size {
        return Sniff::Other;
    }
    // Sized to the file, so it is read in one call (and one more to see the end).
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    if file
        .take(limits.max_file_size)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return Sniff::Other;
    }
    if MANIFEST.find(&bytes).is_some() {
        return Sniff::Manifest;
    }
    match GLEAN.find(&bytes) {
        Some(at) => {
            let rest = &bytes[at + GLEAN.needle().len()..];
            if rest.starts_with(b"pings/") || rest.starts_with(b"tags/") {
                Sniff::GleanRegistry
            } else {
                Sniff::Other
            }
        }
        None => Sniff::Other,
    }
}

/// What the run's valid `pings.yaml` and `tags.yaml` files define.
fn glean_registry(partials: &[Partial]) -> check::glean::Registry {
    let mut registry = check::glean::Registry::default();
    for partial in partials {
        if let Some((kind, names)) = &partial.defines {
            let defined = match kind {
                Kind::GleanPings => &mut registry.pings,
                _ => &mut registry.tags,
            };
            defined
                .get_or_insert_with(Default::default)
                .add(&partial.file, names.iter().cloned());
        }
    }
    registry
}

fn check_file(
    input: &crate::run::walk::Input,
    options: &Options,
    cx: &Context<'_>,
    cache: &Policies<'_>,
    used_schemas: Option<&HashSet<String>>,
) -> Partial {
    let mut partial = check_one(input, options, cx, cache, used_schemas);
    // The file (and the schemas it pulled in) is dropped now; its findings keep only the
    // lines their snippets show.
    diagnostic::compact(&mut partial.outcome.diagnostics);
    if let Some(progress) = &options.progress {
        progress.file_done(&partial);
    }
    partial
}

fn check_one(
    input: &crate::run::walk::Input,
    options: &Options,
    cx: &Context<'_>,
    cache: &Policies<'_>,
    used_schemas: Option<&HashSet<String>>,
) -> Partial {
    let mut partial = Partial {
        file: input.display.clone(),
        ..Partial::default()
    };
    let (source, root) = match policies::read(input, &options.limits, options.stdin.is_some()) {
        Ok(read) => read,
        Err(d) => {
            partial.outcome.diagnostics.push(d);
            partial.checked = true;
            return partial;
        }
    };
    if crate::fides::is_resources(&root) {
        partial.checked = true;
        load::duplicate_keys(&root, &source, &mut partial.outcome.diagnostics);
        let (resources, problems) = crate::fides::read(&source, &root);
        partial.outcome.diagnostics.extend(problems);
        let declarations = resources.systems.iter().flat_map(|s| &s.declarations);
        partial.outcome.events = declarations.clone().count();
        partial.outcome.fields = declarations.map(|d| d.categories.len()).sum();
        partial.fides = Some(Box::new(resources));
        return partial;
    }
    let Some(kind) = Kind::detect(&root) else {
        if input.explicit {
            partial
                .outcome
                .diagnostics
                .push(document::not_a_document(&input.display));
            partial.checked = true;
        } else {
            partial.skipped = Some(document::unrecognised(&root));
        }
        return partial;
    };
    partial.checked = true;
    partial.setting = matches!(kind, Kind::Config | Kind::Baseline);
    let mut out = Vec::new();
    if kind != Kind::Manifest {
        // A manifest's keys are checked with the rest of it, in `policies::manifest`.
        load::duplicate_keys(&root, &source, &mut out);
    }
    match kind {
        Kind::Manifest => {
            if let Some(doc) = policies::manifest(&source, &root, &mut out) {
                match cache.for_manifest(&source, &doc) {
                    Ok(policy) => {
                        partial.outcome = check::check_manifest(&source, &doc, &policy, cx)
                    }
                    Err(problem) => out.push(problem),
                }
            }
        }
        Kind::EventSchema => {
            if used_schemas.is_some_and(|used| used.contains(&source.name)) {
                // Already checked as part of the manifest that uses it.
                partial.checked = false;
                partial.deferred_schema = true;
                return partial;
            }
            if out.is_empty() {
                match cache.or_default(&source.name, "builtin:default") {
                    Ok(policy) => {
                        partial.outcome = check::check_event_schema(&source, root, &policy, cx)
                    }
                    Err(problem) => out.push(problem),
                }
            }
        }
        Kind::GleanMetrics => {
            // glean_parser refuses a file that breaks Glean's schema (exit 2 here too); its
            // metrics are still read, since the reader takes odd shapes as absent, so one
            // run shows both what to fix in the structure and what the policy says.
            out.extend(check::glean::structure(&source, &root));
            match cache.or_default(&source.name, "builtin:glean") {
                Ok(policy) => {
                    partial.outcome = check::glean::check_metrics(&source, &root, &policy, cx);
                }
                Err(problem) => out.push(problem),
            }
        }
        Kind::GleanPings | Kind::GleanTags => {
            let invalid = check::glean::structure(&source, &root);
            // Named files only, as glean_parser is given them: a walked tree may hold several
            // Glean projects, or only some of one project's pings files.
            if invalid.is_empty() && input.explicit {
                let names = crate::document::glean::defined_names(&root);
                partial.defines = Some((kind, names.into_iter().map(|n| n.value).collect()));
            }
            out.extend(invalid);
        }
        Kind::Policy => {
            // Compiling reports the policy's problems, once, through the cache shared
            // with the manifests that use it.
            out.clear();
            cache.get(&source.name);
        }
        Kind::Taxonomy => out.extend(load::schema_check::validate(
            &root,
            &source,
            Format::Taxonomy,
        )),
        Kind::Config => out.extend(load::schema_check::validate(&root, &source, Format::Config)),
        Kind::Baseline => out.extend(load::schema_check::validate(
            &root,
            &source,
            Format::Baseline,
        )),
        Kind::Classification => out.extend(load::schema_check::validate(
            &root,
            &source,
            Format::Classification,
        )),
        // Its cases run under `policy test`; `check` validates it as it validates settings.
        Kind::PolicyTest => out.extend(load::schema_check::validate(
            &root,
            &source,
            Format::PolicyTest,
        )),
    }
    partial.outcome.diagnostics.extend(out);
    partial
}
