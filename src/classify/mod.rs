//! Classifying what nobody classified: evidence about a field → a proposed data type.
//!
//! In: an unclassified field (its dotted path, its event, and the [`Hints`] its definition
//! gives: JSON Schema `format`, `pattern`, `enum`, `type`, `description`/`title`, a Glean
//! metric type) and the policy's taxonomy. Out: a [`Proposal`] — the best data type *in
//! that taxonomy*, the evidence and confidence behind it, and the alternatives — or `None`
//! when no rule places the field (it is then listed as such, never guessed).
//!
//! The rules are data (`classifiers/default.yaml`, [`rules`]); this module only applies
//! them: each rule that holds adds its confidence to its concept (independent evidence
//! combines as `1 - Π(1 - c)`), and each concept becomes the first of its types the
//! taxonomy has.

pub mod rules;
pub mod words;

use crate::policy::Taxonomy;
pub use rules::Rules;
use std::sync::Arc;
use words::{find, words_of};

/// How a run uses the classifier.
#[derive(Clone, Debug)]
pub struct Session {
    pub rules: Arc<Rules>,
    pub mode: Mode,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// `classify`: record a proposal (or none) for every unclassified field.
    Propose,
    /// `check --infer`: decide on proposals at least this confident, marked as inferred.
    Infer { min_confidence: f64 },
}

/// The confidence `check --infer` needs by default.
pub const INFER_CONFIDENCE: f64 = 0.8;

/// An unclassified field and what the classifier proposes for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub event: String,
    pub field: String,
    pub proposal: Option<Proposal>,
}

/// What a field's definition says besides its name (only gathered for unclassified
/// fields).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hints {
    pub format: Option<String>,
    pub pattern: Option<String>,
    /// Lowercased, the first few.
    pub enum_values: Vec<String>,
    pub has_enum: bool,
    /// `title` and `description`.
    pub text: Option<String>,
    /// JSON Schema types, `null` aside, `integer` as `number`.
    pub json_types: Vec<String>,
    pub glean_type: Option<String>,
}

/// The field to classify.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub event: &'a str,
    /// The dotted path `check` reports (`crumbs[].name`).
    pub field: &'a str,
    pub hints: Option<&'a Hints>,
}

