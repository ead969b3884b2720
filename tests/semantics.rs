//! The policy semantics of DESIGN §2, rule by rule, on a small policy over the default
//! taxonomy — and the property that rule order never changes a verdict.

use consentlint::load::Limits;
use consentlint::policy::{EventContext, Failure, Identification, Policy, Verdict, compile_source};
use consentlint::source::SourceFile;
use proptest::prelude::*;

const POLICY: &str = r#"
kind: Policy
id: semantics
consent_levels:
  - { id: census, default: on, can_disable: [] }
  - { id: usage, default: on, can_disable: [admin] }
  - { id: error_reporting, default: off, can_disable: [admin, user] }
purposes: [diagnostics, product_improvement, marketing]
defaults: { unclassified: error, unmatched: deny, identification: identified }
rules:
  - id: no-content
    deny: { classes: [customer_content] }
  - id: no-org-below-usage
    deny: { types: [org.domain] }
    below: usage
  - id: no-contact-for-marketing
    deny: { types: [user.email] }
    purposes: [marketing]
  - id: system-metadata
    allow: { classes: [system_metadata], except: [device.performance] }
  - id: performance-at-usage
    allow: { types: [device.performance] }
    min_consent: usage
  - id: org-domain
    allow: { types: [org.domain] }
  - id: pseudonymous-user-id
    allow: { types: [user.id] }
    max_identification: pseudonymized
  - id: clear-user-id-in-error-reports
    allow: { types: [user.id] }
    min_consent: error_reporting
    purposes: [diagnostics]
    max_retention_days: 28
  - id: email-in-error-reports
    allow: { types: [user.email] }
    min_consent: error_reporting
  - id: content-would-be-allowed
    allow: { types: [content.file] }
"#;

fn compile(text: &str) -> Policy {
    let (policy, problems) =
        compile_source(SourceFile::new("semantics.yaml", text), &Limits::default());
    assert!(problems.is_empty(), "{problems:#?}");
    policy.expect("policy compiles")
}

fn event<'a>(
    p: &Policy,
    level: &str,
    purposes: &'a [&'a str],
    retention: Option<u64>,
) -> EventContext<'a> {
    EventContext {
        level: p.level(level).unwrap(),
        purposes,
        retention_days: retention,
    }
}

fn decide(p: &Policy, ty: &str, id: Identification, cx: EventContext<'_>) -> Verdict {
    p.decide(
        p.taxonomy.get(ty).unwrap_or_else(|| panic!("no type {ty}")),
        id,
        cx,
    )
}

fn rule_of(p: &Policy, v: &Verdict) -> String {
    match v {
        Verdict::Permitted(Some(r)) | Verdict::Denied(r) | Verdict::Failed { grant: r, .. } => {
            p.rules[*r].id.clone()
        }
        Verdict::Permitted(None) | Verdict::NoGrant => String::new(),
    }
}

use Identification::*;

#[test]
fn deny_always_wins_over_a_grant() {
    let p = compile(POLICY);
    let v = decide(
        &p,
        "content.file",
        Aggregated,
        event(&p, "error_reporting", &[], None),
    );
    assert!(matches!(v, Verdict::Denied(_)));
    assert_eq!(rule_of(&p, &v), "no-content");
}

#[test]
fn below_scopes_a_deny_to_lower_levels() {
    let p = compile(POLICY);
    let under = decide(&p, "org.domain", Identified, event(&p, "census", &[], None));
    assert_eq!(
        (matches!(under, Verdict::Denied(_)), rule_of(&p, &under)),
        (true, "no-org-below-usage".into())
    );
    let at = decide(&p, "org.domain", Identified, event(&p, "usage", &[], None));
    assert_eq!(rule_of(&p, &at), "org-domain");
    assert!(matches!(at, Verdict::Permitted(Some(_))));
}

#[test]
fn purposes_scope_a_deny_to_events_declaring_them() {
    let p = compile(POLICY);
    let marketing = decide(
        &p,
        "user.email",
        Identified,
        event(&p, "error_reporting", &["marketing"], None),
    );
    assert_eq!(rule_of(&p, &marketing), "no-contact-for-marketing");
    assert!(matches!(marketing, Verdict::Denied(_)));
    let diagnostics = decide(
        &p,
        "user.email",
        Identified,
        event(&p, "error_reporting", &["diagnostics"], None),
    );
    assert!(matches!(diagnostics, Verdict::Permitted(Some(_))));
}

#[test]
fn selectors_match_descendants_and_classes_with_except() {
    let p = compile(POLICY);
    // `device.os.version` is system_metadata by inheritance from `device`.
    let v = decide(
        &p,
        "device.os.version",
        Identified,
        event(&p, "census", &[], None),
    );
    assert_eq!(rule_of(&p, &v), "system-metadata");
    // `except` removes device.performance from the class grant only: its own grant needs usage.
    let v = decide(
        &p,
        "device.performance",
        Identified,
        event(&p, "census", &[], None),
    );
    assert_eq!(
        v,
        Verdict::Failed {
            grant: p
                .rules
                .iter()
                .position(|r| r.id == "performance-at-usage")
                .unwrap(),
            failures: vec![Failure::Consent { needed: 1 }]
        }
    );
    let v = decide(
        &p,
        "device.performance",
        Identified,
        event(&p, "usage", &[], None),
    );
    assert!(matches!(v, Verdict::Permitted(Some(_))));
}

