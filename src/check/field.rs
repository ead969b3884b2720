//! Deciding one field and, when it fails, explaining why.
//!
//! The verdict itself is a table lookup (`Policy::decide`); everything else in this module
//! — messages, help computed from the decision table, related locations — runs only for
//! fields that fail.

use super::EventSite;
use super::names;
use crate::diagnostic::fix::{self, Applicability, Fix};
use crate::diagnostic::{Code, Diagnostic, Label, Severity};
use crate::document::Sp;
use crate::policy::table::Unclassified;
use crate::policy::{DataClass, Failure, Identification, Policy, RuleIdx, Verdict};
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// A field as declared in a manifest or derived from an event schema.
#[derive(Clone, Debug)]
pub struct FieldSite {
    pub source: Arc<SourceFile>,
    pub name: String,
    pub name_span: Span,
    pub data_type: Option<Sp<String>>,
    pub identification: Option<Sp<String>>,
    /// What the value can be, where the definition says (for the sensitive-name check).
    pub value: names::ValueKind,
    /// What the definition says besides the name, for the classifier; gathered only for
    /// fields nobody classified.
    pub hints: Option<Box<crate::classify::Hints>>,
    /// Set when `check --infer` gave the field its type: what the classifier proposed.
    pub inferred: Option<Box<crate::classify::Candidate>>,
    /// Set when a classification overlay gave the field its type: the overlay entry.
    pub overlaid: Option<Box<Label>>,
    /// Derived from an event schema (not declared in a manifest's `fields:`): the same path
    /// may then come from several `anyOf`/`oneOf`/`allOf` branches, each of which the
    /// event may carry.
    pub from_schema: bool,
}

/// Say, in the message (which every format shows) and at the field, that its type was
/// inferred and from what.
pub fn mark_inferred(d: &mut Diagnostic, candidate: &crate::classify::Candidate) {
    let evidence: Vec<String> = candidate.evidence.iter().map(ToString::to_string).collect();
    d.message.push_str(&format!(
        " [type `{}` inferred from {}; confidence {:.2}]",
        candidate.data_type,
        evidence.join(", "),
        candidate.confidence
    ));
    d.data_type
        .get_or_insert_with(|| candidate.data_type.clone());
}

/// Point a finding on an overlaid field at the overlay entry too; a type the taxonomy
/// does not know is the overlay's mistake, so that finding points at the overlay first.
pub fn mark_overlaid(d: &mut Diagnostic, entry: &Label, field: &FieldSite) {
    if d.code == Code::UnknownDataType {
        let mut at_entry = entry.clone();
        at_entry.message = "not in the taxonomy".to_owned();
        d.file = entry.source.name.clone();
        if let Some(primary) = d.primary.replace(at_entry) {
            d.related.insert(
                0,
                Label::new(
                    &primary.source,
                    field.name_span,
                    format!("the field it classifies: `{}`", field.name),
                ),
            );
        }
        return;
    }
    d.related.push(entry.clone());
}

