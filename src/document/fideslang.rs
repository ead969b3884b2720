//! fideslang data categories as a consentlint taxonomy (`taxonomy: fideslang:PATH`).
//!
//! In: the tree of a fideslang `data_categories.yml` (or `.json`) — a top-level
//! `data_category:` list of `{fides_key, name, description, parent_key, …}` — as Fides
//! ships it or as an organisation extends it. Out: one taxonomy type per category, its id
//! the `fides_key`, its title the `name`, and its class from [`class_of`], the documented
//! mapping of fideslang categories onto consentlint's data classes. Spans point into the
//! fideslang file, so a taxonomy problem (a `parent_key` that does not exist) is reported
//! there.

use super::taxonomy::TypeDecl;
use super::{self as document, Sp};
use crate::load::Node;

/// Classes of fideslang categories: the longest matching key prefix decides. Anything
/// else under `user` is end-user identifiable (the safe default, as for `user` in the
/// default taxonomy); anything else under `system` is system metadata.
const CLASSES: &[(&str, &str)] = &[
    ("system", "system_metadata"),
    ("system.authentication", "account_data"),
    ("user", "euii"),
    ("user.account", "account_data"),
    ("user.account.username", "euii"),
    ("user.payment", "account_data"),
    ("user.financial", "account_data"),
    ("user.content", "customer_content"),
    ("user.content.public", "public_personal"),
    ("user.unique_id", "eupi"),
    ("user.telemetry", "eupi"),
    ("user.device", "system_metadata"),
    ("user.device.cookie", "eupi"),
    ("user.device.cookie_id", "eupi"),
    ("user.device.device_id", "eupi"),
    ("user.device.ip_address", "euii"),
    ("user.workplace", "oii"),
    ("user.contact.organization", "oii"),
    ("user.privacy_preferences", "system_metadata"),
    ("user.demographic.language", "system_metadata"),
    ("user.location.imprecise", "system_metadata"),
];

/// The consentlint class of a fideslang category, by its longest listed key prefix;
/// `None` for a key under neither `system` nor `user` (an organisation's own root, which
/// must then be given a class in the policy's own taxonomy terms — it is reported).
pub fn class_of(fides_key: &str) -> Option<&'static str> {
    CLASSES
        .iter()
        .filter(|(prefix, _)| {
            fides_key == *prefix
                || fides_key
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, class)| *class)
}

/// Whether a tree is a fideslang data-categories file.
pub fn is_data_categories(root: &Node) -> bool {
    root.get("data_category").and_then(Node::as_seq).is_some()
}

/// Every category as a taxonomy type. Deprecated categories stay (existing annotations
/// still use them) with the replacement named in their title.
pub fn read(root: &Node) -> Vec<TypeDecl> {
    document::items(root, "data_category")
        .iter()
        .filter_map(|node| {
            let key = document::string(node, "fides_key")?;
            let mut title = document::string(node, "name")
                .map(|s| s.value)
                .unwrap_or_else(|| key.value.clone());
            if node
                .get("version_deprecated")
                .and_then(Node::scalar_text)
                .is_some()
            {
                let by = document::string(node, "replaced_by")
                    .map(|r| format!(", replaced by {}", r.value))
                    .unwrap_or_default();
                title = format!("{title} (deprecated{by})");
            }
            Some(TypeDecl {
                class: class_of(&key.value).map(|c| Sp::new(c.to_owned(), key.span)),
                id: key,
                title,
                description: document::string(node, "description").map(|s| s.value),
                examples: Vec::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{class_of, read};
    use crate::load::{self, Limits};
    use crate::source::SourceFile;

    #[test]
    fn categories_become_types_and_deprecated_ones_say_so() {
        let source = SourceFile::new(
            "data_categories.yml",
            "data_category:\n\
             - fides_key: user.device.cookie_id\n  name: Cookie ID\n  version_deprecated: null\n\
             - fides_key: user.contact.email\n  name: Email\n  version_deprecated: 2.0.0\n  replaced_by: user.contact.email_address\n\
             - fides_key: acme.loyalty\n  name: Loyalty tier\n",
        );
        let root = load::parse(&source, &Limits::default()).expect("parses");
        let types = read(&root);
        let summary: Vec<(String, String, Option<String>)> = types
            .iter()
            .map(|t| {
                (
                    t.id.value.clone(),
                    t.title.clone(),
                    t.class.as_ref().map(|c| c.value.clone()),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "user.device.cookie_id".into(),
                    "Cookie ID".into(),
                    Some("eupi".into())
                ),
                (
                    "user.contact.email".into(),
                    "Email (deprecated, replaced by user.contact.email_address)".into(),
                    Some("euii".into())
                ),
                ("acme.loyalty".into(), "Loyalty tier".into(), None),
            ]
        );
        // The class points at the key it was decided from.
        let span = types[0].class.as_ref().map(|c| c.span);
        assert_eq!(span, Some(types[0].id.span));
    }

    #[test]
    fn the_longest_prefix_decides() {
        assert_eq!(class_of("user.contact.email"), Some("euii"));
        assert_eq!(class_of("user.contact.organization"), Some("oii"));
        assert_eq!(class_of("user.device"), Some("system_metadata"));
        assert_eq!(class_of("user.device.cookie_id"), Some("eupi"));
        assert_eq!(class_of("user.device.ip_address"), Some("euii"));
        assert_eq!(class_of("user.unique_id.pseudonymous"), Some("eupi"));
        assert_eq!(class_of("system.operations"), Some("system_metadata"));
        // `user.accounting` is not under `user.account`.
        assert_eq!(class_of("user.accounting"), Some("euii"));
        assert_eq!(class_of("customer.tier"), None);
    }
}
