//! The problems a manifest or a metrics file can have before any field is decided, one
//! constructor per case. (A field's verdicts are built in `field.rs`, the limits' in
//! `limits.rs`, what became of a suppression in `suppress.rs`.)

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::document::Sp;
use crate::policy::Policy;
use crate::policy::table::GleanMapping;
use crate::policy::taxonomy::Origin;
use crate::source::{SourceFile, Span};
use crate::suggest;
use std::sync::Arc;

/// `duplicate-event`: two events of one manifest share a name.
pub fn duplicate_event(source: &Arc<SourceFile>, name: &Sp<String>, first: Span) -> Diagnostic {
    Diagnostic::at(
        Code::DuplicateEvent,
        source,
        name.span,
        format!("event `{}` is declared twice", name.value),
    )
    .with_label("declared again here")
    .with_related(Label::new(source, first, "first declared here"))
    .with_help("rename one of the events")
}

/// `duplicate-field`: a field declared twice in one event (`again`, after `first`).
pub fn duplicate_field(field: &str, event: &str, again: Label, first: Label) -> Diagnostic {
    Diagnostic::at(
        Code::DuplicateField,
        &again.source,
        again.span,
        format!("field `{field}` is declared twice in event `{event}`"),
    )
    .with_label("declared again here")
    .with_related(Label {
        message: "first declared here".to_owned(),
        ..first
    })
}

/// `unknown-consent-level`: an event's `consent:` names a level the policy does not declare.
pub fn unknown_level(
    source: &Arc<SourceFile>,
    consent: &Sp<String>,
    policy: &Policy,
) -> Diagnostic {
    let names: Vec<&str> = policy.levels.iter().map(|l| l.id.as_str()).collect();
    let hint = suggest::hint(&consent.value, names.iter().copied());
    Diagnostic::at(
        Code::UnknownConsentLevel,
        source,
        consent.span,
        format!(
            "consent level `{}` is not declared by policy `{}`",
            consent.value, policy.id
        ),
    )
    .with_label("unknown level")
    .with_help(if hint.is_empty() {
        format!("levels, lowest first: {}", names.join(", "))
    } else {
        hint
    })
}

/// `unknown-consent-level`: a Glean metric's `data_sensitivity` value the policy's Glean
/// mapping does not map to a level.
pub fn unmapped_sensitivity(
    source: &Arc<SourceFile>,
    sensitivity: &Sp<String>,
    mapping: &GleanMapping,
    policy: &Policy,
) -> Diagnostic {
    let mapped: Vec<String> = mapping
        .data_sensitivity
        .iter()
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    Diagnostic::at(
        Code::UnknownConsentLevel,
        source,
        sensitivity.span,
        format!(
            "data_sensitivity `{}` has no consent level in policy `{}`",
            sensitivity.value, policy.id
        ),
    )
    .with_label("not mapped")
    .with_related(mapping.origin.label("the policy's Glean mapping"))
    .with_help(format!(
        "mapped values: {}; add `{}` to `sources.glean.data_sensitivity`",
        mapped.join(", "),
        sensitivity.value
    ))
}

/// `unknown-purpose`: an event's purpose the policy does not declare (nor a parent of).
pub fn unknown_purpose(
    source: &Arc<SourceFile>,
    purpose: &Sp<String>,
    declared: &[String],
    policy: &Policy,
) -> Diagnostic {
    let hint = suggest::hint(&purpose.value, declared.iter().map(String::as_str));
    Diagnostic::at(
        Code::UnknownPurpose,
        source,
        purpose.span,
        format!(
            "purpose `{}` is not declared by policy `{}`",
            purpose.value, policy.id
        ),
    )
    .with_label("unknown purpose")
    .with_help(if hint.is_empty() {
        format!("purposes: {}", declared.join(", "))
    } else {
        hint
    })
}

/// `policy-unavailable`: a Glean metrics file checked against a policy without a Glean
/// mapping.
pub fn no_glean_mapping(source: &Arc<SourceFile>, policy: &Policy) -> Diagnostic {
    Diagnostic::new(
        Code::PolicyUnavailable,
        source.name.clone(),
        format!(
            "`{}` is a Glean metrics file, but policy `{}` declares no `sources: glean:` mapping",
            source.name, policy.id
        ),
    )
    .with_related(policy.origin.label(format!("policy `{}`", policy.id)))
    .with_help("check it with `--policy builtin:glean`, or declare `sources: glean:` in the policy (docs/FORMATS.md, \"Sources\")")
}

