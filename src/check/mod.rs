//! Stage 4 — checking manifests and event schemas against a compiled policy.
//!
//! In: a validated document tree and an `Arc<Policy>`. Out: a [`FileOutcome`] with the
//! diagnostics of that file (and of the schemas it pulls in) plus counts for the summary.
//! Each event is checked in order: its consent level and purposes, the policy's limits,
//! every field (declared or schema-derived), then its suppressions.

pub mod date;
pub mod event_schema;
pub mod expiry;
pub mod field;
pub mod glean;
pub mod limits;
pub mod names;
mod overlaid;
mod problems;
mod suppress;

use crate::diagnostic::{Diagnostic, Label};
use crate::document::Sp;
use crate::document::manifest::{EventDecl, ManifestDoc};
use crate::load::{self, Limits, Node};
use crate::overlay::{self, Overlays};
use crate::policy::{EventContext, Identification, LevelIdx, Policy};
use crate::project::Project;
use crate::source::SourceFile;
use date::Date;
use field::FieldSite;
use overlaid::overlay_sites;
// Keyed by names from the documents, once per event and field: the fast hash.
use foldhash::HashMap;
use std::sync::Arc;

/// Everything a check needs besides the document and the policy.
pub struct Context<'a> {
    pub project: &'a Project,
    pub limits: &'a Limits,
    pub today: Date,
    /// The classifier, when the run proposes or infers types for unclassified fields.
    pub classify: Option<&'a crate::classify::Session>,
    /// The run's classification overlays, if any.
    pub overlays: Option<&'a Overlays>,
    /// The pings and tags of the run's Glean `pings.yaml` / `tags.yaml` files.
    pub glean: Option<&'a glean::Registry>,
}

/// The result of checking one file.
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub diagnostics: Vec<Diagnostic>,
    pub events: usize,
    pub fields: usize,
    /// Display paths of the event schemas a manifest pulled in.
    pub schemas_used: Vec<String>,
    /// The manifest's valid suppressions and what became of them.
    pub suppressions: Vec<Suppression>,
    /// With the classifier proposing (`classify`): every unclassified field, placed or not.
    pub placed: Vec<crate::classify::Placed>,
    /// With overlays: which entries classified fields, and every field checked.
    pub trace: overlay::Trace,
}

/// The identification a manifest's `defaults:` gives its fields, if it sets one (the
/// policy's default applies otherwise).
pub fn manifest_identification(doc: &ManifestDoc) -> Option<Identification> {
    doc.defaults
        .identification
        .as_ref()
        .and_then(|i| Identification::parse(&i.value))
}

/// One inline suppression, for `check --list-suppressions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub file: String,
    pub line: usize,
    pub event: String,
    pub rule: Option<String>,
    pub code: Option<String>,
    pub field: Option<String>,
    pub reason: String,
    pub expires: Option<Date>,
    pub status: SuppressionStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionStatus {
    /// In force, hiding this many findings.
    Active(usize),
    /// In force, hiding nothing (`suppression-unused`).
    Unused,
    /// Past its `expires` date (`suppression-expired`); it hides nothing.
    Expired,
}

/// An event, as the field checks see it.
pub struct EventSite<'a> {
    pub name: String,
    pub level: Option<LevelIdx>,
    pub consent_label: Option<Label>,
    pub purposes: Vec<&'a str>,
    pub retention_days: Option<u64>,
    pub default_identification: Option<Identification>,
    /// The event and its fields are written in consentlint's own formats (a manifest, an
    /// event schema), and `consent_label` is where its level is written: fixes may edit them.
    pub fixable: bool,
}

impl EventSite<'_> {
    pub fn context(&self, level: LevelIdx) -> EventContext<'_> {
        EventContext {
            level,
            purposes: &self.purposes,
            retention_days: self.retention_days,
        }
    }
}

