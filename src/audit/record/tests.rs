//! The auditor's record-level behaviour, on a small manifest and generated lines.

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
