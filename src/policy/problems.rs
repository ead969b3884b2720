//! The problems compiling a policy and its taxonomy can find, one constructor per case, so
//! each is worded once. (`policy lint`'s findings are built in `lint.rs`.)

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::document::Sp;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// `invalid-value`: neither the policy nor anything it extends declares `consent_levels`.
pub fn no_levels(source: &Arc<SourceFile>, policy: &Sp<String>) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        policy.span,
        format!("policy `{}` declares no `consent_levels`", policy.value),
    )
    .with_help("declare the levels, lowest first, or extend a policy that does")
}

/// `invalid-value`: `consent_levels` is declared but empty.
pub fn empty_levels(source: &Arc<SourceFile>, at: Span) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        at,
        "a policy needs at least one consent level",
    )
}

/// `invalid-value`: a consent level id declared twice.
pub fn level_declared_twice(source: &Arc<SourceFile>, level: &Sp<String>) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        level.span,
        format!("consent level `{}` is declared twice", level.value),
    )
}

/// `invalid-value`: a data type id declared twice in the merged taxonomy.
pub fn type_declared_twice(source: &Arc<SourceFile>, id: &Sp<String>, first: Label) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        id.span,
        format!("data type `{}` is declared twice", id.value),
    )
    .with_label("declared again here")
    .with_related(first)
}

/// `invalid-value`: a data type with neither a `class` nor a parent to inherit one from.
pub fn root_without_class(
    source: &Arc<SourceFile>,
    id: &Sp<String>,
    classes: &[&str],
) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        id.span,
        format!("root data type `{}` needs a `class`", id.value),
    )
    .with_label("no class to inherit")
    .with_help(format!("add `class:` (one of: {})", classes.join(", ")))
}

/// `invalid-value`: a `fideslang:` taxonomy reference names a file that is not fideslang's
/// data categories.
pub fn not_fideslang(source: &Arc<SourceFile>, at: Span, path: &str) -> Diagnostic {
    Diagnostic::at(
        Code::InvalidValue,
        source,
        at,
        format!("`{path}` is not a fideslang data-categories file"),
    )
    .with_help("a fideslang taxonomy has a top-level `data_category:` list (fideslang's data_files/data_categories.yml)")
}

/// `unknown-id`: a consent level, purpose, data type… a rule or mapping uses that the
/// merged policy does not declare.
pub fn unknown(
    source: &Arc<SourceFile>,
    value: &Sp<String>,
    what: &str,
    hint: String,
) -> Diagnostic {
    Diagnostic::at(
        Code::UnknownId,
        source,
        value.span,
        format!("unknown {what} `{}`", value.value),
    )
    .with_label(format!("not a {what} of this policy"))
    .with_help(hint)
}

/// `unknown-id`: `loosens` names a rule no layer defines.
pub fn unknown_loosened(source: &Arc<SourceFile>, id: &Sp<String>, hint: String) -> Diagnostic {
    Diagnostic::at(
        Code::UnknownId,
        source,
        id.span,
        format!("`loosens` names rule `{}`, which does not exist", id.value),
    )
    .with_help(hint)
}

/// `unknown-id`: a data type's `parent` is not declared.
pub fn unknown_parent(source: &Arc<SourceFile>, id: &Sp<String>, parent: &str) -> Diagnostic {
    Diagnostic::at(
        Code::UnknownId,
        source,
        id.span,
        format!(
            "the parent `{parent}` of data type `{}` is not declared",
            id.value
        ),
    )
    .with_label("parent missing")
    .with_help(format!("declare `{parent}` as well"))
}

/// `duplicate-rule`: two rules (in one file or across `extends`) share an id.
pub fn duplicate_rule(source: &Arc<SourceFile>, id: &Sp<String>, first: &Label) -> Diagnostic {
    Diagnostic::at(
        Code::DuplicateRule,
        source,
        id.span,
        format!("rule id `{}` is used twice", id.value),
    )
    .with_label("defined again here")
    .with_related(Label {
        message: "first defined here".to_owned(),
        ..first.clone()
    })
    .with_help("give every rule a unique id")
}

/// `ref-cycle`: `extends` comes back to a policy already on the chain (`stack`), reported
/// at the `extends` entry that closes the loop when there is one.
pub fn extends_cycle(reference: &str, stack: &[String], via: Option<Label>) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::RefCycle,
        reference,
        format!(
            "`extends` loops back to `{reference}`: {} → {reference}",
            stack.join(" → ")
        ),
    );
    if let Some(via) = via {
        d.file = via.source.name.clone();
        d.primary = Some(via);
    }
    d
}
