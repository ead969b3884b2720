//! `policy test`: cases that pin down what a policy decides (`kind: PolicyTest`).
//!
//! In: policy test files (named, or found by walking directories). Each case is one field
//! of one event, decided by [`check::check_one`] — the step `check` takes for every field
//! of a manifest — so a case says exactly what `check` would say of the same field. Out:
//! per case the verdict, the rule that decided and the code `check` reports, whether that
//! is what the case expects (a `policy-test-failed` diagnostic at the case when it is
//! not), and, in [`coverage`], which rules and decision cells the cases reached.
//!
//! A case checks the policy's `limits:` only for the settings it states (`transport`,
//! `region`, `retention_days`): a case is about a data type, and a setting it does not
//! mention is not what it tests. A grant's own `max_retention_days` is part of the
//! decision and fails without `retention_days`, as for an event that declares none.

pub mod coverage;

use crate::check::field::FieldSite;
use crate::check::limits::Settings;
use crate::check::{self, EventSite, names};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::document::policy_test::{CaseDecl, PolicyTestDoc};
use crate::document::{Kind, Sp};
use crate::load::schema_check::Format;
use crate::load::{self, Limits};
use crate::policy::taxonomy::purpose_within;
use crate::policy::{DataClass, Identification, LevelIdx, Policy, RuleIdx, Verdict};
use crate::project::Project;
use crate::reference::{self, Reference};
use crate::run::policies::{Missed, Policies};
use crate::run::walk;
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A policy test file, read and validated.
pub struct TestFile {
    pub source: Arc<SourceFile>,
    pub doc: PolicyTestDoc,
}

/// What the policy says of one case.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `check` reports nothing for the field.
    pub allowed: bool,
    /// The rule that decided the type: the grant that permits it, the deny rule, or the
    /// closest grant that fails. `None` when no rule mentions the type.
    pub rule: Option<RuleIdx>,
    /// What `check` reports for the field, the first finding first.
    pub findings: Vec<Diagnostic>,
}

impl Outcome {
    pub fn code(&self) -> Option<Code> {
        self.findings.first().map(|d| d.code)
    }
}

/// One case, run.
#[derive(Clone, Debug)]
pub struct CaseRun {
    pub file: String,
    pub line: usize,
    pub case: CaseDecl,
    /// The compiled policy it ran against (an index into [`Run::policies`]).
    pub policy: usize,
    pub level: LevelIdx,
    pub class: DataClass,
    pub outcome: Outcome,
    /// The `policy-test-failed` diagnostic when the outcome is not what the case expects.
    pub failure: Option<Diagnostic>,
}

