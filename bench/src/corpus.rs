//! A deterministic synthetic monorepo of telemetry definitions, for benchmarking.
//!
//! In: a seed, a target size and a violation rate. Out: a directory of apps, each with a
//! `telemetry.yaml` manifest (events with inline fields or a JSON Schema), the event schemas
//! it references (nested objects through local `$ref`s and `$ref`s into a shared
//! definitions file), and a few standalone event schemas no manifest references. Data types
//! are the real ones of `policies/taxonomy.yaml`, chosen so that every field passes the
//! default policy except the planted violations (about 1% of fields), whose codes are
//! counted so a benchmark can check that consentlint found exactly those.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// SplitMix64: tiny, fast and fully determined by its seed, so a corpus is reproducible
/// across machines and Rust versions (unlike a `rand` algorithm that may change).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The data classes of the default taxonomy, as far as the default policy cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Allowed at every level.
    SystemMetadata,
    /// Allowed at every level when pseudonymized.
    Pseudonymous,
    /// Allowed only at `optional`: crash data, organization and account data.
    OptionalOnly,
    /// Denied at every level: end-user identifiable information and customer content.
    Denied,
}

/// The default taxonomy's type ids grouped by what the default policy lets through.
pub struct Types {
    system: Vec<String>,
    pseudonymous: Vec<String>,
    optional_only: Vec<String>,
    denied: Vec<String>,
    /// Crash and exception types: allowed only at `optional` and not denied below it.
    crash: Vec<String>,
}

impl Types {
    /// Read `policies/taxonomy.yaml` (classes inherit from the parent type).
    pub fn from_taxonomy(text: &str) -> Types {
        let doc: Value = serde_saphyr::from_str(text).expect("policies/taxonomy.yaml parses");
        let mut classes: BTreeMap<String, String> = BTreeMap::new();
        let mut types = Types {
            system: Vec::new(),
            pseudonymous: Vec::new(),
            optional_only: Vec::new(),
            denied: Vec::new(),
            crash: Vec::new(),
        };
        for ty in doc["types"].as_array().expect("taxonomy has types") {
            let id = ty["id"].as_str().expect("type has an id").to_owned();
            let class = match ty["class"].as_str() {
                Some(class) => class.to_owned(),
                None => {
                    let parent = id.rsplit_once('.').map_or("", |(p, _)| p);
                    classes
                        .get(parent)
                        .cloned()
                        .expect("parent type comes first")
                }
            };
            let group = match class.as_str() {
                "system_metadata" => Class::SystemMetadata,
                "eupi" => Class::Pseudonymous,
                "callstack_or_exception" | "oii" | "account_data" => Class::OptionalOnly,
                _ => Class::Denied,
            };
            match group {
                Class::SystemMetadata => types.system.push(id.clone()),
                Class::Pseudonymous => types.pseudonymous.push(id.clone()),
                Class::OptionalOnly => {
                    if class == "callstack_or_exception" {
                        types.crash.push(id.clone());
                    }
                    types.optional_only.push(id.clone());
                }
                Class::Denied => types.denied.push(id.clone()),
            }
            classes.insert(id, class);
        }
        types
    }
}

/// How big and how dirty a corpus to write.
#[derive(Clone, Debug)]
pub struct Settings {
    pub seed: u64,
    /// Stop adding apps once the files written reach this many bytes.
    pub target_bytes: u64,
    /// Chance that a field is a planted violation, in thousandths.
    pub violations_per_mille: u32,
}

/// What was written.
#[derive(Debug, Default)]
pub struct Stats {
    pub apps: usize,
    pub manifests: usize,
    pub event_schemas: usize,
    pub definition_files: usize,
    pub bytes: u64,
    pub largest_file: u64,
    /// Events as consentlint counts them (manifest events and standalone schemas).
    pub events: usize,
    /// Fields as consentlint counts them (schema fields reached through every `$ref`).
    pub fields: usize,
    /// Planted violations by diagnostic code.
    pub violations: BTreeMap<&'static str, usize>,
}

