//! Auditing one captured line against the catalog of declared events.
//!
//! In: a line's bytes and number. Out: counts and diagnostics in the [`Tally`]. The fast
//! path — a declared event whose properties are all declared, valid against its schema,
//! with no raw identifier in its pseudonymous fields — parses the line once and allocates
//! nothing for reports; the masked view of the line ([`LineView`]) is built only when there
//! is something to say.

use super::Audit;
use super::catalog::{EventSpec, Step};
use super::excerpt::LineView;
use super::pii;
use super::tally::Tally;
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::source::Span;
use crate::suggest;
use serde_json::{Map, Value};

/// The most schema errors reported for one line.
const MAX_SCHEMA_ERRORS: usize = 10;

/// Where a finding is, and the masked view built on first need.
struct Site<'a> {
    file: &'a str,
    number: usize,
    raw: &'a [u8],
    /// The pointer of the event name, shown unmasked.
    name_pointer: &'a str,
    view: Option<LineView>,
}

impl Site<'_> {
    fn view(&mut self) -> &LineView {
        self.view.get_or_insert_with(|| {
            LineView::new(self.file, self.number, self.raw, self.name_pointer)
        })
    }

    /// A diagnostic at the key (`key`) or value of the member at `pointer`.
    fn at(&mut self, code: Code, pointer: &str, key: bool, message: String) -> Diagnostic {
        let view = self.view();
        let span = if key {
            view.key(pointer)
        } else {
            view.value(pointer)
        };
        self.at_span(code, span, message)
    }

    fn at_span(&mut self, code: Code, span: Span, message: String) -> Diagnostic {
        let (source, span) = self.view().excerpt(span);
        Diagnostic::at(code, &source, span, message)
    }
}

pub fn audit_line<'a>(
    cx: &'a Audit,
    file: &'a str,
    number: usize,
    raw: &'a [u8],
    tally: &mut Tally,
) {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    let mut site = Site {
        file,
        number,
        raw,
        name_pointer: "",
        view: None,
    };
    let record = match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(record)) => record,
        Ok(_) => {
            return invalid(
                &mut site,
                tally,
                None,
                format!("line {number} is not a JSON object"),
                "each line must be one JSON object: `{\"event\": \"NAME\", \"payload\": {…}}`",
            );
        }
        Err(error) => {
            let column = Some(error.column());
            if error.to_string().starts_with("recursion limit exceeded") {
                if tally.admit(Code::ResourceLimit, "", file) {
                    let span = site.view().at_column(error.column());
                    let d = site
                        .at_span(Code::ResourceLimit, span, format!("line {number} nests deeper than {} levels", cx.max_depth))
                        .with_label("too deep")
                        .with_help("no telemetry payload needs this depth; the line was skipped and the rest of the stream audited");
                    tally.push(d);
                }
                return;
            }
            let message = format!(
                "line {number} is not valid JSON: {}",
                syntax_message(&error)
            );
            return invalid(
                &mut site,
                tally,
                column,
                message,
                "each line must be one JSON object; the line was skipped",
            );
        }
    };
    audit_record(cx, &mut site, record, tally);
}

/// serde_json's message without its position (the diagnostic has one).
fn syntax_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn invalid(
    site: &mut Site<'_>,
    tally: &mut Tally,
    column: Option<usize>,
    message: String,
    help: &str,
) {
    if !tally.admit(Code::InvalidPayload, "", site.file) {
        return;
    }
    let span = match column {
        Some(column) => site.view().at_column(column),
        None => Span::new(0, site.raw.len().min(1)),
    };
    let d = site
        .at_span(Code::InvalidPayload, span, message)
        .with_label("here")
        .with_help(help);
    tally.push(d);
}

