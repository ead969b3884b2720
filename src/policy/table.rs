//! The compiled policy and its decision table.
//!
//! [`Policy`] is immutable and shared (`Arc`) by every worker. For each taxonomy type ×
//! consent level the table holds the deny rules that apply and the grants whose
//! `min_consent` is met, sorted by rule id, so deciding a field is a lookup plus a few
//! condition checks — and no rule order can change a verdict.

use super::taxonomy::{DataClass, Identification, Origin, Taxonomy, TypeId, purpose_within};
use crate::diagnostic::Severity;

pub type RuleIdx = usize;
pub type LevelIdx = usize;

#[derive(Clone, Debug)]
pub struct ConsentLevel {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub default_on: bool,
    pub can_disable: Vec<String>,
    pub opt_in: Vec<String>,
    pub reference: Option<String>,
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// A rule with every id resolved.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub effect: Effect,
    pub severity: Severity,
    pub message: Option<String>,
    pub reference: Option<String>,
    /// Allow: the lowest level it grants at.
    pub min_consent: LevelIdx,
    /// Allow: the most identifiable form it permits.
    pub max_identification: Identification,
    /// Allow: the purposes events may declare. Deny: the purposes it denies for.
    pub purposes: Option<Vec<String>>,
    pub max_retention_days: Option<u64>,
    /// Deny: applies only to events strictly under this level.
    pub below: Option<LevelIdx>,
    /// The selector as written, for reports: `types: [user.id]`, `classes: [euii]`.
    pub selector_text: String,
    /// The rule's `id:` value in the policy file.
    pub origin: Origin,
    /// The types the selector matches (after `except`).
    pub matches: Vec<TypeId>,
    /// Each selector entry as written, resolved, with its place (for `policy lint`).
    pub selector: Selector,
}

/// A rule's selector entries with where each was written.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    pub types: Vec<(TypeId, Origin)>,
    pub classes: Vec<(DataClass, Origin)>,
    pub except: Vec<(TypeId, Origin)>,
}

/// Where a compiled policy came from, beyond its rules (for `policy lint`).
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The top file's `extends`, resolved (`builtin:NAME` or a display path).
    pub extends: Vec<(String, Origin)>,
    /// The rule ids the top file declares as deliberate loosenings of its bases.
    pub loosens: Vec<(String, Origin)>,
    /// The purposes as declared, with their places.
    pub purposes: Vec<(String, Origin)>,
}

#[derive(Clone, Debug, Default)]
pub struct LimitSet {
    pub transport: Option<Vec<(String, Origin)>>,
    pub regions: Option<Vec<(String, Origin)>>,
    pub max_retention_days: Option<(u64, Origin)>,
    /// An event's collection ends (its `expires`) at most this many days after today.
    pub max_expiry_days: Option<(u64, Origin)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unclassified {
    Error,
    Warning,
    Allow,
}

#[derive(Clone, Debug)]
pub struct Defaults {
    pub unclassified: Unclassified,
    pub unmatched_allow: bool,
    pub identification: Identification,
    /// Where `unmatched` was set, for pointing a `no-grant` at it.
    pub unmatched_origin: Option<Origin>,
    /// `expired:` — an event past its `expires` date is `collection-expired` at this
    /// severity (`None`: `allow`, not reported), and where the policy says so.
    pub expired: Option<(crate::diagnostic::Severity, Origin)>,
}

/// How telemetry definitions written in other formats map onto the policy (`sources:` in
/// the policy file; the last layer of the `extends` chain that declares a format wins,
/// whole), every id resolved at compile time.
#[derive(Clone, Debug, Default)]
pub struct Mappings {
    pub glean: Option<GleanMapping>,
}

/// `sources: glean:` with every id resolved.
#[derive(Clone, Debug)]
pub struct GleanMapping {
    /// The `glean:` key in the policy file.
    pub origin: Origin,
    /// `data_sensitivity` value → consent level.
    pub data_sensitivity: Vec<(String, LevelIdx)>,
    /// Metric type → data type id of the metric's own value.
    pub metric_types: Vec<(String, String)>,
    /// Extra key type → data type id of the extra.
    pub extra_types: Vec<(String, String)>,
    /// Every metric must name its data review (`no-data-review`): where the policy says so.
    pub require_data_review: Option<Origin>,
    /// `refine:`, in order: the first that matches a metric gives its value's data type.
    pub refinements: Vec<Refinement>,
    /// `lifetimes:` — how long a metric of each Glean lifetime keeps its value, as the
    /// event's retention (empty: Glean metrics have no retention to check).
    pub lifetimes: Vec<(String, LifetimeRetention, Origin)>,
}

/// The retention a Glean `lifetime` gives a metric's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifetimeRetention {
    /// A fixed number of days (`ping`: until the ping is sent; `application`: until the
    /// application restarts).
    Days(u64),
    /// Until the metric expires (`user`: the value lives as long as the profile, and is
    /// sent until the metric's `expires`; `never`: no bound).
    UntilExpiry,
}

