//! Checking a Glean `metrics.yaml` through the policy's `sources: glean:` mapping.
//!
//! In: the metrics read by `document::glean` and a compiled policy. Each metric is an event
//! `category.metric` collected at the highest consent level its `data_sensitivity` maps
//! to; its own value (every metric type but `event`) and each of its `extra_keys` are
//! fields whose data type comes from their Glean `type`. Out: the same diagnostics a
//! manifest gets, pointing into the metrics.yaml: the `type:` that made a field sensitive,
//! the `data_sensitivity` entry that set the level.

use super::date::Date;
use super::expiry::Expiry;
use super::field::FieldSite;
use super::names::{self, ValueKind};
use super::{EventSite, FileOutcome, check_fields};
use crate::classify::words::tokens;
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::document::Sp;
use crate::document::glean::{BUILTIN_PINGS, Metric, file_tags, is_builtin_ping};
use crate::load::Node;
use crate::load::schema_check::Format;
use crate::policy::table::{GleanMapping, LifetimeRetention};
use crate::policy::taxonomy::Origin;
use crate::policy::{Policy, Verdict};
use crate::source::SourceFile;
use std::sync::Arc;

/// A Glean file (`metrics.yaml`, `pings.yaml`, `tags.yaml`) validated against Glean's own
/// schema for its `$schema`, as glean_parser validates it: every error at its place.
pub fn structure(source: &Arc<SourceFile>, root: &Node) -> Vec<Diagnostic> {
    let Some(schema) = crate::document::string(root, "$schema") else {
        return Vec::new();
    };
    let Some(format) = Format::glean(&schema.value) else {
        return vec![super::problems::unknown_glean_schema(source, &schema)];
    };
    let mut found = crate::load::schema_check::validate(root, source, format);
    // A metric without `type:` meets every type's `if type is X then require Y` (an `if`
    // on an absent key holds): report its own required keys, not a dozen types' extras.
    let untyped: Vec<_> = found
        .iter()
        .filter(|d| d.message == "missing required key `type`")
        .filter_map(|d| d.primary.as_ref().map(|l| l.span))
        .collect();
    found.retain(|d| {
        let at_untyped = d
            .primary
            .as_ref()
            .is_some_and(|l| untyped.contains(&l.span));
        !at_untyped
            || !d.message.starts_with("missing required key")
            || METRIC_KEYS
                .iter()
                .any(|k| d.message == format!("missing required key `{k}`"))
    });
    found
}

/// The keys every Glean metric requires (the metrics schema's `definitions/metric/required`).
const METRIC_KEYS: &[&str] = &[
    "type",
    "description",
    "bugs",
    "notification_emails",
    "data_reviews",
    "expires",
];

/// The pings and tags the `pings.yaml` and `tags.yaml` files named on the command line
/// define (as glean_parser is given them; walked ones are validated only). A metric's
/// `send_in_pings` is resolved only when the run names a pings file, and its tags only
/// when it names a tags file: a metrics.yaml checked on its own is not wrong for using its
/// project's custom pings.
#[derive(Debug, Default)]
pub struct Registry {
    pub pings: Option<Defined>,
    pub tags: Option<Defined>,
}

/// Names defined by one kind of file, and the files (display paths) that define them.
#[derive(Debug, Default)]
pub struct Defined {
    pub names: std::collections::BTreeSet<String>,
    pub files: Vec<String>,
}

impl Defined {
    pub fn add(&mut self, file: &str, names: impl IntoIterator<Item = String>) {
        self.names.extend(names);
        self.files.push(file.to_owned());
        self.files.sort();
    }
}

/// Every ping and tag the metrics name, resolved against the run's registry (unless the
/// metric opts out with glean_parser's `no_lint` name for the check).
fn resolve(
    source: &Arc<SourceFile>,
    metric: &Metric,
    registry: &Registry,
    out: &mut Vec<Diagnostic>,
) {
    let opted_out = |lint: &str| metric.no_lint.iter().any(|l| l == lint);
    if let Some(pings) = &registry.pings
        && !opted_out("UNKNOWN_PING_REFERENCED")
    {
        for ping in &metric.send_in_pings {
            if !is_builtin_ping(&ping.value) && !pings.names.contains(&ping.value) {
                let known = pings.names.iter().map(String::as_str);
                out.push(super::problems::unknown_ping(
                    source,
                    ping,
                    &pings.files,
                    known.chain(BUILTIN_PINGS.iter().copied()),
                ));
            }
        }
    }
    if let Some(tags) = &registry.tags
        && !opted_out("INVALID_TAGS")
    {
        unknown_tags(source, &metric.tags, tags, out);
    }
}

