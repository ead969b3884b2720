//! The project config, `consentlint.yaml`.
//!
//! Found by walking up from the working directory (`--config FILE` names one, `--no-config`
//! ignores it). It sets what the command line would otherwise: the policy, which files a
//! walk checks (`include`/`exclude` globs), severity overrides by code or rule id,
//! `fail_on`, a `baseline`, and the input `limits`. Paths and globs are relative to the
//! config file's directory, which is also the project root that `$ref`s may not leave.
//! The file is validated against `schemas/config.schema.json` like every other document,
//! with span-precise diagnostics.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::document::{self, Sp, string};
use crate::load::schema_check::Format;
use crate::load::{self, Limits, Node, Value};
use crate::policy::Policy;
use crate::project;
use crate::reference::{Reference, refused};
use crate::source::SourceFile;
use crate::suggest;
use globset::GlobSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The config file's name.
pub const FILE_NAME: &str = "consentlint.yaml";

/// The lowest severity that makes `check` exit with 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }

    fn parse(text: &str) -> Option<FailOn> {
        match text {
            "never" => Some(FailOn::Never),
            _ => Severity::parse(text).map(|s| match s {
                Severity::Error => FailOn::Error,
                Severity::Warning => FailOn::Warning,
                Severity::Info => FailOn::Info,
            }),
        }
    }
}

/// A severity override: `key` is a diagnostic code or a policy rule id; `None` is `off`.
#[derive(Clone, Debug)]
pub struct Override {
    pub key: Sp<String>,
    pub severity: Option<Severity>,
}

impl Override {
    fn is_code(&self) -> bool {
        Code::from_name(&self.key.value).is_some()
    }
}

/// Which walked files are checked: those matching an `include` glob (all, without one)
/// and no `exclude` glob, matched against the path relative to the config's directory.
#[derive(Clone, Debug, Default)]
pub struct FileFilter {
    base: PathBuf,
    cwd: PathBuf,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl FileFilter {
    /// Whether a walked file (a path as walked from the working directory) is checked.
    /// Files outside the config's directory are not subject to its globs.
    pub fn accepts(&self, path: &Path) -> bool {
        let Some(relative) = self.relative(path) else {
            return true;
        };
        self.include.as_ref().is_none_or(|g| g.is_match(&relative))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(&relative))
    }

    /// Whether a directory is excluded as a whole (the walk then skips it).
    pub fn excludes_dir(&self, path: &Path) -> bool {
        self.relative(path).is_some_and(|relative| {
            self.exclude
                .as_ref()
                .is_some_and(|g| g.is_match(&relative) || g.is_match(format!("{relative}/")))
        })
    }

    fn relative(&self, path: &Path) -> Option<String> {
        if self.include.is_none() && self.exclude.is_none() {
            return None;
        }
        let relative = project::relative(&self.cwd.join(path), &self.base);
        (!relative.starts_with("..")).then_some(relative)
    }
}

/// A loaded, validated config.
#[derive(Clone, Debug)]
pub struct Config {
    pub source: Arc<SourceFile>,
    /// The config file's directory, absolute: the project root.
    pub dir: PathBuf,
    /// `policy:`, as a reference usable from the working directory.
    pub policy: Option<String>,
    pub files: FileFilter,
    pub severity: Vec<Override>,
    pub fail_on: Option<FailOn>,
    /// `baseline:`, as a path usable from the working directory.
    pub baseline: Option<String>,
    pub limits: Limits,
    /// `classifier:`, the project's classifier rules, usable from the working directory.
    pub classifier: Option<String>,
    /// `infer:` — the confidence from which `check` decides on inferred types, if on.
    pub infer: Option<f64>,
    /// `classifications:`, the overlays to apply, as paths usable from the working directory.
    pub classifications: Vec<String>,
}

/// The config file governing `cwd`: the nearest `consentlint.yaml` at or above it.
pub fn discover(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|file| file.is_file())
}

impl Config {
    /// Read and validate the config at `path`; every problem is a diagnostic.
    pub fn load(path: &Path, cwd: &Path) -> Result<Config, Vec<Diagnostic>> {
        let absolute = cwd.join(path);
        let display = project::relative(&absolute, cwd);
        let limits = Limits::default();
        let loaded = load::load_document(
            load::read_source(&absolute, &display, &limits),
            Format::Config,
            &limits,
        )?;
        let (source, root) = (loaded.source, loaded.root);
        let dir = absolute
            .parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
        let mut problems = Vec::new();

        // The config is a file of the project like any other (a pull request can change
        // it), so the files it names may not leave the project either.
        let project = project::Project::seen_from(&dir, cwd);
        let mut confined =
            |what: &str, value: Sp<String>| match project.resolve(&display, &value.value) {
                Ok(resolved) => Some(resolved.display),
                Err(reason) => {
                    problems.push(refused(&source, value.span, what, &reason));
                    None
                }
            };
        let policy = string(&root, "policy").and_then(|p| {
            if Reference::parse(&p.value).is_local() {
                confined("policy", p)
            } else {
                Some(p.value)
            }
        });
        let baseline = string(&root, "baseline").and_then(|b| confined("baseline", b));
        let classifier = string(&root, "classifier").and_then(|c| {
            if Reference::parse(&c.value).is_local() {
                confined("classifier", c)
            } else {
                Some(c.value)
            }
        });
        let classifications = document::strings(&root, "classifications")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| confined("classification overlay", c))
            .collect();
        let infer = root.get("infer").and_then(|n| match n.as_bool() {
            Some(true) => Some(crate::classify::INFER_CONFIDENCE),
            Some(false) => None,
            None => n.as_f64(),
        });
        let include = globs(&root, "include", &source, &mut problems);
        let exclude = globs(&root, "exclude", &source, &mut problems);
        let severity = overrides(&root, &source, &mut problems);
        let fail_on = root
            .get("fail_on")
            .and_then(Node::as_str)
            .and_then(FailOn::parse);
        let mut limits = Limits::default();
        if let Some(node) = root.get("limits") {
            let count = |key: &str| node.get(key).and_then(Node::as_u64);
            if let Some(n) = count("max_file_size") {
                limits.max_file_size = n;
            }
            let usize_of = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
            if let Some(n) = count("max_depth") {
                limits.max_depth = usize_of(n);
            }
            if let Some(n) = count("max_nodes") {
                limits.max_nodes = usize_of(n);
            }
            if let Some(n) = count("max_aliases") {
                limits.max_aliases = usize_of(n);
            }
            if let Some(n) = count("max_schema_visits") {
                limits.max_schema_visits = usize_of(n);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Config {
            files: FileFilter {
                base: dir.clone(),
                cwd: cwd.to_path_buf(),
                include,
                exclude,
            },
            source,
            dir,
            policy,
            severity,
            fail_on,
            baseline,
            limits,
            classifier,
            infer,
            classifications,
        })
    }

