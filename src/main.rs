//! The `consentlint` command line: parse flags, run, render, exit 0 / 1 / 2.

use clap::{Parser, Subcommand, ValueEnum};
use consentlint::check::date::Date;
use consentlint::diagnostic::{Category, Code, Diagnostic, Severity};
use consentlint::load::Limits;
use consentlint::render::{self, Summary, human};
use consentlint::run::{self, Options};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Print the data-type taxonomy of a policy as a tree, with each type's data class.
    Taxonomy {
        /// The policy whose taxonomy (with its `taxonomy_extensions`) to print.
        #[arg(long, value_name = "POLICY", default_value = "builtin:default")]
        policy: String,
    },
    /// Print the documentation of a diagnostic code (all codes without an argument).
    ExplainCode {
        /// The code, e.g. `consent-too-low`.
        code: Option<String>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check (directories are walked for .yaml, .yml, .json).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The policy to check against: a path or `builtin:NAME`. Overrides a manifest's `policy:`.
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Largest file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_size)]
    max_file_size: u64,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Colour in human output (auto: only on a terminal, and never with NO_COLOR set).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print findings only, no summary line.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = &cli.explain {
        return explain(Some(code));
    }
    match cli.command {
        Some(Command::Check(args)) => check(args),
        Some(Command::ExplainCode { code }) => explain(code.as_deref()),
        Some(Command::Taxonomy { policy }) => taxonomy(&policy),
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

fn taxonomy(reference: &str) -> ExitCode {
    let (policy, mut problems) = consentlint::policy::compile(reference, &Limits::default());
    consentlint::diagnostic::finish(&mut problems);
    if !problems.is_empty() {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        eprint!(
            "{}",
            human::render(&problems, human::Style { color, width: 100 })
        );
    }
    match policy {
        Some(policy) => {
            print_or_exit(&render::taxonomy::render(&policy));
            ExitCode::SUCCESS
        }
        None => ExitCode::from(2),
    }
}

fn check(args: CheckArgs) -> ExitCode {
    if let Some(jobs) = args.jobs {
        // Only fails if a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .stack_size(8 << 20)
            .build_global();
    } else {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(8 << 20)
            .build_global();
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let options = Options {
        paths: args.paths,
        policy: args.policy,
        limits: Limits {
            max_file_size: args.max_file_size,
            ..Limits::default()
        },
        project_root: run::find_project_root(&cwd),
        today: Date::today(),
    };
    let report = run::run(&options);
    let summary = Summary::new(
        &report.diagnostics,
        report.files,
        report.skipped,
        report.events,
        report.fields,
    );
    let text = match args.format {
        Format::Json => render::json::render(&report.diagnostics, &summary),
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let mut text = human::render(&report.diagnostics, human::Style { color, width: 100 });
            if !args.quiet {
                text.push_str(&human::summary_line(&summary));
            }
            text
        }
    };
    print_or_exit(&text);
    exit_code(&report.diagnostics, args.fail_on)
}

/// 2 for unreadable or invalid input, else 1 for findings at or above `--fail-on`, else 0.
fn exit_code(diagnostics: &[Diagnostic], fail_on: FailOn) -> ExitCode {
    if diagnostics
        .iter()
        .any(|d| d.code.category() == Category::Input && d.severity == Severity::Error)
    {
        return ExitCode::from(2);
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if diagnostics.iter().any(|d| d.severity.at_least(t)) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Write to stdout; a closed pipe (`| head`) ends the program quietly.
fn print_or_exit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}
