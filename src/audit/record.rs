//! Auditing one captured line against the catalog of declared events.
//!
//! In: a line's bytes and number. Out: counts and diagnostics in the [`Tally`]. The fast
//! path — a declared event whose properties are all declared, valid against its schema,
//! with no raw identifier in its pseudonymous fields — parses the line once and allocates
//! nothing for reports; the masked view of the line ([`LineView`]) is built only when there
//! is something to say.

use super::Audit;
use super::catalog::{Declared, EventSpec, Step};
use super::excerpt::LineView;
use super::scan::{self, Kind, Members};
use super::tally::Tally;
use super::{pii, raw};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::source::Span;
use crate::suggest;
use serde_json::{Map, Value};
use std::borrow::Cow;

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
    look: pii::Look,
    stack: &mut Vec<Seg<'v>>,
    out: &mut Vec<Found<'v>>,
) {
    let Some((step, rest)) = path.split_first() else {
        return pii_below(value, look, stack, out);
    };
    match (step, value) {
        (Step::Key(key), Value::Object(map)) => {
            if let Some((key, child)) = map.get_key_value(key) {
                stack.push(Seg::Key(key));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        (Step::AnyKey, Value::Object(map)) => {
            for (key, child) in map {
                stack.push(Seg::Key(key));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        (Step::AnyItem, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                stack.push(Seg::Index(i));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        (Step::Item(i), Value::Array(items)) => {
            if let Some(child) = items.get(*i) {
                stack.push(Seg::Index(*i));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        _ => {}
    }
}

/// A value that looks like personal data: its pointer, the value (a pair of coordinates is
/// written out), and what it looks like.
type Found<'v> = (String, Cow<'v, str>, pii::Pii);

fn pii_below<'v>(
    value: &'v Value,
    look: pii::Look,
    stack: &mut Vec<Seg<'v>>,
    out: &mut Vec<Found<'v>>,
) {
    let pointer = |stack: &[Seg<'_>]| -> String {
        stack
            .iter()
            .map(|seg| match seg {
                Seg::Key(k) => format!("/{}", crate::load::pointer::escape(k)),
                Seg::Index(i) => format!("/{i}"),
            })
            .collect()
    };
    match value {
        Value::String(s) => {
            if let Some(kind) = pii::detect_as(s, look) {
                out.push((pointer(stack), s.as_str().into(), kind));
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                stack.push(Seg::Index(i));
                pii_below(child, look, stack, out);
                stack.pop();
            }
        }
        Value::Object(map) => {
            // `{"lat": 47.62051, "lon": -122.3493}`: a position, written as numbers.
            let number = |keys: &[&str]| {
                keys.iter().find_map(|k| {
                    map.get(*k)
                        .and_then(Value::as_number)
                        .map(ToString::to_string)
                })
            };
            if let (Some(lat), Some(lon)) = (
                number(&["lat", "latitude"]),
                number(&["lon", "lng", "long", "longitude"]),
            ) && pii::precise_pair(&lat, &lon)
            {
                out.push((
                    pointer(stack),
                    format!("{lat},{lon}").into(),
                    pii::Pii::Coordinates,
                ));
            }
            for (key, child) in map {
                stack.push(Seg::Key(key));
                pii_below(child, look, stack, out);
                stack.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::audit::{Options, catalog::Catalog, with_pointers};

    const MANIFEST: &str = "kind: TelemetryManifest
app: { id: differential }
defaults: { transport: https, regions: [us], retention_days: 28 }
events:
  - name: flat
    consent: required
    purposes: [diagnostics]
    fields:
      - { name: session_id, type: user.session_id, identification: pseudonymized }
      - { name: n, type: app.performance.duration }
      - { name: note, type: app.version }
  - name: late
    consent: optional
    purposes: [diagnostics]
    fields:
      - { name: user_id, type: user.id, identification: pseudonymized }
  - name: nested
    consent: required
    purposes: [diagnostics]
    schema: nested.schema.json
";

    const SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["device"],
  "properties": {
    "device": { "type": "object", "properties": {
      "id": { "type": "string", "x-data-type": "device.id", "x-identification": "pseudonymized" } } },
    "crumbs": { "type": "array", "items": { "type": "object", "properties": {
      "ip": { "type": "string", "x-data-type": "device.id", "x-identification": "pseudonymized" } } } },
    "tags": { "type": "object", "additionalProperties": {
      "type": "string", "x-data-type": "device.id", "x-identification": "pseudonymized" } },
    "n": { "type": "integer", "x-data-type": "app.performance.duration" }
  }
}"#;

    fn audit(dir: &std::path::Path, consent_state: Option<&str>, events: usize) -> Audit {
        let options = Options {
            payloads: Vec::new(),
            manifests: dir.to_path_buf(),
            policy: None,
            consent_state: consent_state.map(str::to_owned),
            event_fields: Options::DEFAULT_EVENT_FIELDS.map(str::to_owned).to_vec(),
            payload_fields: Options::DEFAULT_PAYLOAD_FIELDS.map(str::to_owned).to_vec(),
            max_line_length: Options::DEFAULT_MAX_LINE_LENGTH,
            max_repeats: Options::DEFAULT_MAX_REPEATS,
            limits: crate::load::Limits::default(),
            project_root: dir.to_path_buf(),
            files: crate::config::FileFilter::default(),
        };
        let mut problems = Vec::new();
        let catalog = Catalog::load(&options, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(catalog.events.len(), events);
        Audit {
            catalog,
            event_fields: with_pointers(&options.event_fields),
            payload_fields: with_pointers(&options.payload_fields),
            consent_state: options.consent_state.clone(),
            manifests_display: "m".to_owned(),
            max_depth: 128,
        }
    }

    /// Clean lines of every shape the quickstart events have (flat fields, a schema with
    /// nested objects, pseudonymous ids) are decided on the fast path.
    #[test]
    fn clean_quickstart_lines_take_the_fast_path() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let cx = audit(&root.join("examples/quickstart"), Some("optional"), 5);
        for line in [
            r#"{"event":"app_started","time":"2026-11-23T10:00:00Z","payload":{"app":{"name":"QuickNotes","version":"1.1.0"},"device":{"osName":"Windows","osVersion":"10.0.19045","model":"Surface Laptop 5","screenResolution":"2256x1504"},"sessionId":"24d9075c73d62e879684ad4e2fa5e940","startupMs":2742}}"#,
            r#"{"event":"note_saved","payload":{"session_id":"24d9075c73d62e879684ad4e2fa5e940","editor_feature":"bold","save_duration_ms":12,"device_id":"24d9075c73d62e87"}}"#,
            r#"{"name":"sign_in_failed","user_id":"24d9075c73d62e879684ad4e2fa5e940","error_code":"AADSTS50126"}"#,
            r#" {"event":"settings_changed","properties":{"setting":"theme","ui_language":"en-US"}} "#,
        ] {
            let mut exact = Tally::new(5);
            audit_exact(&cx, "p", 1, line.as_bytes(), &mut exact);
            assert!(exact.diagnostics.is_empty(), "{line}");
            let mut scratch = scan::Scratch::default();
            let members = scan::scan(line.as_bytes(), &mut scratch).expect("scanned");
            assert!(clean(&cx, &members).is_some(), "{line}");
        }
    }

    /// A small deterministic generator (no dependency needed for this).
    pub(in crate::audit) struct Rng(pub u64);
    impl Rng {
        pub fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const VALUES: &[&str] = &[
        r#""9f86d081884c7d659a2feaa0c55ad015""#,
        r#""jane.doe@example.com""#,
        r#""jane.doe\u0040example.com""#,
        r#""3f2504e0-4f89-11d3-9a0c-0305e82c3301""#,
        r#""192.168.10.23""#,
        r#""+1 555 010 0199""#,
        r#""https://contoso.com/reset?token=s3cr3t""#,
        r#""plain \"quoted\" \/ text""#,
        r#""""#,
        "12",
        "-0.5",
        "1e400",
        "true",
        "null",
        r#"["a", "10.0.0.1"]"#,
        r#"{"id": "abc"}"#,
        r#"{"id": "10.0.0.1"}"#,
        r#"{"id": 3}"#,
        r#"[{"ip": "ok"}, {"ip": "10.0.0.2"}]"#,
        r#"[{"ip": "ok"}]"#,
        r#"{"a": "ok", "b": "j@e.co"}"#,
        r#"{"a": "ok"}"#,
    ];
    const KEYS: &[&str] = &[
        "session_id",
        "n",
        "note",
        "user_id",
        "device",
        "crumbs",
        "tags",
        "extra",
        "id",
        "event",
        "name",
        "payload",
        "sess\\u0069on_id",
    ];

    fn line(rng: &mut Rng) -> String {
        let members = |rng: &mut Rng| {
            (0..rng.below(5))
                .map(|_| format!("\"{}\": {}", rng.pick(KEYS), rng.pick(VALUES)))
                .collect::<Vec<_>>()
        };
        let mut top = Vec::new();
        let name = format!(
            "\"{}\": \"{}\"",
            rng.pick(&["event", "event", "name"]),
            rng.pick(&["flat", "nested", "late", "fl\\u0061t", "unknown"])
        );
        top.push(name);
        match rng.below(4) {
            0 => top.extend(members(rng)),
            1 => top.push(format!("\"{}\": 7", rng.pick(&["payload", "data"]))),
            _ => top.push(format!(
                "\"{}\": {{{}}}",
                rng.pick(&["payload", "properties"]),
                members(rng).join(", ")
            )),
        }
        if rng.below(3) == 0 {
            top.push(r#""time": "2026-11-23T10:00:00Z""#.to_owned());
        }
        if rng.below(4) == 0 {
            top.push(format!("\"{}\": \"late\"", rng.pick(&["event", "name"])));
        }
        let i = rng.below(top.len());
        let j = rng.below(top.len());
        top.swap(i, j);
        let mut text = format!("{{{}}}", top.join(","));
        if rng.below(5) == 0 {
            let at = rng.below(text.len());
            if text.is_char_boundary(at) {
                text.insert_str(at, rng.pick(&["{", "]", "\"", ",", "\\", " ", "0", "\t"]));
            }
        }
        text
    }

    /// The differential test of the fast path: every line it calls clean, the full audit
    /// finds clean too — the same event counted, no finding — so skipping the full audit
    /// never changes a verdict. Both outcomes must be frequent, or the test proves little.
    #[test]
    fn a_line_the_fast_path_calls_clean_is_clean_to_the_full_audit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("telemetry.yaml"), MANIFEST).unwrap();
        std::fs::write(dir.path().join("nested.schema.json"), SCHEMA).unwrap();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for state in [None, Some("required")] {
            let cx = audit(dir.path(), state, 3);
            let (mut fast, mut full) = (0, 0);
            let mut scratch = scan::Scratch::default();
            for _ in 0..30_000 {
                let text = line(&mut rng);
                let mut exact = Tally::new(5);
                audit_exact(&cx, "p", 1, text.as_bytes(), &mut exact);
                match scan::scan(text.as_bytes(), &mut scratch).and_then(|m| clean(&cx, &m)) {
                    Some(name) => {
                        fast += 1;
                        assert!(
                            exact.diagnostics.is_empty(),
                            "{text}: {:?}",
                            exact.diagnostics
                        );
                        assert!(exact.findings.is_empty(), "{text}");
                        assert_eq!(
                            exact.events.into_iter().collect::<Vec<_>>(),
                            [(name.into_owned(), 1)],
                            "{text}"
                        );
                    }
                    None => full += 1,
                }
            }
            assert!(fast > 1_000 && full > 1_000, "fast {fast}, full {full}");
        }
    }
}
