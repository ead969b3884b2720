//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.
//!
//! A result's `ruleId` is the diagnostic code (`open-schema`), or the code and the policy
//! rule that decided (`consent-too-low/usage-needs-optional`) so that code scanning keeps
//! one alert kind per policy rule. The driver lists a rule for every code used and for
//! every code/policy-rule pair used, with the `--explain` text and the policy rule's own
//! description and reference as help. Columns count Unicode code points, as in every other
//! format, and `partialFingerprints` carry the line-independent diagnostic fingerprint.

use super::Input;
use crate::diagnostic::{Code, Diagnostic, Label, Severity};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The SARIF schema the output declares.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(input: &Input<'_>) -> String {
    let rules = rules(input);
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    // Results are written one at a time (see `super::Each`); keys in sorted order, as
    // `serde_json::Value` writes them.
    let results = super::Each(input.diagnostics, |d: &Diagnostic| {
        let id = rule_id(d);
        result(d, &id, index.get(id.as_str()).copied())
    });
    let log = Log {
        schema: SCHEMA_URI,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            invocations: [Invocation {
                execution_successful: !input.diagnostics.iter().any(Diagnostic::is_input_error),
            }],
            results,
            tool: json!({
                "driver": {
                    "name": "consentlint",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|(_, r)| r).collect::<Vec<_>>(),
                }
            }),
        }],
        version: "2.1.0",
    };
    super::pretty_string(&log)
}

#[derive(Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<R>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R> {
    column_kind: &'static str,
    invocations: [Invocation; 1],
    results: R,
    tool: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

/// `code`, or `code/rule` when a policy rule decided.
fn rule_id(d: &Diagnostic) -> String {
    match &d.rule {
        Some(rule) => format!("{}/{rule}", d.code.as_str()),
        None => d.code.as_str().to_owned(),
    }
}

/// The driver's rules, sorted by id: every code used, and every code/rule pair used.
fn rules(input: &Input<'_>) -> Vec<(String, Value)> {
    let mut rules = BTreeMap::new();
    for d in input.diagnostics {
        rules
            .entry(d.code.as_str().to_owned())
            .or_insert_with(|| code_rule(d.code));
        if d.rule.is_some() {
            rules
                .entry(rule_id(d))
                .or_insert_with(|| policy_rule(input, d));
        }
    }
    rules.into_iter().collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn summary(code: Code) -> String {
    let text = code.explanation();
    text.split("\n\n").next().unwrap_or("").replace('\n', " ")
}

fn code_rule(code: Code) -> Value {
    let explanation = code.explanation();
    json!({
        "id": code.as_str(),
        "name": code.as_str(),
        "shortDescription": { "text": summary(code) },
        "fullDescription": { "text": explanation },
        "help": { "text": explanation, "markdown": explanation },
        "defaultConfiguration": { "level": level(code.default_severity()) },
        "properties": { "tags": ["consentlint", category(code)] },
    })
}

fn category(code: Code) -> &'static str {
    match code.category() {
        crate::diagnostic::Category::Finding => "finding",
        crate::diagnostic::Category::Input => "input",
    }
}

fn policy_rule(input: &Input<'_>, d: &Diagnostic) -> Value {
    let rule_name = d.rule.as_deref().unwrap_or_default();
    let found = input.rule(d);
    let mut short = format!("{} (policy rule `{rule_name}`)", summary(d.code));
    let mut help = String::new();
    let mut properties = json!({
        "tags": ["consentlint", category(d.code), "policy-rule"],
        "code": d.code.as_str(),
        "policyRule": rule_name,
    });
    if let Some((policy, rule)) = found {
        short = format!(
            "{}: policy `{}` rule `{rule_name}` ({})",
            d.code.as_str(),
            policy.id,
            rule.selector_text
        );
        if let Some(message) = &rule.message {
            help.push_str(&format!("Policy rule `{rule_name}`: {message}\n"));
        } else {
            help.push_str(&format!(
                "Policy rule `{rule_name}` of policy `{}` ({}).\n",
                policy.id, rule.selector_text
            ));
        }
        if let Some(reference) = &rule.reference {
            help.push_str(&format!("Reference: {reference}\n"));
        }
        help.push('\n');
        properties["policy"] = json!(policy.id);
        properties["policyFile"] = json!(policy.name);
        if let Some(reference) = &rule.reference {
            properties["reference"] = json!(reference);
        }
    }
    help.push_str(&d.code.explanation());
    json!({
        "id": rule_id(d),
        "name": rule_id(d),
        "shortDescription": { "text": short },
        "fullDescription": { "text": help },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(d.severity) },
        "properties": properties,
    })
}

fn result(d: &Diagnostic, rule_id: &str, rule_index: Option<usize>) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let location = match &d.primary {
        Some(label) => physical(label, &d.file),
        None => json!({ "artifactLocation": artifact(&d.file) }),
    };
    let mut result = json!({
        "ruleId": rule_id,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": location }],
        "partialFingerprints": { "consentlint/v1": d.fingerprint() },
        "properties": {
            "code": d.code.as_str(),
        },
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    if !d.related.is_empty() {
        result["relatedLocations"] = d
            .related
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "id": i,
                    "physicalLocation": physical(l, &l.source.name),
                    "message": { "text": l.message },
                })
            })
            .collect();
    }
    if let Some(fix) = &d.fix {
        // The edits `check --fix` would make (with `--unsafe-fixes` for an unsafe one).
        let changes: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({
                    "artifactLocation": artifact(&e.file),
                    "replacements": [{
                        "deletedRegion": {
                            "startLine": e.start.line,
                            "startColumn": e.start.column,
                            "endLine": e.end.line,
                            "endColumn": e.end.column,
                        },
                        "insertedContent": { "text": e.replacement },
                    }],
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.description },
            "artifactChanges": changes,
        }]);
        result["properties"]["fixApplicability"] = json!(fix.applicability.as_str());
    }
    let properties = &mut result["properties"];
    for (key, value) in [
        ("policyRule", &d.rule),
        ("event", &d.event),
        ("field", &d.field),
        ("dataType", &d.data_type),
    ] {
        if let Some(value) = value {
            properties[key] = json!(value);
        }
    }
    result
}

fn physical(label: &Label, file: &str) -> Value {
    // `Label::end` is the column just past the last character, as SARIF's `endColumn`.
    let (start, end) = (label.start(), label.end());
    json!({
        "artifactLocation": artifact(file),
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        },
    })
}

/// A file as a relative URI reference from the source root (`%SRCROOT%`).
fn artifact(file: &str) -> Value {
    if crate::reference::Reference::parse(file).builtin().is_some() {
        // Embedded documents have no file in the repository.
        return json!({ "uri": file });
    }
    json!({ "uri": uri_path(file), "uriBaseId": "%SRCROOT%" })
}

/// Percent-encode what may not appear in a URI path.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri_path;

    #[test]
    fn encodes_uri_paths() {
        assert_eq!(uri_path("a b/ç#1.yaml"), "a%20b/%C3%A7%231.yaml");
        assert_eq!(uri_path("demo/notes-app/x.yaml"), "demo/notes-app/x.yaml");
    }
}