/// Check a telemetry manifest.
pub fn check_manifest(
    source: &Arc<SourceFile>,
    doc: &ManifestDoc,
    policy: &Policy,
    cx: &Context<'_>,
) -> FileOutcome {
    let mut outcome = FileOutcome::default();
    let mut ref_files = event_schema::RefFiles::default();
    let mut seen_events: HashMap<&str, &Sp<String>> = HashMap::default();
    outcome.diagnostics.extend(
        doc.defaults
            .expires
            .iter()
            .chain(
                doc.events
                    .iter()
                    .filter_map(|e| e.settings.expires.as_ref()),
            )
            .filter_map(|written| expiry::impossible_date(source, written)),
    );
    for event in &doc.events {
        if let Some(first) = seen_events.insert(&event.name.value, &event.name) {
            outcome
                .diagnostics
                .push(problems::duplicate_event(source, &event.name, first.span));
            continue;
        }
        outcome.events += 1;
        let mut diagnostics =
            check_event(source, doc, event, policy, cx, &mut outcome, &mut ref_files);
        for d in &mut diagnostics {
            d.event.get_or_insert_with(|| event.name.value.clone());
        }
        suppress::apply(
            source,
            event,
            policy,
            cx.today,
            &mut diagnostics,
            &mut outcome.suppressions,
        );
        outcome.diagnostics.extend(diagnostics);
    }
    outcome
}

fn check_event(
    source: &Arc<SourceFile>,
    doc: &ManifestDoc,
    event: &EventDecl,
    policy: &Policy,
    cx: &Context<'_>,
    outcome: &mut FileOutcome,
    ref_files: &mut event_schema::RefFiles,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let level = event
        .consent
        .as_ref()
        .and_then(|c| resolve_level(source, c, policy, &mut out));
    check_purposes(source, &event.purposes, policy, &mut out);
    let settings = limits::Settings::of(event, doc);
    if let Some(level) = level {
        limits::check(source, &settings, level, policy, &mut out);
    }
    let declared = expiry::Declared {
        expires: settings.expires,
        event_span: event.name.span,
        absent_is_finding: true,
        no_lint: &[],
    };
    expiry::check(source, &declared, level, policy, cx.today, &mut out);
    let site = EventSite {
        name: event.name.value.clone(),
        level,
        consent_label: event
            .consent
            .as_ref()
            .map(|c| Label::new(source, c.span, format!("event collected at `{}`", c.value))),
        purposes: event.purposes.iter().map(|p| p.value.as_str()).collect(),
        retention_days: settings.retention_days.as_ref().map(|r| r.value),
        default_identification: manifest_identification(doc),
        fixable: true,
    };
    let mut fields: Vec<FieldSite> = event
        .fields
        .iter()
        .map(|f| FieldSite {
            source: Arc::clone(source),
            name: f.name.value.clone(),
            name_span: f.name.span,
            data_type: f.data_type.clone(),
            identification: f.identification.clone(),
            value: names::ValueKind::Any,
            hints: None,
            inferred: None,
            overlaid: None,
            from_schema: false,
        })
        .collect();
    if let Some(schema) = &event.schema {
        match load_event_schema(source, schema, cx.project, cx.limits) {
            Ok((schema_source, root)) => {
                // Only a real event schema is then skipped as a file of its own; anything
                // else a `schema:` points at is still checked as what it is.
                if crate::document::Kind::detect(&root) == Some(crate::document::Kind::EventSchema)
                {
                    outcome.schemas_used.push(schema_source.name.clone());
                }
                out.extend(event_schema::meta_validate(&root, &schema_source));
                let walked = event_schema::walk_with(
                    Arc::new(root),
                    &schema_source,
                    cx.project,
                    cx.limits,
                    ref_files,
                );
                out.extend(walked.diagnostics);
                fields.extend(walked.fields);
            }
            Err(problem) => out.push(problem),
        }
    }
    let mut fields_out = Fields::new(cx, &mut outcome.placed, &mut outcome.trace, &mut out);
    check_fields(policy, &site, &fields, &mut fields_out);
    outcome.fields += fields.len();
    out
}

/// One field of one event at a known level, decided as a manifest's is: the field's
/// verdict, then the event's limits. `policy test` runs its cases through this, so a case
/// cannot disagree with what `check` reports for the same field.
pub fn check_one(
    source: &Arc<SourceFile>,
    settings: &limits::Settings<'_>,
    event: &EventSite<'_>,
    field: &FieldSite,
    policy: &Policy,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = field::check_field(policy, event, field)
        .into_iter()
        .collect();
    if let Some(level) = event.level {
        limits::check(source, settings, level, policy, &mut out);
    }
    out
}