/// The sensitive-name heuristic: a field whose name suggests more sensitive data than
/// its classification (`check::names`). Runs on fields the policy otherwise decided on,
/// and on unclassified fields only where the policy allows them (elsewhere
/// `unclassified-field` already asks for a type).
pub fn check_name(policy: &Policy, event: &EventSite<'_>, field: &FieldSite) -> Option<Diagnostic> {
    let identification = field
        .identification
        .as_ref()
        .and_then(|i| Identification::parse(&i.value));
    if identification.is_some_and(|i| i <= Identification::Anonymized) {
        return None;
    }
    let declared = match &field.data_type {
        Some(t) => {
            let ty = policy.taxonomy.get(&t.value)?;
            let class = policy.class_of(ty);
            if !matches!(
                class,
                DataClass::SystemMetadata | DataClass::PublicNonPersonal
            ) {
                return None;
            }
            Some((t, class))
        }
        None if policy.defaults.unclassified == Unclassified::Allow => None,
        None => return None,
    };
    let hint = names::suggestion(&field.name, field.value)?;
    let suggested = match policy.taxonomy.get(hint.data_type) {
        Some(ty) => format!("`{}` ({})", hint.data_type, policy.class_of(ty)),
        None => format!("`{}`", hint.data_type),
    };
    let mut d = match declared {
        Some((t, class)) => Diagnostic::at(
            Code::SuspiciousClassification,
            &field.source,
            t.span,
            format!(
                "field `{}` is classified `{}` ({class}), but its name suggests {}",
                field.name, t.value, hint.what
            ),
        )
        .with_label(format!("{class}"))
        .with_related(Label::new(
            &field.source,
            field.name_span,
            format!("`{}` in the name", hint.term),
        )),
        None => Diagnostic::at(
            Code::SuspiciousClassification,
            &field.source,
            field.name_span,
            format!(
                "field `{}` has no data type, and its name suggests {}",
                field.name, hint.what
            ),
        )
        .with_label(format!("`{}` in the name", hint.term)),
    };
    d = d.with_help(format!(
        "if it holds {}, classify it {suggested}; if the name misleads, rename the field or suppress `suspicious-classification` for it",
        hint.what
    ));
    d.event = Some(event.name.clone());
    d.field = Some(field.name.clone());
    d.data_type = field.data_type.as_ref().map(|t| t.value.clone());
    Some(d)
}

/// Check one field; `None` means it is fine.
pub fn check_field(
    policy: &Policy,
    event: &EventSite<'_>,
    field: &FieldSite,
) -> Option<Diagnostic> {
    let diagnostic = decide_field(policy, event, field)?;
    let mut diagnostic = diagnostic;
    diagnostic.event = Some(event.name.clone());
    diagnostic.field = Some(field.name.clone());
    if diagnostic.data_type.is_none() {
        diagnostic.data_type = field.data_type.as_ref().map(|t| t.value.clone());
    }
    Some(diagnostic)
}