fn audit_record<'a>(
    cx: &'a Audit,
    site: &mut Site<'a>,
    mut record: Map<String, Value>,
    tally: &mut Tally,
) {
    let Some((event_key, name_pointer)) = cx
        .event_fields
        .iter()
        .find(|(f, _)| record.contains_key(f.as_str()))
    else {
        let names = cx
            .event_fields
            .iter()
            .map(|(f, _)| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let message = format!("line {} has no event name ({names})", site.number);
        return invalid(
            site,
            tally,
            None,
            message,
            "name the field holding the event name with `--event-field`",
        );
    };
    site.name_pointer = name_pointer;
    // Taken out of the record: the name is not a payload property of a flat record.
    let Some(Value::String(name)) = record.remove(event_key.as_str()) else {
        let pointer = site.name_pointer;
        if tally.admit(Code::InvalidPayload, "", site.file) {
            let d = site
                .at(
                    Code::InvalidPayload,
                    pointer,
                    false,
                    format!(
                        "the event name `{pointer}` on line {} is not a string",
                        site.number
                    ),
                )
                .with_label("not a string");
            tally.push(d);
        }
        return;
    };
    tally.event(&name);
    let Some(spec) = cx.catalog.events.get(&name) else {
        return undeclared_event(cx, site, &name, tally);
    };
    let (prefix, payload) = match cx
        .payload_fields
        .iter()
        .find(|(f, _)| record.contains_key(f.as_str()))
    {
        Some((field, pointer)) => match record.remove(field.as_str()) {
            Some(Value::Object(payload)) => (pointer.as_str(), payload),
            _ => {
                if tally.admit(Code::InvalidPayload, "", site.file) {
                    let d = site
                        .at(Code::InvalidPayload, pointer, false, format!("the payload `{pointer}` of event `{name}` on line {} is not an object", site.number))
                        .with_label("not an object");
                    tally.push(d);
                }
                return;
            }
        },
        None => ("", record),
    };
    consent_state(cx, site, spec, tally);
    for key in payload.keys() {
        if !spec.properties.contains(key) {
            undeclared_field(site, spec, prefix, key, tally);
        }
    }
    let payload = Value::Object(payload);
    let mut stack = Vec::new();
    for sensitive in &spec.sensitive {
        let mut found = Vec::new();
        pii_at(&payload, &sensitive.path, &mut stack, &mut found);
        for (inner, value, kind) in found {
            let pointer = format!("{prefix}{inner}");
            if !tally.admit(Code::PiiInPayload, &spec.name, &sensitive.name) {
                continue;
            }
            let d = site
                .at(Code::PiiInPayload, &pointer, false, format!("field `{}` of event `{}` is declared `{}` but holds {}: `{}`", sensitive.name, spec.name, sensitive.identification, kind.describe(), shown(value)))
                .with_label(format!("looks like {}", kind.describe()))
                .with_related(Label::new(&sensitive.source, sensitive.span, format!("declared `{}` here", sensitive.identification)))
                .with_help("hash or pseudonymize the value on the client before sending it; if it really is sent as is, declare `identification: identified` and let `check` decide");
            push(tally, d, spec, &sensitive.name);
        }
    }
    if let Some(validator) = &spec.validator
        && !validator.is_valid(&payload)
    {
        for error in validator.iter_errors(&payload).take(MAX_SCHEMA_ERRORS) {
            let inner = error.instance_path().as_str().to_owned();
            let keyword = error.kind().keyword();
            // Each undeclared property is already an `undeclared-field` of its own.
            if inner.is_empty()
                && matches!(keyword, "additionalProperties" | "unevaluatedProperties")
            {
                continue;
            }
            let field = match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    format!("{inner}/{}", property.as_str().unwrap_or("?"))
                }
                _ => inner.clone(),
            };
            if !tally.admit(
                Code::PayloadSchemaMismatch,
                &spec.name,
                &format!("{field} {keyword}"),
            ) {
                continue;
            }
            let pointer = format!("{prefix}{inner}");
            let what = match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    format!(
                        "lacks the required property `{}`",
                        property.as_str().unwrap_or("?")
                    )
                }
                _ => format!("fails the schema keyword `{keyword}`"),
            };
            let shown_pointer = if pointer.is_empty() {
                "/".to_owned()
            } else {
                pointer.clone()
            };
            let d = site
                .at(
                    Code::PayloadSchemaMismatch,
                    &pointer,
                    false,
                    format!("`{shown_pointer}` of event `{}` {what}", spec.name),
                )
                .with_label(format!("fails `{keyword}`"))
                .with_related(Label::new(
                    &spec.manifest,
                    spec.name_span,
                    format!("event `{}` declared here", spec.name),
                ))
                .with_help(format!(
                    "the schema rule that failed: `{}`",
                    error.schema_path().as_str()
                ));
            push(tally, d, spec, &field);
        }
    }
}

