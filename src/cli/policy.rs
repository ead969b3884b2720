//! The auditor commands of the command line: `policy lint|compile|diff`, `explain`,
//! `report`. Each parses its flags here, calls the library, renders, and returns the exit
//! code; `main.rs` only dispatches to them.

use clap::{Args, Subcommand, ValueEnum};
use consentlint::config::{self, FailOn};
use consentlint::load::Limits;
use consentlint::policy::explain::{self, Query};
use consentlint::policy::matrix::Matrix;
use consentlint::policy::{Identification, Policy};
use consentlint::render::{self, Summary, human};
use consentlint::sink::{Exit, Sink};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Report problems in policies themselves: dead or redundant rules, unused levels and
    /// purposes, undeclared loosenings of an `extends` base.
    Lint(LintArgs),
    /// Print a policy's decision table: every data type × consent level, with the rules behind each cell.
    Compile(CompileArgs),
    /// Compare two versions of a policy cell by cell: what became looser, what tighter.
    Diff(DiffArgs),
    /// Run policy tests (`kind: PolicyTest`): each case's verdict, deciding rule and code,
    /// and with `--coverage` the rules and decision cells no case reaches.
    Test(super::policy_test::TestArgs),
}

#[derive(Args)]
pub struct DiffArgs {
    /// The old version: a path, `builtin:NAME` or `git:REV:path`.
    old: String,
    /// The new version: a path, `builtin:NAME` or `git:REV:path`.
    new: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when anything became looser (so CI can require a reviewer).
    #[arg(long)]
    fail_on_loosen: bool,
    /// Policy test files (or directories of them) whose cases to run against both
    /// versions: the diff lists the cases the change flips.
    #[arg(long = "tests", value_name = "PATH")]
    tests: Vec<PathBuf>,
    /// Write the output to FILE instead of the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
pub struct LintArgs {
    /// The policies: paths, directories (walked for policies), `builtin:NAME` or
    /// `git:REV:path`.
    #[arg(required = true, value_name = "POLICY")]
    policies: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Write the output to FILE instead of the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
pub struct CompileArgs {
    /// The policy: a path, `builtin:NAME` or `git:REV:path`.
    policy: String,
    /// Output format (`json` is stable and carries a content hash to pin a reviewed version).
    #[arg(long, value_enum, default_value_t = TableFormat::Markdown)]
    format: TableFormat,
    /// Write the output to FILE instead of the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The formats of `policy lint`, `policy diff`, `explain` and `taxonomy`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    Json,
    Markdown,
    Html,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Manifests, or directories to walk for them.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The policy to report against: a path or `builtin:NAME`. Overrides a manifest's `policy:`.
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    format: ReportFormat,
    /// Write the output to FILE instead of the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Markdown,
    Html,
    Csv,
    Json,
}

#[derive(Args)]
pub struct ExplainArgs {
    /// The data type, e.g. `user.id`.
    #[arg(value_name = "TYPE")]
    data_type: String,
    /// The consent level of the event.
    #[arg(long, value_name = "LEVEL")]
    consent: String,
    /// How the value is sent (default: the policy's `defaults.identification`).
    #[arg(long, value_name = "Q", value_parser = Identification::names().collect::<Vec<_>>())]
    identification: Option<String>,
    /// A purpose the event declares (repeat for several).
    #[arg(long = "purpose", value_name = "P")]
    purposes: Vec<String>,
    /// How long the event is kept, in days.
    #[arg(long, value_name = "DAYS")]
    retention_days: Option<u64>,
    /// The policy: a path, `builtin:NAME` or `git:REV:path`.
    #[arg(long, value_name = "POLICY", default_value = "builtin:default")]
    policy: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the output to FILE instead of the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn policy(command: PolicyCommand) -> ExitCode {
    match command {
        PolicyCommand::Lint(args) => lint(args),
        PolicyCommand::Compile(args) => compile(args),
        PolicyCommand::Diff(args) => diff(args),
        PolicyCommand::Test(args) => super::policy_test::run(args),
    }
}

/// Compile a policy, printing its problems to stderr; `None` when it has errors.
pub fn load_policy(reference: &str) -> Option<Policy> {
    let (policy, mut problems) = consentlint::policy::compile(reference, &project_limits());
    consentlint::diagnostic::sort(&mut problems);
    if !problems.is_empty() {
        eprint!("{}", human::render(&problems, super::stderr_style()));
    }
    policy
}

/// Default limits, with a policy's references confined to the project (the directory of
/// `consentlint.yaml`, else the working directory), as `check` confines them.
fn project_limits() -> Limits {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = consentlint::config::discover(&cwd)
        .and_then(|file| file.parent().map(std::path::Path::to_path_buf))
        .unwrap_or(cwd);
    Limits {
        confine_to: Some(consentlint::project::Project::new(&root).root),
        ..Limits::default()
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("consentlint: {message}");
    ExitCode::from(2)
}

/// The policies to lint: references as given, directories walked as `check` walks them
/// (only the policies in them), and named files that are not policies skipped with an info.
fn lint_targets(
    given: &[String],
    out: &mut Vec<consentlint::diagnostic::Diagnostic>,
) -> Vec<String> {
    use consentlint::document::{Kind, not_a_policy};
    let limits = Limits::default();
    let kind_of = |path: &std::path::Path, display: &str| {
        let source = consentlint::load::read_source(path, display, &limits).ok()?;
        consentlint::load::parse(&source, &limits)
            .ok()
            .and_then(|root| Kind::detect(&root))
    };
    let mut targets = Vec::new();
    for reference in given {
        let path = std::path::Path::new(reference);
        if !consentlint::reference::Reference::parse(reference).is_local() || !path.exists() {
            // Compiling reports a missing file as it reports every other problem.
            targets.push(reference.clone());
            continue;
        }
        let inputs = if path.is_dir() {
            let root = std::env::current_dir().unwrap_or_default();
            consentlint::run::walk::inputs(
                &[path.to_path_buf()],
                &consentlint::config::FileFilter::default(),
                &root,
                out,
            )
        } else {
            vec![consentlint::run::walk::Input {
                path: path.to_path_buf(),
                display: reference.clone(),
                explicit: true,
            }]
        };
        for input in inputs {
            match kind_of(&input.path, &input.display) {
                Some(Kind::Policy) => targets.push(input.display),
                // Unreadable or broken: compiling says what is wrong with it.
                None if input.explicit => targets.push(input.display),
                None => {}
                Some(kind) if input.explicit => out.push(not_a_policy(&input.display, kind)),
                Some(_) => {}
            }
        }
    }
    targets
}

fn lint(args: LintArgs) -> ExitCode {
    let limits = project_limits();
    let mut diagnostics = Vec::new();
    let targets = lint_targets(&args.policies, &mut diagnostics);
    for reference in &targets {
        let (policy, problems) = consentlint::policy::compile(reference, &limits);
        diagnostics.extend(problems);
        if let Some(policy) = policy {
            diagnostics.extend(consentlint::policy::lint::lint(&policy, &limits));
        }
    }
    let mut sink = Sink::new(None);
    sink.extend(diagnostics);
    let settled = sink.finish(args.fail_on);
    let diagnostics = settled.diagnostics;
    let summary = Summary::new(&diagnostics, targets.len(), 0, 0, 0);
    let text = match args.format {
        Format::Json => render::json::render(&diagnostics, &summary),
        Format::Human => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let mut text = human::render(&diagnostics, human::Style { color, width: 100 });
            let plural =
                |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            text.push_str(&format!(
                "{} linted: {}, {}, {}\n",
                plural(summary.files, "policy").replace("policys", "policies"),
                plural(summary.errors, "error"),
                plural(summary.warnings, "warning"),
                plural(summary.infos, "info"),
            ));
            text
        }
    };
    if let Some(code) = super::emit(args.output.as_deref(), &text, None) {
        return code;
    }
    super::exit(settled.exit)
}

fn compile(args: CompileArgs) -> ExitCode {
    let Some(policy) = load_policy(&args.policy) else {
        return ExitCode::from(2);
    };
    let matrix = Matrix::new(&policy);
    let text = match args.format {
        TableFormat::Json => render::matrix::json(&matrix),
        TableFormat::Markdown => render::matrix::markdown(&matrix),
        TableFormat::Html => render::matrix::html(&matrix),
    };
    if let Some(code) = super::emit(args.output.as_deref(), &text, None) {
        return code;
    }
    ExitCode::SUCCESS
}

fn diff(args: DiffArgs) -> ExitCode {
    let (Some(old), Some(new)) = (load_policy(&args.old), load_policy(&args.new)) else {
        return ExitCode::from(2);
    };
    let changes = consentlint::policy::diff::diff(&old, &new);
    let flips = if args.tests.is_empty() {
        None
    } else {
        let mut problems = Vec::new();
        let root = project_limits().confine_to.unwrap_or_default();
        let files =
            consentlint::policy_test::read(&args.tests, &root, &Limits::default(), &mut problems);
        if problems
            .iter()
            .any(consentlint::diagnostic::Diagnostic::is_input_error)
        {
            return super::stop(problems);
        }
        let cases = files.iter().map(|f| f.doc.cases.len()).sum::<usize>();
        Some((consentlint::policy_test::flips(&files, &old, &new), cases))
    };
    let text = match args.format {
        Format::Human => {
            let mut text = render::diff::human(&old, &new, &changes);
            if let Some((flips, cases)) = &flips {
                text.push_str(&render::diff::human_flips(flips, *cases));
            }
            text
        }
        Format::Json => render::diff::json(
            &old,
            &new,
            &changes,
            flips.as_ref().map(|(f, _)| f.as_slice()),
        ),
    };
    if let Some(code) = super::emit(args.output.as_deref(), &text, None) {
        return code;
    }
    let loosened = changes
        .iter()
        .any(|c| c.direction == consentlint::policy::diff::Direction::Looser);
    if args.fail_on_loosen && loosened {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The inventory on stdout; problems reading inputs on stderr, and exit 2 when there were any.
pub fn report(args: ReportArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // The project config, as `check` reads it: its policy, file globs and limits.
    let root = consentlint::project::checked_root(&cwd, &args.paths);
    let config = match config::discover(&root)
        .map(|path| config::Config::load(&path, &cwd))
        .transpose()
    {
        Ok(config) => config,
        Err(problems) => return super::stop(problems),
    };
    let config = config.as_ref();
    let inventory = consentlint::report::build(&consentlint::report::Options {
        paths: args.paths,
        files: config.map(|c| c.files.clone()).unwrap_or_default(),
        policy: args
            .policy
            .or_else(|| config.and_then(|c| c.policy.clone())),
        limits: config.map_or_else(Limits::default, |c| c.limits.clone()),
        project_root: config.map_or_else(|| root.clone(), |c| c.dir.clone()),
    });
    if !inventory.diagnostics.is_empty() {
        eprint!(
            "{}",
            human::render(&inventory.diagnostics, super::stderr_style())
        );
    }
    let text = match args.format {
        ReportFormat::Markdown => render::report::markdown(&inventory),
        ReportFormat::Html => render::report::html(&inventory),
        ReportFormat::Csv => render::report::csv(&inventory),
        ReportFormat::Json => render::report::json(&inventory),
    };
    if let Some(code) = super::emit(args.output.as_deref(), &text, None) {
        return code;
    }
    // Only broken input fails an inventory; what it lists is for the auditor to judge.
    super::exit(Exit::of(&inventory.diagnostics, FailOn::Never))
}

/// Exit 0 when the type is permitted, 1 when not, 2 on bad input.
pub fn explain(args: ExplainArgs) -> ExitCode {
    let Some(policy) = load_policy(&args.policy) else {
        return ExitCode::from(2);
    };
    let Some(ty) = policy.taxonomy.get(&args.data_type) else {
        let hint = policy.taxonomy.suggest(&args.data_type);
        return usage_error(&format!(
            "policy `{}` has no data type `{}` {hint}",
            policy.id, args.data_type
        ));
    };
    let Some(level) = policy.level(&args.consent) else {
        let names: Vec<&str> = policy.levels.iter().map(|l| l.id.as_str()).collect();
        return usage_error(&format!(
            "policy `{}` has no consent level `{}` (levels, lowest first: {})",
            policy.id,
            args.consent,
            names.join(", ")
        ));
    };
    if let Some(declared) = &policy.purposes
        && let Some(p) = args.purposes.iter().find(|p| {
            !declared
                .iter()
                .any(|d| consentlint::policy::taxonomy::purpose_within(p, d))
        })
    {
        return usage_error(&format!(
            "policy `{}` declares no purpose `{p}` (purposes: {})",
            policy.id,
            declared.join(", ")
        ));
    }
    let identification = args
        .identification
        .as_deref()
        .and_then(Identification::parse)
        .unwrap_or(policy.defaults.identification);
    let explanation = explain::explain(
        &policy,
        Query {
            ty,
            level,
            identification,
            purposes: args.purposes,
            retention_days: args.retention_days,
        },
    );
    let text = match args.format {
        Format::Human => render::explain::render(&policy, &explanation),
        Format::Json => render::explain::json(&policy, &explanation),
    };
    if let Some(code) = super::emit(args.output.as_deref(), &text, None) {
        return code;
    }
    if explanation.passes() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