fn decide_field(policy: &Policy, event: &EventSite<'_>, field: &FieldSite) -> Option<Diagnostic> {
    let Some(data_type) = &field.data_type else {
        let severity = match policy.defaults.unclassified {
            Unclassified::Allow => return None,
            Unclassified::Warning => Severity::Warning,
            Unclassified::Error => Severity::Error,
        };
        return Some(
            Diagnostic::at(Code::UnclassifiedField, &field.source, field.name_span, format!("field `{}` has no data type", field.name))
                .with_label("unclassified")
                .with_severity(severity)
                .with_related(policy.origin.label(format!("policy `{}` decides only on classified fields", policy.id)))
                .with_help("add `type:` (in a schema: `x-data-type`) with a type from the taxonomy; `consentlint taxonomy` lists them"),
        );
    };
    let Some(ty) = policy.taxonomy.get(&data_type.value) else {
        let hint = policy.taxonomy.suggest(&data_type.value);
        return Some(
            Diagnostic::at(Code::UnknownDataType, &field.source, data_type.span, format!("unknown data type `{}`", data_type.value))
                .with_label("not in the taxonomy")
                .with_related(policy.origin.label(format!("the taxonomy of policy `{}`", policy.id)))
                .with_help(if hint.is_empty() { "use a type from `consentlint taxonomy`, or add it to the policy's `taxonomy_extensions`".to_owned() } else { hint }),
        );
    };
    let identification = field
        .identification
        .as_ref()
        .and_then(|i| Identification::parse(&i.value))
        .or(event.default_identification)
        .unwrap_or(policy.defaults.identification);
    // Without a known level only the level-independent verdict (a denial) is certain.
    let (level, only_denials) = match event.level {
        Some(level) => (level, false),
        None => (policy.levels.len().saturating_sub(1), true),
    };
    let verdict = policy.decide(ty, identification, event.context(level));
    if only_denials && !matches!(verdict, Verdict::Denied(_)) {
        return None;
    }
    let type_id = &data_type.value;
    let class = policy.class_of(ty);
    match verdict {
        Verdict::Permitted(_) => None,
        Verdict::Denied(r) => {
            let rule = &policy.rules[r];
            let mut message = format!(
                "field `{}` is `{type_id}` ({class}), which the policy denies",
                field.name
            );
            if let Some(m) = &rule.message {
                message = format!("{message}: {m}");
            }
            let help = match rule.below {
                Some(b) => format!(
                    "`{type_id}` is denied below `{}`; drop the field or move it to an event collected at `{}` or above",
                    policy.levels[b].id, policy.levels[b].id
                ),
                None if rule.purposes.is_some() => format!(
                    "`{type_id}` is denied for purposes {}; drop the field or the purpose",
                    list(rule.purposes.as_deref().unwrap_or_default())
                ),
                None => format!("drop the field: no event may carry `{type_id}` under this policy"),
            };
            Some(
                with_event(
                    Diagnostic::at(Code::DeniedData, &field.source, data_type.span, message)
                        .with_label("denied data type")
                        .with_rule(&rule.id)
                        .with_severity(rule.severity)
                        .with_help(help),
                    event,
                )
                .with_related(rule_label(policy, r, "denied by this rule")),
            )
        }
        Verdict::Failed { grant, failures } => {
            Some(failed(policy, event, field, data_type, grant, &failures))
        }
        Verdict::NoGrant => {
            let mut d = Diagnostic::at(
                Code::NoGrant,
                &field.source,
                data_type.span,
                format!("no rule of the policy allows `{type_id}` ({class}), carried by field `{}`", field.name),
            )
            .with_label("not granted")
            .with_help(format!("drop the field, or have a grant for `{type_id}` (or a parent type) added to the policy"));
            d = d.with_related(match &policy.defaults.unmatched_origin {
                Some(origin) => origin.label("types no rule mentions are denied"),
                None => policy
                    .origin
                    .label(format!("policy `{}` has no grant for it", policy.id)),
            });
            Some(with_event(d, event))
        }
    }
}

fn failed(
    policy: &Policy,
    event: &EventSite<'_>,
    field: &FieldSite,
    data_type: &Sp<String>,
    grant: RuleIdx,
    failures: &[Failure],
) -> Diagnostic {
    let rule = &policy.rules[grant];
    let type_id = &data_type.value;
    let level_name = |l: usize| policy.levels.get(l).map_or("?", |l| l.id.as_str());
    let event_level = event.level.map_or("?", level_name);
    let (code, message, span, label) = match failures.first() {
        Some(Failure::Consent { needed }) => (
            Code::ConsentTooLow,
            format!(
                "field `{}` is `{type_id}`, allowed only at `{}` or above; this event is `{event_level}`",
                field.name,
                level_name(*needed)
            ),
            data_type.span,
            format!("needs `{}` consent", level_name(*needed)),
        ),
        Some(Failure::Identification { max }) => {
            let sent = field.identification.as_ref().map_or_else(
                || "identified (the default)".to_owned(),
                |i| i.value.clone(),
            );
            (
                Code::IdentificationTooHigh,
                format!(
                    "field `{}` (`{type_id}`) is sent {sent}; the policy allows it only {max} or less",
                    field.name
                ),
                field
                    .identification
                    .as_ref()
                    .map_or(data_type.span, |i| i.span),
                format!("must be {max} or less"),
            )
        }
        Some(Failure::Purpose { purpose }) => (
            Code::PurposeNotAllowed,
            format!(
                "field `{}` (`{type_id}`) may not be collected for purpose `{purpose}`",
                field.name
            ),
            data_type.span,
            format!("not allowed for `{purpose}`"),
        ),
        Some(Failure::Retention { max, actual }) => (
            Code::RetentionExceeded,
            match actual {
                Some(days) => format!(
                    "field `{}` (`{type_id}`) may be kept at most {max} days; this event keeps it {days} days",
                    field.name
                ),
                None => format!(
                    "field `{}` (`{type_id}`) may be kept at most {max} days; this event declares no `retention_days`",
                    field.name
                ),
            },
            data_type.span,
            format!("at most {max} days"),
        ),
        None => (
            Code::NoGrant,
            format!("field `{}` (`{type_id}`) is not granted", field.name),
            data_type.span,
            "not granted".to_owned(),
        ),
    };
    let mut help = grant_summary(policy, grant);
    let others: Vec<String> = policy
        .grants_for(policy.taxonomy.get(type_id).unwrap_or_default())
        .iter()
        .filter(|&&g| g != grant)
        .map(|&g| grant_summary(policy, g))
        .collect();
    if !others.is_empty() {
        help = format!("{help}; other grants: {}", others.join("; "));
    }
    let mut d = Diagnostic::at(code, &field.source, span, message)
        .with_label(label)
        .with_rule(&rule.id)
        .with_severity(rule.severity)
        .with_help(help)
        .with_fix(machine_fix(
            policy,
            event,
            field,
            data_type,
            failures.first(),
        ));
    d = with_event(d, event);
    d.with_related(rule_label(policy, grant, "the closest grant"))
}