    /// Apply the severity overrides: a rule id's override wins over its code's; `off`
    /// drops the diagnostic. Input problems keep their severity.
    pub fn apply_severity(&self, diagnostics: &mut Vec<Diagnostic>) {
        if self.severity.is_empty() {
            return;
        }
        let by_code = |d: &Diagnostic| {
            self.severity
                .iter()
                .find(|o| o.is_code() && o.key.value == d.code.as_str())
        };
        let by_rule = |d: &Diagnostic| {
            let rule = d.rule.as_deref()?;
            self.severity
                .iter()
                .find(|o| !o.is_code() && o.key.value == rule)
        };
        diagnostics.retain_mut(|d| {
            if d.code.is_input() {
                return true;
            }
            match by_rule(d).or_else(|| by_code(d)) {
                Some(Override {
                    severity: Some(s), ..
                }) => {
                    d.severity = *s;
                    true
                }
                Some(Override { severity: None, .. }) => false,
                None => true,
            }
        });
    }

    /// Whether the config turns a whole diagnostic code `off`.
    pub fn turns_off(&self, code: Code) -> bool {
        !code.is_input()
            && self
                .severity
                .iter()
                .any(|o| o.severity.is_none() && o.key.value == code.as_str())
    }

    /// Overrides keyed by something that is neither a code nor a rule of `policies` (the
    /// policies a run used; nothing is reported when it used none).
    pub fn unknown_overrides(&self, policies: &[Arc<Policy>]) -> Vec<Diagnostic> {
        if policies.is_empty() {
            return Vec::new();
        }
        let rule_ids = || {
            policies
                .iter()
                .flat_map(|p| p.rules.iter().map(|r| r.id.as_str()))
        };
        self.severity
            .iter()
            .filter(|o| !o.is_code() && !rule_ids().any(|id| id == o.key.value))
            .map(|o| {
                let names = Code::ALL.iter().map(|c| c.as_str()).chain(rule_ids());
                Diagnostic::at(
                    Code::UnknownId,
                    &self.source,
                    o.key.span,
                    format!(
                        "`{}` is neither a diagnostic code nor a rule of the policies used",
                        o.key.value
                    ),
                )
                .with_label("overrides nothing")
                .with_help(suggest::hint(&o.key.value, names))
                .with_severity(Severity::Warning)
            })
            .collect()
    }
}

fn globs(
    root: &Node,
    key: &str,
    source: &Arc<SourceFile>,
    problems: &mut Vec<Diagnostic>,
) -> Option<GlobSet> {
    let items = root.get(key)?.as_seq()?;
    let patterns = items
        .iter()
        .filter_map(|item| Some((item.as_str()?, item.span)));
    project::glob_set(source, patterns, problems)
}

fn overrides(
    root: &Node,
    source: &Arc<SourceFile>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Override> {
    let Some(entries) = root.get("severity").and_then(Node::as_map) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries {
        let severity = match &entry.value.value {
            Value::Bool(false) => None,
            Value::Str(s) if s == "off" => None,
            Value::Str(s) => Severity::parse(s),
            _ => None,
        };
        if let Some(code) = Code::from_name(&entry.key)
            && code.is_input()
        {
            problems.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    entry.key_span,
                    format!(
                        "`{}` is an input problem; its severity cannot be changed",
                        entry.key
                    ),
                )
                .with_label("not overridable")
                .with_help(
                    "fix the input instead: a file consentlint cannot read is never checked",
                ),
            );
            continue;
        }
        out.push(Override {
            key: Sp::new(entry.key.clone(), entry.key_span),
            severity,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        project::glob(pattern)
            .unwrap()
            .compile_matcher()
            .is_match(path)
    }

    #[test]
    fn globs_match_like_gitignore_lines() {
        assert!(matches("*.json", "a/b/c.json"));
        assert!(!matches("schemas/*.json", "schemas/sub/c.json"));
        assert!(matches("schemas/**/*.json", "schemas/sub/c.json"));
        assert!(matches("legacy/", "legacy/x/y.yaml"));
        assert!(matches("legacy", "a/legacy/y.yaml"));
        assert!(matches("./gen/*.yaml", "gen/x.yaml"));
        assert!(!matches("gen/*.yaml", "other/gen/x.yaml"));
    }
}