impl Stats {
    pub fn files(&self) -> usize {
        self.manifests + self.event_schemas + self.definition_files
    }

    pub fn violation_total(&self) -> usize {
        self.violations.values().sum()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Required,
    Optional,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Required => "required",
            Level::Optional => "optional",
        }
    }
}

/// One field to write: its type (none for an unclassified field) and identification.
struct FieldSpec {
    name: String,
    data_type: Option<String>,
    identification: Option<&'static str>,
}

const PURPOSES: [&str; 3] = ["diagnostics", "security", "product_improvement"];
const VERBS: [&str; 12] = [
    "opened", "closed", "saved", "synced", "failed", "clicked", "loaded", "shared", "started",
    "stopped", "updated", "viewed",
];
const NOUNS: [&str; 12] = [
    "document",
    "window",
    "settings",
    "account",
    "search",
    "upload",
    "download",
    "editor",
    "dialog",
    "session",
    "report",
    "notification",
];

/// The shared definitions every schema of an app may `$ref`: (name, [(property, type)]).
const SHARED: [(&str, [(&str, &str); 4]); 2] = [
    (
        "device",
        [
            ("model", "device.model"),
            ("make", "device.make"),
            ("osName", "device.os.name"),
            ("osVersion", "device.os.version"),
        ],
    ),
    (
        "app",
        [
            ("id", "app.id"),
            ("name", "app.name"),
            ("version", "app.version"),
            ("install", "app.install"),
        ],
    ),
];

struct Generator<'a> {
    rng: Rng,
    types: &'a Types,
    settings: &'a Settings,
    stats: Stats,
}

/// Write a corpus into `out` (which should be empty or missing).
pub fn generate(out: &Path, types: &Types, settings: &Settings) -> io::Result<Stats> {
    let mut generator = Generator {
        rng: Rng::new(settings.seed),
        types,
        settings,
        stats: Stats::default(),
    };
    while generator.stats.bytes < settings.target_bytes {
        let app = generator.stats.apps;
        generator.app(&out.join(format!("app-{app:05}")), app)?;
        generator.stats.apps += 1;
    }
    Ok(generator.stats)
}

