//! The `consentlint` command line: the commands and their flags, dispatched to `cli::*`.

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod cli;

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
        /// manifest, policy, taxonomy, config, classification, classifier, baseline or
        /// policy-test.
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = &cli.explain {
        return cli::docs::explain(Some(code));
    }
    match cli.command {
        Some(Command::Check(args)) => cli::check::run(args),
        Some(Command::Audit(args)) => cli::audit::run(args),
        Some(Command::Classify(args)) => cli::classify::run(args),
        Some(Command::Init(args)) => cli::init::run(args),
        Some(Command::Schema { name }) => cli::docs::schema(name.as_deref()),
        Some(Command::ExplainCode { code }) => cli::docs::explain(code.as_deref()),
        Some(Command::Taxonomy {
            policy,
            format,
            output,
        }) => cli::docs::taxonomy(&policy, format, output.as_deref()),
        Some(Command::Policy(command)) => cli::policy::policy(command),
        Some(Command::Explain(args)) => cli::policy::explain(args),
        Some(Command::Report(args)) => cli::policy::report(args),
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "consentlint", &mut out);
            cli::print_or_exit(&String::from_utf8_lossy(&out));
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
