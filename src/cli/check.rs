//! `consentlint check`: its flags, then the run (`run::run` through [`super::ProjectRun`]),
//! the config's severities, `--select`/`--ignore`, the baseline, and the report in the
//! chosen format with the exit code.

use super::{Color, Format, ProjectRun, emit, emit_with, project_rules, render_ci};
use consentlint::baseline::{self, Baseline};
use consentlint::check::date::Date;
use consentlint::config::FailOn;
use consentlint::diagnostic::Diagnostic;
use consentlint::render::{self, Summary, human};
use consentlint::run::{self, Options};
use consentlint::sink::{CodeFilter, Exit, Sink};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Clone)]
pub struct CheckArgs {
    /// Files or directories to check (directories are walked for .yaml, .yml, .json).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The policy to check against: a path or `builtin:NAME`. Overrides a manifest's
    /// `policy:` and the config's.
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE; the summary line still goes to the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding is at least this severe [default: the config's
    /// `fail_on`, else error].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Largest file read, in bytes [default: the config's `limits.max_file_size`, else
    /// 33554432].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Colour in human output (auto: only on a terminal, and never with NO_COLOR set).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print findings only, no summary line.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Use this config file instead of the nearest `consentlint.yaml` above the working
    /// directory.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Decide unclassified fields on the classifier's confident proposals (confidence at
    /// least 0.8), marked as inferred in every finding [default: the config's `infer`].
    #[arg(long, conflicts_with = "no_infer")]
    infer: bool,
    /// Do not infer types, whatever the config says.
    #[arg(long)]
    no_infer: bool,
    /// Classifier rules for `--infer`: a path or `builtin:default` [default: the config's
    /// `classifier`, else builtin:default].
    #[arg(long, value_name = "RULES")]
    rules: Option<String>,
    /// A classification overlay to apply (`kind: Classification`, or a Fides dataset), in
    /// addition to the config's `classifications`. Repeatable.
    #[arg(long, value_name = "FILE")]
    overlay: Vec<PathBuf>,
    /// Ignore any `consentlint.yaml`.
    #[arg(long)]
    no_config: bool,
    /// Report only findings that are not in this baseline (overrides the config's).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["write_baseline", "no_baseline"])]
    baseline: Option<PathBuf>,
    /// Record today's findings in FILE as the baseline, then report as if using it.
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    write_baseline: Option<PathBuf>,
    /// Ignore the config's baseline.
    #[arg(long)]
    no_baseline: bool,
    /// Print every inline suppression with its reason, expiry and effect, instead of the
    /// findings (human or json format).
    #[arg(long)]
    list_suppressions: bool,
    /// With `-` as the path: the name standard input is checked as (its place in the
    /// project resolves relative `schema:` and `policy:`; its extension picks JSON or YAML).
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<String>,
    /// Report only findings of these codes (comma-separated or repeated); input problems
    /// are always reported.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    select: Vec<String>,
    /// Do not report findings of these codes (comma-separated or repeated).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Print how many findings of each code, instead of the findings (human or concise
    /// format).
    #[arg(long)]
    statistics: bool,
    /// Let a run that checks no document pass (by default it is `nothing-checked`, exit 2).
    #[arg(long)]
    allow_empty: bool,
    /// Judge dates (`expires` of events and suppressions) as if today were this day
    /// [default: `CONSENTLINT_TODAY` when set, else today in UTC].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_today)]
    today: Option<Date>,
    /// Also list, on standard error, every file skipped as not a consentlint document, and why.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Apply the safe machine-applicable fixes to the files (formatting and comments kept),
    /// then report what is left.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline", "list_suppressions"])]
    fix: bool,
    /// Print the fixes `--fix` would apply, as a unified diff, instead of the findings;
    /// exit 1 when there is one.
    #[arg(long, conflicts_with_all = ["write_baseline", "list_suppressions"])]
    diff: bool,
    /// With `--fix` or `--diff`: the unsafe fixes too (those that change what a manifest
    /// declares — a consent level, an identification).
    #[arg(long)]
    unsafe_fixes: bool,
}

/// Most passes of `--fix`: a pass applies every fix that does not overlap another; the
/// next check finds what a pass left (or what applying it newly asked for).
const FIX_PASSES: usize = 10;

/// What the passes of `--fix` so far fixed.
#[derive(Clone, Debug, Default)]
struct Fixed {
    passes: usize,
    findings: usize,
    files: std::collections::BTreeSet<String>,
}

fn parse_today(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

pub fn run(args: CheckArgs) -> ExitCode {
    run::configure_workers(args.jobs);
    run_pass(args, Fixed::default())
}

fn run_pass(args: CheckArgs, mut fixed: Fixed) -> ExitCode {
    let project = match ProjectRun::new(
        &args.paths,
        args.policy.as_deref(),
        args.config.as_ref(),
        args.no_config,
        args.max_file_size,
        &args.overlay,
    ) {
        Ok(project) => project,
        // Checking without the config would apply the wrong policy and severities.
        Err(problems) => return not_run(&args, problems),
    };
    let ProjectRun {
        cwd,
        config,
        mut options,
        problems,
    } = project;
    if let Some(today) = args.today {
        options.today = today;
    }
    match (
        args.paths.iter().any(|p| p.as_os_str() == "-"),
        &args.stdin_filename,
    ) {
        (true, _) if args.paths.len() > 1 => {
            eprintln!(
                "consentlint: `-` (standard input) is checked on its own, not with other paths"
            );
            return ExitCode::from(2);
        }
        (true, _) if args.fix || args.diff => {
            eprintln!("consentlint: --fix and --diff edit files: they do not read standard input");
            return ExitCode::from(2);
        }
        (true, name) => options.stdin = Some(name.clone().unwrap_or_else(|| "-".to_owned())),
        (false, Some(_)) => {
            eprintln!("consentlint: `--stdin-filename` names standard input: give `-` as the path");
            return ExitCode::from(2);
        }
        (false, None) => {}
    }
    let filter = match CodeFilter::new(&args.select, &args.ignore) {
        Ok(filter) => filter,
        Err(message) => {
            eprintln!("consentlint: {message}");
            return ExitCode::from(2);
        }
    };
    if args.statistics && !matches!(args.format, Format::Human | Format::Concise) {
        eprintln!("consentlint: --statistics prints `--format human` or `concise`");
        return ExitCode::from(2);
    }
    let config = config.as_ref();
    let infer = if args.no_infer {
        None
    } else if args.infer {
        Some(consentlint::classify::INFER_CONFIDENCE)
    } else {
        config.and_then(|c| c.infer)
    };
    if let Some(min_confidence) = infer {
        match project_rules(args.rules.as_deref(), config) {
            Ok(rules) => {
                options.classify = Some(consentlint::classify::Session {
                    rules,
                    mode: consentlint::classify::Mode::Infer { min_confidence },
                })
            }
            Err(problems) => return not_run(&args, problems),
        }
    }
    let limits = options.limits.clone();
    let mut report = with_progress(options, args.quiet, !matches!(args.format, Format::Human));
    if args.verbose {
        for (file, reason) in &report.skipped {
            eprintln!("consentlint: skipped `{file}`: {reason}");
        }
    }
    // A gate that read nothing is not clean; when a path could not be read, that problem
    // already says why.
    if report.documents == 0
        && !args.allow_empty
        && !report.diagnostics.iter().any(Diagnostic::is_input_error)
    {
        report
            .diagnostics
            .push(run::nothing_checked(&report, &args.paths));
    }
    let mut sink = Sink::new(config).with_filter(filter);
    sink.extend(std::mem::take(&mut report.diagnostics));
    sink.extend(problems);
    sink.settle(&report.policies);
    let fail_on = args
        .fail_on
        .or_else(|| config.and_then(|c| c.fail_on))
        .unwrap_or(FailOn::Error);

    if args.list_suppressions {
        let text = match args.format {
            Format::Json => render::suppressions::json(&report.suppressions),
            Format::Human => render::suppressions::human(&report.suppressions),
            _ => {
                eprintln!("consentlint: --list-suppressions prints `--format human` or `json`");
                return ExitCode::from(2);
            }
        };
        if let Some(code) = emit(args.output.as_deref(), &text, None) {
            return code;
        }
        return super::exit(sink.finish(FailOn::Never).exit);
    }

    let baseline_path = if args.no_baseline {
        None
    } else {
        args.write_baseline
            .clone()
            .or_else(|| args.baseline.clone())
            .or_else(|| config.and_then(|c| c.baseline.clone()).map(PathBuf::from))
    };
    if let Some(path) = &args.write_baseline {
        let anchor = baseline::Anchor::new(path, &cwd);
        let text = baseline::write(sink.diagnostics(), &anchor);
        // `ci/consentlint-baseline.json` in a project without `ci/` yet: make the folder.
        let written = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => {
                std::fs::create_dir_all(parent).and_then(|()| std::fs::write(path, text))
            }
            None => std::fs::write(path, text),
        };
        if let Err(error) = written {
            eprintln!(
                "consentlint: cannot write the baseline `{}`: {error}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    if let Some(path) = &baseline_path {
        match Baseline::load(path, &cwd) {
            Ok(baseline) => {
                sink.baseline(&baseline, &report.checked);
                if let Some(written) = &args.write_baseline {
                    eprintln!(
                        "consentlint: wrote {} finding{} to the baseline `{}`",
                        baseline.len(),
                        if baseline.len() == 1 { "" } else { "s" },
                        written.display()
                    );
                }
            }
            Err(problems) => sink.extend(problems),
        }
    }
    let settled = sink.finish(fail_on);
    report.diagnostics = settled.diagnostics;
    if args.fix || args.diff {
        let plan = consentlint::fix::plan(&report.diagnostics, args.unsafe_fixes, &cwd, &limits);
        for (file, why) in &plan.refused {
            eprintln!("consentlint: left `{file}` unchanged: {why}");
        }
        if args.diff {
            return show_diff(&args, &plan);
        }
        if !plan.files.is_empty() && fixed.passes < FIX_PASSES {
            let unwritten = consentlint::fix::write(&plan, &cwd);
            for (file, why) in &unwritten {
                eprintln!("consentlint: cannot write the fixes to `{file}`: {why}");
            }
            if !unwritten.is_empty() {
                return ExitCode::from(2);
            }
            fixed.passes += 1;
            fixed.findings += plan.files.iter().map(|f| f.fixed).sum::<usize>();
            fixed
                .files
                .extend(plan.files.iter().map(|f| f.file.clone()));
            return run_pass(args, fixed);
        }
        if !args.quiet {
            eprintln!(
                "{}",
                fix_summary(&fixed, plan.unsafe_left, args.unsafe_fixes)
            );
        }
    }
    finish(&args, report, settled.baselined, fail_on, settled.exit)
}

/// `consentlint: fixed 3 findings in 2 files; 1 more has an unsafe fix (--unsafe-fixes)`.
fn fix_summary(fixed: &Fixed, unsafe_left: usize, unsafe_fixes: bool) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "consentlint: fixed {} in {}",
        plural(fixed.findings, "finding", "findings"),
        plural(fixed.files.len(), "file", "files")
    );
    if unsafe_left > 0 && !unsafe_fixes {
        line.push_str(&format!(
            "; {} (--unsafe-fixes)",
            plural(
                unsafe_left,
                "more has an unsafe fix",
                "more have unsafe fixes"
            )
        ));
    }
    line
}

/// `--diff`: the fixes as a unified diff on stdout (or `--output`); exit 1 when there is one.
fn show_diff(args: &CheckArgs, plan: &consentlint::fix::Plan) -> ExitCode {
    let text = consentlint::fix::diff(plan);
    let fixes: usize = plan.files.iter().map(|f| f.fixed).sum();
    if let Some(code) = emit(args.output.as_deref(), &text, None) {
        return code;
    }
    if !args.quiet {
        let fixed = Fixed {
            passes: 1,
            findings: fixes,
            files: plan.files.iter().map(|f| f.file.clone()).collect(),
        };
        eprintln!(
            "{}",
            fix_summary(&fixed, plan.unsafe_left, args.unsafe_fixes).replacen(
                "fixed",
                "would fix",
                1
            )
        );
    }
    if plan.files.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The problems that kept the run from starting (a broken config or classifier), reported
/// in the chosen format.
fn not_run(args: &CheckArgs, problems: Vec<Diagnostic>) -> ExitCode {
    let mut sink = Sink::new(None);
    sink.extend(problems);
    let settled = sink.finish(FailOn::Error);
    let report = run::Report {
        diagnostics: settled.diagnostics,
        ..run::Report::default()
    };
    finish(args, report, None, FailOn::Error, settled.exit)
}

/// Render the report in the chosen format, write it, and turn it into the exit code.
fn finish(
    args: &CheckArgs,
    report: run::Report,
    baselined: Option<usize>,
    fail_on: FailOn,
    exit: Exit,
) -> ExitCode {
    let mut summary = Summary::new(
        &report.diagnostics,
        report.files,
        report.skipped.len(),
        report.events,
        report.fields,
    );
    summary.baselined = baselined;
    let input = render::Input {
        diagnostics: &report.diagnostics,
        summary: &summary,
        files: &report.checked,
        policies: &report.policies,
        fail_on: fail_on.threshold(),
    };
    let line = (!args.quiet).then(|| human::summary_line(&summary));
    if args.statistics {
        let mut text = render::concise::statistics(&report.diagnostics);
        text.push_str(line.as_deref().unwrap_or_default());
        if let Some(code) = emit(args.output.as_deref(), &text, line.as_deref()) {
            return code;
        }
        return super::exit(exit);
    }
    // JSON and human reports are written as they are rendered, not held whole.
    let written = match args.format {
        Format::Concise => {
            let mut text = render::concise::render(&report.diagnostics);
            if args.output.is_none() {
                text.push_str(line.as_deref().unwrap_or_default());
            }
            emit(args.output.as_deref(), &text, line.as_deref())
        }
        Format::Json => emit_with(
            args.output.as_deref(),
            |out| render::json::write(out, &report.diagnostics, &summary),
            line.as_deref(),
        ),
        Format::Ndjson => emit_with(
            args.output.as_deref(),
            |out| render::ndjson::write(out, &report.diagnostics),
            line.as_deref(),
        ),
        Format::Sarif | Format::Github | Format::Junit | Format::Markdown => emit(
            args.output.as_deref(),
            &render_ci(args.format, &input),
            line.as_deref(),
        ),
        Format::Human => {
            let color = args.output.is_none() && args.color.enabled();
            let style = human::Style { color, width: 100 };
            emit_with(
                args.output.as_deref(),
                |out| {
                    human::write(out, &report.diagnostics, style)?;
                    out.write_all(line.as_deref().unwrap_or_default().as_bytes())
                },
                line.as_deref(),
            )
        }
    };
    if let Some(code) = written {
        return code;
    }
    super::exit(exit)
}

/// Run, with a progress bar on stderr when [`render::progress::wanted`].
fn with_progress(mut options: Options, quiet: bool, machine_readable: bool) -> run::Report {
    if !render::progress::wanted(std::io::stderr().is_terminal(), quiet, machine_readable) {
        return run::run(&options);
    }
    let progress = std::sync::Arc::new(run::Progress::default());
    options.progress = Some(std::sync::Arc::clone(&progress));
    let bar = render::progress::Bar::on_stderr(progress);
    let report = run::run(&options);
    bar.finish();
    report
}
