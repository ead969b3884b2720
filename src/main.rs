//! The `consentlint` command line: parse flags, run, render, exit 0 / 1 / 2.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use consentlint::check::date::Date;
use consentlint::config::{self, Config, FailOn};
use consentlint::diagnostic::{Category, Code, Diagnostic, Severity};
use consentlint::load::Limits;
use consentlint::render;
use consentlint::run::Options;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommand handlers that live in their own files: `audit` (captured payloads) and the
/// policy auditor's commands (`policy …`, `explain`, `report`).
mod cli {
    pub mod audit;
    pub mod check;
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
    Check(cli::check::CheckArgs),
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
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
pub(crate) enum Color {
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
        Some(Command::Check(args)) => cli::check::run(args),
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

/// The CI formats (SARIF, GitHub, JUnit, Markdown), shared by `check` and `audit`. Human
/// and JSON output carry each command's own summary, so they are rendered by the command.
pub(crate) fn render_ci(format: Format, input: &render::Input<'_>) -> String {
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
pub(crate) fn emit_with(
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