fn unknown_tags(
    source: &Arc<SourceFile>,
    used: &[Sp<String>],
    tags: &Defined,
    out: &mut Vec<Diagnostic>,
) {
    for tag in used.iter().filter(|t| !tags.names.contains(&t.value)) {
        let known = tags.names.iter().map(String::as_str);
        out.push(super::problems::unknown_tag(
            source,
            tag,
            &tags.files,
            known,
        ));
    }
}

/// Check every metric of a metrics.yaml.
pub fn check_metrics(
    source: &Arc<SourceFile>,
    root: &Node,
    policy: &Policy,
    cx: &super::Context<'_>,
) -> FileOutcome {
    let metrics = crate::document::glean::read(root);
    let mut outcome = FileOutcome::default();
    if let Some(tags) = cx.glean.and_then(|r| r.tags.as_ref()) {
        unknown_tags(source, &file_tags(root), tags, &mut outcome.diagnostics);
    }
    let Some(mapping) = &policy.mappings.glean else {
        outcome
            .diagnostics
            .push(super::problems::no_glean_mapping(source, policy));
        return outcome;
    };
    for metric in &metrics {
        outcome.events += 1;
        let mut out = Vec::new();
        if let Some(registry) = cx.glean {
            resolve(source, metric, registry, &mut out);
        }
        let mut site = event_site(source, metric, mapping, policy, &mut out);
        out.extend(
            metric
                .expires
                .as_ref()
                .and_then(|written| super::expiry::impossible_date(source, written)),
        );
        let declared = super::expiry::Declared {
            expires: metric.expires.as_ref(),
            event_span: metric.name.span,
            absent_is_finding: false,
            no_lint: &metric.no_lint,
        };
        super::expiry::check(source, &declared, site.level, policy, cx.today, &mut out);
        site.retention_days = lifetime_retention(
            source, metric, mapping, site.level, policy, cx.today, &mut out,
        );
        // The mapping's `refine:` entry for the metric's value, decided once.
        let value_type = metric.metric_type.as_ref().and_then(|t| {
            refined(metric, &t.value, mapping)
                .map(|ty| (ty, true))
                .or_else(|| mapping.metric_type(&t.value).map(|ty| (ty, false)))
        });
        let fields = fields(source, metric, value_type.map(|(ty, _)| ty), mapping);
        let before = out.len();
        check_fields(
            policy,
            &site,
            &fields,
            &mut super::Fields::new(cx, &mut outcome.placed, &mut outcome.trace, &mut out),
        );
        for d in &mut out[before..] {
            explain_unmapped(d, metric, mapping);
        }
        retarget_names(&mut out, &fields, &site, mapping, policy);
        // glean_parser's own lint for names like `url` is HIGHER_DATA_SENSITIVITY_REQUIRED:
        // a metric that opts out of it opts out of the name heuristic here.
        if metric
            .no_lint
            .iter()
            .any(|l| l == "HIGHER_DATA_SENSITIVITY_REQUIRED")
        {
            out.retain(|d| d.code != Code::SuspiciousClassification);
        }
        // A value the mapping refined by its words has been looked at by name already.
        if value_type.is_some_and(|(_, refined)| refined) {
            out.retain(|d| {
                d.code != Code::SuspiciousClassification
                    || d.field.as_deref() != Some(&metric.name.value)
            });
        }
        if let Some(required) = &mapping.require_data_review
            && !metric.no_lint.iter().any(|l| l == "EMPTY_DATAREVIEW")
        {
            data_review(source, metric, required, &mut out);
        }
        for d in &mut out {
            d.event.get_or_insert_with(|| metric.event.clone());
        }
        outcome.fields += fields.len();
        outcome.diagnostics.extend(out);
    }
    outcome
}