#[test]
fn identification_must_not_exceed_the_grant() {
    let p = compile(POLICY);
    let ok = decide(&p, "user.id", Pseudonymized, event(&p, "census", &[], None));
    assert_eq!(rule_of(&p, &ok), "pseudonymous-user-id");
    let less = decide(&p, "user.id", Anonymized, event(&p, "census", &[], None));
    assert!(matches!(less, Verdict::Permitted(Some(_))));
    let too_high = decide(&p, "user.id", Identified, event(&p, "census", &[], None));
    // The pseudonymous grant needs one change (identification); the clear one needs a level.
    assert_eq!(rule_of(&p, &too_high), "pseudonymous-user-id");
    assert!(
        matches!(&too_high, Verdict::Failed { failures, .. } if failures == &vec![Failure::Identification { max: Pseudonymized }])
    );
}

#[test]
fn grant_purposes_and_retention_are_conditions() {
    let p = compile(POLICY);
    let ok = decide(
        &p,
        "user.id",
        Identified,
        event(&p, "error_reporting", &["diagnostics"], Some(28)),
    );
    assert_eq!(rule_of(&p, &ok), "clear-user-id-in-error-reports");
    let purpose = decide(
        &p,
        "user.id",
        Identified,
        event(&p, "error_reporting", &["product_improvement"], Some(28)),
    );
    assert!(
        matches!(&purpose, Verdict::Failed { failures, .. } if failures.iter().any(|f| matches!(f, Failure::Purpose { .. })))
    );
    let retention = decide(
        &p,
        "user.id",
        Identified,
        event(&p, "error_reporting", &["diagnostics"], Some(90)),
    );
    assert!(
        matches!(&retention, Verdict::Failed { failures, .. } if failures == &vec![Failure::Retention { max: 28, actual: Some(90) }])
    );
    let undeclared = decide(
        &p,
        "user.id",
        Identified,
        event(&p, "error_reporting", &["diagnostics"], None),
    );
    assert!(
        matches!(&undeclared, Verdict::Failed { failures, .. } if failures == &vec![Failure::Retention { max: 28, actual: None }])
    );
}

#[test]
fn unmatched_types_follow_the_default() {
    let p = compile(POLICY);
    assert_eq!(
        decide(
            &p,
            "user.phone",
            Identified,
            event(&p, "error_reporting", &[], None)
        ),
        Verdict::NoGrant
    );
    let open = compile(&POLICY.replace("unmatched: deny", "unmatched: allow"));
    assert_eq!(
        decide(
            &open,
            "user.phone",
            Identified,
            event(&open, "census", &[], None)
        ),
        Verdict::Permitted(None)
    );
}

#[test]
fn the_reported_failure_needs_the_smallest_change() {
    let text = POLICY.replace(
        "  - id: email-in-error-reports",
        "  - id: email-at-usage\n    allow: { types: [user.email] }\n    min_consent: usage\n  - id: email-in-error-reports",
    );
    let p = compile(&text);
    let v = decide(&p, "user.email", Identified, event(&p, "census", &[], None));
    assert_eq!(rule_of(&p, &v), "email-at-usage");
    assert!(
        matches!(&v, Verdict::Failed { failures, .. } if failures == &vec![Failure::Consent { needed: 1 }])
    );
}

/// Every verdict of a policy over the whole taxonomy, by rule id.
fn all_verdicts(p: &Policy) -> Vec<String> {
    let purposes: [&[&str]; 4] = [
        &[],
        &["diagnostics"],
        &["marketing"],
        &["diagnostics", "product_improvement"],
    ];
    let mut out = Vec::new();
    for ty in 0..p.taxonomy.len() {
        for level in 0..p.levels.len() {
            for &id in Identification::ALL {
                for purpose in purposes {
                    for retention in [None, Some(7), Some(90)] {
                        let cx = EventContext {
                            level,
                            purposes: purpose,
                            retention_days: retention,
                        };
                        let v = p.decide(ty, id, cx);
                        let kind = match &v {
                            Verdict::Permitted(_) => "permitted".to_owned(),
                            Verdict::Denied(_) => "denied".to_owned(),
                            Verdict::Failed { failures, .. } => format!("failed {failures:?}"),
                            Verdict::NoGrant => "no-grant".to_owned(),
                        };
                        out.push(format!(
                            "{} {level} {id} {purpose:?} {retention:?}: {kind} {}",
                            p.taxonomy.types[ty].id,
                            rule_of(p, &v)
                        ));
                    }
                }
            }
        }
    }
    out
}

fn rules_block(text: &str) -> (String, Vec<String>) {
    let (head, rules) = text.split_once("rules:\n").unwrap();
    let mut blocks: Vec<String> = Vec::new();
    for line in rules.lines() {
        if line.starts_with("  - ") {
            blocks.push(String::new());
        }
        if let Some(last) = blocks.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    (format!("{head}rules:\n"), blocks)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn rule_order_never_changes_a_verdict(order in Just((0..10usize).collect::<Vec<_>>()).prop_shuffle()) {
        let (head, blocks) = rules_block(POLICY);
        prop_assert_eq!(blocks.len(), 10);
        let shuffled: String = order.iter().map(|&i| blocks[i].as_str()).collect();
        let baseline = all_verdicts(&compile(POLICY));
        let permuted = all_verdicts(&compile(&format!("{head}{shuffled}")));
        prop_assert_eq!(baseline, permuted);
    }
}
