//! The findings an audited record can get that are not about its values' shape:
//! consent state, undeclared events and fields, each with its event and field set.

use super::Site;
use crate::audit::Audit;
use crate::audit::catalog::EventSpec;
use crate::audit::pii;
use crate::audit::tally::Tally;
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::suggest;

pub(super) fn push(tally: &mut Tally, mut d: Diagnostic, spec: &EventSpec, field: &str) {
    d.event = Some(spec.name.clone());
    d.field = Some(field.to_owned());
    tally.push(d);
}

pub(super) fn consent_state(cx: &Audit, site: &mut Site<'_>, spec: &EventSpec, tally: &mut Tally) {
    let Some(state) = &cx.consent_state else {
        return;
    };
    let (Some(level), Some(allowed)) = (spec.level, spec.policy.level(state)) else {
        return;
    };
    if level <= allowed || !tally.admit(Code::ConsentStateMismatch, &spec.name, "") {
        return;
    }
    let declared = &spec.policy.levels[level].id;
    let pointer = site.name_pointer;
    let mut d = site
        .at(Code::ConsentStateMismatch, pointer, false, format!("event `{}` is collected at `{declared}`, but the capture was made under consent `{state}`", spec.name))
        .with_label(format!("collected at `{declared}`"))
        .with_help(format!("under consent `{state}` only events declared at `{state}` or lower may be sent; check the consent state before sending `{}`", spec.name));
    if let Some(consent) = &spec.consent {
        d = d.with_related(Label::new(
            &spec.manifest,
            consent.span,
            format!("declared at `{declared}` here"),
        ));
    }
    d.event = Some(spec.name.clone());
    tally.push(d);
}

pub(super) fn undeclared_event(cx: &Audit, site: &mut Site<'_>, name: &str, tally: &mut Tally) {
    if !tally.admit(Code::UndeclaredEvent, name, "") {
        return;
    }
    let hint = suggest::hint(name, cx.catalog.events.keys().map(String::as_str));
    let pointer = site.name_pointer;
    let mut d = site
        .at(
            Code::UndeclaredEvent,
            pointer,
            false,
            format!("event `{}` is not declared by any manifest", clip(name)),
        )
        .with_label("undeclared event")
        .with_help(if hint.is_empty() {
            format!(
                "declare it in a manifest under `{}` (and check it), or stop sending it",
                cx.manifests_display
            )
        } else {
            hint
        });
    d.event = Some(name.to_owned());
    tally.push(d);
}

pub(super) fn undeclared_field(
    site: &mut Site<'_>,
    spec: &EventSpec,
    prefix: &str,
    key: &str,
    tally: &mut Tally,
) {
    if !tally.admit(Code::UndeclaredField, &spec.name, key) {
        return;
    }
    let pointer = format!("{prefix}/{}", crate::load::pointer::escape(key));
    let mut declared: Vec<&str> = spec.properties.keys().map(String::as_str).collect();
    declared.sort_unstable();
    let hint = suggest::hint(key, declared.iter().copied());
    let help = format!(
        "stop sending `{}`, or declare it with its data type in the event's `fields:` and run `check`{}",
        clip(key),
        if hint.is_empty() {
            String::new()
        } else {
            format!(" ({hint})")
        }
    );
    let d = site
        .at(
            Code::UndeclaredField,
            &pointer,
            true,
            format!(
                "event `{}` carries `{}`, which it does not declare",
                spec.name,
                clip(key)
            ),
        )
        .with_label("undeclared property")
        .with_related(Label::new(
            &spec.manifest,
            spec.name_span,
            format!("event `{}` declares: {}", spec.name, declared.join(", ")),
        ))
        .with_help(help);
    push(tally, d, spec, key);
}

/// A captured value for a message: masked, and cut short.
pub(super) fn shown(value: &str) -> String {
    clip(&pii::mask(value))
}

/// A captured name (a property or event name — structure, not a value) cut short.
pub(super) fn clip(name: &str) -> String {
    match name.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &name[..i]),
        None => name.to_owned(),
    }
}