/// A metric whose `data_reviews` is empty, and every placeholder entry in it (glean_parser
/// reports a list with any placeholder).
fn data_review(
    source: &Arc<SourceFile>,
    metric: &Metric,
    required: &Origin,
    out: &mut Vec<Diagnostic>,
) {
    // An absent `data_reviews` is Glean's schema's to report.
    let Some((key, reviews)) = &metric.data_reviews else {
        return;
    };
    let placeholder =
        |r: &Sp<String>| matches!(r.value.trim().to_lowercase().as_str(), "" | "todo" | "tbd");
    if reviews.is_empty() {
        out.push(super::problems::no_data_review(
            source, *key, None, required,
        ));
    }
    for r in reviews.iter().filter(|r| placeholder(r)) {
        out.push(super::problems::no_data_review(
            source,
            r.span,
            Some(r.value.trim()),
            required,
        ));
    }
}

/// How long the metric keeps its value, from its `lifetime` (Glean's default: `ping`) as
/// the mapping's `lifetimes:` says, checked against the policy's retention limit for the
/// metric's level. `None`: no bound, or nobody says (a mapping without `lifetimes:` checks
/// nothing here).
fn lifetime_retention(
    source: &Arc<SourceFile>,
    metric: &Metric,
    mapping: &GleanMapping,
    level: Option<crate::policy::LevelIdx>,
    policy: &Policy,
    today: Date,
    out: &mut Vec<Diagnostic>,
) -> Option<u64> {
    if mapping.lifetimes.is_empty() {
        return None;
    }
    let (lifetime, lifetime_span) = metric
        .lifetime
        .as_ref()
        .map_or(("ping", metric.name.span), |l| (l.value.as_str(), l.span));
    let expires = metric
        .expires
        .as_ref()
        .and_then(|e| Some((e, Expiry::parse(&e.value)?)));
    // How long, where that is said, and in words for the finding.
    let (days, span, what) = match mapping.lifetime(lifetime) {
        None => (
            None,
            lifetime_span,
            format!(
                "lifetime `{lifetime}` has no retention in the policy's Glean mapping (`sources.glean.lifetimes`)"
            ),
        ),
        Some((LifetimeRetention::Days(days), _)) => (
            Some(days),
            lifetime_span,
            format!("a `{lifetime}` lifetime keeps the value {days} days"),
        ),
        Some((LifetimeRetention::UntilExpiry, _)) => match expires {
            Some((e, Expiry::On(date))) => {
                let days = u64::try_from(today.days_until(date)).unwrap_or(0);
                (
                    Some(days),
                    e.span,
                    format!(
                        "a `{lifetime}` lifetime keeps the value until `expires: {date}`, {days} days from today"
                    ),
                )
            }
            Some((e, Expiry::Expired)) => (Some(0), e.span, String::new()),
            Some((e, Expiry::Never)) => (
                None,
                e.span,
                format!(
                    "a `{lifetime}` lifetime keeps the value until the metric expires, and `expires: never` does not"
                ),
            ),
            Some((e, Expiry::Version(v))) => (
                None,
                e.span,
                format!(
                    "a `{lifetime}` lifetime keeps the value until version {v} ships, which has no date"
                ),
            ),
            // No (readable) `expires`: Glean's schema reports it.
            None => return None,
        },
    };
    let limits = policy.limits_for(level);
    let Some((max, origin)) = &limits.max_retention_days else {
        return days;
    };
    if days.is_some_and(|d| d <= *max) {
        return days;
    }
    let message = match days {
        Some(_) => format!("{what}, beyond the policy's limit of {max} days"),
        None => format!("{what}; the policy keeps data at most {max} days"),
    };
    let shorter: Vec<String> = mapping
        .lifetimes
        .iter()
        .filter(|(_, r, _)| matches!(r, LifetimeRetention::Days(d) if d <= max))
        .map(|(l, _, _)| format!("`lifetime: {l}`"))
        .collect();
    let mut help = match mapping.lifetime(lifetime) {
        Some((LifetimeRetention::UntilExpiry, _)) => {
            format!("set `expires: {}` or earlier", today.after_days(*max))
        }
        _ => String::new(),
    };
    if !shorter.is_empty() {
        if !help.is_empty() {
            help.push_str(", or ");
        }
        help.push_str(&format!("give it {}", shorter.join(" or ")));
    }
    if help.is_empty() {
        help = format!(
            "map lifetime `{lifetime}` in `sources.glean.lifetimes` to at most {max} days, if that is how long it is kept"
        );
    }
    let mut d = super::limits::retention_exceeded(source, span, message, *max, origin, help);
    if let Some((_, said)) = mapping.lifetime(lifetime) {
        d = d.with_related(said.label(format!("the mapping's retention for `{lifetime}`")));
    }
    out.push(d);
    days
}