/// `invalid-value`: a Glean file's `$schema` names a version of Glean's format that
/// glean_parser (and so consentlint) does not know.
pub fn unknown_glean_schema(source: &Arc<SourceFile>, schema: &Sp<String>) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        schema.span,
        format!("`{}` is not a Glean schema version consentlint knows", schema.value),
    )
    .with_label("unknown version")
    .with_help("Glean's schemas: metrics/1-0-0, metrics/2-0-0, pings/1-0-0, pings/2-0-0, tags/1-0-0 (moz://mozilla.org/schemas/glean/…)")
}

/// `unknown-id`: a Glean metric's `send_in_pings` names a ping that neither Glean nor the
/// run's `pings.yaml` files define (glean_parser's UNKNOWN_PING_REFERENCED).
pub fn unknown_ping<'a>(
    source: &Arc<SourceFile>,
    ping: &Sp<String>,
    files: &[String],
    known: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    let hint = suggest::hint(&ping.value, known);
    Diagnostic::at(
        Code::UnknownId,
        source,
        ping.span,
        format!(
            "ping `{}` in `send_in_pings` is defined neither by Glean nor in {}",
            ping.value,
            quoted(files)
        ),
    )
    .with_label("unknown ping")
    .with_help(if hint.is_empty() {
        "define the ping in pings.yaml, or send the metric in a ping that exists".to_owned()
    } else {
        hint
    })
}

/// `unknown-id`: a Glean metric (or the file's `$tags`) names a tag the run's `tags.yaml`
/// files do not define (glean_parser's INVALID_TAGS).
pub fn unknown_tag<'a>(
    source: &Arc<SourceFile>,
    tag: &Sp<String>,
    files: &[String],
    known: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    let hint = suggest::hint(&tag.value, known);
    Diagnostic::at(
        Code::UnknownId,
        source,
        tag.span,
        format!("tag `{}` is not defined in {}", tag.value, quoted(files)),
    )
    .with_label("unknown tag")
    .with_help(if hint.is_empty() {
        "define the tag in tags.yaml".to_owned()
    } else {
        hint
    })
}

fn quoted(files: &[String]) -> String {
    files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `unknown-id`: a suppression names a diagnostic code that does not exist.
pub fn unknown_code(source: &Arc<SourceFile>, code: &Sp<String>, hint: String) -> Diagnostic {
    Diagnostic::at(
        Code::UnknownId,
        source,
        code.span,
        format!("unknown diagnostic code `{}`", code.value),
    )
    .with_label("no such code")
    .with_help(hint)
}

/// `unknown-id`: a suppression names a rule the policy does not have.
pub fn unknown_rule(
    source: &Arc<SourceFile>,
    rule: &Sp<String>,
    policy: &Policy,
    hint: String,
) -> Diagnostic {
    Diagnostic::at(
        Code::UnknownId,
        source,
        rule.span,
        format!("policy `{}` has no rule `{}`", policy.id, rule.value),
    )
    .with_label("no such rule")
    .with_help(hint)
}

/// `invalid-value`: a suppression's `expires` is not a date.
pub fn not_a_date(source: &Arc<SourceFile>, text: &Sp<String>) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        text.span,
        format!("`{}` is not a date", text.value),
    )
    .with_help("write the date as YYYY-MM-DD")
}

/// `no-data-review`: a Glean metric's `data_reviews` names no review (at `at`: the
/// placeholder entry, or the key of an empty list) and the policy requires one.
pub fn no_data_review(
    source: &Arc<SourceFile>,
    at: Span,
    placeholder: Option<&str>,
    required: &Origin,
) -> Diagnostic {
    let message = match placeholder {
        Some("") => "`data_reviews` holds an empty entry, not a data review".to_owned(),
        Some(marker) => format!("`data_reviews` holds `{marker}`, not a data review"),
        None => "`data_reviews` is empty".to_owned(),
    };
    Diagnostic::at(Code::NoDataReview, source, at, message)
        .with_label("no data review")
        .with_related(required.label("the policy requires a data review"))
        .with_help("link the data review of this collection (a bug comment or review document); a metric that has none opts out with `no_lint: [EMPTY_DATAREVIEW]`")
}
