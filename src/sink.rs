//! Where every command's diagnostics end, before they are rendered.
//!
//! In: the diagnostics a run produced (checking, auditing, inventorying, linting), the
//! project config, `--select`/`--ignore`, and the baseline. Out: the list to render —
//! severity overrides applied, codes turned off or filtered out dropped, known findings
//! absorbed by the baseline, input text escaped, in the deterministic output order — and
//! the [`Exit`] status. Every command passes through here, so "an input problem cannot be
//! overridden, filtered or baselined, and means exit 2" holds in one place.

use crate::baseline::Baseline;
use crate::config::{Config, FailOn};
use crate::diagnostic::{self, Code, Diagnostic, Severity};
use crate::policy::Policy;
use crate::suggest;
use std::sync::Arc;

/// How a run ends: 0 clean, 1 findings at or above `--fail-on`, 2 input that could not
/// be read or checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Clean,
    Findings,
    Input,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Input => 2,
        }
    }

    /// Input problems first (exit 2), then findings at or above `fail_on` (exit 1).
    pub fn of(diagnostics: &[Diagnostic], fail_on: FailOn) -> Exit {
        if diagnostics.iter().any(Diagnostic::is_input_error) {
            return Exit::Input;
        }
        match fail_on.threshold() {
            Some(t) if diagnostics.iter().any(|d| d.severity.at_least(t)) => Exit::Findings,
            _ => Exit::Clean,
        }
    }
}

/// `--select` / `--ignore`: which findings are reported, by code. Input problems are
/// always reported: a file that could not be read was not checked.
#[derive(Clone, Debug, Default)]
pub struct CodeFilter {
    select: Vec<Code>,
    ignore: Vec<Code>,
}

