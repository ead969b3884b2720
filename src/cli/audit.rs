//! `consentlint audit`: flags, then the library's audit, rendered like `check`.

use super::{Color, Format};
use consentlint::audit::{self, Options};
use consentlint::config::FailOn;
use consentlint::load::Limits;
use consentlint::render::{self, human};
use consentlint::sink::Sink;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct AuditArgs {
    /// Captured payloads, NDJSON: one JSON object per line. `-` reads standard input; a
    /// name ending in `.gz` is decompressed.
    #[arg(required = true, value_name = "PAYLOADS")]
    payloads: Vec<String>,
    /// The manifest declaring the events, or a directory walked for manifests.
    #[arg(long, value_name = "DIR")]
    manifests: PathBuf,
    /// The policy: a path or `builtin:NAME`. Overrides each manifest's `policy:`.
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// The consent level the capture was made under: events declared at a higher level
    /// are reported.
    #[arg(long, value_name = "LEVEL")]
    consent_state: Option<String>,
    /// A field holding the event name (repeatable; the first present wins).
    /// [default: event, name]
    #[arg(long, value_name = "FIELD")]
    event_field: Vec<String>,
    /// A field holding the payload object (repeatable; the first present wins; without any,
    /// the record's other top-level keys are the payload). [default: payload, properties, data]
    #[arg(long, value_name = "FIELD")]
    payload_field: Vec<String>,
    /// Longest line audited, in bytes; a longer line is skipped without being read into
    /// memory and reported.
    #[arg(long, value_name = "BYTES", default_value_t = Options::DEFAULT_MAX_LINE_LENGTH)]
    max_line_length: usize,
    /// Diagnostics shown per kind of finding (code, event, field); the rest are counted.
    /// 0: every finding (memory then grows with the findings).
    #[arg(long, value_name = "N", default_value_t = Options::DEFAULT_MAX_REPEATS)]
    max_repeats: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE; the summary still goes to the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Colour in human output (auto: only on a terminal, and never with NO_COLOR set).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print findings only, no summary.
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn run(args: AuditArgs) -> ExitCode {
    let or_default = |given: Vec<String>, default: &[&str]| {
        if given.is_empty() {
            default.iter().map(|s| (*s).to_owned()).collect()
        } else {
            given
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // The project config, as `check` reads it: its policy, manifest globs, limits and
    // severity overrides apply to the audit too.
    let root = consentlint::project::checked_root(&cwd, std::slice::from_ref(&args.manifests));
    let config = match consentlint::config::discover(&root)
        .map(|path| consentlint::config::Config::load(&path, &cwd))
        .transpose()
    {
        Ok(config) => config,
        Err(problems) => return super::stop(problems),
    };
    let options = Options {
        payloads: args.payloads,
        manifests: args.manifests,
        policy: args
            .policy
            .or_else(|| config.as_ref().and_then(|c| c.policy.clone())),
        consent_state: args.consent_state,
        event_fields: or_default(args.event_field, &Options::DEFAULT_EVENT_FIELDS),
        payload_fields: or_default(args.payload_field, &Options::DEFAULT_PAYLOAD_FIELDS),
        max_line_length: args.max_line_length,
        max_repeats: args.max_repeats,
        limits: config
            .as_ref()
            .map_or_else(Limits::default, |c| c.limits.clone()),
        // References stay inside the project: the directory of `consentlint.yaml`, else here.
        project_root: config.as_ref().map_or(root, |c| c.dir.clone()),
        files: config.as_ref().map(|c| c.files.clone()).unwrap_or_default(),
    };
    let mut report = match audit::run(&options) {
        Ok(report) => report,
        Err(message) => {
            eprintln!("consentlint: {message}");
            return ExitCode::from(2);
        }
    };
    let mut sink = Sink::new(config.as_ref());
    sink.extend(std::mem::take(&mut report.diagnostics));
    sink.settle(&report.policies);
    // A code turned off is not counted in the summary either.
    report.tally.findings.retain(|code, _| {
        consentlint::diagnostic::Code::from_name(code).is_none_or(|c| !sink.turns_off(c))
    });
    let settled = sink.finish(args.fail_on);
    report.diagnostics = settled.diagnostics;
    let summary = render::audit::summary(&report);
    let input = render::Input {
        diagnostics: &report.diagnostics,
        summary: &summary,
        files: &report.files,
        policies: &report.policies,
        fail_on: args.fail_on.threshold(),
    };
    let tail = (!args.quiet).then(|| render::audit::human(&report));
    let text = match args.format {
        Format::Json => render::audit::json(&report),
        Format::Ndjson => {
            let mut out = Vec::new();
            // Writing to memory cannot fail.
            let _ = render::ndjson::write(&mut out, &report.diagnostics);
            String::from_utf8(out).unwrap_or_default()
        }
        Format::Sarif | Format::Github | Format::Junit | Format::Markdown => {
            super::render_ci(args.format, &input)
        }
        Format::Concise => {
            let mut text = render::concise::render(&report.diagnostics);
            if args.output.is_none() {
                text.push_str(tail.as_deref().unwrap_or_default());
            }
            text
        }
        Format::Human => {
            let color = args.output.is_none() && args.color.enabled();
            let mut text = human::render(&report.diagnostics, human::Style { color, width: 100 });
            if args.output.is_none() {
                text.push_str(tail.as_deref().unwrap_or_default());
            }
            text
        }
    };
    // With `--output` the terminal gets the summary; without, human output already has it.
    let terminal = tail.filter(|_| args.output.is_some());
    if let Some(code) = super::emit(args.output.as_deref(), &text, terminal.as_deref()) {
        return code;
    }
    super::exit(settled.exit)
}