impl CaseRun {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// Every case of a run, the policies they ran against, and the problems found on the way.
#[derive(Default)]
pub struct Run {
    /// Every test file read, in order.
    pub files: Vec<String>,
    pub cases: Vec<CaseRun>,
    pub policies: Vec<Arc<Policy>>,
    /// Input problems (exit 2), and the failures of the cases.
    pub diagnostics: Vec<Diagnostic>,
}

/// Read the policy test files among `paths`: named files and the tests found walking the
/// directories (other documents in them are passed by; a named file of another kind is an
/// `unknown-document`).
pub fn read(
    paths: &[PathBuf],
    root: &std::path::Path,
    limits: &Limits,
    out: &mut Vec<Diagnostic>,
) -> Vec<TestFile> {
    let inputs = walk::inputs(paths, &crate::config::FileFilter::default(), root, out);
    let mut files = Vec::new();
    for input in inputs {
        let read = load::read_source(&input.path, &input.display, limits)
            .and_then(|source| load::parse(&source, limits).map(|root| (source, root)));
        let (source, root) = match read {
            Ok(read) => read,
            Err(problem) => {
                // A walked file that is not even YAML is not a test of ours.
                if input.explicit {
                    out.push(problem);
                }
                continue;
            }
        };
        match Kind::detect(&root) {
            Some(Kind::PolicyTest) => {}
            Some(kind) if input.explicit => {
                out.push(not_a_test(&input.display, Some(kind)));
                continue;
            }
            None if input.explicit => {
                out.push(not_a_test(&input.display, None));
                continue;
            }
            _ => continue,
        }
        let before = out.len();
        load::duplicate_keys(&root, &source, out);
        out.extend(load::schema_check::validate(
            &root,
            &source,
            Format::PolicyTest,
        ));
        if out.len() == before {
            files.push(TestFile {
                doc: PolicyTestDoc::read(&root),
                source,
            });
        }
    }
    files
}

/// `unknown-document`: a file named to `policy test` that holds no policy test.
fn not_a_test(display: &str, kind: Option<Kind>) -> Diagnostic {
    let what = kind.map_or("not a consentlint document".to_owned(), |k| {
        k.describe().to_owned()
    });
    Diagnostic::new(
        Code::UnknownDocument,
        display.to_owned(),
        format!("`{display}` is not a policy test ({what})"),
    )
    .with_help(
        "a policy test starts with `kind: PolicyTest`, names its `policy:` and lists `cases:`",
    )
}

/// Run every case of `files` against the policy each file names, compiled once per run and
/// confined to `project` as `check` confines a manifest's.
pub fn run(files: &[TestFile], project: &Project, limits: &Limits) -> Run {
    let policies = Policies::new(None, project, limits, Missed::Test);
    let mut run = Run {
        files: files.iter().map(|f| f.source.name.clone()).collect(),
        ..Run::default()
    };
    let mut compiled: Vec<Arc<Policy>> = Vec::new();
    for file in files {
        let policy = match policy_of(file, project, &policies) {
            Ok(policy) => policy,
            Err(problem) => {
                run.diagnostics.push(problem);
                continue;
            }
        };
        let index = match compiled.iter().position(|p| Arc::ptr_eq(p, &policy)) {
            Some(i) => i,
            None => {
                compiled.push(Arc::clone(&policy));
                compiled.len() - 1
            }
        };
        let (cases, problems) = run_file(file, &policy);
        run.diagnostics.extend(problems);
        run.cases.extend(cases.into_iter().map(|mut c| {
            c.policy = index;
            c
        }));
    }
    let (_, problems) = policies.finish();
    run.diagnostics.extend(problems);
    run.diagnostics
        .extend(run.cases.iter().filter_map(|c| c.failure.clone()));
    run.policies = compiled;
    run
}

/// The compiled policy a test file names, or why it has none.
fn policy_of(
    file: &TestFile,
    project: &Project,
    policies: &Policies<'_>,
) -> Result<Arc<Policy>, Diagnostic> {
    let source = &file.source;
    // The schema requires `policy:`.
    let Some(named) = &file.doc.policy else {
        return Err(Diagnostic::at(
            Code::InvalidValue,
            source,
            Default::default(),
            "the test names no `policy:`",
        ));
    };
    let reference = reference::resolve(&source.name, &named.value, Some(project))
        .map_err(|reason| reference::refused(source, named.span, "policy", &reason))?;
    if Reference::parse(&reference).is_local() && !std::path::Path::new(&reference).is_file() {
        return Err(reference::missing(
            source,
            Some(named.span),
            "policy",
            &reference,
        ));
    }
    policies
        .get(&reference)
        .ok_or_else(|| policies.unavailable_at(source, Some(named.span), &reference))
}

/// Run the cases of one file against `policy`: the cases run, and the problems of the
/// cases that could not (an unknown type, level or purpose, a repeated name).
pub fn run_file(file: &TestFile, policy: &Policy) -> (Vec<CaseRun>, Vec<Diagnostic>) {
    let source = &file.source;
    let mut problems = Vec::new();
    let mut runs = Vec::new();
    let mut names: HashMap<&str, &Sp<String>> = HashMap::new();
    for case in &file.doc.cases {
        if let Some(first) = names.insert(&case.name.value, &case.name) {
            problems.push(
                invalid(
                    source,
                    &case.name,
                    format!("a second case named `{}`", case.name.value),
                    "repeated name",
                )
                .with_related(Label::new(source, first.span, "first named here"))
                .with_help("give each case a name of its own: a failure is reported by it"),
            );
            continue;
        }
        match run_case(source, case, policy) {
            Ok(run) => runs.push(run),
            Err(mut bad) => problems.append(&mut bad),
        }
    }
    (runs, problems)
}

fn invalid(source: &Arc<SourceFile>, at: &Sp<String>, message: String, label: &str) -> Diagnostic {
    Diagnostic::at(Code::InvalidValue, source, at.span, message).with_label(label)
}

/// Decide one case as `check` decides a field, and judge it against what it expects.
pub fn run_case(
    source: &Arc<SourceFile>,
    case: &CaseDecl,
    policy: &Policy,
) -> Result<CaseRun, Vec<Diagnostic>> {
    let decided = decide(source, case, policy);
    let mut problems = expectation_problems(source, case, policy);
    let (ty, level, outcome) = match decided {
        Ok(decided) if problems.is_empty() => decided,
        Ok(_) => return Err(problems),
        Err(mut more) => {
            more.append(&mut problems);
            return Err(more);
        }
    };
    let failure = judge(source, case, policy, &outcome);
    Ok(CaseRun {
        file: source.name.clone(),
        line: source.line_col(case.name.span.start).line,
        case: case.clone(),
        policy: 0,
        level,
        class: policy.class_of(ty),
        outcome,
        failure,
    })
}

/// What a case expects that the policy has no such thing as: a rule, a code.
fn expectation_problems(
    source: &Arc<SourceFile>,
    case: &CaseDecl,
    policy: &Policy,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let rule = case
        .rule
        .as_ref()
        .filter(|r| !policy.rules.iter().any(|rule| rule.id == r.value));
    if let Some(r) = rule {
        let ids = policy.rules.iter().map(|rule| rule.id.as_str());
        problems.push(
            invalid(
                source,
                r,
                format!("policy `{}` has no rule `{}`", policy.id, r.value),
                "no such rule",
            )
            .with_help(or_list(
                crate::suggest::hint(&r.value, ids),
                "`consentlint policy compile POLICY` lists the rules",
            )),
        );
    }
    if let Some(code) = &case.code {
        if Code::from_name(&code.value).is_none() {
            let hint = crate::suggest::hint(&code.value, Code::ALL.iter().map(|c| c.as_str()));
            problems.push(
                invalid(
                    source,
                    code,
                    format!("`{}` is not a diagnostic code", code.value),
                    "no such code",
                )
                .with_help(or_list(hint, "`consentlint explain-code` lists the codes")),
            );
        } else if case.expect_allow.value {
            problems.push(
                invalid(
                    source,
                    code,
                    "a case that expects `allow` expects no code".to_owned(),
                    "a code for an allowed case",
                )
                .with_help("drop `code:`, or expect `deny`"),
            );
        }
    }
    problems
}

/// Decide a case as `check` decides the field: its type, level and the outcome; or the
/// problems that keep it from being decided (a type, level or purpose the policy lacks).
fn decide(
    source: &Arc<SourceFile>,
    case: &CaseDecl,
    policy: &Policy,
) -> Result<(crate::policy::TypeId, LevelIdx, Outcome), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let ty = policy.taxonomy.get(&case.data_type.value);
    if ty.is_none() {
        problems.push(
            invalid(
                source,
                &case.data_type,
                format!(
                    "policy `{}` has no data type `{}`",
                    policy.id, case.data_type.value
                ),
                "not in the taxonomy",
            )
            .with_help(or_list(
                policy.taxonomy.suggest(&case.data_type.value),
                "`consentlint taxonomy --policy POLICY` lists the types",
            )),
        );
    }
    let level = policy.level(&case.consent.value);
    if level.is_none() {
        let levels: Vec<&str> = policy.levels.iter().map(|l| l.id.as_str()).collect();
        problems.push(
            invalid(
                source,
                &case.consent,
                format!(
                    "policy `{}` has no consent level `{}`",
                    policy.id, case.consent.value
                ),
                "no such level",
            )
            .with_help(format!("its levels, lowest first: {}", levels.join(", "))),
        );
    }
    if let Some(declared) = &policy.purposes {
        for p in case
            .purposes
            .iter()
            .filter(|p| !declared.iter().any(|d| purpose_within(&p.value, d)))
        {
            problems.push(
                invalid(
                    source,
                    p,
                    format!("policy `{}` declares no purpose `{}`", policy.id, p.value),
                    "undeclared purpose",
                )
                .with_help(format!("its purposes: {}", declared.join(", "))),
            );
        }
    }
    let (Some(ty), Some(level)) = (ty, level) else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let identification = case
        .identification
        .as_ref()
        .and_then(|i| Identification::parse(&i.value));
    let event = EventSite {
        name: case.name.value.clone(),
        level: Some(level),
        consent_label: Some(Label::new(
            source,
            case.consent.span,
            format!("the case is collected at `{}`", case.consent.value),
        )),
        purposes: case.purposes.iter().map(|p| p.value.as_str()).collect(),
        retention_days: case.retention_days.as_ref().map(|r| r.value),
        default_identification: None,
        fixable: false,
    };
    let field = FieldSite {
        source: Arc::clone(source),
        name: case.name.value.clone(),
        name_span: case.name.span,
        data_type: Some(case.data_type.clone()),
        identification: case.identification.clone(),
        value: names::ValueKind::Any,
        hints: None,
        inferred: None,
        overlaid: None,
        from_schema: false,
    };
    let regions = case.region.as_ref().map(std::slice::from_ref);
    let settings = Settings {
        transport: case.transport.as_ref(),
        regions,
        retention_days: case.retention_days.as_ref(),
        expires: None,
        event_span: case.name.span,
        undeclared_fails: false,
    };
    let findings = check::check_one(source, &settings, &event, &field, policy);
    let verdict = policy.decide(
        ty,
        identification.unwrap_or(policy.defaults.identification),
        event.context(level),
    );
    let rule = match verdict {
        Verdict::Permitted(rule) => rule,
        Verdict::Denied(rule) => Some(rule),
        Verdict::Failed { grant, .. } => Some(grant),
        Verdict::NoGrant => None,
    };
    let outcome = Outcome {
        allowed: findings.is_empty(),
        rule,
        findings,
    };
    Ok((ty, level, outcome))
}

