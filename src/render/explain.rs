//! `explain`: an [`Explanation`] as text — the verdict, each matching rule with where it is
//! written and which of its conditions hold, and the smallest changes that would pass.

use crate::policy::Identification;
use crate::policy::explain::{Change, Explanation, Fix};
use crate::policy::table::{Failure, Policy, Rule, Verdict};

fn at(rule: &Rule) -> String {
    let lc = rule.origin.source.line_col(rule.origin.span.start);
    format!("{}:{}", rule.origin.source.name, lc.line)
}

fn level(policy: &Policy, l: usize) -> &str {
    policy.levels.get(l).map_or("?", |l| l.id.as_str())
}

pub fn render(policy: &Policy, e: &Explanation) -> String {
    let q = &e.query;
    let ty = &policy.taxonomy.types[q.ty];
    let mut out = format!(
        "`{}` ({}, {}) in an event at `{}`, sent {}, {}, {}\npolicy `{}` ({})\n\n",
        ty.id,
        ty.title,
        ty.class,
        level(policy, q.level),
        q.identification,
        if q.purposes.is_empty() {
            "no purposes".to_owned()
        } else {
            format!("purposes {}", q.purposes.join(", "))
        },
        q.retention_days
            .map_or("no retention declared".to_owned(), |d| format!(
                "kept {d} days"
            )),
        policy.id,
        policy.name,
    );
    let verdict = match &e.verdict {
        Verdict::Permitted(Some(g)) => {
            format!("permitted by grant `{}`", policy.rules[*g].id)
        }
        Verdict::Permitted(None) => {
            "permitted: no rule mentions it and `defaults.unmatched` is `allow`".to_owned()
        }
        Verdict::Denied(d) => format!(
            "denied-data: deny rule `{}` matches, and deny always wins",
            policy.rules[*d].id
        ),
        Verdict::Failed { grant, failures } => format!(
            "{}: no grant holds; the closest is `{}`",
            failure_code(failures.first()),
            policy.rules[*grant].id
        ),
        Verdict::NoGrant => {
            "no-grant: no rule mentions it and `defaults.unmatched` is `deny`".to_owned()
        }
    };
    out.push_str(&format!("verdict: {verdict}\n\n"));

    out.push_str(&format!("deny rules matching `{}`:\n", ty.id));
    if e.denies.is_empty() {
        out.push_str("  (none)\n");
    }
    for d in &e.denies {
        let rule = &policy.rules[d.rule];
        let mark = if d.applies { "✗ denies" } else { "· exempt" };
        out.push_str(&format!(
            "  {mark}  `{}`  deny {}  ({})\n",
            rule.id,
            rule.selector_text,
            at(rule)
        ));
        if let Some(b) = rule.below {
            out.push_str(&format!(
                "      below: `{}` — the event is at `{}`, so it {}\n",
                level(policy, b),
                level(policy, q.level),
                if d.level_exempt {
                    "does not apply"
                } else {
                    "applies"
                }
            ));
        }
        if let Some(p) = &rule.purposes {
            out.push_str(&format!(
                "      purposes: {} — the event declares {}, so it {}\n",
                p.join(", "),
                declared(&q.purposes),
                if d.purpose_exempt {
                    "does not apply"
                } else {
                    "applies"
                }
            ));
        }
    }
    out.push_str(&format!("\ngrants matching `{}`:\n", ty.id));
    if e.grants.is_empty() {
        out.push_str("  (none)\n");
    }
    for g in &e.grants {
        let rule = &policy.rules[g.rule];
        let mark = if g.failures.is_empty() {
            "✓ holds"
        } else {
            "✗ fails"
        };
        out.push_str(&format!(
            "  {mark}  `{}`  allow {}  ({})\n",
            rule.id,
            rule.selector_text,
            at(rule)
        ));
        for (ok, text) in conditions(policy, rule, &g.failures, q) {
            out.push_str(&format!("      {} {text}\n", if ok { "✓" } else { "✗" }));
        }
    }
    if let Some(max) = e.retention_limit {
        out.push_str(&format!(
            "\nlimits at `{}`: {} max_retention_days: {max} — {}\n",
            level(policy, q.level),
            if e.exceeds_retention_limit() {
                "✗"
            } else {
                "✓"
            },
            q.retention_days
                .map_or("the event declares none".to_owned(), |d| format!(
                    "the event keeps it {d} days"
                ))
        ));
        if e.exceeds_retention_limit() {
            out.push_str(&format!("retention-exceeded: keep it at most {max} days\n"));
        }
    }
    if !matches!(e.verdict, Verdict::Permitted(_)) {
        out.push('\n');
        match e.fixes.as_slice() {
            [] => out.push_str(
                "no change to the event makes it pass: stop collecting it, collect another type, or change the policy (and have that reviewed)\n",
            ),
            [first, rest @ ..] => {
                out.push_str(&format!("smallest change: {}\n", fix(policy, first)));
                for f in rest {
                    out.push_str(&format!("also passes:     {}\n", fix(policy, f)));
                }
            }
        }
    }
    out
}