/// Where checking fields puts what it finds.
pub struct Fields<'a> {
    pub classify: Option<&'a crate::classify::Session>,
    pub overlays: Option<&'a Overlays>,
    pub placed: &'a mut Vec<crate::classify::Placed>,
    pub trace: &'a mut overlay::Trace,
    pub out: &'a mut Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    /// The sink for a file checked in `cx`: what it proposes and traces go to `outcome`.
    pub fn new(
        cx: &Context<'a>,
        placed: &'a mut Vec<crate::classify::Placed>,
        trace: &'a mut overlay::Trace,
        out: &'a mut Vec<Diagnostic>,
    ) -> Fields<'a> {
        Fields {
            classify: cx.classify,
            overlays: cx.overlays.filter(|o| !o.is_empty()),
            placed,
            trace,
            out,
        }
    }
}

/// Check fields, reporting duplicate names first. A field a classification overlay
/// classifies is decided on the overlay's type(s). With the classifier, a field still
/// unclassified is then proposed a type: recorded (`classify`) or, when confident enough,
/// decided on as that type and marked as inferred (`check --infer`).
pub fn check_fields(
    policy: &Policy,
    site: &EventSite<'_>,
    fields: &[FieldSite],
    to: &mut Fields<'_>,
) {
    let mut seen: HashMap<&str, &FieldSite> =
        HashMap::with_capacity_and_hasher(fields.len(), Default::default());
    // The types already decided for a schema path reached through several branches.
    let mut branches: HashMap<&str, Vec<Option<&str>>> = HashMap::default();
    for f in fields {
        if let Some(&first) = seen.get(f.name.as_str()) {
            if f.from_schema && first.from_schema {
                // Another branch of a union (or a repeated `allOf` part): the event may
                // carry this one too, so a type not yet decided is decided now — deny
                // wins whichever branch comes first.
                let decided = branches
                    .entry(f.name.as_str())
                    .or_insert_with(|| vec![declared(first)]);
                if decided.contains(&declared(f)) {
                    continue;
                }
                decided.push(declared(f));
            } else {
                to.out.push(problems::duplicate_field(
                    &f.name,
                    &site.name,
                    Label::new(&f.source, f.name_span, ""),
                    Label::new(&first.source, first.name_span, ""),
                ));
                continue;
            }
        } else {
            seen.insert(&f.name, f);
        }
        if let Some(overlays) = to.overlays {
            to.trace
                .seen
                .push((f.source.name.clone(), site.name.clone(), f.name.clone()));
            if let Some(i) = overlays.lookup(&f.source.name, &site.name, &f.name) {
                to.trace.hits.push(i);
                let entry = &overlays.entries[i];
                match overlay_sites(entry, site, f, to.out) {
                    Some(sites) => {
                        for s in &sites {
                            decide(policy, site, s, to.out);
                        }
                    }
                    None => decide(policy, site, f, to.out),
                }
                continue;
            }
        }
        let inferred;
        let f = match (to.classify, &f.data_type) {
            (Some(session), None) => {
                use crate::classify::{Mode, Placed, Subject};
                let proposal = session.rules.propose(
                    &Subject {
                        event: &site.name,
                        field: &f.name,
                        hints: f.hints.as_deref(),
                    },
                    &policy.taxonomy,
                );
                match session.mode {
                    Mode::Propose => {
                        let at = f.source.line_col(f.name_span.start);
                        to.placed.push(Placed {
                            file: f.source.name.clone(),
                            line: at.line,
                            column: at.column,
                            event: site.name.clone(),
                            field: f.name.clone(),
                            proposal,
                        });
                        continue;
                    }
                    Mode::Infer { min_confidence } => {
                        match proposal.filter(|p| p.best.confidence >= min_confidence) {
                            Some(p) => {
                                inferred = FieldSite {
                                    data_type: Some(Sp::new(p.best.data_type.clone(), f.name_span)),
                                    inferred: Some(Box::new(p.best)),
                                    ..f.clone()
                                };
                                &inferred
                            }
                            None => f,
                        }
                    }
                }
            }
            _ => f,
        };
        decide(policy, site, f, to.out);
    }
}

