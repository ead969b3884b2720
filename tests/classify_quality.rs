//! The classifier's measured quality on field-by-field labels it was never tuned on.
//!
//! Fides labels its own Postgres database field by field with fideslang categories
//! (`.fides/db_dataset.yml`, 1,582 fields), and its sample projects label customer-style
//! tables. The datasets are vendored unchanged (tests/vendored/fides/SOURCE.txt); this test
//! turns them into unannotated JSON Schemas (one per collection, the collection's name as
//! the title, each field's `description` kept), runs `consentlint classify` with a
//! `fideslang:` policy, and scores every proposal against the label: right when the
//! proposal and the label are the same category or one is an ancestor of the other; a
//! personal (`user.*`) proposal on a `system.*` field is wrong like any other mismatch.
//! docs/CLASSIFY.md records the numbers and how the rules were kept general.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const FIDES: &str = "tests/vendored/fides/ethyca+fides";

/// One labelled leaf: (schema file, field path) → its categories.
type Labels = BTreeMap<(String, String), Vec<String>>;

/// Write the collections of the Fides dataset file `from` as JSON Schemas under `into`,
/// returning their labels.
fn schemas_from_dataset(from: &Path, into: &Path, labels: &mut Labels) {
    let text = std::fs::read_to_string(from).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    for dataset in doc["dataset"].as_array().unwrap() {
        let key = dataset["fides_key"].as_str().unwrap();
        for collection in dataset["collections"].as_array().unwrap() {
            let name = collection["name"].as_str().unwrap();
            let file = format!("{key}/{name}.json");
            let mut properties = serde_json::Map::new();
            for field in collection["fields"].as_array().unwrap() {
                let (prop_name, schema) = field_schema(field, "", &file, labels);
                properties.insert(prop_name, schema);
            }
            let schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": name,
                "type": "object",
                "additionalProperties": false,
                "properties": properties,
            });
            let path = into.join(&file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, serde_json::to_string_pretty(&schema).unwrap()).unwrap();
        }
    }
}

fn field_schema(field: &Value, prefix: &str, file: &str, labels: &mut Labels) -> (String, Value) {
    let name = field["name"].as_str().unwrap().to_owned();
    let path = format!("{prefix}{name}");
    let mut schema = serde_json::Map::new();
    if let Some(d) = field["description"].as_str() {
        schema.insert("description".into(), json!(d));
    }
    match field["fields"].as_array() {
        Some(children) if !children.is_empty() => {
            let mut properties = serde_json::Map::new();
            for child in children {
                let (n, s) = field_schema(child, &format!("{path}."), file, labels);
                properties.insert(n, s);
            }
            schema.insert("type".into(), json!("object"));
            schema.insert("additionalProperties".into(), json!(false));
            schema.insert("properties".into(), Value::Object(properties));
        }
        _ => {
            let categories: Vec<String> = field["data_categories"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect();
            if !categories.is_empty() {
                labels.insert((file.to_owned(), path), categories);
            }
        }
    }
    (name, Value::Object(schema))
}

/// Same category, or one is an ancestor of the other.
fn related(a: &str, b: &str) -> bool {
    let under = |x: &str, y: &str| x == y || x.starts_with(&format!("{y}."));
    under(a, b) || under(b, a)
}

#[derive(Debug, Default)]
struct Score {
    labelled: usize,
    proposed: usize,
    right: usize,
    personal_labels: usize,
    personal_right: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        self.right as f64 / self.proposed.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.right as f64 / self.labelled.max(1) as f64
    }
}

/// Classify the datasets and score the proposals at `--min-confidence min`.
fn score(datasets: &[&str], min: &str) -> (Score, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut labels = Labels::new();
    for dataset in datasets {
        schemas_from_dataset(
            &Path::new(FIDES).join(dataset),
            &dir.path().join("schemas"),
            &mut labels,
        );
    }
    std::fs::copy(
        "tests/vendored/fideslang/data_categories.yml",
        dir.path().join("data_categories.yml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policy.yaml"),
        "kind: Policy\nid: fides\ntaxonomy: fideslang:data_categories.yml\n\
         consent_levels: [{ id: required, default: on, can_disable: [] }]\n\
         rules: [{ id: system, allow: { classes: [system_metadata] } }]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args([
            "classify",
            "--no-config",
            "--policy",
            "policy.yaml",
            "--format",
            "json",
        ])
        .args(["--min-confidence", min, "schemas"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut proposals: BTreeMap<(String, String), String> = BTreeMap::new();
    for p in report["proposals"].as_array().unwrap() {
        let file = p["file"]
            .as_str()
            .unwrap()
            .trim_start_matches("schemas/")
            .to_owned();
        proposals.insert(
            (file, p["field"].as_str().unwrap().to_owned()),
            p["data_type"].as_str().unwrap().to_owned(),
        );
    }
    let mut score = Score::default();
    let mut wrong = Vec::new();
    for (site, categories) in &labels {
        score.labelled += 1;
        let personal = categories.iter().any(|c| c.starts_with("user"));
        score.personal_labels += usize::from(personal);
        let Some(proposed) = proposals.get(site) else {
            continue;
        };
        score.proposed += 1;
        if categories.iter().any(|c| related(c, proposed)) {
            score.right += 1;
            score.personal_right += usize::from(personal);
        } else {
            wrong.push(format!(
                "{}#{}: proposed {proposed}, labelled {}",
                site.0,
                site.1,
                categories.join(", ")
            ));
        }
    }
    (score, wrong)
}

#[test]
fn classify_is_precise_on_fides_own_database_labels() {
    let (score, wrong) = score(&[".fides/db_dataset.yml"], "0.5");
    eprintln!(
        "fides db_dataset.yml: {score:?}, precision {:.3}, recall {:.3}",
        score.precision(),
        score.recall()
    );
    // The whole dataset is converted: a test that read nothing cannot pass.
    assert_eq!(score.labelled, 1582);
    assert!(
        score.precision() >= 0.90 && score.recall() >= 0.70,
        "precision {:.3}, recall {:.3}; wrong:\n{}",
        score.precision(),
        score.recall(),
        wrong.join("\n")
    );
}

#[test]
fn classify_finds_the_personal_fields_of_the_sample_projects() {
    let datasets = [
        "demo_resources/demo_dataset.yml",
        "src/fides/data/sample_project/sample_resources/postgres_example_test_dataset.yml",
        "src/fides/data/sample_project/sample_resources/postgres_example_test_extended_dataset.yml",
        "src/fides/data/sample_project/sample_resources/postgres_example_custom_request_field_dataset.yml",
        "src/fides/data/sample_project/sample_resources/mongo_example_test_dataset.yml",
    ];
    let (strict, _) = score(&datasets, "0.8");
    eprintln!(
        "fides sample projects at 0.8: {strict:?}, precision {:.3}, recall {:.3}",
        strict.precision(),
        strict.recall()
    );
    let (score, wrong) = score(&datasets, "0.5");
    eprintln!(
        "fides sample projects: {score:?}, precision {:.3}, recall {:.3}",
        score.precision(),
        score.recall()
    );
    assert!(score.labelled > 100, "{score:?}");
    assert!(
        score.precision() >= 0.75 && score.recall() >= 0.60,
        "precision {:.3}, recall {:.3}; wrong:\n{}",
        score.precision(),
        score.recall(),
        wrong.join("\n")
    );
}
