//! Documents embedded in the binary: the default taxonomy and the shipped policies.
//!
//! `builtin:NAME` in `extends:`, `taxonomy:`, `policy:` or `--policy` names one of these.

use crate::source::SourceFile;
use std::sync::Arc;

const POLICIES: &[(&str, &str)] = &[
    ("default", include_str!("../policies/default.yaml")),
    (
        "intune-client-apps",
        include_str!("../policies/intune-client-apps.yaml"),
    ),
    (
        "desktop-analytics",
        include_str!("../policies/desktop-analytics.yaml"),
    ),
    (
        "power-automate",
        include_str!("../policies/power-automate.yaml"),
    ),
    (
        "entra-diagnostic-logs",
        include_str!("../policies/entra-diagnostic-logs.yaml"),
    ),
    ("skype-teams", include_str!("../policies/skype-teams.yaml")),
    ("glean", include_str!("../policies/glean.yaml")),
];

const TAXONOMIES: &[(&str, &str)] = &[("default", include_str!("../policies/taxonomy.yaml"))];

pub fn policy(name: &str) -> Option<Arc<SourceFile>> {
    lookup(POLICIES, name)
}

pub fn taxonomy(name: &str) -> Option<Arc<SourceFile>> {
    lookup(TAXONOMIES, name)
}

pub fn policy_names() -> impl Iterator<Item = &'static str> {
    POLICIES.iter().map(|(n, _)| *n)
}

pub fn taxonomy_names() -> impl Iterator<Item = &'static str> {
    TAXONOMIES.iter().map(|(n, _)| *n)
}

fn lookup(table: &[(&str, &'static str)], name: &str) -> Option<Arc<SourceFile>> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| SourceFile::new(format!("builtin:{n}"), *text))
}
