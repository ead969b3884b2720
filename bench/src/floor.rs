//! The parse-only floor: read files and parse them into untyped values, nothing more.
//!
//! The file set is consentlint's own (`run::walk::inputs`), so both sides of the ratio read
//! exactly the same files. YAML goes through serde-saphyr, as in consentlint; JSON through
//! serde_json by default, or through serde-saphyr (`JsonParser::Saphyr`), which is what
//! consentlint needs for JSON because only it reports the spans diagnostics point at.

use consentlint::run::walk;
use rayon::prelude::*;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonParser {
    SerdeJson,
    Saphyr,
}

/// What parsing the files took.
#[derive(Debug, Default)]
pub struct Totals {
    pub files: usize,
    pub bytes: u64,
    /// Files that could not be read or did not parse.
    pub failed: usize,
    /// Scalars, sequences and mappings in the parsed values.
    pub values: u64,
}

/// Read and parse every file under `paths` with the current rayon pool.
pub fn parse_all(paths: &[PathBuf], json: JsonParser) -> Totals {
    let mut problems = Vec::new();
    // The same walk as `check`, from the working directory as the project root.
    let root = consentlint::project::Project::new(&std::env::current_dir().unwrap_or_default());
    let inputs = walk::inputs(paths, &Default::default(), &root.root, &mut problems);
    inputs
        .par_iter()
        .map(|input| {
            let mut totals = Totals {
                files: 1,
                ..Totals::default()
            };
            let Ok(text) = std::fs::read_to_string(&input.path) else {
                totals.failed = 1;
                return totals;
            };
            totals.bytes = text.len() as u64;
            let is_json = input.display.ends_with(".json");
            let parsed: Option<serde_json::Value> = if is_json && json == JsonParser::SerdeJson {
                serde_json::from_str(&text).ok()
            } else {
                serde_saphyr::from_str(&text).ok()
            };
            match parsed {
                Some(value) => totals.values = count(&value),
                None => totals.failed = 1,
            }
            totals
        })
        .reduce(Totals::default, |a, b| Totals {
            files: a.files + b.files,
            bytes: a.bytes + b.bytes,
            failed: a.failed + b.failed,
            values: a.values + b.values,
        })
}

/// Counting the values keeps the parse from being optimised away and is a sanity figure.
fn count(value: &serde_json::Value) -> u64 {
    1 + match value {
        serde_json::Value::Array(items) => items.iter().map(count).sum(),
        serde_json::Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}