fn or_list(hint: String, otherwise: &str) -> String {
    if hint.is_empty() {
        otherwise.to_owned()
    } else {
        hint
    }
}

/// The `policy-test-failed` diagnostic for a case whose outcome is not what it expects,
/// at what it expects: the verdict, else the rule, else the code.
fn judge(
    source: &Arc<SourceFile>,
    case: &CaseDecl,
    policy: &Policy,
    outcome: &Outcome,
) -> Option<Diagnostic> {
    let name = &case.name.value;
    let rule_id = outcome.rule.map(|r| policy.rules[r].id.as_str());
    let decided = match rule_id {
        Some(id) => format!("rule `{id}`"),
        None => "`defaults.unmatched` (no rule mentions the type)".to_owned(),
    };
    let first = outcome.findings.first();
    let reported = || match first {
        Some(d) => format!("`{}`", d.code.as_str()),
        None => "nothing".to_owned(),
    };
    let (span, message, label) = if case.expect_allow.value != outcome.allowed {
        let message = if outcome.allowed {
            format!(
                "case `{name}` expects `deny`, but the policy allows `{}` at `{}` (decided by {decided})",
                case.data_type.value, case.consent.value
            )
        } else {
            format!(
                "case `{name}` expects `allow`, but `check` reports {} for `{}` at `{}` (decided by {decided})",
                reported(),
                case.data_type.value,
                case.consent.value
            )
        };
        (
            case.expect_allow.span,
            message,
            format!(
                "the policy says `{}`",
                if outcome.allowed { "allow" } else { "deny" }
            ),
        )
    } else if let Some(expected) = case
        .rule
        .as_ref()
        .filter(|r| Some(r.value.as_str()) != rule_id)
    {
        (
            expected.span,
            format!(
                "case `{name}` expects rule `{}` to decide, but it is decided by {decided}",
                expected.value
            ),
            format!("decided by {decided}"),
        )
    } else if let Some(expected) = case
        .code
        .as_ref()
        .filter(|c| first.map(|d| d.code.as_str()) != Some(c.value.as_str()))
    {
        (
            expected.span,
            format!(
                "case `{name}` expects `{}`, but `check` reports {}",
                expected.value,
                reported()
            ),
            format!("`check` reports {}", reported()),
        )
    } else {
        return None;
    };
    let mut d = Diagnostic::at(Code::PolicyTestFailed, source, span, message).with_label(label);
    if let Some(r) = outcome.rule {
        let rule = &policy.rules[r];
        d = d.with_rule(&rule.id).with_related(
            rule.origin
                .label(format!("decided by this rule: `{}`", rule.id)),
        );
    }
    d.data_type = Some(case.data_type.value.clone());
    d.event = Some(name.clone());
    let help = match first {
        Some(f) => f.help.clone().unwrap_or_else(|| f.message.clone()),
        None => format!(
            "`check` reports nothing for `{}` at `{}`; `consentlint explain {} --consent {}` shows why",
            case.data_type.value, case.consent.value, case.data_type.value, case.consent.value
        ),
    };
    Some(d.with_help(help))
}