fn failure_code(f: Option<&Failure>) -> &'static str {
    match f {
        Some(Failure::Consent { .. }) => "consent-too-low",
        Some(Failure::Identification { .. }) => "identification-too-high",
        Some(Failure::Purpose { .. }) => "purpose-not-allowed",
        Some(Failure::Retention { .. }) => "retention-exceeded",
        None => "no-grant",
    }
}

fn declared(purposes: &[String]) -> String {
    if purposes.is_empty() {
        "none".to_owned()
    } else {
        purposes.join(", ")
    }
}

/// Every condition a grant has, with whether it holds.
fn conditions(
    policy: &Policy,
    rule: &Rule,
    failures: &[Failure],
    q: &crate::policy::explain::Query,
) -> Vec<(bool, String)> {
    let holds = |pred: fn(&Failure) -> bool| !failures.iter().any(pred);
    let mut out = vec![(
        holds(|f| matches!(f, Failure::Consent { .. })),
        format!(
            "min_consent: `{}` or above — the event is at `{}`",
            level(policy, rule.min_consent),
            level(policy, q.level)
        ),
    )];
    if rule.max_identification != Identification::Identified {
        out.push((
            holds(|f| matches!(f, Failure::Identification { .. })),
            format!(
                "max_identification: {} or less — sent {}",
                rule.max_identification, q.identification
            ),
        ));
    }
    if let Some(p) = &rule.purposes {
        out.push((
            holds(|f| matches!(f, Failure::Purpose { .. })),
            format!(
                "purposes: {} — the event declares {}",
                p.join(", "),
                declared(&q.purposes)
            ),
        ));
    }
    if let Some(d) = rule.max_retention_days {
        out.push((
            holds(|f| matches!(f, Failure::Retention { .. })),
            format!(
                "max_retention_days: {d} — {}",
                q.retention_days
                    .map_or("the event declares none".to_owned(), |r| format!(
                        "the event keeps it {r} days"
                    ))
            ),
        ));
    }
    out
}

fn fix(policy: &Policy, f: &Fix) -> String {
    let changes: Vec<String> = f
        .changes
        .iter()
        .map(|c| match c {
            Change::Level(l) => format!("collect it at `{}` or above", level(policy, *l)),
            Change::Identification(i) => format!("send it {i} or less"),
            Change::DropPurposes(p) => format!("do not declare purpose {}", p.join(", ")),
            Change::Retention(d) => format!("keep it at most {d} days"),
        })
        .collect();
    let by = match f.permitted_by {
        Some(g) => format!(" (then grant `{}` permits it)", policy.rules[g].id),
        None => String::new(),
    };
    format!("{}{by}", changes.join(" and "))
}

/// The explanation as JSON: the query, the verdict (`permitted` / the finding's code) and
/// the deciding rule, every matching deny rule and grant with its conditions, the retention
/// limit and the smallest changes that pass.
pub fn json(policy: &Policy, e: &Explanation) -> String {
    use serde_json::json;
    let q = &e.query;
    let ty = &policy.taxonomy.types[q.ty];
    let rule_json = |r: crate::policy::RuleIdx| {
        let rule = &policy.rules[r];
        json!({
            "id": rule.id,
            "file": rule.origin.source.name,
            "line": rule.origin.source.line_col(rule.origin.span.start).line,
        })
    };
    let (verdict, rule) = match &e.verdict {
        Verdict::Permitted(g) => ("permitted", g.map(rule_json)),
        Verdict::Denied(d) => ("denied-data", Some(rule_json(*d))),
        Verdict::Failed { grant, failures } => {
            (failure_code(failures.first()), Some(rule_json(*grant)))
        }
        Verdict::NoGrant => ("no-grant", None),
    };
    let denies: Vec<serde_json::Value> = e
        .denies
        .iter()
        .map(|d| {
            let mut v = rule_json(d.rule);
            v["applies"] = json!(d.applies);
            v["selector"] = json!(policy.rules[d.rule].selector_text);
            v
        })
        .collect();
    let grants: Vec<serde_json::Value> = e
        .grants
        .iter()
        .map(|g| {
            let rule = &policy.rules[g.rule];
            let mut v = rule_json(g.rule);
            v["holds"] = json!(g.failures.is_empty());
            v["selector"] = json!(rule.selector_text);
            v["conditions"] = conditions(policy, rule, &g.failures, q)
                .into_iter()
                .map(|(ok, text)| json!({"holds": ok, "condition": text}))
                .collect();
            v
        })
        .collect();
    let fixes: Vec<serde_json::Value> = e
        .fixes
        .iter()
        .map(|f| {
            json!({
                "change": fix(policy, f),
                "permitted_by": f.permitted_by.map(|g| policy.rules[g].id.as_str()),
            })
        })
        .collect();
    let doc = json!({
        "policy": policy.id,
        "query": {
            "type": ty.id,
            "class": ty.class.to_string(),
            "consent": level(policy, q.level),
            "identification": q.identification.to_string(),
            "purposes": q.purposes,
            "retention_days": q.retention_days,
        },
        "verdict": verdict,
        "passes": e.passes(),
        "rule": rule,
        "denies": denies,
        "grants": grants,
        "retention_limit": e.retention_limit,
        "fixes": fixes,
    });
    super::json_document(doc)
}