impl LifetimeRetention {
    pub fn parse(text: &str) -> Option<LifetimeRetention> {
        match text {
            "until-expiry" => Some(LifetimeRetention::UntilExpiry),
            days => days.parse().ok().map(LifetimeRetention::Days),
        }
    }
}

/// A metric of one of `metric_types` whose name, category or description has one of the
/// words (and none of `unless`) gets `data_type` instead of the type's usual one (matched
/// word by word in `check::glean`).
#[derive(Clone, Debug)]
pub struct Refinement {
    pub origin: Origin,
    pub metric_types: Vec<String>,
    pub data_type: String,
    /// Words or phrases matched in the metric's name and category.
    pub name_words: Vec<String>,
    /// Words or phrases matched in the description.
    pub description_words: Vec<String>,
    /// Words or phrases that keep the usual type, wherever they appear.
    pub unless: Vec<String>,
    pub reason: Option<String>,
}

impl GleanMapping {
    pub fn level_of(&self, sensitivity: &str) -> Option<LevelIdx> {
        lookup(&self.data_sensitivity, sensitivity).copied()
    }

    pub fn metric_type(&self, glean_type: &str) -> Option<&str> {
        lookup(&self.metric_types, glean_type).map(String::as_str)
    }

    pub fn extra_type(&self, glean_type: &str) -> Option<&str> {
        lookup(&self.extra_types, glean_type).map(String::as_str)
    }

    /// The retention of a metric of this Glean lifetime, and where the mapping says so.
    pub fn lifetime(&self, lifetime: &str) -> Option<(LifetimeRetention, &Origin)> {
        self.lifetimes
            .iter()
            .find(|(l, _, _)| l == lifetime)
            .map(|(_, r, o)| (*r, o))
    }
}

fn lookup<'a, T>(table: &'a [(String, T)], key: &str) -> Option<&'a T> {
    table.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

#[derive(Clone, Debug, Default)]
struct Cell {
    denies: Vec<RuleIdx>,
    grants: Vec<RuleIdx>,
}

/// A compiled policy: levels, purposes, taxonomy, rules and the decision table.
#[derive(Debug)]
pub struct Policy {
    pub id: String,
    pub title: Option<String>,
    /// The file the policy came from (`builtin:NAME` for embedded ones).
    pub name: String,
    /// The policy's `id:` in its file.
    pub origin: Origin,
    pub levels: Vec<ConsentLevel>,
    pub purposes: Option<Vec<String>>,
    pub defaults: Defaults,
    pub limits: LimitSet,
    pub per_level_limits: Vec<LimitSet>,
    pub taxonomy: Taxonomy,
    pub rules: Vec<Rule>,
    pub provenance: Provenance,
    /// How definitions in other formats (Glean) map onto this policy.
    pub mappings: Mappings,
    cells: Vec<Cell>,
    /// Every grant matching a type, at any level, sorted by id.
    grants_by_type: Vec<Vec<RuleIdx>>,
}