/// The failure's fix as an edit, where one edit makes it: raise the event's `consent:` to
/// the level the grant needs, or declare the field as identifiable as the grant allows
/// (replacing its `identification:`, or adding one to a manifest field). Both are unsafe:
/// right only when the app then collects as declared. None for a field whose type or
/// identification came from an overlay or the classifier (the edit would be elsewhere).
fn machine_fix(
    policy: &Policy,
    event: &EventSite<'_>,
    field: &FieldSite,
    data_type: &Sp<String>,
    failure: Option<&Failure>,
) -> Option<Fix> {
    if !event.fixable || field.overlaid.is_some() || field.inferred.is_some() {
        return None;
    }
    match failure? {
        Failure::Consent { needed } => {
            let consent = event.consent_label.as_ref()?;
            let level = &policy.levels.get(*needed)?.id;
            let mut edit = fix::replace_scalar(&consent.source, consent.span, level)?;
            edit.rank = *needed;
            Some(Fix::new(
                format!("raise the event's `consent:` to `{level}`"),
                Applicability::Unsafe,
                vec![edit],
            ))
        }
        Failure::Identification { max } => {
            let edit = match &field.identification {
                Some(written) => fix::replace_scalar(&field.source, written.span, max.as_str())?,
                None if !field.from_schema => fix::insert_yaml_key(
                    &field.source,
                    data_type.span,
                    "identification",
                    max.as_str(),
                )?,
                None => return None,
            };
            Some(Fix::new(
                format!("declare `{}` sent {max}", field.name),
                Applicability::Unsafe,
                vec![edit],
            ))
        }
        _ => None,
    }
}

/// "`user.id` is allowed at `optional` or above when pseudonymized or less (rule `x`)".
pub fn grant_summary(policy: &Policy, g: RuleIdx) -> String {
    let rule = &policy.rules[g];
    let mut text = format!(
        "rule `{}` allows it at `{}` or above",
        rule.id, policy.levels[rule.min_consent].id
    );
    if rule.max_identification != Identification::Identified {
        text.push_str(&format!(" when {} or less", rule.max_identification));
    }
    if let Some(purposes) = &rule.purposes {
        text.push_str(&format!(", for purposes {}", list(purposes)));
    }
    if let Some(days) = rule.max_retention_days {
        text.push_str(&format!(", kept at most {days} days"));
    }
    text
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rule_label(policy: &Policy, r: RuleIdx, what: &str) -> Label {
    let rule = &policy.rules[r];
    rule.origin.label(format!("{what}: `{}`", rule.id))
}

/// Add the event's `consent:` as a secondary location.
fn with_event(mut d: Diagnostic, event: &EventSite<'_>) -> Diagnostic {
    if let Some(consent) = &event.consent_label {
        d.related.insert(0, consent.clone());
    }
    d
}
