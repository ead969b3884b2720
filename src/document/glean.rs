//! Mozilla Glean `metrics.yaml` files.
//!
//! In: the tree of a file whose `$schema` is `moz://mozilla.org/schemas/glean/metrics/…`.
//! Out: one [`Metric`] per metric, named `category.metric` as Glean names it, with its
//! `type`, `data_sensitivity` and event `extra_keys`, each with its span. Glean's own
//! schema is glean_parser's business; entries of an unexpected shape read as absent, and
//! nothing here fails or panics.

use super::{self as document, Sp};
use crate::load::Node;

/// The `$schema` prefix of a Glean metrics file (any version).
pub const METRICS_SCHEMA: &str = "moz://mozilla.org/schemas/glean/metrics/";

/// A metric: an event `category.metric` whose fields are its value and its extras.
#[derive(Clone, Debug)]
pub struct Metric {
    /// `category.metric`.
    pub event: String,
    /// The metric's key, with its span.
    pub name: Sp<String>,
    pub metric_type: Option<Sp<String>>,
    pub data_sensitivity: Vec<Sp<String>>,
    pub extras: Vec<Extra>,
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
    root.get("$schema")
        .and_then(Node::as_str)
        .is_some_and(|s| s.starts_with(METRICS_SCHEMA))
}

/// Every metric of a metrics file, in file order.
pub fn read(root: &Node) -> Vec<Metric> {
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
            });
        }
    }
    metrics
}

/// `$schema`, `$tags` and `no_lint` sit beside categories and metrics but are neither.
fn is_reserved(key: &str) -> bool {
    key.starts_with('$') || key == "no_lint"
}