impl Generator<'_> {
    fn write(&mut self, path: &Path, text: &str) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)?;
        let len = text.len() as u64;
        self.stats.bytes += len;
        self.stats.largest_file = self.stats.largest_file.max(len);
        Ok(())
    }

    fn app(&mut self, dir: &Path, index: usize) -> io::Result<()> {
        self.write(&dir.join("schemas/common.defs.json"), &shared_definitions())?;
        self.stats.definition_files += 1;

        let mut manifest = String::new();
        let _ = write!(
            manifest,
            "# Generated by consentlint-bench gen-corpus (seed {}); app {index}.\n\
             kind: TelemetryManifest\n\
             app:\n  id: app-{index:05}\n  name: App {index}\n  owner: team-{}\n  \
             description: A synthetic application for benchmarking.\n\
             defaults: {{ transport: https, regions: [us], retention_days: 28 }}\n\nevents:\n",
            self.settings.seed,
            index % 97
        );
        let events = self.rng.between(8, 30);
        let mut names = HashSet::new();
        for _ in 0..events {
            let name = loop {
                let name = format!(
                    "{}_{}_{}",
                    self.rng.pick(&NOUNS),
                    self.rng.pick(&VERBS),
                    self.rng.below(1000)
                );
                if names.insert(name.clone()) {
                    break name;
                }
            };
            let level = if self.rng.chance(650) {
                Level::Required
            } else {
                Level::Optional
            };
            let purposes = self.purposes();
            let _ = write!(
                manifest,
                "  - name: {name}\n    consent: {}\n    purposes: [{}]\n    \
                 description: The user {} something ({name}).\n",
                level.name(),
                purposes.join(", "),
                name.split('_').nth(1).unwrap_or("did"),
            );
            self.stats.events += 1;
            if self.rng.chance(400) {
                let schema = format!("schemas/{name}.schema.json");
                let _ = writeln!(manifest, "    schema: {schema}");
                let text = self.event_schema(&name, level, None);
                self.write(&dir.join(&schema), &text)?;
                self.stats.event_schemas += 1;
            } else {
                manifest.push_str("    fields:\n");
                let count = self.rng.between(5, 40);
                let block = self.rng.chance(300);
                self.stats.fields += count;
                for field in self.fields(count, level) {
                    manifest_field(&mut manifest, &field, block);
                }
            }
            manifest.push('\n');
        }
        self.write(&dir.join("telemetry.yaml"), &manifest)?;
        self.stats.manifests += 1;

        // Schemas no manifest references are checked on their own, from their annotations.
        for k in 0..self.rng.below(3) {
            let name = format!("standalone_{index}_{k}");
            let level = if self.rng.chance(500) {
                Level::Required
            } else {
                Level::Optional
            };
            let purposes = self.purposes();
            let text = self.event_schema(&name, level, Some(&purposes));
            self.write(&dir.join(format!("events/{name}.schema.json")), &text)?;
            self.stats.event_schemas += 1;
            self.stats.events += 1;
        }
        Ok(())
    }

    fn purposes(&mut self) -> Vec<&'static str> {
        let first = self.rng.below(PURPOSES.len());
        let mut purposes = vec![PURPOSES[first]];
        if self.rng.chance(300) {
            purposes.push(PURPOSES[(first + 1) % PURPOSES.len()]);
        }
        purposes
    }

    /// `count` fields with unique names, about 1% of them violations.
    fn fields(&mut self, count: usize, level: Level) -> Vec<FieldSpec> {
        let mut names = HashSet::new();
        (0..count)
            .map(|_| {
                let mut field = self.field(level);
                let base = field.name.clone();
                let mut n = 2;
                while !names.insert(field.name.clone()) {
                    field.name = format!("{base}{n}");
                    n += 1;
                }
                field
            })
            .collect()
    }

    fn field(&mut self, level: Level) -> FieldSpec {
        if self.rng.chance(self.settings.violations_per_mille) {
            return self.violation(level);
        }
        let types = self.types;
        let (data_type, identification) = match (level, self.rng.below(10)) {
            (_, 0..=1) => (self.rng.pick(&types.pseudonymous), Some("pseudonymized")),
            (Level::Optional, 2..=3) => (self.rng.pick(&types.optional_only), None),
            _ => (self.rng.pick(&types.system), None),
        };
        FieldSpec {
            name: field_name(data_type),
            data_type: Some(data_type.clone()),
            identification,
        }
    }

    fn violation(&mut self, level: Level) -> FieldSpec {
        let types = self.types;
        let kinds = if level == Level::Required { 5 } else { 4 };
        let (code, data_type, identification) = match self.rng.below(kinds) {
            0 => (
                "denied-data",
                Some(self.rng.pick(&types.denied).clone()),
                None,
            ),
            // A pseudonymous id sent as is counts as identified.
            1 => (
                "identification-too-high",
                Some(self.rng.pick(&types.pseudonymous).clone()),
                None,
            ),
            2 => (
                "unknown-data-type",
                Some(format!("{}s", self.rng.pick(&types.system))),
                None,
            ),
            3 => ("unclassified-field", None, None),
            _ => (
                "consent-too-low",
                Some(self.rng.pick(&types.crash).clone()),
                None,
            ),
        };
        *self.stats.violations.entry(code).or_default() += 1;
        FieldSpec {
            name: data_type
                .as_deref()
                .map_or_else(|| "extra".to_owned(), field_name),
            data_type,
            identification,
        }
    }

    /// An event schema: top-level leaves, nested objects in `$defs` reached through `$ref`
    /// (some inside arrays, some two levels deep), and `$ref`s into the shared definitions.
    fn event_schema(&mut self, name: &str, level: Level, standalone: Option<&[&str]>) -> String {
        let defs_file = match standalone {
            Some(_) => "../schemas/common.defs.json",
            None => "common.defs.json",
        };
        let total = self.rng.between(5, 40);
        let mut properties = Map::new();
        let mut defs = Map::new();
        let mut remaining = total;
        for (shared, fields) in SHARED {
            if remaining > fields.len() + 2 && self.rng.chance(500) {
                properties.insert(
                    shared.to_owned(),
                    json!({ "$ref": format!("{defs_file}#/$defs/{shared}") }),
                );
                remaining -= fields.len();
                self.stats.fields += fields.len();
            }
        }
        let fields = self.fields(remaining, level);
        self.stats.fields += fields.len();
        let mut fields = fields.into_iter();
        let top = self.rng.between(1, remaining.min(8));
        for field in fields.by_ref().take(top) {
            properties.insert(field.name.clone(), self.leaf(&field));
        }
        // The rest go into nested objects of 2–6 fields.
        let mut group = 0;
        let mut parent: Option<String> = None;
        loop {
            let size = self.rng.between(2, 6);
            let members: Vec<FieldSpec> = fields.by_ref().take(size).collect();
            if members.is_empty() {
                break;
            }
            let def_name = format!("{}{group}", self.rng.pick(&NOUNS));
            let mut props = Map::new();
            for field in &members {
                props.insert(field.name.clone(), self.leaf(field));
            }
            defs.insert(
                def_name.clone(),
                json!({
                    "type": "object",
                    "additionalProperties": false,
                    "properties": Value::Object(props),
                }),
            );
            let reference = json!({ "$ref": format!("#/$defs/{def_name}") });
            let property = if self.rng.chance(250) {
                json!({ "type": "array", "maxItems": 16, "items": reference })
            } else {
                reference
            };
            // Some objects nest inside the previous one instead of at the top.
            let nested_in = parent.take().filter(|_| self.rng.chance(300));
            match nested_in.and_then(|p| defs.get_mut(&p)) {
                Some(outer) => {
                    outer["properties"][format!("{def_name}Info")] = property;
                }
                None => {
                    properties.insert(def_name.clone(), property);
                }
            }
            parent = Some(def_name);
            group += 1;
        }
        let mut schema = Map::new();
        schema.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        schema.insert(
            "$id".into(),
            json!(format!("https://example.com/bench/{name}.schema.json")),
        );
        schema.insert("title".into(), json!(name));
        schema.insert(
            "description".into(),
            json!(format!("Payload of the `{name}` event.")),
        );
        if let Some(purposes) = standalone {
            schema.insert("x-consent".into(), json!(level.name()));
            schema.insert("x-purposes".into(), json!(purposes));
        }
        schema.insert("type".into(), json!("object"));
        schema.insert("additionalProperties".into(), json!(false));
        schema.insert("properties".into(), Value::Object(properties));
        if !defs.is_empty() {
            schema.insert("$defs".into(), Value::Object(defs));
        }
        let mut text = serde_json::to_string_pretty(&Value::Object(schema)).expect("JSON");
        text.push('\n');
        text
    }

    fn leaf(&mut self, field: &FieldSpec) -> Value {
        let mut leaf = Map::new();
        let numeric = field
            .data_type
            .as_deref()
            .is_some_and(|t| t.contains("duration") || t.contains("time") || t.contains("counts"));
        if numeric {
            leaf.insert("type".into(), json!("integer"));
            leaf.insert("minimum".into(), json!(0));
        } else {
            leaf.insert("type".into(), json!("string"));
            leaf.insert("maxLength".into(), json!(64 << self.rng.below(4)));
        }
        leaf.insert(
            "description".into(),
            json!(format!("The {} of this event.", field.name)),
        );
        if let Some(t) = &field.data_type {
            leaf.insert("x-data-type".into(), json!(t));
        }
        if let Some(i) = field.identification {
            leaf.insert("x-identification".into(), json!(i));
        }
        Value::Object(leaf)
    }
}

