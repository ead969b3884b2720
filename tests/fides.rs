//! Fides resources read as they are: `check` on Fides' own demo and `fides evaluate`
//! fixtures (vendored unchanged, tests/vendored/fides/SOURCE.txt) gives the verdicts
//! `fides evaluate` gives, rule by rule. With `../shared/corpus/` beside the checkout, the
//! same holds for every row of its EXPECTATIONS.md.

mod common;

use serde_json::Value;
use std::process::Command;

const FIDES: &str = "tests/vendored/fides/ethyca+fides";

fn check(path: &str) -> (Value, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", path, "--format", "json", "--no-config"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap();
    (report, out.status.code().unwrap())
}

/// `(code, rule)` of every finding, in output order.
fn findings(report: &Value) -> Vec<(String, Option<String>)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["rule"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// What `fides evaluate` says of each fixture (ethyca/fides tests/ctl/cli/test_cli.py
/// TestEvaluate, and ../shared/corpus/fides/EXPECTATIONS.md): passes, or fails on which
/// rules (one entry per violation).
const VERDICTS: &[(&str, Result<(), &[&str]>)] = &[
    ("tests/ctl/data/passing_declaration_taxonomy.yml", Ok(())),
    ("demo_resources", Ok(())),
    (
        "tests/ctl/data/failing_declaration_taxonomy.yml",
        Err(&["reject_targeted_marketing"]),
    ),
    (
        "tests/ctl/data/failing_dataset_taxonomy.yml",
        Err(&["reject_political_opinion"]),
    ),
    (
        "tests/ctl/data/failing_dataset_field_taxonomy.yml",
        Err(&["reject_political_opinion"]),
    ),
    (
        "tests/ctl/data/failing_nested_dataset.yml",
        Err(&[
            "exclude_location_information",
            "exclude_location_information",
            "exclude_location_information",
        ]),
    ),
];

#[test]
fn check_gives_the_verdicts_of_fides_evaluate_rule_by_rule() {
    for (input, verdict) in VERDICTS {
        let (report, code) = check(&format!("{FIDES}/{input}"));
        let got = findings(&report);
        match verdict {
            Ok(()) => assert_eq!((code, got), (0, vec![]), "{input}"),
            Err(rules) => {
                let expected: Vec<(String, Option<String>)> = rules
                    .iter()
                    .map(|r| ("denied-data".to_owned(), Some((*r).to_owned())))
                    .collect();
                assert_eq!((code, got), (1, expected), "{input}");
            }
        }
    }
    // The one fixture that is not valid YAML (EXPECTATIONS.md: fides fails it loading it).
    let (report, code) = check(&format!(
        "{FIDES}/tests/ctl/data/failing_dataset_collection_taxonomy.yml"
    ));
    assert_eq!(code, 2);
    assert_eq!(report["diagnostics"][0]["code"], "yaml-syntax");
    assert_eq!(report["diagnostics"][0]["line"], 8);
    assert_eq!(report["diagnostics"][0]["column"], 28);
}

/// The violation fides reports for failing_declaration_taxonomy.yml (test_evaluate.py::
/// test_failed_evaluation_error_message): declaration, system, rule, policy, and the
/// violating categories, uses and subjects.
#[test]
fn the_violation_names_what_fides_names() {
    let input = format!("{FIDES}/tests/ctl/data/failing_declaration_taxonomy.yml");
    let (report, _) = check(&input);
    let d = &report["diagnostics"][0];
    assert_eq!(
        d["message"],
        "declaration `Share Political Opinions` of system `customer_data_sharing_system` fails \
         rule `reject_targeted_marketing` of Fides policy `primary_privacy_policy`: data \
         categories `user.demographic.political_opinion` for data use \
         `marketing.advertising.third_party` and subjects `customer`"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(9), Some(13))
    );
    assert_eq!(d["data_type"], "user.demographic.political_opinion");
    assert_eq!(
        d["event"],
        "customer_data_sharing_system/Share Political Opinions"
    );
    let related: Vec<(u64, &str)> = d["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        related,
        [
            (10, "the declaration's data use"),
            (19, "Fides rule `reject_targeted_marketing`")
        ]
    );
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .args(["check", &input, "--no-config", "--color", "never"])
        .output()
        .unwrap();
    insta::assert_snapshot!(
        "fides_failing_declaration",
        String::from_utf8(out.stdout).unwrap()
    );
}

/// Every row of the corpus's EXPECTATIONS.md `fides evaluate` table, on the corpus's own
/// files: exit 0 there is a clean check here, exit 1 a failing one (1 for findings, or 2
/// for the fixture that is not valid YAML).
#[test]
fn every_recorded_fides_evaluate_verdict_holds_on_the_corpus() {
    let Some(fides) = common::shared_corpus("fides", "the corpus's fides evaluate verdicts") else {
        return;
    };
    let text = std::fs::read_to_string(format!("{fides}/EXPECTATIONS.md")).unwrap();
    let mut rows = 0;
    for line in text
        .lines()
        .skip_while(|l| !l.starts_with("## `fides evaluate"))
    {
        if line.starts_with("## Rule matching") {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(input), Some(exit)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Ok(exit) = exit.parse::<i32>() else {
            continue;
        };
        // `demo_resources/ (whole dir)`: the path is the first word.
        let input = input
            .split(' ')
            .next()
            .unwrap_or_default()
            .trim_matches('`');
        if input.starts_with("same") {
            // `-k` and `--local` variants of the row above: the same files.
            continue;
        }
        let (_, code) = check(&format!("{fides}/ethyca+fides/{input}"));
        assert_eq!(
            code == 0,
            exit == 0,
            "{input}: exit {code}, fides evaluate {exit}"
        );
        rows += 1;
    }
    assert_eq!(rows, 7);
}