fn push(tally: &mut Tally, mut d: Diagnostic, spec: &EventSpec, field: &str) {
    d.event = Some(spec.name.clone());
    d.field = Some(field.to_owned());
    tally.push(d);
}

fn consent_state(cx: &Audit, site: &mut Site<'_>, spec: &EventSpec, tally: &mut Tally) {
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

fn undeclared_event(cx: &Audit, site: &mut Site<'_>, name: &str, tally: &mut Tally) {
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

fn undeclared_field(
    site: &mut Site<'_>,
    spec: &EventSpec,
    prefix: &str,
    key: &str,
    tally: &mut Tally,
) {
    if !tally.admit(Code::UndeclaredField, &spec.name, key) {
        return;
    }
    let pointer = format!("{prefix}/{}", escape(key));
    let mut declared: Vec<&str> = spec.properties.iter().map(String::as_str).collect();
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
fn shown(value: &str) -> String {
    clip(&pii::mask(value))
}

/// A captured name (a property or event name — structure, not a value) cut short.
fn clip(name: &str) -> String {
    match name.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &name[..i]),
        None => name.to_owned(),
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// One step of a pointer being walked (built into a string only for a finding).
enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

/// Every string at `path` below `value` (and inside what is found there) that looks like
/// a raw identifier, with its JSON pointer relative to `value`. Clean values allocate
/// nothing.
fn pii_at<'v>(
    value: &'v Value,
    path: &[Step],
    stack: &mut Vec<Seg<'v>>,
    out: &mut Vec<(String, &'v str, pii::Pii)>,
) {
    let Some((step, rest)) = path.split_first() else {
        return pii_below(value, stack, out);
    };
    match (step, value) {
        (Step::Key(key), Value::Object(map)) => {
            if let Some((key, child)) = map.get_key_value(key) {
                stack.push(Seg::Key(key));
                pii_at(child, rest, stack, out);
                stack.pop();
            }
        }
        (Step::AnyKey, Value::Object(map)) => {
            for (key, child) in map {
                stack.push(Seg::Key(key));
                pii_at(child, rest, stack, out);
                stack.pop();
            }
        }
        (Step::AnyItem, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                stack.push(Seg::Index(i));
                pii_at(child, rest, stack, out);
                stack.pop();
            }
        }
        (Step::Item(i), Value::Array(items)) => {
            if let Some(child) = items.get(*i) {
                stack.push(Seg::Index(*i));
                pii_at(child, rest, stack, out);
                stack.pop();
            }
        }
        _ => {}
    }
}

fn pii_below<'v>(
    value: &'v Value,
    stack: &mut Vec<Seg<'v>>,
    out: &mut Vec<(String, &'v str, pii::Pii)>,
) {
    match value {
        Value::String(s) => {
            if let Some(kind) = pii::detect(s) {
                let pointer = stack
                    .iter()
                    .map(|seg| match seg {
                        Seg::Key(k) => format!("/{}", escape(k)),
                        Seg::Index(i) => format!("/{i}"),
                    })
                    .collect();
                out.push((pointer, s, kind));
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                stack.push(Seg::Index(i));
                pii_below(child, stack, out);
                stack.pop();
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                stack.push(Seg::Key(key));
                pii_below(child, stack, out);
                stack.pop();
            }
        }
        _ => {}
    }
}
