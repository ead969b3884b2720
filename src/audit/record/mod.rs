//! Auditing one captured line against the catalog of declared events.
//!
//! In: a line's bytes and number. Out: counts and diagnostics in the [`Tally`]. The fast
//! path — a declared event whose properties are all declared, valid against its schema,
//! with no raw identifier in its pseudonymous fields — parses the line once and allocates
//! nothing for reports; the masked view of the line ([`LineView`]) is built only when there
//! is something to say.

use super::Audit;
use super::catalog::{Declared, Step};
use super::excerpt::LineView;
use super::scan::{self, Kind, Members};
use super::tally::Tally;
use super::{pii, raw};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::source::Span;
use findings::{consent_state, push, shown, undeclared_event, undeclared_field};
use serde_json::{Map, Value};
use std::borrow::Cow;
use walk::{Seg, pii_at};

mod findings;
#[cfg(test)]
pub(super) mod tests;
mod walk;

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

/// Audit one line; `scratch` is the scanner's buffers, reused from line to line.
pub fn audit_line<'a>(
    cx: &'a Audit,
    file: &'a str,
    number: usize,
    raw: &'a [u8],
    tally: &mut Tally,
    scratch: &mut scan::Scratch,
) {
    if let Some(name) = scan::scan(raw, scratch).and_then(|members| clean(cx, &members)) {
        tally.event(&name);
        return;
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    audit_exact(cx, file, number, raw, tally);
}

/// The audit of a line on its full `Value`: what every line that is not clean goes through.
fn audit_exact<'a>(cx: &'a Audit, file: &'a str, number: usize, raw: &'a [u8], tally: &mut Tally) {
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

/// The name of the line's event when the line is clean — the audit below would count the
/// event and find nothing — decided on the scanned members without building the line's
/// `Value` (only the values of pseudonymous fields, and the payload of an event with a
/// schema, are parsed). `None` is "not sure it is clean": the line is then audited the
/// full way, which reports whatever there is, so this never changes a verdict.
fn clean<'a>(cx: &Audit, line: &Members<'a>) -> Option<Cow<'a, str>> {
    let (event_key, name) = cx
        .event_fields
        .iter()
        .find_map(|(f, _)| Some((f, line.get(None, f)?.1)))?;
    let name = line.string(name)?;
    let spec = cx.catalog.events.get(&*name)?;
    // As `audit_record` does, the payload field is looked for once the name is taken out.
    let payload_field = cx
        .payload_fields
        .iter()
        .find_map(|(f, _)| line.get(None, f).filter(|_| f != event_key));
    let (parent, flat) = match payload_field {
        Some((index, payload)) => {
            if payload.kind != Kind::Object {
                return None;
            }
            (Some(index), None)
        }
        None => (None, Some(event_key.as_str())),
    };
    let payload = move || {
        line.of(parent)
            .filter(move |(_, m)| flat.is_none_or(|flat| line.key(m) != flat))
    };
    if let Some(state) = &cx.consent_state
        && let (Some(level), Some(allowed)) = (spec.level, spec.policy.level(state))
        && level > allowed
    {
        return None;
    }
    // A payload object on the tape is validated there, unless a repeated key would make
    // the tape read differently from the `Value`.
    let validated_on_tape = match (&spec.raw_validator, parent) {
        (Some(validator), Some(index)) if raw::without_repeated_keys(line, index) => {
            if !validator.is_valid(raw::RawNode::At(*line, index)) {
                return None;
            }
            true
        }
        _ => spec.validator.is_none(),
    };
    // Otherwise the whole payload is needed to validate it; and to walk a `*` path.
    let needs_all = !validated_on_tape
        || spec
            .sensitive
            .iter()
            .any(|s| !matches!(s.path.first(), Some(Step::Key(_))));
    for (_, member) in payload() {
        let key = line.key(member);
        let sensitive = spec.properties.get(key)?;
        if needs_all {
            continue;
        }
        if sensitive.is_empty() {
            continue;
        }
        // One look over all of the member's strings, for everything any of its fields asks
        // for, usually clears them all at once (`device` with four metadata fields).
        let broadest = sensitive.iter().fold(
            pii::Look {
                identifiers: false,
                ipv4: false,
            },
            |l, &s| l.union(spec.sensitive[s].look),
        );
        if !matches!(member.kind, Kind::String { .. })
            && pii::strings_free(line.raw(member), broadest)
        {
            continue;
        }
        // Each of a repeated key's values is checked, where only the last counts: stricter.
        for &s in sensitive {
            let sensitive = &spec.sensitive[s];
            if !free_of_pii(line, member, key, &sensitive.path[1..], sensitive.look) {
                return None;
            }
        }
    }
    if needs_all {
        let whole = match parent {
            Some(index) => serde_json::from_str(line.raw(line.at(index))).ok()?,
            None => {
                let mut map = Map::new();
                for (_, m) in payload() {
                    map.insert(
                        line.key(m).to_owned(),
                        serde_json::from_str(line.raw(m)).ok()?,
                    );
                }
                Value::Object(map)
            }
        };
        let (mut stack, mut found) = (Vec::new(), Vec::new());
        for sensitive in &spec.sensitive {
            pii_at(
                &whole,
                &sensitive.path,
                sensitive.look,
                &mut stack,
                &mut found,
            );
        }
        let valid = validated_on_tape || spec.validator.as_ref().is_none_or(|v| v.is_valid(&whole));
        return (found.is_empty() && valid).then_some(name);
    }
    Some(name)
}