/// The event a metric is: its level is the highest its `data_sensitivity` entries map to.
fn event_site<'a>(
    source: &Arc<SourceFile>,
    metric: &Metric,
    mapping: &GleanMapping,
    policy: &'a Policy,
    out: &mut Vec<Diagnostic>,
) -> EventSite<'a> {
    let mut level = None;
    let mut decided_by: Option<&Sp<String>> = None;
    for s in &metric.data_sensitivity {
        match mapping.level_of(&s.value) {
            Some(l) if level.is_none_or(|current| l > current) => {
                level = Some(l);
                decided_by = Some(s);
            }
            Some(_) => {}
            None => out.push(super::problems::unmapped_sensitivity(
                source, s, mapping, policy,
            )),
        }
    }
    EventSite {
        name: metric.event.clone(),
        level,
        consent_label: decided_by.zip(level).map(|(s, l)| {
            let level = &policy.levels[l].id;
            let message = if *level == s.value {
                format!("event collected at `{level}`")
            } else {
                format!("`{}` maps to level `{level}`", s.value)
            };
            Label::new(source, s.span, message)
        }),
        purposes: Vec::new(),
        retention_days: None,
        default_identification: None,
        // A Glean file is Glean's format: no edit of ours.
        fixable: false,
    }
}

/// The metric's own value (unless it is an `event`) and its extras.
/// `value_type`: the data type of the metric's own value, as the mapping decided it.
fn fields(
    source: &Arc<SourceFile>,
    metric: &Metric,
    value_type: Option<&str>,
    mapping: &GleanMapping,
) -> Vec<FieldSite> {
    let field = |name: &Sp<String>, glean_type: &str, data_type: Option<Sp<String>>| FieldSite {
        source: Arc::clone(source),
        name: name.value.clone(),
        name_span: name.span,
        hints: data_type.is_none().then(|| {
            Box::new(crate::classify::Hints {
                glean_type: Some(glean_type.to_owned()).filter(|t| !t.is_empty()),
                ..Default::default()
            })
        }),
        data_type,
        identification: None,
        value: value_kind(glean_type),
        inferred: None,
        overlaid: None,
        from_schema: false,
    };
    let mut fields = Vec::new();
    match &metric.metric_type {
        Some(t) if t.value == "event" => {}
        Some(t) => fields.push(field(
            &metric.name,
            &t.value,
            value_type.map(|ty| Sp::new(ty.to_owned(), t.span)),
        )),
        None => fields.push(field(&metric.name, "", None)),
    }
    for extra in &metric.extras {
        let (glean_type, span) = extra
            .extra_type
            .as_ref()
            .map_or(("string", extra.name.span), |t| (t.value.as_str(), t.span));
        fields.push(field(
            &extra.name,
            glean_type,
            mapping
                .extra_type(glean_type)
                .map(|ty| Sp::new(ty.to_owned(), span)),
        ));
    }
    fields
}

/// The data type the mapping's first applicable `refine:` entry gives the metric's value:
/// one of its phrases in the metric's name or category (`name_words`) or description
/// (`description_words`), none of its `unless_words` in any of them.
fn refined<'m>(metric: &Metric, glean_type: &str, mapping: &'m GleanMapping) -> Option<&'m str> {
    let candidates = mapping
        .refinements
        .iter()
        .filter(|r| r.metric_types.iter().any(|t| t == glean_type));
    let mut candidates = candidates.peekable();
    candidates.peek()?;
    let name: Vec<String> = metric
        .category
        .split('.')
        .chain([metric.name.value.as_str()])
        .flat_map(tokens)
        .collect();
    let description = metric
        .description
        .as_deref()
        .map(tokens)
        .unwrap_or_default();
    let has = |words: &[String], phrase: &str| {
        let phrase = tokens(phrase);
        !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase.as_slice())
    };
    candidates
        .find(|r| {
            (r.name_words.iter().any(|p| has(&name, p))
                || r.description_words.iter().any(|p| has(&description, p)))
                && !r
                    .unless
                    .iter()
                    .any(|p| has(&name, p) || has(&description, p))
        })
        .map(|r| r.data_type.as_str())
}