/// The cases of `files` whose outcome under `new` differs from their outcome under `old`
/// (their own `policy:` aside): what a change of the policy would flip.
pub fn flips(files: &[TestFile], old: &Policy, new: &Policy) -> Vec<Flip> {
    let mut out = Vec::new();
    for file in files {
        for case in &file.doc.cases {
            let side = |policy: &Policy| {
                let (_, _, outcome) = decide(&file.source, case, policy).ok()?;
                let passes = expectation_problems(&file.source, case, policy).is_empty()
                    && judge(&file.source, case, policy, &outcome).is_none();
                Some(Side::of(&outcome, policy, passes))
            };
            let (b, a) = (side(old), side(new));
            if b != a {
                out.push(Flip {
                    file: file.source.name.clone(),
                    line: file.source.line_col(case.name.span.start).line,
                    name: case.name.value.clone(),
                    before: b,
                    after: a,
                });
            }
        }
    }
    out
}

/// A case whose outcome a policy change flips.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flip {
    pub file: String,
    pub line: usize,
    pub name: String,
    /// `None`: the case cannot run against that version (a type or level it lacks).
    pub before: Option<Side>,
    pub after: Option<Side>,
}

/// What one version of the policy says of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    pub allowed: bool,
    pub rule: Option<String>,
    pub code: Option<String>,
    /// Whether the case holds against this version.
    pub passes: bool,
}

impl Side {
    fn of(outcome: &Outcome, policy: &Policy, passes: bool) -> Side {
        Side {
            allowed: outcome.allowed,
            rule: outcome.rule.map(|r| policy.rules[r].id.clone()),
            code: outcome.code().map(|c| c.as_str().to_owned()),
            passes,
        }
    }
}
