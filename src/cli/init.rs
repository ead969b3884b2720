//! `consentlint init`: set a project up — `consentlint.yaml`, a starter policy over
//! `builtin:default`, and a starter manifest, or, where event schemas already exist, the
//! way to classify them (`classify --write`). Never overwrites a file unless `--force`,
//! and then keeps the old one as `FILE.bak`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct InitArgs {
    /// The project's directory (created if missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Replace files that exist, keeping each old one as `FILE.bak`.
    #[arg(long)]
    force: bool,
}

pub const CONFIG: &str = "consentlint.yaml";
pub const POLICY: &str = "policy.yaml";
pub const MANIFEST: &str = "telemetry.yaml";

pub fn run(args: InitArgs) -> ExitCode {
    let dir = &args.dir;
    if dir.exists() && !dir.is_dir() {
        eprintln!("consentlint: `{}` is not a directory", dir.display());
        return ExitCode::from(2);
    }
    let name = project_name(dir);
    let schemas = existing_schemas(dir);
    let mut files = vec![(CONFIG, config_text()), (POLICY, policy_text(&name))];
    if schemas.is_empty() {
        files.push((MANIFEST, manifest_text(&name)));
    }
    // Shown as the user named them: `policy.yaml`, or `app/policy.yaml` for `init app`.
    let shown = |f: &str| consentlint::project::normalize(&dir.join(f));
    let existing: Vec<&str> = files
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| dir.join(f).exists())
        .collect();
    if !existing.is_empty() && !args.force {
        for f in &existing {
            eprintln!(
                "consentlint: `{}` exists; `init` changes nothing (`--force` replaces it, keeping the old one as `{}.bak`)",
                shown(f),
                shown(f)
            );
        }
        return ExitCode::from(2);
    }
    if let Err(error) = std::fs::create_dir_all(dir) {
        eprintln!("consentlint: cannot create `{}`: {error}", dir.display());
        return ExitCode::from(2);
    }
    for (file, text) in &files {
        let path = dir.join(file);
        if path.exists() {
            let backup = dir.join(format!("{file}.bak"));
            if let Err(error) = std::fs::rename(&path, &backup) {
                eprintln!("consentlint: cannot back up `{}`: {error}", path.display());
                return ExitCode::from(2);
            }
            eprintln!(
                "consentlint: kept the old `{}` as `{}`",
                shown(file),
                shown(&format!("{file}.bak"))
            );
        }
        if let Err(error) = std::fs::write(&path, text) {
            eprintln!("consentlint: cannot write `{}`: {error}", path.display());
            return ExitCode::from(2);
        }
        eprintln!("consentlint: wrote `{}`", shown(file));
    }
    let shown = consentlint::project::normalize(dir);
    if schemas.is_empty() {
        eprintln!(
            "consentlint: next: describe your events in `{MANIFEST}`, then `consentlint check {shown}`"
        );
    } else {
        eprintln!(
            "consentlint: found {} event schema{} with no manifest; to classify {} fields, run\n  consentlint classify --write {} {shown}\nreview the draft, and name it under `classifications:` in `{}`",
            schemas.len(),
            if schemas.len() == 1 { "" } else { "s" },
            if schemas.len() == 1 { "its" } else { "their" },
            consentlint::project::normalize(&dir.join("classification.yaml")),
            consentlint::project::normalize(&dir.join(CONFIG)),
        );
    }
    ExitCode::SUCCESS
}

/// The project's id: its directory's name, as a kebab-case id (`my-app`).
fn project_name(dir: &Path) -> String {
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(dir))
        .unwrap_or_else(|_| dir.to_path_buf());
    let base = consentlint::project::normalize(&absolute);
    let last = base.rsplit('/').find(|s| !s.is_empty()).unwrap_or("app");
    let mut id = String::new();
    for c in last.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    if id.is_empty() || !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        format!("app-{id}").trim_end_matches('-').to_owned()
    } else {
        id.to_owned()
    }
}

/// Event schemas (and Glean metrics files) already in the project, found as `check`
/// walks it.
fn existing_schemas(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let limits = consentlint::load::Limits::default();
    let mut ignored = Vec::new();
    consentlint::run::walk::inputs(
        &[dir.to_path_buf()],
        &consentlint::config::FileFilter::default(),
        dir,
        &mut ignored,
    )
    .into_iter()
    .filter(|input| {
        let source = consentlint::load::read_source(&input.path, &input.display, &limits).ok();
        source
            .and_then(|source| consentlint::load::parse(&source, &limits).ok())
            .is_some_and(|root| {
                matches!(
                    consentlint::document::Kind::detect(&root),
                    Some(
                        consentlint::document::Kind::EventSchema
                            | consentlint::document::Kind::GleanMetrics
                    )
                )
            })
    })
    .map(|input| input.path)
    .collect()
}

fn config_text() -> String {
    format!(
        "\
# consentlint project config: found by walking up from where consentlint runs.
# Every key is in consentlint's docs/FORMATS.md, section Project config.
policy: {POLICY}
# include: [telemetry/, schemas/**/*.json]   # walked files to check (default: all)
# exclude: [vendor/]                         # walked files to skip
# severity:                                  # re-rate findings by code or rule id
#   suspicious-classification: error
# fail_on: error                             # exit 1 from this severity up
# baseline: ci/consentlint-baseline.json     # known findings CI does not fail on
# classifications: [classification.yaml]    # types for schemas you do not own
# infer: true                                # decide unclassified fields on confident proposals
"
    )
}

fn policy_text(name: &str) -> String {
    format!(
        "\
# The telemetry policy of {name}: consentlint's embedded default policy (customer content
# and end-user identifiable information never collected, pseudonymous ids only
# pseudonymized, crash data only with optional consent) plus what this project adds.
# `consentlint policy compile {POLICY}` prints the result as a decision table;
# `consentlint explain TYPE --consent LEVEL --policy {POLICY}` explains one verdict.
kind: Policy
id: {name}
title: Telemetry policy of {name}
extends: [builtin:default]

# Rules are added to the base policy's; a deny rule always wins over a grant.
# rules:
#   # Allow a type from a consent level up (types: `consentlint taxonomy`).
#   - id: feature-usage
#     allow: {{ types: [app.usage.feature] }}
#     min_consent: optional
#   # Never collect a type, whatever the level.
#   - id: no-precise-location
#     deny: {{ types: [user.location.precise] }}
#     message: We never collect precise location.

# Data types of your own, each under a data class of the base taxonomy.
# taxonomy_extensions:
#   - {{ id: app.editor.feature, title: Editor feature used, class: system_metadata }}
"
    )
}

fn manifest_text(name: &str) -> String {
    format!(
        "\
# The telemetry {name} sends: one entry per event, every field with a data type
# (`consentlint taxonomy` lists them). `consentlint check` decides each field against
# {POLICY} at the event's consent level.
kind: TelemetryManifest
app: {{ id: {name} }}
defaults: {{ transport: https, regions: [us], retention_days: 28 }}
events:
  - name: app_started
    consent: required
    purposes: [diagnostics]
    description: The app started.
    fields:
      - {{ name: app_version, type: app.version }}
      - {{ name: os_version, type: device.os.version }}
      - {{ name: startup_ms, type: app.performance.duration }}
  # An event whose JSON Schema lists its fields (`x-data-type` on each):
  # - name: note_saved
  #   consent: optional
  #   purposes: [product_improvement]
  #   schema: schemas/note_saved.schema.json
"
    )
}
