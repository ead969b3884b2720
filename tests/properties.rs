//! Properties of the parts that take untrusted input (issue 7): the loaders never panic on
//! arbitrary bytes or YAML-shaped text; compiling never panics on arbitrary well-formed
//! policies; a check's output does not depend on the order files are given in; rendering
//! any diagnostic in every format never panics, yields valid JSON / SARIF / XML, and never
//! lets a control character through to a terminal or a forged workflow command into
//! GitHub output. (Rule order: `tests/semantics.rs`,
//! `rule_order_never_changes_a_verdict`.)

use consentlint::diagnostic::{self, Code, Diagnostic, Label, Severity};
use consentlint::load::{self, Limits, schema_check::Format};
use consentlint::policy::{EventContext, Identification, compile_source};
use consentlint::render::{self, Summary, human, json};
use consentlint::source::{SourceFile, Span};
use proptest::prelude::*;
use std::process::Command;

/// Everything a loader does with one file's bytes, for every document format.
fn load_everything(name: &str, bytes: Vec<u8>) {
    let limits = Limits::default();
    let Ok(source) = load::decode(name, bytes) else {
        return;
    };
    if let Ok(root) = load::parse(&source, &limits) {
        let _ = consentlint::document::Kind::detect(&root);
        let _ = root.to_json();
    }
    for format in [
        Format::Policy,
        Format::Manifest,
        Format::Taxonomy,
        Format::Config,
    ] {
        let _ = load::load_document(Ok(source.clone()), format, &limits);
    }
}

/// Text made of the pieces YAML syntax is built from, so that most inputs get deep into
/// the parser instead of failing at the first byte.
fn yaml_shaped() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("- ".to_owned()),
        Just(": ".to_owned()),
        Just("kind: TelemetryManifest\n".to_owned()),
        Just("kind: Policy\n".to_owned()),
        Just("events:\n".to_owned()),
        Just("fields:\n".to_owned()),
        Just("{ ".to_owned()),
        Just(" }".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(", ".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("<<: *a\n".to_owned()),
        Just("!!str ".to_owned()),
        Just("---\n".to_owned()),
        Just("? ".to_owned()),
        Just("|\n".to_owned()),
        Just("# c\n".to_owned()),
        Just("\t".to_owned()),
        Just("\"\\e\\u0000\"".to_owned()),
        "[a-z_.]{1,8}",
        "'[^'\n]{0,6}'",
        "-?[0-9]{1,20}(\\.[0-9]+)?",
        "[\u{0}-\u{7f}]",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
}

const LEVELS: [&str; 4] = ["census", "usage", "error_reporting", "nonexistent"];
const SELECTORS: [&str; 10] = [
    "types: [device]",
    "types: [user.id, device.id]",
    "types: [user.email]",
    "types: [no.such.type]",
    "classes: [system_metadata]",
    "classes: [euii], except: [user.ip_address]",
    "classes: [customer_content]",
    "classes: [not_a_class]",
    "types: [app], except: [app.error]",
    "types: []",
];
const QUALIFIERS: [&str; 6] = [
    "identified",
    "pseudonymized",
    "unlinked_pseudonymized",
    "anonymized",
    "aggregated",
    "nonsense",
];

/// A rule: allow or deny, a selector, and any of the conditions, some of them naming
/// levels, qualifiers, purposes or types that do not exist.
fn rule() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0..SELECTORS.len(),
        prop::option::of(0..LEVELS.len()),
        prop::option::of(0..QUALIFIERS.len()),
        prop::option::of(prop::sample::subsequence(
            vec!["diagnostics", "marketing", "unknown.purpose"],
            0..3,
        )),
        prop::option::of(0u64..100),
        prop::option::of(0..LEVELS.len()),
    )
        .prop_map(
            |(allow, selector, min, max_id, purposes, retention, below)| {
                let mut r = format!(
                    "    {}: {{ {} }}\n",
                    if allow { "allow" } else { "deny" },
                    SELECTORS[selector]
                );
                if let (true, Some(l)) = (allow, min) {
                    r.push_str(&format!("    min_consent: {}\n", LEVELS[l]));
                }
                if let (true, Some(q)) = (allow, max_id) {
                    r.push_str(&format!("    max_identification: {}\n", QUALIFIERS[q]));
                }
                if let Some(p) = purposes {
                    r.push_str(&format!("    purposes: [{}]\n", p.join(", ")));
                }
                if let (true, Some(days)) = (allow, retention) {
                    r.push_str(&format!("    max_retention_days: {days}\n"));
                }
                if let (false, Some(l)) = (allow, below) {
                    r.push_str(&format!("    below: {}\n", LEVELS[l]));
                }
                r
            },
        )
}

fn policy() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(rule(), 0..8),
        prop::sample::subsequence(LEVELS[..3].to_vec(), 1..=3),
        prop::sample::select(vec!["deny", "allow"]),
        prop::sample::select(QUALIFIERS.to_vec()),
    )
        .prop_map(|(rules, levels, unmatched, identification)| {
            let mut text = String::from("kind: Policy\nid: generated\nconsent_levels:\n");
            for level in levels {
                text.push_str(&format!(
                    "  - {{ id: {level}, default: on, can_disable: [] }}\n"
                ));
            }
            text.push_str(&format!(
                "purposes: [diagnostics, marketing]\ndefaults: {{ unclassified: error, unmatched: {unmatched}, identification: {identification} }}\nrules:\n"
            ));
            for (i, rule) in rules.iter().enumerate() {
                text.push_str(&format!("  - id: rule-{i}\n{rule}"));
            }
            if rules.is_empty() {
                text.push_str("  []\n");
            }
            text
        })
}

