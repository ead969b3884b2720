//! `consentlint classify`: every unclassified field, with the data type the classifier
//! proposes for it in the policy's own taxonomy (or "cannot place"), as `check` would see
//! it — the same walk, policy resolution and config, through [`super::ProjectRun`].

use consentlint::classify::{Candidate, Mode, Placed, Session};
use consentlint::load::Limits;
use consentlint::overlay::{self, draft};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ClassifyArgs {
    /// Files or directories to classify (walked as `check` walks them).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The policy whose taxonomy proposals are made in: a path or `builtin:NAME`
    /// [default: each file's own, as `check` decides].
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// Classifier rules: a path or `builtin:default` [default: the config's `classifier`,
    /// else builtin:default].
    #[arg(long, value_name = "RULES")]
    rules: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ClassifyFormat::Human)]
    format: ClassifyFormat,
    /// Propose only at this confidence or above (0 to 1); weaker proposals are listed as
    /// not placed.
    #[arg(long, value_name = "X", default_value_t = 0.5, value_parser = confidence)]
    min_confidence: f64,
    /// Write the report to FILE instead of the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Use this config file instead of the nearest `consentlint.yaml`.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any `consentlint.yaml`.
    #[arg(long)]
    no_config: bool,
    /// A classification overlay to apply first (`kind: Classification`, or a Fides
    /// dataset), in addition to the config's `classifications`: the fields it classifies
    /// are not proposed. Repeatable.
    #[arg(long, value_name = "FILE")]
    overlay: Vec<PathBuf>,
    /// Draft a classification overlay in FILE for review instead of printing: confident
    /// proposals as entries, weaker ones commented out. An existing FILE is merged: its
    /// active entries are kept as written and the fields they classify not proposed again.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "format"])]
    write: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ClassifyFormat {
    Human,
    Json,
}