/// Whether nothing at `path` below the payload member `member` (under `key`) looks like a
/// raw identifier. A plain string is tested where it lies; anything else is parsed.
fn free_of_pii(
    line: &Members<'_>,
    member: &scan::Member,
    key: &str,
    path: &[Step],
    look: pii::Look,
) -> bool {
    if let (Kind::String { escaped: false }, []) = (member.kind, path) {
        let text = line.raw(member);
        return pii::detect_as(&text[1..text.len() - 1], look).is_none();
    }
    // The strings at `path` are among the member's strings: if none of those looks like
    // anything (nor can a `lat`/`lon` pair be there), neither does any at `path`, and the
    // member need not be parsed.
    if pii::strings_free(line.raw(member), look) {
        return true;
    }
    let Ok(value) = serde_json::from_str::<Value>(line.raw(member)) else {
        return false;
    };
    let (mut stack, mut found) = (vec![Seg::Key(key)], Vec::new());
    pii_at(&value, path, look, &mut stack, &mut found);
    found.is_empty()
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
        if !spec.properties.contains_key(key) {
            undeclared_field(site, spec, prefix, key, tally);
        }
    }
    let payload = Value::Object(payload);
    let mut stack = Vec::new();
    for sensitive in &spec.sensitive {
        let mut found = Vec::new();
        pii_at(
            &payload,
            &sensitive.path,
            sensitive.look,
            &mut stack,
            &mut found,
        );
        for (inner, value, kind) in found {
            let pointer = format!("{prefix}{inner}");
            if !tally.admit(Code::PiiInPayload, &spec.name, &sensitive.name) {
                continue;
            }
            let d = site
                .at(Code::PiiInPayload, &pointer, false, format!("field `{}` of event `{}` is declared {} but holds {}: `{}`", sensitive.name, spec.name, sensitive.declared, kind.describe(), shown(&value)))
                .with_label(format!("looks like {}", kind.describe()))
                .with_related(Label::new(&sensitive.source, sensitive.span, format!("declared {} here", sensitive.declared)))
                .with_help(match sensitive.declared {
                    Declared::Identification(_) => "hash or pseudonymize the value on the client before sending it; if it really is sent as is, declare `identification: identified` and let `check` decide",
                    Declared::Type { .. } => "stop sending it in this field; if the field really holds it, classify the field with the data type it holds and let `check` decide",
                });
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
