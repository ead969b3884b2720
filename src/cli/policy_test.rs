//! `policy test`: run the cases of policy test files (`kind: PolicyTest`), optionally with
//! the coverage of the policies' rules and decision cells.

use clap::{Args, ValueEnum};
use consentlint::config::FailOn;
use consentlint::diagnostic::Diagnostic;
use consentlint::load::Limits;
use consentlint::policy_test::{self, coverage};
use consentlint::render::{self, Summary, human};
use consentlint::sink::{Exit, Sink};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct TestArgs {
    /// Policy test files, or directories to walk for them.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
    /// Report, per policy, the rules the cases exercised and the consent level × data class
    /// cells they reached.
    #[arg(long)]
    coverage: bool,
    /// Exit with 1 when a policy's rule coverage is under PCT percent (implies `--coverage`).
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u8).range(0..=100))]
    fail_under: Option<u8>,
    /// Colour the human output.
    #[arg(long, value_enum, default_value_t = super::Color::Auto)]
    color: super::Color,
    /// Write the output to FILE instead of the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum TestFormat {
    Human,
    Json,
    Junit,
    Sarif,
}

/// Exit 0 when every case holds (and coverage is not under `--fail-under`), 1 when one
/// does not, 2 on invalid input.
pub fn run(args: TestArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = consentlint::project::checked_root(&cwd, &args.paths);
    let project_root = consentlint::config::discover(&root)
        .and_then(|file| file.parent().map(std::path::Path::to_path_buf))
        .unwrap_or(root);
    let project = consentlint::project::Project::new(&project_root);
    let limits = Limits::default();
    let mut diagnostics = Vec::new();
    let files = policy_test::read(&args.paths, &project.root, &limits, &mut diagnostics);
    let run = policy_test::run(&files, &project, &limits);
    diagnostics.extend(run.diagnostics.iter().cloned());
    let mut sink = Sink::new(None);
    sink.extend(diagnostics);
    let settled = sink.finish(FailOn::Error);
    let diagnostics: Vec<Diagnostic> = settled.diagnostics;
    let coverage = (args.coverage || args.fail_under.is_some()).then(|| coverage::of(&run));
    let text = match args.format {
        TestFormat::Human => {
            let style = human::Style {
                color: args.output.is_none() && args.color.enabled(),
                width: 100,
            };
            render::policy_test::human(&run, &diagnostics, coverage.as_deref(), style)
        }
        TestFormat::Json => render::policy_test::json(&run, &diagnostics, coverage.as_deref()),
        TestFormat::Junit => render::policy_test::junit(&run, &diagnostics),
        TestFormat::Sarif => {
            let summary = Summary::new(&diagnostics, run.files.len(), 0, 0, 0);
            render::sarif::render(&render::Input {
                diagnostics: &diagnostics,
                summary: &summary,
                files: &run.files,
                policies: &run.policies,
                fail_on: Some(consentlint::diagnostic::Severity::Error),
            })
        }
    };
    if let Some(code) = super::emit(args.output.as_deref(), &text, None) {
        return code;
    }
    let mut under = false;
    if let (Some(coverage), Some(pct)) = (&coverage, args.fail_under) {
        for c in coverage.iter().filter(|c| c.percent() < f64::from(pct)) {
            eprintln!(
                "consentlint: the cases exercise {:.0}% of the rules of policy `{}`, under --fail-under {pct}",
                c.percent(),
                c.policy.id
            );
            under = true;
        }
    }
    if settled.exit == Exit::Clean && under {
        return ExitCode::from(1);
    }
    super::exit(settled.exit)
}
