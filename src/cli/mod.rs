//! The command handlers, one file per command (or family), and what they share: the
//! output formats, colour, the project a run happens in, writing the report, and turning
//! the [`Exit`] status into the process's.

pub mod audit;
pub mod check;
pub mod classify;
pub mod docs;
pub mod init;
pub mod man;
pub mod policy;
pub mod policy_test;

use clap::ValueEnum;
use consentlint::check::date::Date;
use consentlint::config::{self, Config};
use consentlint::diagnostic::Diagnostic;
use consentlint::load::Limits;
use consentlint::render;
use consentlint::run::Options;
use consentlint::sink::Exit;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    /// One line per finding, `file:line:col: code[rule] message`, for editors' problem
    /// matchers.
    Concise,
    Json,
    /// One JSON object per finding per line, nothing else (for pipelines, and to compare runs).
    Ndjson,
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

/// The CI formats (SARIF, GitHub, JUnit, Markdown), shared by `check` and `audit`. Human
/// and JSON output carry each command's own summary, so they are rendered by the command.
pub(crate) fn render_ci(format: Format, input: &render::Input<'_>) -> String {
    match format {
        Format::Sarif => render::sarif::render(input),
        Format::Github => render::github::render(input),
        Format::Junit => render::junit::render(input),
        Format::Markdown => render::markdown::render(input),
        Format::Concise => render::concise::render(input.diagnostics),
        Format::Human | Format::Json | Format::Ndjson => String::new(),
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

/// The process's exit status for a run that ended `exit`.
pub(crate) fn exit(exit: Exit) -> ExitCode {
    ExitCode::from(exit.code())
}

/// Problems that stop a command before it runs (a broken config, policy or classifier):
/// printed to stderr, in output order, and the exit status they mean (2 for broken input).
pub(crate) fn stop(problems: Vec<Diagnostic>) -> ExitCode {
    let mut sink = consentlint::sink::Sink::new(None);
    sink.extend(problems);
    let settled = sink.finish(config::FailOn::Error);
    eprint!(
        "{}",
        render::human::render(&settled.diagnostics, stderr_style())
    );
    exit(settled.exit.max(Exit::Input))
}

/// Colour on stderr only for a terminal, never with `NO_COLOR` set.
pub(crate) fn stderr_style() -> render::human::Style {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    render::human::Style { color, width: 100 }
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
