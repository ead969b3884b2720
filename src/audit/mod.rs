//! `consentlint audit` — checking captured telemetry payloads against what the manifests
//! declare and the policy allows.
//!
//! In: NDJSON payload streams (files, `-` for standard input, `.gz`), the manifests under
//! `--manifests` and their policies. Out: a [`Report`] with the same [`Diagnostic`]s every
//! renderer of `check` reads (file = the payload stream, line = the payload's line) and
//! counts for the summary (events seen per name, findings per code).
//!
//! Streams are read line by line ([`stream`]) and each line is parsed and audited on its
//! own ([`record`]), so memory does not grow with the input; diagnostics are capped per
//! kind ([`tally`]). Values are never reported in full ([`pii::mask`], [`excerpt`]).

mod catalog;
mod excerpt;
pub mod pii;
mod raw;
mod record;
mod scan;
pub mod stream;
pub mod tally;

use crate::diagnostic::{self, Code, Diagnostic};
use crate::load::Limits;
use crate::policy::Policy;
use catalog::Catalog;
use std::path::PathBuf;
use std::sync::Arc;
use stream::{Line, Lines};
pub use tally::Tally;

/// What to audit and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Payload streams: paths, `-` for standard input.
    pub payloads: Vec<String>,
    /// A manifest file, or a directory walked for manifests.
    pub manifests: PathBuf,
    /// A policy overriding every manifest's own `policy:`.
    pub policy: Option<String>,
    /// The consent level the capture was made under, if known.
    pub consent_state: Option<String>,
    /// Fields that may hold the event name, first present wins.
    pub event_fields: Vec<String>,
    /// Fields that may hold the payload object, first present wins; else the record's other
    /// top-level keys are the payload.
    pub payload_fields: Vec<String>,
    /// Longest line audited, in bytes; longer lines are skipped unread.
    pub max_line_length: usize,
    /// Diagnostics kept per kind of finding (code, event, field); the rest are counted.
    pub max_repeats: u32,
    pub limits: Limits,
    pub project_root: PathBuf,
    /// Which walked manifest files are read (the config's `include`/`exclude`).
    pub files: crate::config::FileFilter,
}

impl Options {
    pub const DEFAULT_EVENT_FIELDS: [&str; 2] = ["event", "name"];
    pub const DEFAULT_PAYLOAD_FIELDS: [&str; 3] = ["payload", "properties", "data"];
    pub const DEFAULT_MAX_LINE_LENGTH: usize = 1 << 20;
    pub const DEFAULT_MAX_REPEATS: u32 = 5;
}

/// Everything an audit found.
#[derive(Debug)]
pub struct Report {
    /// Sorted into the deterministic output order.
    pub diagnostics: Vec<Diagnostic>,
    pub tally: Tally,
    /// Manifests read.
    pub manifests: usize,
    /// The payload streams audited (display names), in order.
    pub files: Vec<String>,
    /// The policies the manifests use, for reports that describe rules.
    pub policies: Vec<Arc<Policy>>,
}

/// What every line's audit shares.
struct Audit {
    catalog: Catalog,
    /// `(field, its JSON pointer)`, computed once rather than on every line.
    event_fields: Vec<(String, String)>,
    payload_fields: Vec<(String, String)>,
    consent_state: Option<String>,
    manifests_display: String,
    max_depth: usize,
}

/// Run an audit. `Err` is a usage error (nothing was audited).
pub fn run(options: &Options) -> Result<Report, String> {
    let mut problems = Vec::new();
    let catalog = Catalog::load(options, &mut problems);
    if let Some(state) = &options.consent_state
        && !catalog.policies.is_empty()
        && !catalog.policies.iter().any(|p| p.level(state).is_some())
    {
        let levels: Vec<&str> = catalog.policies[0]
            .levels
            .iter()
            .map(|l| l.id.as_str())
            .collect();
        return Err(format!(
            "--consent-state `{state}` is not a consent level of the manifests' policy (levels: {}) {}",
            levels.join(", "),
            crate::suggest::hint(state, levels.iter().copied())
        ));
    }
    let cx = Audit {
        catalog,
        event_fields: with_pointers(&options.event_fields),
        payload_fields: with_pointers(&options.payload_fields),
        consent_state: options.consent_state.clone(),
        manifests_display: crate::project::normalize(&options.manifests),
        // serde_json's own nesting limit: deeper lines fail to parse, cleanly.
        max_depth: 128,
    }
    .with_no_manifests(&mut problems);
    let mut tally = Tally::new(options.max_repeats);
    let mut files = Vec::new();
    for path in &options.payloads {
        let display = if path == "-" {
            "<stdin>".to_owned()
        } else {
            path.replace('\\', "/")
        };
        tally.files += 1;
        files.push(display.clone());
        match stream::open(path) {
            Ok(reader) => audit_stream(&cx, &display, reader, options.max_line_length, &mut tally),
            Err(e) => problems.push(crate::load::unreadable(&display, e)),
        }
    }
    let manifests = cx.catalog.manifests;
    let mut diagnostics = std::mem::take(&mut tally.diagnostics);
    diagnostics.extend(problems);
    diagnostic::sort(&mut diagnostics);
    Ok(Report {
        diagnostics,
        tally,
        manifests,
        files,
        policies: cx.catalog.policies,
    })
}

fn with_pointers(fields: &[String]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|f| (f.clone(), format!("/{}", crate::load::pointer::escape(f))))
        .collect()
}

impl Audit {
    fn with_no_manifests(self, problems: &mut Vec<Diagnostic>) -> Audit {
        if self.catalog.manifests == 0 {
            problems.push(
                Diagnostic::new(Code::UnreadableFile, self.manifests_display.clone(), format!("no telemetry manifest found in `{}`", self.manifests_display))
                    .with_help("point `--manifests` at the directory (or file) holding the `kind: TelemetryManifest` documents"),
            );
        }
        self
    }
}

fn audit_stream(
    cx: &Audit,
    display: &str,
    reader: Box<dyn std::io::BufRead>,
    max_line_length: usize,
    tally: &mut Tally,
) {
    let mut lines = Lines::new(reader, max_line_length);
    let mut scratch = scan::Scratch::default();
    loop {
        match lines.next_line() {
            Ok(None) => break,
            Ok(Some((number, Line::Text(text)))) => {
                tally.lines += 1;
                tally.bytes += text.len() as u64 + 1;
                record::audit_line(cx, display, number, text, tally, &mut scratch);
            }
            Ok(Some((number, Line::TooLong { length }))) => {
                tally.lines += 1;
                tally.bytes += length + 1;
                if tally.admit(Code::PayloadLineTooLong, "", display) {
                    let source = crate::source::SourceFile::excerpt(display, "", number, 1);
                    let d = Diagnostic::at(
                        Code::PayloadLineTooLong,
                        &source,
                        crate::source::Span::default(),
                        format!("line {number} is {length} bytes long, over the limit of {max_line_length}; it was skipped"),
                    )
                    .with_help("raise `--max-line-length` if payloads this large are expected");
                    tally.push(d);
                }
            }
            Err(e) => {
                tally.push(crate::load::unreadable(display, e));
                break;
            }
        }
    }
}