/// What a Glean value can be: counters, quantities, timings and distributions are
/// numbers (a metric `tabs_open_url` counts URLs opened; it holds no URL).
fn value_kind(glean_type: &str) -> ValueKind {
    match glean_type {
        "boolean" | "labeled_boolean" => ValueKind::Boolean,
        "string" | "string_list" | "labeled_string" | "text" | "url" | "uuid" | "object" | "" => {
            ValueKind::Any
        }
        _ => ValueKind::Number,
    }
}

/// A Glean field cannot be given a data type of its own: its metric's `data_sensitivity`
/// is what a Glean author can change. So a suspicious name is reported only when the
/// metric's level would not allow what the name suggests, and the help names the
/// `data_sensitivity` that would.
fn retarget_names(
    out: &mut Vec<Diagnostic>,
    fields: &[FieldSite],
    site: &EventSite<'_>,
    mapping: &GleanMapping,
    policy: &Policy,
) {
    out.retain_mut(|d| {
        if d.code != Code::SuspiciousClassification {
            return true;
        }
        let Some(field) = fields.iter().find(|f| Some(&f.name) == d.field.as_ref()) else {
            return true;
        };
        let Some(hint) = names::suggestion(&field.name, field.value) else {
            return true;
        };
        let Some(ty) = policy.taxonomy.get(hint.data_type) else {
            return true;
        };
        let permitted_at = |level| {
            matches!(
                policy.decide(ty, policy.defaults.identification, site.context(level)),
                Verdict::Permitted(_)
            )
        };
        if site.level.is_some_and(permitted_at) {
            return false;
        }
        let needed = (0..policy.levels.len()).find(|&l| permitted_at(l));
        let sensitivity = needed.and_then(|l| {
            mapping
                .data_sensitivity
                .iter()
                .find(|(_, level)| *level == l)
                .map(|(name, _)| name.as_str())
        });
        d.help = Some(match sensitivity {
            Some(s) => format!(
                "if it holds {}, the metric's `data_sensitivity` must include `{s}` (policy `{}` allows `{}` from there); if the name misleads, accept the finding in a baseline, or turn `suspicious-classification` off in consentlint.yaml",
                hint.what, policy.id, hint.data_type
            ),
            None => format!(
                "if it holds {}, policy `{}` does not allow it (`{}`) at any level; if the name misleads, accept the finding in a baseline, or turn `suspicious-classification` off in consentlint.yaml",
                hint.what, policy.id, hint.data_type
            ),
        });
        if let Some(consent) = &site.consent_label {
            d.related.push(consent.clone());
        }
        true
    });
}

/// An unclassified Glean field is a type the mapping lacks: say which, and where to add it.
fn explain_unmapped(d: &mut Diagnostic, metric: &Metric, map: &GleanMapping) {
    if d.code != Code::UnclassifiedField {
        return;
    }
    let is_event = metric
        .metric_type
        .as_ref()
        .is_some_and(|t| t.value == "event");
    let is_value = !is_event && d.field.as_ref() == Some(&metric.name.value);
    let help = if is_value {
        match &metric.metric_type {
            Some(t) => format!(
                "metric type `{}` has no data type in `sources.glean.metric_types`; add it there",
                t.value
            ),
            None => "the metric declares no `type:`".to_owned(),
        }
    } else {
        let extra = metric
            .extras
            .iter()
            .find(|e| Some(&e.name.value) == d.field.as_ref());
        let t = extra
            .and_then(|e| e.extra_type.as_ref())
            .map_or("string", |t| t.value.as_str());
        format!("extra type `{t}` has no data type in `sources.glean.extra_types`; add it there")
    };
    d.help = Some(help);
    d.related = vec![map.origin.label("the policy's Glean mapping")];
}
