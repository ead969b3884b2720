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
        .map(|(n, text)| SourceFile::embedded(format!("builtin:{n}"), text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::schema_check::{self, Format};
    use crate::load::{self, Limits};

    /// What `load::load_document` skips for embedded documents at run time: each is valid
    /// against its schema and repeats no key.
    #[test]
    fn every_embedded_document_is_valid_against_its_schema() {
        let documents = POLICIES
            .iter()
            .map(|d| (d, Format::Policy))
            .chain(TAXONOMIES.iter().map(|d| (d, Format::Taxonomy)));
        let mut checked = 0;
        for ((name, text), format) in documents {
            // As a file on disk would be read, not as an embedded one.
            let source = SourceFile::new(format!("builtin:{name}"), *text);
            let root = load::parse(&source, &Limits::default()).unwrap();
            let mut problems = Vec::new();
            load::duplicate_keys(&root, &source, &mut problems);
            problems.extend(schema_check::validate(&root, &source, format));
            assert!(problems.is_empty(), "builtin:{name}: {problems:?}");
            checked += 1;
        }
        assert_eq!(checked, POLICIES.len() + TAXONOMIES.len());
    }

    #[test]
    fn embedded_sources_are_marked() {
        assert!(policy("glean").unwrap().embedded);
        assert!(taxonomy("default").unwrap().embedded);
        assert!(!SourceFile::new("builtin:glean", "").embedded);
    }
}
