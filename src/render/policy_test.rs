//! `policy test`: the cases run, as text, JSON (version 1) or JUnit; SARIF is the check
//! renderer's, over the run's diagnostics.

use super::html::escape;
use super::human::{self, Style};
use crate::diagnostic::Diagnostic;
use crate::policy_test::coverage::PolicyCoverage;
use crate::policy_test::{CaseRun, Run};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn verdict(allowed: bool) -> &'static str {
    if allowed { "allow" } else { "deny" }
}

/// The failures and input problems as `check` renders diagnostics, the coverage when
/// asked for, and a summary line.
pub fn human(
    run: &Run,
    diagnostics: &[Diagnostic],
    coverage: Option<&[PolicyCoverage]>,
    style: Style,
) -> String {
    let mut out = human::render(diagnostics, style);
    for cov in coverage.unwrap_or_default() {
        let p = &cov.policy;
        let exercised = cov.rules.iter().filter(|(_, n)| *n > 0).count();
        let reached = cov.cells.iter().filter(|(_, _, n)| *n > 0).count();
        let _ = writeln!(
            out,
            "coverage of policy `{}` ({}): {exercised} of {} exercised ({:.0}%), {reached} of {} level × class cells reached",
            p.id,
            p.name,
            plural(cov.rules.len(), "rule"),
            cov.percent(),
            cov.cells.len()
        );
        for r in cov.unexercised() {
            let rule = &p.rules[r];
            let at = rule.origin.source.line_col(rule.origin.span.start);
            let _ = writeln!(
                out,
                "  no case exercises rule `{}` ({}:{})",
                rule.id, rule.origin.source.name, at.line
            );
        }
        let mut missed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (level, class, _) in cov.cells.iter().filter(|(_, _, n)| *n == 0) {
            missed
                .entry(p.levels[*level].id.as_str())
                .or_default()
                .push(class.as_str());
        }
        for level in p.levels.iter().map(|l| l.id.as_str()) {
            if let Some(classes) = missed.get(level) {
                let _ = writeln!(
                    out,
                    "  no case at `{level}` reaches: {}",
                    classes.join(", ")
                );
            }
        }
    }
    let failed = run.cases.iter().filter(|c| !c.passed()).count();
    let _ = writeln!(
        out,
        "{} run in {}: {} passed, {} failed",
        plural(run.cases.len(), "case"),
        plural(run.files.len(), "file"),
        run.cases.len() - failed,
        failed
    );
    out
}

fn case_json(run: &Run, c: &CaseRun) -> Value {
    let policy = &run.policies[c.policy];
    let rule = c.outcome.rule.map(|r| {
        let rule = &policy.rules[r];
        let at = rule.origin.source.line_col(rule.origin.span.start);
        json!({"id": rule.id, "file": rule.origin.source.name, "line": at.line})
    });
    json!({
        "file": c.file,
        "line": c.line,
        "name": c.case.name.value,
        "type": c.case.data_type.value,
        "consent": c.case.consent.value,
        "class": c.class.as_str(),
        "policy": policy.id,
        "expect": verdict(c.case.expect_allow.value),
        "actual": verdict(c.outcome.allowed),
        "rule": rule,
        "code": c.outcome.code().map(|c| c.as_str()),
        "passed": c.passed(),
    })
}

fn coverage_json(coverage: &[PolicyCoverage]) -> Value {
    let mut rules = Vec::new();
    let mut cells = Vec::new();
    let mut policies = Vec::new();
    for cov in coverage {
        let p = &cov.policy;
        policies.push(json!({
            "id": p.id,
            "file": p.name,
            "rules": cov.rules.len(),
            "exercised": cov.rules.iter().filter(|(_, n)| *n > 0).count(),
            "percent": (cov.percent() * 10.0).round() / 10.0,
        }));
        for (r, hits) in &cov.rules {
            let rule = &p.rules[*r];
            let at = rule.origin.source.line_col(rule.origin.span.start);
            rules.push(json!({"policy": p.id, "id": rule.id, "hits": hits, "file": rule.origin.source.name, "line": at.line}));
        }
        for (level, class, n) in &cov.cells {
            cells.push(json!({"policy": p.id, "level": p.levels[*level].id, "class": class.as_str(), "cases": n, "reached": *n > 0}));
        }
    }
    json!({"policies": policies, "rules": rules, "cells": cells})
}

/// `{"cases": [...], "coverage": {...}, "diagnostics": [...], "summary": {...}}`.
pub fn json(run: &Run, diagnostics: &[Diagnostic], coverage: Option<&[PolicyCoverage]>) -> String {
    let failed = run.cases.iter().filter(|c| !c.passed()).count();
    let mut body = json!({
        "cases": run.cases.iter().map(|c| case_json(run, c)).collect::<Vec<_>>(),
        "diagnostics": diagnostics.iter().map(super::json::diagnostic).collect::<Vec<_>>(),
        "summary": {
            "files": run.files.len(),
            "cases": run.cases.len(),
            "passed": run.cases.len() - failed,
            "failed": failed,
            "errors": diagnostics.iter().filter(|d| d.is_input_error()).count(),
        },
    });
    if let Some(coverage) = coverage {
        body["coverage"] = coverage_json(coverage);
    }
    super::json_document(body)
}

/// JUnit XML: a test suite per file, a test case per case; a file's input problems are
/// an `<error>` case of their own.
pub fn junit(run: &Run, diagnostics: &[Diagnostic]) -> String {
    let mut suites = String::new();
    let (mut total, mut failures, mut errors) = (0, 0, 0);
    let mut files: Vec<&str> = run.files.iter().map(String::as_str).collect();
    files.extend(
        diagnostics
            .iter()
            .filter(|d| d.is_input_error())
            .map(|d| d.file.as_str()),
    );
    files.sort();
    files.dedup();
    for file in files {
        let mut body = String::new();
        let (mut tests, mut failed, mut broken) = (0, 0, 0);
        for c in run.cases.iter().filter(|c| c.file == file) {
            tests += 1;
            let _ = write!(
                body,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"",
                escape(file),
                escape(&c.case.name.value),
                escape(file),
                c.line
            );
            match &c.failure {
                None => body.push_str("/>\n"),
                Some(d) => {
                    failed += 1;
                    let _ = writeln!(
                        body,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                        d.code.as_str(),
                        escape(&d.message),
                        escape(d.help.as_deref().unwrap_or_default())
                    );
                }
            }
        }
        let problems: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.file == file && d.is_input_error())
            .collect();
        if !problems.is_empty() {
            tests += 1;
            broken += 1;
            let details: String = problems
                .iter()
                .map(|d| {
                    format!(
                        "{} {}: {}\n",
                        super::location(d),
                        d.code.as_str(),
                        d.message
                    )
                })
                .collect();
            let _ = writeln!(
                body,
                "    <testcase classname=\"{}\" name=\"(input)\" file=\"{}\">\n      <error type=\"input\" message=\"{}\">{}</error>\n    </testcase>",
                escape(file),
                escape(file),
                escape(&format!(
                    "{}: {}",
                    problems[0].code.as_str(),
                    problems[0].message
                )),
                escape(&details)
            );
        }
        total += tests;
        failures += failed;
        errors += broken;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failed}\" errors=\"{broken}\" skipped=\"0\">",
            escape(file)
        );
        suites.push_str(&body);
        suites.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"consentlint policy test\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}
