//! `report`: the data inventory — what an organisation's telemetry actually collects.
//!
//! In: manifests (files or walked directories) and the policy each one uses. Out: an
//! [`Inventory`] per policy, in the shape of the vendor documents (`shared/seeds/`): for
//! each consent level, every data type collected (declared fields and the fields of the
//! event schemas they reference), by which apps and events, with its class and how
//! identifiably it is sent; and the data not collected, from the deny rules. Each row also
//! counts the fields the policy does not permit, so the inventory never hides a violation.
//! Renderers are in `render::report`.

use crate::check::{self, event_schema};
use crate::diagnostic::{self, Diagnostic};
use crate::document::Kind;
use crate::document::manifest::ManifestDoc;
use crate::load::Limits;
use crate::policy::table::{Effect, LevelIdx, RuleIdx};
use crate::policy::{EventContext, Identification, Policy, TypeId, Verdict};
use crate::project::Project;
use crate::run::policies::{self, Missed, Policies};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// One data type collected at one level.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub ty: TypeId,
    pub identifications: BTreeSet<Identification>,
    pub apps: BTreeSet<String>,
    /// `app/event`.
    pub events: BTreeSet<String>,
    pub fields: usize,
    /// Fields of this type at this level that the policy does not permit.
    pub not_permitted: usize,
}

/// What a level collects.
#[derive(Clone, Debug)]
pub struct LevelSection {
    pub level: LevelIdx,
    /// Rows in taxonomy tree order.
    pub rows: Vec<Row>,
}

/// The inventory of the manifests that use one policy.
#[derive(Debug)]
pub struct PolicyInventory {
    pub policy: Arc<Policy>,
    pub manifests: Vec<String>,
    pub apps: BTreeSet<String>,
    pub events: usize,
    pub levels: Vec<LevelSection>,
    /// Deny rules, sorted by id: the data not collected.
    pub not_collected: Vec<RuleIdx>,
    /// Fields with no data type, or one the taxonomy lacks.
    pub unclassified: usize,
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub policies: Vec<PolicyInventory>,
    /// Problems reading the inputs (the inventory covers everything else).
    pub diagnostics: Vec<Diagnostic>,
}

/// What to inventory.
pub struct Options {
    pub paths: Vec<PathBuf>,
    /// The project config's `include`/`exclude`.
    pub files: crate::config::FileFilter,
    pub policy: Option<String>,
    pub limits: Limits,
    pub project_root: PathBuf,
}

type Key = (LevelIdx, TypeId);

struct Collecting {
    policy: Arc<Policy>,
    manifests: Vec<String>,
    apps: BTreeSet<String>,
    events: usize,
    rows: BTreeMap<Key, Row>,
    unclassified: usize,
}

pub fn build(options: &Options) -> Inventory {
    let mut inventory = Inventory::default();
    let project = Project::new(&options.project_root);
    let inputs = crate::run::walk::inputs(
        &options.paths,
        &options.files,
        &project.root,
        &mut inventory.diagnostics,
    );
    let policies = Policies::new(
        options.policy.as_deref(),
        &project,
        &options.limits,
        Missed::Report,
    );
    let mut by_policy: BTreeMap<String, Collecting> = BTreeMap::new();
    for input in inputs {
        let (source, root) = match policies::read(&input, &options.limits, false) {
            Ok(read) => read,
            Err(d) => {
                inventory.diagnostics.push(d);
                continue;
            }
        };
        if Kind::detect(&root) != Some(Kind::Manifest) {
            continue;
        }
        let Some(doc) = policies::manifest(&source, &root, &mut inventory.diagnostics) else {
            continue;
        };
        let policy = match policies.for_manifest(&source, &doc) {
            Ok(policy) => policy,
            Err(problem) => {
                inventory.diagnostics.push(problem);
                continue;
            }
        };
        let collecting = by_policy
            .entry(policy.name.clone())
            .or_insert_with(|| Collecting {
                policy,
                manifests: Vec::new(),
                apps: BTreeSet::new(),
                events: 0,
                rows: BTreeMap::new(),
                unclassified: 0,
            });
        collect(
            collecting,
            &source,
            &doc,
            &project,
            options,
            &mut inventory.diagnostics,
        );
    }
    inventory.diagnostics.extend(policies.finish().1);
    inventory.policies = by_policy.into_values().map(finish).collect();
    diagnostic::sort(&mut inventory.diagnostics);
    inventory
}