fn confidence(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{text}` is not a confidence between 0 and 1")),
    }
}

pub fn run(args: ClassifyArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut overlays = args.overlay.clone();
    let existing = match &args.write {
        None => None,
        Some(path) => {
            let shown = path.display().to_string();
            match overlay::read_for_draft(&shown, &cwd, &Limits::default()) {
                Ok(existing) => {
                    if existing.is_some() {
                        // What the draft already classifies is not proposed again.
                        overlays.push(path.clone());
                    }
                    existing
                }
                Err(problems) => return super::stop(problems),
            }
        }
    };
    let project = match super::ProjectRun::new(
        &args.paths,
        args.policy.as_deref(),
        args.config.as_ref(),
        args.no_config,
        None,
        &overlays,
    ) {
        Ok(project) => project,
        Err(problems) => return super::stop(problems),
    };
    let mut options = project.options;
    let broken = project.problems;
    let rules = match super::project_rules(args.rules.as_deref(), project.config.as_ref()) {
        Ok(rules) => rules,
        Err(problems) => return super::stop(problems),
    };
    options.classify = Some(Session {
        rules,
        mode: Mode::Propose,
    });
    let report = consentlint::run::run(&options);
    // Findings are `check`'s business; broken input is reported here too, and fails.
    let input: Vec<_> = broken
        .into_iter()
        .chain(report.diagnostics)
        .filter(|d| d.is_input_error())
        .collect();
    if let Some(path) = &args.write {
        let configured = project
            .config
            .as_ref()
            .is_some_and(|c| c.classifications.iter().any(|o| same_file(&cwd, o, path)));
        if let Err(code) = write_draft(
            path,
            &cwd,
            existing.as_ref(),
            &report.placed,
            &args,
            configured,
        ) {
            return code;
        }
    } else {
        let text = match args.format {
            ClassifyFormat::Human => render_human(&report.placed, args.min_confidence),
            ClassifyFormat::Json => render_json(&report.placed, args.min_confidence),
        };
        if let Some(code) = super::emit(args.output.as_deref(), &text, None) {
            return code;
        }
    }
    if input.is_empty() {
        ExitCode::SUCCESS
    } else {
        super::stop(input)
    }
}

fn same_file(cwd: &std::path::Path, a: &str, b: &std::path::Path) -> bool {
    consentlint::project::normalize(&cwd.join(a)) == consentlint::project::normalize(&cwd.join(b))
}

/// Write the draft overlay and say what is in it (on stderr; stdout stays empty).
fn write_draft(
    path: &std::path::Path,
    cwd: &std::path::Path,
    existing: Option<&consentlint::load::Loaded>,
    placed: &[Placed],
    args: &ClassifyArgs,
    configured: bool,
) -> Result<(), ExitCode> {
    let absolute = cwd.join(path);
    let dir = absolute.parent().unwrap_or(cwd);
    let settings = draft::Settings {
        dir,
        cwd,
        min: args.min_confidence,
        accept: consentlint::classify::INFER_CONFIDENCE,
    };
    let (text, counts) = draft::draft(existing.map(|e| (&e.source, &e.root)), placed, &settings);
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&absolute, text));
    if let Err(error) = written {
        eprintln!("consentlint: cannot write `{}`: {error}", path.display());
        return Err(ExitCode::from(2));
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    eprintln!(
        "consentlint: wrote `{}`: {} active ({} kept, {} new), {} to review (commented out), {} not placed",
        path.display(),
        plural(counts.kept + counts.active, "entry", "entries"),
        counts.kept,
        counts.active,
        counts.review,
        plural(counts.unplaced, "field", "fields"),
    );
    if !configured {
        eprintln!(
            "consentlint: `check --overlay {}` applies it; name it under `classifications:` in consentlint.yaml to apply it always",
            path.display()
        );
    }
    Ok(())
}

/// The proposal shown at `min` confidence, if any.
fn shown(placed: &Placed, min: f64) -> Option<&Candidate> {
    placed
        .proposal
        .as_ref()
        .map(|p| &p.best)
        .filter(|b| b.confidence >= min)
}

fn evidence_text(c: &Candidate) -> String {
    c.evidence
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render_human(placed: &[Placed], min: f64) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut file: Option<&str> = None;
    for p in placed {
        if file != Some(&p.file) {
            if file.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", consentlint::diagnostic::escape::escape(&p.file));
            file = Some(&p.file);
        }
        let at = format!("{}:{}", p.line, p.column);
        let field = consentlint::diagnostic::escape::escape(&p.field);
        match shown(p, min) {
            Some(best) => {
                let _ = writeln!(
                    out,
                    "  {at:<9} {field} → {} ({:.2}): {}",
                    best.data_type,
                    best.confidence,
                    evidence_text(best)
                );
                let others: Vec<String> = p
                    .proposal
                    .iter()
                    .flat_map(|p| &p.alternatives)
                    .filter(|a| a.confidence >= min)
                    .map(|a| format!("{} ({:.2})", a.data_type, a.confidence))
                    .collect();
                if !others.is_empty() {
                    let _ = writeln!(out, "  {:<9}   or {}", "", others.join(", "));
                }
            }
            None => {
                let _ = writeln!(out, "  {at:<9} {field} → cannot place (left for review)");
            }
        }
    }
    let summary = Summary::of(placed, min);
    if !placed.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} unclassified field{}: {} proposed ({} at confidence ≥ 0.80), {} left for review",
        summary.fields,
        if summary.fields == 1 { "" } else { "s" },
        summary.proposed,
        summary.confident,
        summary.unplaced
    );
    out
}

struct Summary {
    fields: usize,
    proposed: usize,
    confident: usize,
    unplaced: usize,
}

impl Summary {
    fn of(placed: &[Placed], min: f64) -> Summary {
        let proposed = placed.iter().filter(|p| shown(p, min).is_some()).count();
        let confident = placed
            .iter()
            .filter(|p| shown(p, min.max(consentlint::classify::INFER_CONFIDENCE)).is_some())
            .count();
        Summary {
            fields: placed.len(),
            proposed,
            confident,
            unplaced: placed.len() - proposed,
        }
    }
}

fn evidence_json(c: &Candidate) -> Value {
    c.evidence
        .iter()
        .map(|e| json!({"rule": e.rule, "kind": e.kind, "matched": e.matched}))
        .collect()
}

fn candidate_json(c: &Candidate) -> Value {
    json!({"data_type": c.data_type, "confidence": c.confidence, "evidence": evidence_json(c)})
}

pub fn render_json(placed: &[Placed], min: f64) -> String {
    let mut proposals = Vec::new();
    let mut unplaced = Vec::new();
    let mut by_type: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in placed {
        let site = json!({
            "file": p.file, "line": p.line, "column": p.column, "event": p.event, "field": p.field,
        });
        match shown(p, min) {
            Some(best) => {
                *by_type.entry(&best.data_type).or_default() += 1;
                let mut entry = site;
                let object = entry.as_object_mut().expect("an object");
                object.insert("data_type".into(), json!(best.data_type));
                object.insert("confidence".into(), json!(best.confidence));
                object.insert("evidence".into(), evidence_json(best));
                object.insert(
                    "alternatives".into(),
                    p.proposal
                        .iter()
                        .flat_map(|p| &p.alternatives)
                        .filter(|a| a.confidence >= min)
                        .map(candidate_json)
                        .collect(),
                );
                proposals.push(entry);
            }
            None => unplaced.push(site),
        }
    }
    let summary = Summary::of(placed, min);
    let doc = json!({
        "proposals": proposals,
        "unplaced": unplaced,
        "summary": {
            "fields": summary.fields,
            "proposed": summary.proposed,
            "confident": summary.confident,
            "unplaced": summary.unplaced,
            "min_confidence": min,
            "by_type": by_type,
        },
    });
    consentlint::render::json_document(doc)
}
