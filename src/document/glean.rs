//! Mozilla Glean `metrics.yaml` files.
//!
//! In: the tree of a file whose `$schema` is `moz://mozilla.org/schemas/glean/metrics/…`.
//! Out: one [`Metric`] per metric, named `category.metric` as Glean names it, with its
//! `type`, `data_sensitivity`, event `extra_keys`, `expires` and `lifetime`, each with its span. Glean's own
//! schema is glean_parser's business; entries of an unexpected shape read as absent, and
//! nothing here fails or panics.

use super::{self as document, Sp};
use crate::load::Node;
use crate::source::Span;

/// The `$schema` prefix of a Glean metrics file (any version).
pub const METRICS_SCHEMA: &str = "moz://mozilla.org/schemas/glean/metrics/";
/// The `$schema` prefix of a Glean `pings.yaml`.
pub const PINGS_SCHEMA: &str = "moz://mozilla.org/schemas/glean/pings/";
/// The `$schema` prefix of a Glean `tags.yaml`.
pub const TAGS_SCHEMA: &str = "moz://mozilla.org/schemas/glean/tags/";

/// A metric: an event `category.metric` whose fields are its value and its extras.
#[derive(Clone, Debug)]
pub struct Metric {
    /// `category.metric`.
    pub event: String,
    /// The metric's key, with its span.
    pub name: Sp<String>,
    /// The category it is in (`search.default_engine`).
    pub category: String,
    /// Its `description`, as written.
    pub description: Option<String>,
    pub metric_type: Option<Sp<String>>,
    pub data_sensitivity: Vec<Sp<String>>,
    pub extras: Vec<Extra>,
    /// `send_in_pings` (Glean's default, when absent, is the `default` ping).
    pub send_in_pings: Vec<Sp<String>>,
    /// `metadata: tags:`.
    pub tags: Vec<Sp<String>>,
    /// The glean_parser lints the metric opts out of: its own `no_lint` and the file's.
    pub no_lint: Vec<String>,
    /// `expires` as written: a date, `never`, `expired` or a major version.
    pub expires: Option<Sp<String>>,
    /// `lifetime` (Glean's default, when absent, is `ping`).
    pub lifetime: Option<Sp<String>>,
    /// `data_reviews`: the span of the key and its entries, when the metric has the key.
    pub data_reviews: Option<(Span, Vec<Sp<String>>)>,
}

/// An event extra key.
#[derive(Clone, Debug)]
pub struct Extra {
    pub name: Sp<String>,
    /// `type:` of the extra; Glean's default, when absent, is `string`.
    pub extra_type: Option<Sp<String>>,
}

/// Whether a root mapping is a Glean metrics file.
pub fn is_metrics_file(root: &Node) -> bool {
    schema_starts(root, METRICS_SCHEMA)
}

/// Whether a root mapping is a Glean `pings.yaml`.
pub fn is_pings_file(root: &Node) -> bool {
    schema_starts(root, PINGS_SCHEMA)
}

/// Whether a root mapping is a Glean `tags.yaml`.
pub fn is_tags_file(root: &Node) -> bool {
    schema_starts(root, TAGS_SCHEMA)
}

fn schema_starts(root: &Node, prefix: &str) -> bool {
    root.get("$schema")
        .and_then(Node::as_str)
        .is_some_and(|s| s.starts_with(prefix))
}

/// The pings Glean itself defines, which no `pings.yaml` declares (glean_parser's
/// `RESERVED_PING_NAMES`).
pub const BUILTIN_PINGS: &[&str] = &[
    "baseline",
    "metrics",
    "events",
    "deletion-request",
    "default",
];

/// Whether Glean itself provides a ping of this name: a built-in ping, `all-pings` (Glean's
/// own metrics, sent in every ping), or an internal store (`glean_client_info`, …; Glean's
/// schema reserves every `glean_` name).
pub fn is_builtin_ping(name: &str) -> bool {
    BUILTIN_PINGS.contains(&name) || name == "all-pings" || name.starts_with("glean_")
}

/// What a `pings.yaml` or `tags.yaml` defines: its top-level keys (pings, or tags), with
/// their spans.
pub fn defined_names(root: &Node) -> Vec<Sp<String>> {
    root.as_map()
        .unwrap_or_default()
        .iter()
        .filter(|e| !is_reserved(&e.key))
        .map(|e| Sp::new(e.key.clone(), e.key_span))
        .collect()
}

/// The file-level `$tags` of a metrics file.
pub fn file_tags(root: &Node) -> Vec<Sp<String>> {
    document::strings(root, "$tags").unwrap_or_default()
}

/// Every metric of a metrics file, in file order.
pub fn read(root: &Node) -> Vec<Metric> {
    let file_no_lint: Vec<String> = document::strings(root, "no_lint")
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect();
    let mut metrics = Vec::new();
    for category in root.as_map().unwrap_or_default() {
        if is_reserved(&category.key) {
            continue;
        }
        for metric in category.value.as_map().unwrap_or_default() {
            if is_reserved(&metric.key) || metric.value.as_map().is_none() {
                continue;
            }
            let node = &metric.value;
            metrics.push(Metric {
                event: format!("{}.{}", category.key, metric.key),
                name: Sp::new(metric.key.clone(), metric.key_span),
                category: category.key.clone(),
                description: document::string(node, "description").map(|d| d.value),
                metric_type: document::string(node, "type"),
                data_sensitivity: document::strings(node, "data_sensitivity").unwrap_or_default(),
                extras: node
                    .get("extra_keys")
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                    .iter()
                    .map(|e| Extra {
                        name: Sp::new(e.key.clone(), e.key_span),
                        extra_type: document::string(&e.value, "type"),
                    })
                    .collect(),
                send_in_pings: document::strings(node, "send_in_pings").unwrap_or_default(),
                expires: document::text(node, "expires"),
                lifetime: document::string(node, "lifetime"),
                tags: node
                    .get("metadata")
                    .and_then(|m| document::strings(m, "tags"))
                    .unwrap_or_default(),
                data_reviews: node.entry("data_reviews").map(|e| {
                    (
                        e.key_span,
                        document::strings(node, "data_reviews").unwrap_or_default(),
                    )
                }),
                no_lint: document::strings(node, "no_lint")
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| s.value)
                    .chain(file_no_lint.iter().cloned())
                    .collect(),
            });
        }
    }
    metrics
}

/// `$schema`, `$tags` and `no_lint` sit beside categories and metrics but are neither.
fn is_reserved(key: &str) -> bool {
    key.starts_with('$') || key == "no_lint"
}