/// A diagnostic with any code and severity, any text (control characters included) and
/// spans anywhere on character boundaries of an arbitrary source.
fn any_diagnostic() -> impl Strategy<Value = Diagnostic> {
    (
        prop::sample::select(Code::ALL.to_vec()),
        prop::sample::select(vec![Severity::Error, Severity::Warning, Severity::Info]),
        any::<String>(),
        any::<String>(),
        prop::option::of(any::<String>()),
        prop::option::of(any::<String>()),
        any::<String>(),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        prop::option::of(any::<String>()),
    )
        .prop_map(
            |(code, severity, message, text, rule, help, name, (a, b), field)| {
                let source = SourceFile::new(name.clone(), text.clone());
                let bounds: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(text.len()))
                    .collect();
                let (x, y) = (a.get(&bounds), b.get(&bounds));
                let span = Span::new(*x.min(y), *x.max(y));
                let mut d = Diagnostic::at(code, &source, span, message.clone())
                    .with_severity(severity)
                    .with_label(message.clone())
                    .with_related(Label::new(
                        &source,
                        Span::new(*x, *x),
                        help.clone().unwrap_or_default(),
                    ));
                d.rule = rule;
                d.help = help;
                d.field = field;
                d
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn loaders_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        load_everything("any.yaml", bytes.clone());
        load_everything("any.json", bytes);
    }

    #[test]
    fn loaders_never_panic_on_yaml_shaped_text(text in yaml_shaped()) {
        load_everything("shaped.yaml", text.clone().into_bytes());
        load_everything("shaped.json", text.into_bytes());
    }

    #[test]
    fn rendering_any_diagnostic_never_panics_and_escapes_its_text(
        mut diagnostics in prop::collection::vec(any_diagnostic(), 0..4)
    ) {
        diagnostic::sort(&mut diagnostics);
        let summary = Summary::new(&diagnostics, 1, 0, 0, 0);
        let report: serde_json::Value = serde_json::from_str(&json::render(&diagnostics, &summary))
            .expect("the JSON report parses");
        prop_assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(diagnostics.len()));
        let text = human::render(&diagnostics, human::Style { color: false, width: 100 });
        for c in text.chars() {
            prop_assert!(!diagnostic::is_unsafe(c) || c == '\n', "{:?} in\n{}", c, text);
        }
        let files: Vec<String> = diagnostics.iter().map(|d| d.file.clone()).collect();
        let input = render::Input {
            diagnostics: &diagnostics,
            summary: &summary,
            files: &files,
            policies: &[],
            fail_on: Some(Severity::Error),
        };
        let sarif: serde_json::Value =
            serde_json::from_str(&render::sarif::render(&input)).expect("SARIF parses as JSON");
        prop_assert_eq!(&sarif["version"], "2.1.0");
        let junit = render::junit::render(&input);
        prop_assert!(roxmltree::Document::parse(&junit).is_ok(), "JUnit is not XML:\n{}", junit);
        // The GitHub output is one workflow command of ours per diagnostic, then the summary.
        let github = render::github::render(&input);
        prop_assert_eq!(github.lines().count(), diagnostics.len() + 1, "{}", github);
        for line in github.lines().take(diagnostics.len()) {
            prop_assert!(
                line.starts_with("::error ") || line.starts_with("::warning ") || line.starts_with("::notice "),
                "not a workflow command: {:?}",
                line
            );
        }
        let markdown = render::markdown::render(&input);
        for output in [&github, &markdown] {
            for c in output.chars() {
                prop_assert!(!diagnostic::is_unsafe(c) || c == '\n', "{:?} in\n{}", c, output);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn compiling_a_well_formed_policy_never_panics(text in policy()) {
        let (policy, _problems) =
            compile_source(SourceFile::new("generated.yaml", text), &Limits::default());
        // A policy that compiled answers every type × level × qualifier.
        if let Some(p) = policy {
            for level in LEVELS[..3].iter().filter_map(|l| p.level(l)) {
                for ty in p.taxonomy.in_tree_order() {
                    for id in [Identification::Identified, Identification::Aggregated] {
                        let purposes = ["marketing"];
                        let cx = EventContext { level, purposes: &purposes, retention_days: Some(30) };
                        let _ = p.decide(*ty, id, cx);
                    }
                }
            }
        }
    }
}

fn check_json(files: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_consentlint"))
        .arg("check")
        .args(files)
        .args(["--format", "json"])
        .env("CONSENTLINT_TODAY", "2026-11-23")
        .output()
        .expect("run consentlint");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The seed fixtures' files: manifests, their policies, schemas and broken files.
fn seed_files() -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new("tests/fixtures/seeds")
        .into_iter()
        .chain(walkdir::WalkDir::new("tests/fixtures/codes/ref-cycle"))
        .chain(walkdir::WalkDir::new("tests/fixtures/codes/duplicate-key"))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_string_lossy().replace('\\', "/"))
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".json"))
        .collect();
    files.sort();
    files
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn output_does_not_depend_on_file_order(order in Just(seed_files()).prop_shuffle()) {
        let sorted = check_json(&seed_files());
        prop_assert!(sorted.contains("\"denied-data\""), "{}", sorted);
        prop_assert_eq!(sorted, check_json(&order));
    }
}