/// The data type a field declares, if any.
fn declared(f: &FieldSite) -> Option<&str> {
    f.data_type.as_ref().map(|t| t.value.as_str())
}

/// Decide one field, saying in each finding where its type came from when it was not
/// declared beside it (inferred, or from an overlay).
fn decide(policy: &Policy, site: &EventSite<'_>, f: &FieldSite, out: &mut Vec<Diagnostic>) {
    let mark = |mut d: Diagnostic| {
        if let Some(candidate) = &f.inferred {
            field::mark_inferred(&mut d, candidate);
        }
        if let Some(entry) = &f.overlaid {
            field::mark_overlaid(&mut d, entry, f);
        }
        d
    };
    if let Some(d) = field::check_field(policy, site, f) {
        out.push(mark(d));
    }
    if let Some(d) = field::check_name(policy, site, f) {
        out.push(mark(d));
    }
}

fn resolve_level(
    source: &Arc<SourceFile>,
    consent: &Sp<String>,
    policy: &Policy,
    out: &mut Vec<Diagnostic>,
) -> Option<LevelIdx> {
    let level = policy.level(&consent.value);
    if level.is_none() {
        out.push(problems::unknown_level(source, consent, policy));
    }
    level
}

fn check_purposes(
    source: &Arc<SourceFile>,
    purposes: &[Sp<String>],
    policy: &Policy,
    out: &mut Vec<Diagnostic>,
) {
    let Some(declared) = &policy.purposes else {
        return;
    };
    for p in purposes {
        if !declared
            .iter()
            .any(|d| crate::policy::taxonomy::purpose_within(&p.value, d))
        {
            out.push(problems::unknown_purpose(source, p, declared, policy));
        }
    }
}

/// Read and parse the event schema an event's `schema:` names, confined to the project
/// (`check`, `report` and `audit` all read it this way).
pub fn load_event_schema(
    source: &Arc<SourceFile>,
    schema: &Sp<String>,
    project: &Project,
    limits: &Limits,
) -> Result<(Arc<SourceFile>, Node), Diagnostic> {
    let resolved = project
        .resolve(&source.name, &schema.value)
        .map_err(|reason| crate::reference::refused(source, schema.span, "schema", &reason))?;
    let schema_source =
        load::read_source(&resolved.path, &resolved.display, limits).map_err(|mut d| {
            d.related
                .push(Label::new(source, schema.span, "referenced here"));
            d
        })?;
    let root = load::parse(&schema_source, limits)?;
    Ok((schema_source, root))
}

/// Check an event schema on its own (not referenced by any manifest of the run).
pub fn check_event_schema(
    source: &Arc<SourceFile>,
    root: Node,
    policy: &Policy,
    cx: &Context<'_>,
) -> FileOutcome {
    let mut out = event_schema::meta_validate(&root, source);
    let annotations = event_schema::RootAnnotations::read(&root);
    let name = annotations.event.clone().unwrap_or_else(|| {
        let stem = source.name.rsplit('/').next().unwrap_or(&source.name);
        stem.split('.').next().unwrap_or(stem).to_owned()
    });
    let level = annotations
        .consent
        .as_ref()
        .and_then(|c| resolve_level(source, c, policy, &mut out));
    check_purposes(source, &annotations.purposes, policy, &mut out);
    let site = EventSite {
        name: name.clone(),
        level,
        consent_label: annotations
            .consent
            .as_ref()
            .map(|c| Label::new(source, c.span, format!("event collected at `{}`", c.value))),
        purposes: annotations
            .purposes
            .iter()
            .map(|p| p.value.as_str())
            .collect(),
        retention_days: None,
        default_identification: None,
        fixable: true,
    };
    let walked = event_schema::walk(Arc::new(root), source, cx.project, cx.limits);
    out.extend(walked.diagnostics);
    let mut placed = Vec::new();
    let mut trace = overlay::Trace::default();
    check_fields(
        policy,
        &site,
        &walked.fields,
        &mut Fields::new(cx, &mut placed, &mut trace, &mut out),
    );
    for d in &mut out {
        d.event.get_or_insert_with(|| name.clone());
    }
    FileOutcome {
        diagnostics: out,
        events: 1,
        fields: walked.fields.len(),
        placed,
        trace,
        ..FileOutcome::default()
    }
}