fn collect(
    c: &mut Collecting,
    source: &Arc<crate::source::SourceFile>,
    doc: &ManifestDoc,
    project: &Project,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let policy = Arc::clone(&c.policy);
    let app = doc
        .app_id
        .as_ref()
        .map_or_else(|| source.name.clone(), |a| a.value.clone());
    c.manifests.push(source.name.clone());
    c.apps.insert(app.clone());
    for event in &doc.events {
        c.events += 1;
        let Some(level) = event.consent.as_ref().and_then(|l| policy.level(&l.value)) else {
            continue;
        };
        let mut fields: Vec<(Option<String>, Option<String>)> = event
            .fields
            .iter()
            .map(|f| {
                (
                    f.data_type.as_ref().map(|t| t.value.clone()),
                    f.identification.as_ref().map(|i| i.value.clone()),
                )
            })
            .collect();
        if let Some(schema) = &event.schema {
            match check::load_event_schema(source, schema, project, &options.limits) {
                Ok((schema_source, root)) => {
                    let walked = event_schema::walk(
                        Arc::new(root),
                        &schema_source,
                        project,
                        &options.limits,
                    );
                    fields.extend(walked.fields.into_iter().map(|f| {
                        (
                            f.data_type.map(|t| t.value),
                            f.identification.map(|i| i.value),
                        )
                    }));
                }
                Err(d) => diagnostics.push(d),
            }
        }
        let purposes: Vec<&str> = event.purposes.iter().map(|p| p.value.as_str()).collect();
        let retention = event
            .settings
            .retention_days
            .as_ref()
            .or(doc.defaults.retention_days.as_ref())
            .map(|r| r.value);
        let default_identification =
            crate::check::manifest_identification(doc).unwrap_or(policy.defaults.identification);
        for (data_type, identification) in fields {
            let Some(ty) = data_type.as_deref().and_then(|t| policy.taxonomy.get(t)) else {
                c.unclassified += 1;
                continue;
            };
            let identification = identification
                .as_deref()
                .and_then(Identification::parse)
                .unwrap_or(default_identification);
            let verdict = policy.decide(
                ty,
                identification,
                EventContext {
                    level,
                    purposes: &purposes,
                    retention_days: retention,
                },
            );
            let row = c.rows.entry((level, ty)).or_insert_with(|| Row {
                ty,
                ..Row::default()
            });
            row.identifications.insert(identification);
            row.apps.insert(app.clone());
            row.events.insert(format!("{app}/{}", event.name.value));
            row.fields += 1;
            if !matches!(verdict, Verdict::Permitted(_)) {
                row.not_permitted += 1;
            }
        }
    }
}

fn finish(c: Collecting) -> PolicyInventory {
    let policy = c.policy;
    let order: BTreeMap<TypeId, usize> = policy
        .taxonomy
        .in_tree_order()
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i))
        .collect();
    let mut levels: Vec<LevelSection> = (0..policy.levels.len())
        .map(|level| LevelSection {
            level,
            rows: Vec::new(),
        })
        .collect();
    for ((level, _), row) in c.rows {
        levels[level].rows.push(row);
    }
    for section in &mut levels {
        section.rows.sort_by_key(|r| order.get(&r.ty).copied());
    }
    let not_collected = policy
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.effect == Effect::Deny)
        .map(|(i, _)| i)
        .collect();
    PolicyInventory {
        policy,
        manifests: c.manifests,
        apps: c.apps,
        events: c.events,
        levels,
        not_collected,
        unclassified: c.unclassified,
    }
}