/// One piece of evidence: which rule held, on what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub rule: String,
    /// `name`, `path`, `format`, `type`, `pattern`, `enum`, `description`, `glean_type`.
    pub kind: &'static str,
    /// What matched (`email address`, `format: email`).
    pub matched: String,
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}` (rule `{}`)", self.kind, self.matched, self.rule)
    }
}

/// A data type the evidence points at.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub data_type: String,
    /// The concept (`email`) and what it means (`an email address`).
    pub concept: String,
    pub what: String,
    /// In (0, 1], rounded to two decimals.
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
}

/// The best candidate and the others, best first.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub best: Candidate,
    pub alternatives: Vec<Candidate>,
}

/// Words after the matched ones that make the name an id of the thing, not the thing
/// (`emailId`, `urlKey`).
const ID_WORDS: &[&str] = &["id", "uuid", "guid", "key", "ref", "identifier"];

/// Where a word sequence matches a name, if it does.
type Matcher = fn(&NameWords, &[String]) -> Option<std::ops::Range<usize>>;

/// The name of a field, split for matching.
struct NameWords {
    /// The last word of the segment before the leaf, then the leaf's words.
    joined: Vec<String>,
    /// Index in `joined` of the leaf's first word.
    leaf_start: usize,
    /// Words of the rest of the path and of the event's name.
    context: Vec<String>,
}

impl NameWords {
    fn of(subject: &Subject<'_>) -> NameWords {
        let segments: Vec<&str> = subject
            .field
            .split(['.', '/'])
            .map(|s| s.split('[').next().unwrap_or(s))
            .filter(|s| !s.is_empty() && *s != "*")
            .collect();
        let (leaf, before) = match segments.split_last() {
            Some((leaf, before)) => (*leaf, before),
            None => ("", &[][..]),
        };
        let mut context: Vec<String> = before.iter().flat_map(|s| words_of(s)).collect();
        let mut joined: Vec<String> = context.last().cloned().into_iter().collect();
        let leaf_start = joined.len();
        joined.extend(words_of(leaf));
        context.extend(words_of(subject.event));
        NameWords {
            joined,
            leaf_start,
            context,
        }
    }

    fn leaf(&self) -> &[String] {
        &self.joined[self.leaf_start..]
    }

    /// Where `needle` matches so that it ends within the leaf, as a range of `joined`.
    fn anywhere(&self, needle: &[String]) -> Option<std::ops::Range<usize>> {
        (0..self.joined.len())
            .filter(|&i| i + needle.len() > self.leaf_start)
            .find(|&i| self.joined[i..].starts_with(needle))
            .map(|i| i..i + needle.len())
    }

    fn at_end(&self, needle: &[String]) -> Option<std::ops::Range<usize>> {
        (self.joined.ends_with(needle) && !needle.is_empty() && !self.leaf().is_empty())
            .then(|| self.joined.len() - needle.len()..self.joined.len())
            .filter(|r| r.end > self.leaf_start)
    }

    fn at_start(&self, needle: &[String]) -> Option<std::ops::Range<usize>> {
        (self.leaf().starts_with(needle) && !needle.is_empty())
            .then(|| self.leaf_start..self.leaf_start + needle.len())
    }
}

impl Rules {
    /// Propose a data type of `taxonomy` for `subject`, if any rule places it.
    pub fn propose(&self, subject: &Subject<'_>, taxonomy: &Taxonomy) -> Option<Proposal> {
        let words = NameWords::of(subject);
        let text_words: Option<Vec<String>> = subject
            .hints
            .and_then(|h| h.text.as_deref())
            .map(|t| words_of(&t.chars().take(600).collect::<String>()));
        // Per concept: Π(1 - c) of the rules that held, and their evidence.
        let mut held: Vec<Option<(f64, Vec<Evidence>)>> = vec![None; self.concepts.len()];
        for rule in &self.rules {
            let concept = &self.concepts[rule.concept];
            if !Self::value_fits(concept, subject.hints) {
                continue;
            }
            if let Some(evidence) = self.holds(rule, concept, &words, subject, &text_words) {
                let slot = held[rule.concept].get_or_insert_with(|| (1.0, Vec::new()));
                slot.0 *= 1.0 - rule.confidence;
                slot.1.extend(evidence);
            }
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        for (index, slot) in held.into_iter().enumerate() {
            let Some((miss, evidence)) = slot else {
                continue;
            };
            let concept = &self.concepts[index];
            let Some(data_type) = place(&concept.types, taxonomy) else {
                continue;
            };
            let confidence = ((1.0 - miss) * 100.0).round() / 100.0;
            match candidates.iter_mut().find(|c| c.data_type == data_type) {
                Some(same) if same.confidence >= confidence => {}
                Some(same) => {
                    *same = Candidate {
                        data_type,
                        concept: concept.id.clone(),
                        what: concept.what.clone(),
                        confidence,
                        evidence,
                    }
                }
                None => candidates.push(Candidate {
                    data_type,
                    concept: concept.id.clone(),
                    what: concept.what.clone(),
                    confidence,
                    evidence,
                }),
            }
        }
        // Stable: by confidence, then in the rule file's concept order.
        candidates.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        let mut candidates = candidates.into_iter();
        let best = candidates.next()?;
        Some(Proposal {
            best,
            alternatives: candidates.take(3).collect(),
        })
    }

    fn value_fits(concept: &rules::Concept, hints: Option<&Hints>) -> bool {
        let Some(hints) = hints else {
            return true;
        };
        hints.json_types.is_empty()
            || hints
                .json_types
                .iter()
                .any(|t| concept.values.iter().any(|v| v == t))
    }

    /// The evidence for `rule` on this field, if every condition it names holds.
    fn holds(
        &self,
        rule: &rules::Rule,
        concept: &rules::Concept,
        words: &NameWords,
        subject: &Subject<'_>,
        text_words: &Option<Vec<String>>,
    ) -> Option<Vec<Evidence>> {
        let mut evidence = Vec::new();
        let mut covered: Option<std::ops::Range<usize>> = None;
        let name_checks: [(&[rules::Words], Matcher); 3] = [
            (&rule.name, NameWords::anywhere),
            (&rule.name_end, NameWords::at_end),
            (&rule.name_start, NameWords::at_start),
        ];
        for (sequences, matcher) in name_checks {
            if sequences.is_empty() {
                continue;
            }
            let (needle, range) = sequences
                .iter()
                .find_map(|needle| matcher(words, needle).map(|r| (needle, r)))?;
            evidence.push(Evidence {
                rule: rule.id.clone(),
                kind: "name",
                matched: needle.join(" "),
            });
            covered = Some(match covered {
                Some(c) => c.start.min(range.start)..c.end.max(range.end),
                None => range,
            });
        }
        if let Some(range) = &covered
            && concept.personal
        {
            // A derived word the match does not cover: `email_count`, `has_password`.
            let uncovered = (words.leaf_start..words.joined.len()).filter(|i| !range.contains(i));
            if uncovered
                .clone()
                .any(|i| self.derived.contains(&words.joined[i]))
            {
                return None;
            }
            // An id of the thing: `emailId`.
            if (range.end..words.joined.len()).any(|i| ID_WORDS.contains(&&*words.joined[i])) {
                return None;
            }
        }
        if !rule.owner.is_empty() {
            // The owner is named earlier in the path, by the event, or earlier in the
            // name itself (`customer_name`).
            let before_match = covered.as_ref().map_or(words.leaf_start, |r| r.start);
            let owner = words
                .context
                .iter()
                .chain(&words.joined[words.leaf_start.min(before_match)..before_match])
                .find(|w| rule.owner.contains(w))?;
            evidence.push(Evidence {
                rule: rule.id.clone(),
                kind: "path",
                matched: owner.clone(),
            });
        }
        let hints = subject.hints;
        let needs_hints = !rule.format.is_empty()
            || !rule.json_type.is_empty()
            || !rule.pattern_contains.is_empty()
            || !rule.enum_contains.is_empty()
            || rule.has_enum
            || !rule.glean_type.is_empty();
        if needs_hints {
            let hints = hints?;
            if !rule.format.is_empty() {
                let format = hints.format.as_deref()?.to_lowercase();
                rule.format.iter().find(|f| **f == format)?;
                evidence.push(self.note(rule, "format", format));
            }
            if !rule.json_type.is_empty() {
                let t = hints
                    .json_types
                    .iter()
                    .find(|t| rule.json_type.contains(t))?;
                // Only a field of that one type (`boolean`, not `["boolean", "string"]`).
                if hints.json_types.len() != 1 {
                    return None;
                }
                evidence.push(self.note(rule, "type", t.clone()));
            }
            if !rule.pattern_contains.is_empty() {
                let pattern = hints.pattern.as_deref()?;
                let piece = rule
                    .pattern_contains
                    .iter()
                    .find(|p| pattern.contains(p.as_str()))?;
                evidence.push(self.note(rule, "pattern", format!("…{piece}…")));
            }
            if !rule.enum_contains.is_empty() {
                let value = hints
                    .enum_values
                    .iter()
                    .find(|v| rule.enum_contains.contains(v))?;
                evidence.push(self.note(rule, "enum", value.clone()));
            }
            if rule.has_enum {
                if !hints.has_enum {
                    return None;
                }
                evidence.push(self.note(rule, "enum", "a fixed set of values".into()));
            }
            if !rule.glean_type.is_empty() {
                let t = hints.glean_type.as_deref()?;
                rule.glean_type.iter().find(|g| **g == t)?;
                evidence.push(self.note(rule, "glean_type", t.to_owned()));
            }
        }
        if !rule.description.is_empty() {
            let text = text_words.as_deref()?;
            let needle = rule.description.iter().find(|n| find(text, n).is_some())?;
            evidence.push(self.note(rule, "description", needle.join(" ")));
        }
        (!evidence.is_empty()).then_some(evidence)
    }

    fn note(&self, rule: &rules::Rule, kind: &'static str, matched: String) -> Evidence {
        Evidence {
            rule: rule.id.clone(),
            kind,
            matched,
        }
    }
}

/// The first of `types` the taxonomy has, else the nearest ancestor of one it has.
fn place(types: &[String], taxonomy: &Taxonomy) -> Option<String> {
    if let Some(t) = types.iter().find(|t| taxonomy.get(t).is_some()) {
        return Some(t.clone());
    }
    types.iter().find_map(|t| {
        let mut id = t.as_str();
        while let Some((parent, _)) = id.rsplit_once('.') {
            if taxonomy.get(parent).is_some() {
                return Some(parent.to_owned());
            }
            id = parent;
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Limits;
    use crate::policy::Policy;

    fn policy(reference: &str) -> Policy {
        let (policy, problems) = crate::policy::compile(reference, &Limits::default());
        assert!(problems.is_empty(), "{problems:?}");
        policy.unwrap()
    }

    fn proposed(
        policy: &Policy,
        event: &str,
        field: &str,
        hints: Option<&Hints>,
    ) -> Option<String> {
        Rules::builtin_default()
            .propose(
                &Subject {
                    event,
                    field,
                    hints,
                },
                &policy.taxonomy,
            )
            .map(|p| p.best.data_type)
    }

    #[test]
    fn names_propose_types_of_the_policys_own_taxonomy() {
        let default = policy("builtin:default");
        let fides = policy("tests/fixtures/sources/fideslang/policy.yaml");
        let cases = [
            ("contact.emailAddress", "user.email", "user.contact.email"),
            ("client_ip", "user.ip_address", "user.device.ip_address"),
            ("billing_details.first_name", "user.name", "user.name.first"),
            ("user_id", "user.id", "user.unique_id"),
            ("iban", "account.billing", "user.financial.bank_account"),
            ("geo.latitude", "user.location", "user.location.precise"),
            ("created_at", "app.metadata", "system.operations"),
            ("os_version", "device.os.version", "user.device"),
            ("retry_count", "app.usage.counts", "system.operations"),
        ];
        for (field, in_default, in_fides) in cases {
            assert_eq!(
                proposed(&default, "e", field, None).as_deref(),
                Some(in_default),
                "{field}"
            );
            assert_eq!(
                proposed(&fides, "e", field, None).as_deref(),
                Some(in_fides),
                "{field}"
            );
        }
    }

    #[test]
    fn derived_values_and_ids_of_things_are_not_the_thing() {
        let default = policy("builtin:default");
        for field in [
            "email_count",
            "has_password",
            "ip_hash",
            "emailId",
            "email_verified_at",
        ] {
            let got = proposed(&default, "e", field, None);
            assert!(
                got.as_deref().is_none_or(|t| !t.starts_with("user.")),
                "{field}: {got:?}"
            );
        }
        assert_eq!(
            proposed(&default, "e", "unzip_time", None).as_deref(),
            Some("app.metadata")
        );
        assert_eq!(proposed(&default, "e", "shipment", None), None);
    }

    #[test]
    fn the_owner_decides_whose_name_it_is() {
        let fides = policy("tests/fixtures/sources/fideslang/policy.yaml");
        assert_eq!(
            proposed(&fides, "customer", "name", None).as_deref(),
            Some("user.name")
        );
        assert_eq!(
            proposed(&fides, "product", "name", None).as_deref(),
            Some("system.operations")
        );
    }

    #[test]
    fn schema_keywords_are_evidence() {
        let default = policy("builtin:default");
        let hints = |format: Option<&str>, types: &[&str]| Hints {
            format: format.map(str::to_owned),
            json_types: types.iter().map(|t| t.to_string()).collect(),
            ..Hints::default()
        };
        assert_eq!(
            proposed(
                &default,
                "e",
                "contact",
                Some(&hints(Some("email"), &["string"]))
            )
            .as_deref(),
            Some("user.email")
        );
        assert_eq!(
            proposed(&default, "e", "remote", Some(&hints(Some("ipv4"), &[]))).as_deref(),
            Some("user.ip_address")
        );
        // A boolean is never the sensitive thing itself.
        assert_eq!(
            proposed(&default, "e", "email", Some(&hints(None, &["boolean"]))).as_deref(),
            Some("app.metadata")
        );
        let described = Hints {
            text: Some("The IP address of the client".into()),
            ..Hints::default()
        };
        assert_eq!(
            proposed(&default, "e", "origin_host", Some(&described)).as_deref(),
            Some("user.ip_address")
        );
    }
}
