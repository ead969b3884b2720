//! The `consentlint` command line: parse flags, run, render, exit 0 / 1 / 2.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use consentlint::baseline::{self, Baseline};
use consentlint::check::date::Date;
use consentlint::config::{self, Config, FailOn};
use consentlint::diagnostic::{Category, Code, Diagnostic, Severity};
use consentlint::load::Limits;
use consentlint::render::{self, Summary, human};
use consentlint::run::{self, Options};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommand handlers that live in their own files: `audit` (captured payloads) and the
/// policy auditor's commands (`policy …`, `explain`, `report`).
mod cli {
    pub mod audit;
    pub mod classify;
    pub mod init;
    pub mod man;
    pub mod policy;
}

#[derive(Parser)]
#[command(
    name = "consentlint",
    version,
    about = "Policy-as-code for telemetry: check what your app collects against what your consent levels allow."
)]
struct Cli {
    /// Print the documentation of a diagnostic code and exit.
    #[arg(long, value_name = "CODE", global = true)]
    explain: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check telemetry manifests and event schemas against a policy.
    Check(CheckArgs),
    /// Audit captured telemetry payloads (NDJSON) against the declared manifests and policy.
    Audit(cli::audit::AuditArgs),
    /// Propose a data type, in the policy's own taxonomy, for every field nobody classified.
    Classify(cli::classify::ClassifyArgs),
    /// Set a project up: `consentlint.yaml`, a starter policy over builtin:default, and a
    /// starter manifest (or, where schemas exist, how to classify them).
    Init(cli::init::InitArgs),
    /// Print the data-type taxonomy of a policy as a tree, with each type's data class.
    Taxonomy {
        /// The policy whose taxonomy (with its `taxonomy_extensions`) to print.
        #[arg(long, value_name = "POLICY", default_value = "builtin:default")]
        policy: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = cli::policy::Format::Human)]
        format: cli::policy::Format,
        /// Write the output to FILE instead of the terminal.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Auditor tools for policies: lint, compile (the decision table), diff.
    #[command(subcommand)]
    Policy(cli::policy::PolicyCommand),
    /// Explain the verdict on one data type at one consent level, rule by rule.
    Explain(cli::policy::ExplainArgs),
    /// The data inventory: per consent level, every data type collected, by which apps and events.
    Report(cli::policy::ReportArgs),
    /// Print the documentation of a diagnostic code (all codes without an argument).
    ExplainCode {
        /// The code, e.g. `consent-too-low`.
        code: Option<String>,
    },
    /// Print the JSON Schema of a document format, for editors (`consentlint schema
    /// manifest > manifest.schema.json`); without NAME, list the formats.
    Schema {
        /// manifest, policy, taxonomy, config, classification, classifier or baseline.
        name: Option<String>,
    },
    /// Print a shell completion script: `consentlint completions bash > …`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these definitions: `consentlint man |
    /// man -l -`.
    Man {
        /// A command's page instead of the main page, e.g. `check` or `policy lint`.
        command: Vec<String>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
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
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    /// One line per finding, `file:line:col: code[rule] message`, for editors' problem
    /// matchers.
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to colour stdout (auto: only on a terminal, never with `NO_COLOR` set).
    fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = &cli.explain {
        return explain(Some(code));
    }
    match cli.command {
        Some(Command::Check(args)) => check(args),
        Some(Command::Audit(args)) => cli::audit::run(args),
        Some(Command::Classify(args)) => cli::classify::run(args),
        Some(Command::Init(args)) => cli::init::run(args),
        Some(Command::Schema { name }) => schema(name.as_deref()),
        Some(Command::ExplainCode { code }) => explain(code.as_deref()),
        Some(Command::Taxonomy {
            policy,
            format,
            output,
        }) => taxonomy(&policy, format, output.as_deref()),
        Some(Command::Policy(command)) => cli::policy::policy(command),
        Some(Command::Explain(args)) => cli::policy::explain(args),
        Some(Command::Report(args)) => cli::policy::report(args),
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "consentlint", &mut out);
            print_or_exit(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Some(Command::Man { command }) => cli::man::run(Cli::command(), &command),
        None => {
            eprintln!(
                "consentlint: no command given; try `consentlint check examples/` or `consentlint --help`"
            );
            ExitCode::from(2)
        }
    }
}