fn manifest_field(out: &mut String, field: &FieldSpec, block: bool) {
    if block {
        let _ = writeln!(out, "      - name: {}", field.name);
        if let Some(t) = &field.data_type {
            let _ = writeln!(out, "        type: {t}");
        }
        if let Some(i) = field.identification {
            let _ = writeln!(out, "        identification: {i}");
        }
        let _ = writeln!(
            out,
            "        description: The {} of this event.",
            field.name
        );
    } else {
        let _ = write!(out, "      - {{ name: {}", field.name);
        if let Some(t) = &field.data_type {
            let _ = write!(out, ", type: {t}");
        }
        if let Some(i) = field.identification {
            let _ = write!(out, ", identification: {i}");
        }
        out.push_str(" }\n");
    }
}

/// `device.os.version` → `os_version`.
fn field_name(data_type: &str) -> String {
    let mut parts: Vec<&str> = data_type.split('.').collect();
    if parts.len() == 1 {
        return format!("{data_type}_info");
    }
    if parts.len() > 2 {
        parts.remove(0);
    }
    parts.join("_").trim_end_matches('s').to_owned()
}

/// The shared definitions file: no `$schema`, so consentlint skips it on its own and reads
/// it only through the `$ref`s that point into it.
fn shared_definitions() -> String {
    let mut defs = Map::new();
    for (name, fields) in SHARED {
        let props: Map<String, Value> = fields
            .iter()
            .map(|(p, t)| (p.to_string(), json!({ "type": "string", "x-data-type": t })))
            .collect();
        defs.insert(
            name.to_owned(),
            json!({ "type": "object", "additionalProperties": false, "properties": props }),
        );
    }
    let doc = json!({
        "description": "Definitions shared by this app's event schemas.",
        "$defs": Value::Object(defs),
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> Types {
        Types::from_taxonomy(include_str!("../../policies/taxonomy.yaml"))
    }

    #[test]
    fn taxonomy_groups_follow_the_default_policy() {
        let types = types();
        assert!(types.system.iter().any(|t| t == "device.os.version"));
        assert!(types.pseudonymous.iter().any(|t| t == "device.id"));
        assert!(types.denied.iter().any(|t| t == "user.email"));
        assert!(types.crash.iter().any(|t| t == "app.error.crash_report"));
        // `app.error.code` inherits nothing special: it is system metadata.
        assert!(types.system.iter().any(|t| t == "app.error.code"));
    }

    #[test]
    fn same_seed_same_corpus_different_seed_different_corpus() {
        let settings = |seed| Settings {
            seed,
            target_bytes: 150_000,
            violations_per_mille: 10,
        };
        let read_all = |dir: &Path| -> Vec<(String, String)> {
            let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                    (rel, std::fs::read_to_string(e.path()).unwrap())
                })
                .collect();
            files.sort();
            files
        };
        let types = types();
        let dirs: Vec<_> = (0..3).map(|_| tempdir()).collect();
        let a = generate(&dirs[0], &types, &settings(7)).unwrap();
        generate(&dirs[1], &types, &settings(7)).unwrap();
        generate(&dirs[2], &types, &settings(8)).unwrap();
        assert!(a.bytes >= 150_000 && a.manifests >= 1 && a.event_schemas >= 1);
        assert_eq!(read_all(&dirs[0]), read_all(&dirs[1]));
        assert_ne!(read_all(&dirs[0]), read_all(&dirs[2]));
        for dir in dirs {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    fn tempdir() -> std::path::PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "consentlint-bench-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }
}