impl CodeFilter {
    /// The filter for the codes named after `--select` and `--ignore`; an unknown code, or
    /// an input problem to ignore, is the message for the user.
    pub fn new(select: &[String], ignore: &[String]) -> Result<CodeFilter, String> {
        let parse = |names: &[String], flag: &str| -> Result<Vec<Code>, String> {
            names
                .iter()
                .map(|name| {
                    let code = Code::from_name(name.trim()).ok_or_else(|| {
                        let hint = suggest::hint(name, Code::ALL.iter().map(|c| c.as_str()));
                        format!("`{flag} {name}`: no such diagnostic code {hint}")
                    })?;
                    if flag == "--ignore" && code.is_input() {
                        return Err(format!(
                            "`--ignore {name}`: input problems cannot be ignored (the file was not checked)"
                        ));
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

    pub fn keeps(&self, d: &Diagnostic) -> bool {
        if d.code.is_input() {
            return true;
        }
        (self.select.is_empty() || self.select.contains(&d.code)) && !self.ignore.contains(&d.code)
    }
}

/// Collects a run's diagnostics and turns them into what is rendered and the exit status.
pub struct Sink<'a> {
    config: Option<&'a Config>,
    filter: CodeFilter,
    diagnostics: Vec<Diagnostic>,
    baselined: Option<usize>,
}

impl<'a> Sink<'a> {
    /// A sink applying `config`'s severity overrides (none without a config).
    pub fn new(config: Option<&'a Config>) -> Sink<'a> {
        Sink {
            config,
            filter: CodeFilter::default(),
            diagnostics: Vec::new(),
            baselined: None,
        }
    }

    /// Keep only the findings `filter` selects.
    pub fn with_filter(mut self, filter: CodeFilter) -> Sink<'a> {
        self.filter = filter;
        self
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(diagnostics);
    }

    /// Whether the config turns `code` off, so a command's own counts can leave it out.
    pub fn turns_off(&self, code: Code) -> bool {
        self.config.is_some_and(|c| c.turns_off(code))
    }

    /// Severity overrides, the overrides that name nothing `policies` know, and the
    /// filter: the findings as the project wants them reported.
    pub fn settle(&mut self, policies: &[Arc<Policy>]) {
        if let Some(config) = self.config {
            config.apply_severity(&mut self.diagnostics);
            self.diagnostics.extend(config.unknown_overrides(policies));
        }
        let filter = &self.filter;
        self.diagnostics.retain(|d| filter.keeps(d));
    }

    /// Absorb the findings `baseline` already knows in the files the run `checked`.
    pub fn baseline(&mut self, baseline: &Baseline, checked: &[String]) {
        let absorbed = baseline.apply(&mut self.diagnostics, checked).absorbed;
        self.baselined = Some(self.baselined.unwrap_or(0) + absorbed);
    }

    /// The diagnostics so far, as [`settle`](Sink::settle) left them (for writing a
    /// baseline before applying one).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics to render, escaped and in output order, and the exit status.
    pub fn finish(mut self, fail_on: FailOn) -> Settled {
        diagnostic::sort(&mut self.diagnostics);
        let exit = Exit::of(&self.diagnostics, fail_on);
        Settled {
            diagnostics: self.diagnostics,
            baselined: self.baselined,
            exit,
        }
    }
}

/// What a [`Sink`] hands the renderer.
#[derive(Debug)]
pub struct Settled {
    pub diagnostics: Vec<Diagnostic>,
    /// How many findings a baseline absorbed, when one was applied.
    pub baselined: Option<usize>,
    pub exit: Exit,
}

impl Diagnostic {
    /// An error about the input itself (unreadable, unparsable, invalid, unresolved): the
    /// thing it is about was not checked, so the run exits 2.
    pub fn is_input_error(&self) -> bool {
        self.code.is_input() && self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    fn at(code: Code, severity: Severity) -> Diagnostic {
        let source = SourceFile::new("a.yaml", "a: 1\n");
        let mut d = Diagnostic::at(code, &source, Span::new(0, 1), "m");
        d.severity = severity;
        d
    }

    #[test]
    fn input_errors_exit_2_before_any_finding_counts() {
        let findings = [at(Code::DeniedData, Severity::Error)];
        assert_eq!(Exit::of(&findings, FailOn::Error), Exit::Findings);
        assert_eq!(Exit::of(&findings, FailOn::Never), Exit::Clean);
        let broken = [
            at(Code::DeniedData, Severity::Error),
            at(Code::YamlSyntax, Severity::Error),
        ];
        assert_eq!(Exit::of(&broken, FailOn::Never), Exit::Input);
        // A warning about the input (a file skipped on purpose) does not fail the run.
        let warned = [at(Code::YamlSyntax, Severity::Warning)];
        assert_eq!(Exit::of(&warned, FailOn::Error), Exit::Clean);
        assert_eq!(Exit::of(&warned, FailOn::Warning), Exit::Findings);
    }

    #[test]
    fn the_filter_never_drops_input_problems() {
        let filter = CodeFilter::new(&["denied-data".to_owned()], &[]).unwrap();
        assert!(filter.keeps(&at(Code::DeniedData, Severity::Error)));
        assert!(!filter.keeps(&at(Code::ConsentTooLow, Severity::Error)));
        assert!(filter.keeps(&at(Code::YamlSyntax, Severity::Error)));
        let message = CodeFilter::new(&[], &["yaml-syntax".to_owned()]).unwrap_err();
        assert!(
            message.contains("input problems cannot be ignored"),
            "{message}"
        );
        let message = CodeFilter::new(&["denied-dta".to_owned()], &[]).unwrap_err();
        assert!(message.contains("did you mean `denied-data`"), "{message}");
    }

    #[test]
    fn a_sink_without_config_only_filters_sorts_and_decides() {
        let mut sink = Sink::new(None)
            .with_filter(CodeFilter::new(&[], &["consent-too-low".to_owned()]).unwrap());
        sink.extend([
            at(Code::ConsentTooLow, Severity::Error),
            at(Code::DeniedData, Severity::Warning),
        ]);
        sink.settle(&[]);
        let settled = sink.finish(FailOn::Error);
        let codes: Vec<_> = settled.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::DeniedData]);
        assert_eq!(settled.exit, Exit::Clean);
        assert_eq!(settled.baselined, None);
    }
}