fn explain(code: Option<&str>) -> ExitCode {
    let text = match code {
        Some(name) => match Code::from_name(name) {
            Some(code) => format!("{}\n\n{}\n", code.as_str(), code.explanation()),
            None => {
                let hint = consentlint::suggest::hint(name, Code::ALL.iter().map(|c| c.as_str()));
                eprintln!("consentlint: unknown diagnostic code `{name}` {hint}");
                return ExitCode::from(2);
            }
        },
        None => Code::ALL
            .iter()
            .map(|c| {
                let text = c.explanation();
                let summary = text.split("\n\n").next().unwrap_or("").replace('\n', " ");
                format!("{:<26} {summary}\n", c.as_str())
            })
            .collect(),
    };
    print_or_exit(&text);
    ExitCode::SUCCESS
}

fn schema(name: Option<&str>) -> ExitCode {
    use consentlint::load::schema_check::Format as Doc;
    let names = || Doc::NAMED.iter().map(|(n, _)| *n);
    let text = match name {
        None => names().map(|n| format!("{n}\n")).collect(),
        Some(name) => match Doc::NAMED.iter().find(|(n, _)| *n == name) {
            Some((_, format)) => format.schema_text().to_owned(),
            None => {
                let hint = consentlint::suggest::hint(name, names());
                eprintln!(
                    "consentlint: no schema `{name}` {hint}\nschemas: {}",
                    names().collect::<Vec<_>>().join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    print_or_exit(&text);
    ExitCode::SUCCESS
}

fn taxonomy(
    reference: &str,
    format: cli::policy::Format,
    output: Option<&std::path::Path>,
) -> ExitCode {
    match cli::policy::load_policy(reference) {
        Some(policy) => {
            let text = match format {
                cli::policy::Format::Human => render::taxonomy::render(&policy),
                cli::policy::Format::Json => render::taxonomy::json(&policy),
            };
            emit(output, &text, None).unwrap_or(ExitCode::SUCCESS)
        }
        None => ExitCode::from(2),
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let pool = rayon::ThreadPoolBuilder::new().stack_size(8 << 20);
    let pool = match args.jobs {
        Some(jobs) => pool.num_threads(jobs.max(1)),
        None => pool,
    };
    // Only fails if a pool already exists, which cannot happen this early.
    let _ = pool.build_global();
    let project = match ProjectRun::new(
        &args.paths,
        args.policy.as_deref(),
        args.config.as_ref(),
        args.no_config,
        args.max_file_size,
        &args.overlay,
    ) {
        Ok(project) => project,
        Err(problems) => {
            // Checking without the config would apply the wrong policy and severities.
            let report = run::Report {
                diagnostics: problems,
                ..run::Report::default()
            };
            return finish(&args, report, None, FailOn::Error);
        }
    };
    let ProjectRun {
        cwd,
        config,
        mut options,
        problems,
    } = project;
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
            Err(problems) => {
                let report = run::Report {
                    diagnostics: problems,
                    ..run::Report::default()
                };
                return finish(&args, report, None, FailOn::Error);
            }
        }
    }
    let mut report = with_progress(options, args.quiet, !matches!(args.format, Format::Human));
    if !problems.is_empty() {
        report.diagnostics.extend(problems);
        consentlint::diagnostic::sort(&mut report.diagnostics);
    }
    if let Some(config) = config {
        config.apply_severity(&mut report.diagnostics);
        report
            .diagnostics
            .extend(config.unknown_overrides(&report.policies));
        consentlint::diagnostic::sort(&mut report.diagnostics);
    }
    report.diagnostics.retain(|d| filter.keeps(d));
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
        return exit_code(&report.diagnostics, FailOn::Never);
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
        let text = baseline::write(&report.diagnostics, &anchor);
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
    let mut baselined = None;
    if let Some(path) = &baseline_path {
        match Baseline::load(path, &cwd) {
            Ok(baseline) => {
                let applied = baseline.apply(&mut report.diagnostics, &report.checked);
                baselined = Some(applied.absorbed);
                if let Some(written) = &args.write_baseline {
                    eprintln!(
                        "consentlint: wrote {} finding{} to the baseline `{}`",
                        baseline.len(),
                        if baseline.len() == 1 { "" } else { "s" },
                        written.display()
                    );
                }
            }
            Err(problems) => {
                report.diagnostics.extend(problems);
                consentlint::diagnostic::sort(&mut report.diagnostics);
            }
        }
    }
    finish(&args, report, baselined, fail_on)
}

/// `--select` / `--ignore`: which findings are reported, by code. Input problems are
/// always reported: a file that could not be read was not checked.
struct CodeFilter {
    select: Vec<Code>,
    ignore: Vec<Code>,
}

impl CodeFilter {
    fn new(select: &[String], ignore: &[String]) -> Result<CodeFilter, String> {
        let parse = |names: &[String], flag: &str| -> Result<Vec<Code>, String> {
            names
                .iter()
                .map(|name| {
                    let code = Code::from_name(name.trim()).ok_or_else(|| {
                        let hint = consentlint::suggest::hint(name, Code::ALL.iter().map(|c| c.as_str()));
                        format!("`{flag} {name}`: no such diagnostic code {hint}")
                    })?;
                    if flag == "--ignore" && code.category() == Category::Input {
                        return Err(format!("`--ignore {name}`: input problems cannot be ignored (the file was not checked)"));
                    }
                    Ok(code)
                })
                .collect()
        };
        Ok(CodeFilter {
            select: parse(select, "--select")?,
            ignore: parse(ignore, "--ignore")?,
        })
    }

    fn keeps(&self, d: &Diagnostic) -> bool {
        if d.code.category() == Category::Input {
            return true;
        }
        (self.select.is_empty() || self.select.contains(&d.code)) && !self.ignore.contains(&d.code)
    }
}

/// Render the report in the chosen format, write it, and turn it into the exit code.
fn finish(
    args: &CheckArgs,
    report: run::Report,
    baselined: Option<usize>,
    fail_on: FailOn,
) -> ExitCode {
    let mut summary = Summary::new(
        &report.diagnostics,
        report.files,
        report.skipped,
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
        return exit_code(&report.diagnostics, fail_on);
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
    exit_code(&report.diagnostics, fail_on)
}

/// The CI formats (SARIF, GitHub, JUnit, Markdown), shared by `check` and `audit`. Human
/// and JSON output carry each command's own summary, so they are rendered by the command.
fn render_ci(format: Format, input: &render::Input<'_>) -> String {
    match format {
        Format::Sarif => render::sarif::render(input),
        Format::Github => render::github::render(input),
        Format::Junit => render::junit::render(input),
        Format::Markdown => render::markdown::render(input),
        Format::Concise => render::concise::render(input.diagnostics),
        Format::Human | Format::Json => String::new(),
    }
}

/// Print the report, or write it to `--output` and print `summary` (the terminal's line);
/// an exit code when writing fails.
pub(crate) fn emit(
    output: Option<&std::path::Path>,
    text: &str,
    summary: Option<&str>,
) -> Option<ExitCode> {
    emit_with(output, |out| out.write_all(text.as_bytes()), summary)
}

/// [`emit`] for a report that `write` writes piece by piece.
fn emit_with(
    output: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    summary: Option<&str>,
) -> Option<ExitCode> {
    let Some(path) = output else {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        if write(&mut stdout).and_then(|()| stdout.flush()).is_err() {
            // A closed pipe (`| head`) ends the program quietly.
            std::process::exit(0);
        }
        return None;
    };
    let written = std::fs::File::create(path).and_then(|file| {
        let mut file = std::io::BufWriter::new(file);
        write(&mut file)?;
        file.flush()
    });
    if let Err(error) = written {
        eprintln!(
            "consentlint: cannot write the report to `{}`: {error}",
            path.display()
        );
        return Some(ExitCode::from(2));
    }
    if let Some(summary) = summary {
        print_or_exit(summary);
    }
    None
}

/// Run, with a progress bar on stderr when [`render::progress::wanted`].
/// The project a command runs in: the config governing the working directory and the run
/// options it gives (shared by `check` and `classify`).
pub(crate) struct ProjectRun {
    pub cwd: PathBuf,
    pub config: Option<Config>,
    pub options: Options,
    /// Problems that leave the run going without what they are about (a broken overlay).
    pub problems: Vec<Diagnostic>,
}

impl ProjectRun {
    pub(crate) fn new(
        paths: &[PathBuf],
        policy: Option<&str>,
        config: Option<&PathBuf>,
        no_config: bool,
        max_file_size: Option<u64>,
        overlays: &[PathBuf],
    ) -> Result<ProjectRun, Vec<Diagnostic>> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let config_path = match (config, no_config) {
            (_, true) => None,
            (Some(path), false) => Some(path.clone()),
            // The config of the tree being checked: found from where the checked paths
            // are when they all lie outside the working directory (`check $REPO/telemetry`).
            (None, false) => config::discover(&consentlint::project::checked_root(&cwd, paths)),
        };
        let config = config_path
            .map(|path| Config::load(&path, &cwd))
            .transpose()?;
        let mut limits = config
            .as_ref()
            .map_or_else(Limits::default, |c| c.limits.clone());
        if let Some(size) = max_file_size {
            limits.max_file_size = size;
        }
        let options = Options {
            paths: paths.to_vec(),
            policy: policy
                .map(str::to_owned)
                .or_else(|| config.as_ref().and_then(|c| c.policy.clone())),
            limits,
            project_root: config.as_ref().map_or_else(
                || consentlint::project::checked_root(&cwd, paths),
                |c| c.dir.clone(),
            ),
            today: Date::today(),
            files: config.as_ref().map(|c| c.files.clone()).unwrap_or_default(),
            progress: None,
            classify: None,
            overlays: None,
            stdin: None,
        };
        let mut options = options;
        let mut problems = Vec::new();
        let paths: Vec<String> = config
            .iter()
            .flat_map(|c| c.classifications.iter().cloned())
            .chain(overlays.iter().map(|p| p.display().to_string()))
            .collect();
        if !paths.is_empty() {
            let (loaded, mut broken) =
                consentlint::overlay::Overlays::load(&paths, &cwd, &options.limits);
            problems.append(&mut broken);
            options.overlays = Some(std::sync::Arc::new(loaded));
        }
        Ok(ProjectRun {
            cwd,
            config,
            options,
            problems,
        })
    }
}

/// The classifier rules a project uses: `--rules`, else the config's `classifier:`, else
/// the built-in ones.
pub(crate) fn project_rules(
    given: Option<&str>,
    config: Option<&Config>,
) -> Result<std::sync::Arc<consentlint::classify::Rules>, Vec<Diagnostic>> {
    match given
        .map(str::to_owned)
        .or_else(|| config.and_then(|c| c.classifier.clone()))
    {
        None => Ok(consentlint::classify::Rules::builtin_default()),
        Some(reference) => consentlint::classify::Rules::load(&reference, &Limits::default())
            .map(std::sync::Arc::new),
    }
}

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

/// 2 for unreadable or invalid input, else 1 for findings at or above `--fail-on`, else 0.
pub(crate) fn exit_code(diagnostics: &[Diagnostic], fail_on: FailOn) -> ExitCode {
    if diagnostics
        .iter()
        .any(|d| d.code.category() == Category::Input && d.severity == Severity::Error)
    {
        return ExitCode::from(2);
    }
    match fail_on.threshold() {
        Some(t) if diagnostics.iter().any(|d| d.severity.at_least(t)) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Write to stdout; a closed pipe (`| head`) ends the program quietly.
pub(crate) fn print_or_exit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}