/// What an event says about itself that grants may constrain.
#[derive(Clone, Copy, Debug)]
pub struct EventContext<'a> {
    pub level: LevelIdx,
    pub purposes: &'a [&'a str],
    pub retention_days: Option<u64>,
}

/// A grant condition that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The event's level is under the grant's `min_consent`.
    Consent { needed: LevelIdx },
    /// The field is more identifiable than the grant's `max_identification`.
    Identification { max: Identification },
    /// The event declares a purpose the grant does not list.
    Purpose { purpose: String },
    /// The event keeps data longer than the grant allows (or declares no retention).
    Retention { max: u64, actual: Option<u64> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Permitted by this grant (or by `unmatched: allow` when `None`).
    Permitted(Option<RuleIdx>),
    Denied(RuleIdx),
    /// Grants exist but none holds; `grant` needs the smallest change.
    Failed {
        grant: RuleIdx,
        failures: Vec<Failure>,
    },
    /// No rule mentions the type and `unmatched` is `deny`.
    NoGrant,
}

/// What a compiled policy is made of; [`Policy::new`] builds its decision table.
#[derive(Debug)]
pub(super) struct Parts {
    pub id: String,
    pub title: Option<String>,
    pub name: String,
    pub origin: Origin,
    pub levels: Vec<ConsentLevel>,
    pub purposes: Option<Vec<String>>,
    pub defaults: Defaults,
    pub limits: LimitSet,
    pub per_level_limits: Vec<LimitSet>,
    pub taxonomy: Taxonomy,
    pub rules: Vec<Rule>,
    pub provenance: Provenance,
    pub mappings: Mappings,
}

impl Policy {
    pub(super) fn new(parts: Parts) -> Policy {
        let Parts {
            id,
            title,
            name,
            origin,
            levels,
            purposes,
            defaults,
            limits,
            per_level_limits,
            taxonomy,
            mut rules,
            provenance,
            mappings,
        } = parts;
        // Sorting by id makes every list below independent of the order rules were written in.
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let n_levels = levels.len().max(1);
        let mut cells = vec![Cell::default(); taxonomy.len() * n_levels];
        let mut grants_by_type = vec![Vec::new(); taxonomy.len()];
        for (r, rule) in rules.iter().enumerate() {
            for &ty in &rule.matches {
                if rule.effect == Effect::Allow {
                    grants_by_type[ty].push(r);
                }
                for level in 0..n_levels {
                    let cell = &mut cells[ty * n_levels + level];
                    match rule.effect {
                        Effect::Deny if rule.below.is_none_or(|b| level < b) => cell.denies.push(r),
                        Effect::Allow if rule.min_consent <= level => cell.grants.push(r),
                        _ => {}
                    }
                }
            }
        }
        Policy {
            id,
            title,
            name,
            origin,
            levels,
            purposes,
            defaults,
            limits,
            per_level_limits,
            taxonomy,
            rules,
            provenance,
            mappings,
            cells,
            grants_by_type,
        }
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<RuleIdx> {
        self.rules.iter().position(|r| r.id == id)
    }

    pub fn level(&self, id: &str) -> Option<LevelIdx> {
        self.levels.iter().position(|l| l.id == id)
    }

    pub fn class_of(&self, ty: TypeId) -> DataClass {
        self.taxonomy.types[ty].class
    }

    /// Decide a field of type `ty`, sent as `identification`, in an event.
    pub fn decide(
        &self,
        ty: TypeId,
        identification: Identification,
        event: EventContext<'_>,
    ) -> Verdict {
        let n_levels = self.levels.len().max(1);
        let cell = &self.cells[ty * n_levels + event.level.min(n_levels - 1)];
        for &d in &cell.denies {
            let rule = &self.rules[d];
            let applies = match &rule.purposes {
                None => true,
                Some(denied) => event
                    .purposes
                    .iter()
                    .any(|p| denied.iter().any(|d| purpose_within(p, d))),
            };
            if applies {
                return Verdict::Denied(d);
            }
        }
        // The clean path: the first grant in the cell that holds.
        if let Some(&g) = cell
            .grants
            .iter()
            .find(|&&g| self.grant_failures(g, identification, event).is_empty())
        {
            return Verdict::Permitted(Some(g));
        }
        let grants = &self.grants_by_type[ty];
        if grants.is_empty() {
            return if self.defaults.unmatched_allow {
                Verdict::Permitted(None)
            } else {
                Verdict::NoGrant
            };
        }
        // Every grant fails: report the one needing the smallest change.
        let (grant, failures) = grants
            .iter()
            .map(|&g| (g, self.grant_failures(g, identification, event)))
            .min_by_key(|(g, failures)| {
                let consent_gap = failures.iter().find_map(|f| match f {
                    Failure::Consent { needed } => Some(*needed),
                    _ => None,
                });
                (failures.len(), consent_gap, self.rules[*g].id.as_str())
            })
            .unwrap_or((grants[0], Vec::new()));
        Verdict::Failed { grant, failures }
    }

    /// The conditions of grant `g` that an event fails, in reporting order.
    pub fn grant_failures(
        &self,
        g: RuleIdx,
        identification: Identification,
        event: EventContext<'_>,
    ) -> Vec<Failure> {
        let rule = &self.rules[g];
        let mut failures = Vec::new();
        if event.level < rule.min_consent {
            failures.push(Failure::Consent {
                needed: rule.min_consent,
            });
        }
        if identification > rule.max_identification {
            failures.push(Failure::Identification {
                max: rule.max_identification,
            });
        }
        if let Some(allowed) = &rule.purposes
            && let Some(p) = event
                .purposes
                .iter()
                .find(|p| !allowed.iter().any(|a| purpose_within(p, a)))
        {
            failures.push(Failure::Purpose {
                purpose: (*p).to_owned(),
            });
        }
        if let Some(max) = rule.max_retention_days
            && event.retention_days.is_none_or(|days| days > max)
        {
            failures.push(Failure::Retention {
                max,
                actual: event.retention_days,
            });
        }
        failures
    }

    /// Every grant matching a type, at any level, sorted by rule id.
    pub fn grants_for(&self, ty: TypeId) -> &[RuleIdx] {
        &self.grants_by_type[ty]
    }

    /// The deny rules that apply to a type at a level (ignoring purposes), sorted by id.
    pub fn denies_at(&self, ty: TypeId, level: LevelIdx) -> &[RuleIdx] {
        let n_levels = self.levels.len().max(1);
        &self.cells[ty * n_levels + level.min(n_levels - 1)].denies
    }

    /// The limits in force for an event at `level`, or the global ones when its level is
    /// unknown.
    pub fn limits_for(&self, level: Option<LevelIdx>) -> LimitSet {
        match level {
            Some(level) => self.limits_at(level),
            None => self.limits.clone(),
        }
    }

    /// The limits in force for events at `level`: per-level entries replace global ones.
    pub fn limits_at(&self, level: LevelIdx) -> LimitSet {
        let specific = self.per_level_limits.get(level);
        LimitSet {
            transport: specific
                .and_then(|s| s.transport.clone())
                .or_else(|| self.limits.transport.clone()),
            regions: specific
                .and_then(|s| s.regions.clone())
                .or_else(|| self.limits.regions.clone()),
            max_retention_days: specific
                .and_then(|s| s.max_retention_days.clone())
                .or_else(|| self.limits.max_retention_days.clone()),
            max_expiry_days: specific
                .and_then(|s| s.max_expiry_days.clone())
                .or_else(|| self.limits.max_expiry_days.clone()),
        }
    }
}
