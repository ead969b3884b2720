//! Sensitive-name heuristics: a field whose *name* says it holds something more sensitive
//! than its classification.
//!
//! In: a field's name (a manifest field, a dotted schema path such as `user.emailAddress`
//! or `crumbs[].url`, a Glean metric or extra key). The last two path segments are split
//! into lowercase word tokens (snake_case, kebab-case and camelCase); a sensitive term
//! matches only whole tokens, so `zip` never matches `unzip_time` nor `ip` `tip` or
//! `ship`. A name whose last segment also carries a token that describes a derived,
//! non-identifying value (`email_count`, `url_length`, `has_password`, `token_type`,
//! `ip_hash`) is left alone. Out: the sensitive term and the data type it suggests.

use crate::classify::words::tokens;

/// What a field's value can be, where its definition says (a JSON Schema `type`, a
/// Glean metric type). A boolean is never the sensitive thing itself (`has_email`); a
/// number can be a coordinate, a postal code, a phone number or an identifier, not a URL,
/// an email address or a password.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ValueKind {
    #[default]
    Any,
    Number,
    Boolean,
}

impl ValueKind {
    /// From a JSON Schema `type` (a string or a list; `null` aside).
    pub fn of_json_types<'a>(types: impl IntoIterator<Item = &'a str>) -> ValueKind {
        let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        if types.is_empty() {
            ValueKind::Any
        } else if types.iter().all(|t| *t == "boolean") {
            ValueKind::Boolean
        } else if types.iter().all(|t| *t == "integer" || *t == "number") {
            ValueKind::Number
        } else {
            ValueKind::Any
        }
    }

    fn can_hold(self, data_type: &str) -> bool {
        const NUMERIC: [&str; 7] = [
            "user.location",
            "user.address",
            "user.phone",
            "user.government_id",
            "user.id",
            "device.id",
            "device.serial_number",
        ];
        match self {
            ValueKind::Any => true,
            ValueKind::Number => NUMERIC.contains(&data_type),
            ValueKind::Boolean => false,
        }
    }
}

/// What a name suggests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The sensitive term, snake_case (`ip_address`).
    pub term: String,
    /// What the term means, for the message ("an IP address").
    pub what: &'static str,
    /// A data type of the default taxonomy.
    pub data_type: &'static str,
}

/// Sensitive terms as token sequences, with what they mean and the type they suggest.
/// Longer sequences come first so `ip address` wins over `address`.
const TERMS: &[(&[&str], &str, &str)] = &[
    // contact details
    (&["email", "address"], "an email address", "user.email"),
    (&["mail", "address"], "an email address", "user.email"),
    (&["e", "mail"], "an email address", "user.email"),
    (&["email"], "an email address", "user.email"),
    (&["emailaddress"], "an email address", "user.email"),
    (&["mail"], "an email address", "user.email"),
    (&["phone"], "a phone number", "user.phone"),
    (&["telephone"], "a phone number", "user.phone"),
    (&["msisdn"], "a phone number", "user.phone"),
    (&["mobile", "number"], "a phone number", "user.phone"),
    // network identity
    (&["ip", "address"], "an IP address", "user.ip_address"),
    (&["ip"], "an IP address", "user.ip_address"),
    (&["ipaddress"], "an IP address", "user.ip_address"),
    (&["ipv4"], "an IP address", "user.ip_address"),
    (&["ipv6"], "an IP address", "user.ip_address"),
    // government ids
    (&["ssn"], "a social security number", "user.government_id"),
    (
        &["social", "security"],
        "a social security number",
        "user.government_id",
    ),
    (&["passport"], "a passport number", "user.government_id"),
    // secrets
    (&["password"], "a password", "user.credential"),
    (&["passwd"], "a password", "user.credential"),
    (&["passphrase"], "a password", "user.credential"),
    (&["token"], "an access token", "user.credential"),
    (&["secret"], "a secret", "user.credential"),
    (&["api", "key"], "an API key", "user.credential"),
    (&["apikey"], "an API key", "user.credential"),
    (&["private", "key"], "a private key", "user.credential"),
    (&["credential"], "a credential", "user.credential"),
    (&["credentials"], "a credential", "user.credential"),
    // web activity
    (&["url"], "a URL", "user.web_activity"),
    (&["urls"], "a URL", "user.web_activity"),
    (&["uri"], "a URI", "user.web_activity"),
    (&["href"], "a URL", "user.web_activity"),
    (&["referer"], "a referring URL", "user.web_activity"),
    (&["referrer"], "a referring URL", "user.web_activity"),
    // location
    (&["lat"], "a latitude", "user.location"),
    (&["lon"], "a longitude", "user.location"),
    (&["lng"], "a longitude", "user.location"),
    (&["latitude"], "a latitude", "user.location"),
    (&["longitude"], "a longitude", "user.location"),
    (&["geolocation"], "a precise location", "user.location"),
    (&["gps"], "a precise location", "user.location"),
    // names and addresses
    (&["user", "name"], "a user name", "user.name"),
    (&["username"], "a user name", "user.name"),
    (&["first", "name"], "a person's name", "user.name"),
    (&["last", "name"], "a person's name", "user.name"),
    (&["full", "name"], "a person's name", "user.name"),
    (&["given", "name"], "a person's name", "user.name"),
    (&["family", "name"], "a person's name", "user.name"),
    (&["surname"], "a person's name", "user.name"),
    (&["device", "name"], "a device name", "device.name"),
    (&["hostname"], "a device name", "device.name"),
    (&["host", "name"], "a device name", "device.name"),
    (&["computer", "name"], "a device name", "device.name"),
    (&["street"], "a postal address", "user.address"),
    (&["postal", "code"], "a postal address", "user.address"),
    (&["postcode"], "a postal address", "user.address"),
    (&["zip"], "a postal address", "user.address"),
    (&["zipcode"], "a postal address", "user.address"),
    // identifiers
    (&["user", "id"], "a user identifier", "user.id"),
    (&["userid"], "a user identifier", "user.id"),
    (&["device", "id"], "a device identifier", "device.id"),
    (&["deviceid"], "a device identifier", "device.id"),
    (
        &["serial", "number"],
        "a serial number",
        "device.serial_number",
    ),
];

/// Terms too common inside longer names (`defaultMailClient`, `tokenizer_ms`) to count
/// unless they end the name.
const TAIL_ONLY: &[&[&str]] = &[&["mail"], &["token"], &["secret"], &["street"]];

/// Tokens that, in the field's own name, say the value is derived from the sensitive thing
/// rather than the thing itself: a count, a size, a flag, a kind, a hash, a time.
const DERIVED: &[&str] = &[
    "count",
    "counts",
    "num",
    "total",
    "length",
    "len",
    "size",
    "type",
    "types",
    "kind",
    "status",
    "state",
    "valid",
    "validity",
    "verified",
    "enabled",
    "disabled",
    "is",
    "has",
    "error",
    "errors",
    "result",
    "scheme",
    "format",
    "hash",
    "hashed",
    "sha",
    "sha1",
    "sha256",
    "md5",
    "domain",
    "template",
    "pattern",
    "regex",
    "policy",
    "required",
    "mode",
    "version",
    "category",
    "index",
    "changed",
    "present",
    "missing",
    "provided",
    "exists",
    "time",
    "ms",
    "duration",
    "timestamp",
    "expires",
    "expiry",
    "ttl",
    "bar",
    "strength",
    "reveal",
    "revealed",
    "shown",
    "visible",
    "field",
    "fields",
    "label",
    "button",
    "prompt",
    "dialog",
    "setting",
    "settings",
    "pref",
    "preference",
    "preferences",
    "source",
    "provider",
    "server",
    "endpoint",
    "manager",
    "saved",
    "generated",
    "autofill",
    "sync",
    "parse",
    "parsed",
    "redacted",
    "masked",
    "truncated",
    "bucket",
    "range",
    "precision",
    "accuracy",
    "isp",
    "netspeed",
    "organization",
    "reputation",
    "package",
    "company",
    "country",
    "region",
    "city",
    "image",
    "icon",
    "logo",
    "html",
    "submission",
];

/// The sensitive term a field name suggests, if any, for a value of kind `value`.
pub fn suggestion(name: &str, value: ValueKind) -> Option<Suggestion> {
    // Field names repeat across the events and files of a project (`session_id`,
    // `os_version`), and this runs on every field of the clean path: remember the
    // answers per thread, in a table of bounded size.
    const REMEMBERED: usize = 8192;
    type Memo = [foldhash::HashMap<Box<str>, Option<Suggestion>>; 3];
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::default();
    }
    MEMO.with_borrow_mut(|memo| {
        let answers = &mut memo[value as usize];
        if let Some(answer) = answers.get(name) {
            return answer.clone();
        }
        let answer = if may_match(name) {
            suggestion_from_tokens(name, value)
        } else {
            None
        };
        if answers.len() >= REMEMBERED {
            answers.clear();
        }
        answers.insert(name.into(), answer.clone());
        answer
    })
}

fn suggestion_from_tokens(name: &str, value: ValueKind) -> Option<Suggestion> {
    let segments: Vec<&str> = name
        .split(['.', '/'])
        .map(|s| s.trim_end_matches("[]"))
        .filter(|s| !s.is_empty())
        .collect();
    let (leaf, parent) = match segments.as_slice() {
        [] => return None,
        [.., parent, leaf] => (*leaf, Some(*parent)),
        [leaf] => (*leaf, None),
    };
    let leaf_tokens = tokens(leaf);
    if leaf_tokens.iter().any(|t| DERIVED.contains(&t.as_str())) {
        return None;
    }
    // The parent's last token joins the leaf's, so `user.name` reads as `user name`; a
    // match must still end in the leaf.
    let mut all: Vec<String> = parent
        .map(tokens)
        .and_then(|t| t.last().cloned())
        .into_iter()
        .collect();
    let first_leaf = all.len();
    all.extend(leaf_tokens);
    for &(term, what, data_type) in TERMS {
        if !value.can_hold(data_type) {
            continue;
        }
        // An id of the thing is not the thing: `emailId`, `canonicalUrlId`.
        if all.last().is_some_and(|t| t == "id" || t == "ids") && term.last() != Some(&"id") {
            continue;
        }
        if TAIL_ONLY.contains(&term) && all.last().map(String::as_str) != term.last().copied() {
            continue;
        }
        let found = all
            .windows(term.len())
            .enumerate()
            .any(|(i, w)| i + term.len() > first_leaf && w.iter().zip(term).all(|(a, b)| a == b));
        if found {
            return Some(Suggestion {
                term: term.join("_"),
                what,
                data_type,
            });
        }
    }
    None
}

/// Lowercase word tokens of one name segment: `ipAddress` → `ip address`,
/// `HTTPReferer` → `http referer`, `unzip_time` → `unzip time`.
/// A cheap test that rules out most names before tokenizing them (this runs on every
/// clean field): a term can match only if each of its words occurs somewhere in the name,
/// ignoring ASCII case, since tokens are lowercased pieces of it. One pass of an
/// Aho-Corasick automaton over the distinct words of [`TERMS`] finds which occur.
fn may_match(name: &str) -> bool {
    struct Words {
        automaton: aho_corasick::AhoCorasick,
        /// Per term, the bit set of its words' indexes in the automaton.
        terms: Vec<u128>,
    }
    static WORDS: std::sync::LazyLock<Option<Words>> = std::sync::LazyLock::new(|| {
        let mut words: Vec<&str> = TERMS
            .iter()
            .flat_map(|(w, _, _)| w.iter().copied())
            .collect();
        words.sort_unstable();
        words.dedup();
        let terms = TERMS
            .iter()
            .map(|(w, _, _)| {
                w.iter()
                    .filter_map(|x| words.binary_search(x).ok())
                    .fold(0u128, |set, i| set | 1 << i)
            })
            .collect();
        if words.len() > 128 {
            return None;
        }
        let automaton = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&words)
            .ok()?;
        Some(Words { automaton, terms })
    });
    let Some(words) = WORDS.as_ref() else {
        return true;
    };
    if !name.is_ascii() {
        return true;
    }
    let found = words
        .automaton
        .find_overlapping_iter(name)
        .fold(0u128, |set, m| set | 1 << m.pattern().as_usize());
    found != 0 && words.terms.iter().any(|&t| t & !found == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Arbitrary text, and names built from sensitive words, their look-alikes and
    /// separators (`userIp.unzip_Email-count`), so that matches are frequent.
    fn name_strategy() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "email", "Email", "ip", "IP", "Address", "url", "URL", "user", "Name", "zip", "unzip",
            "tip", "count", "id", "Id", "lat", "token", "type", "_", ".", "-", "[]",
        ]);
        prop_oneof![
            "\\PC{0,40}",
            prop::collection::vec(words, 0..8).prop_map(|w| w.concat()),
        ]
    }

    proptest! {
        /// The cheap pre-filter never hides a match the full tokenizing would find.
        #[test]
        fn the_prefilter_loses_nothing(name in name_strategy()) {
            if !may_match(&name) {
                prop_assert!(suggestion_from_tokens(&name, ValueKind::Any).is_none(), "{name}");
            }
        }

        /// Remembered answers are the answers: asked in either order, each kind of value
        /// gets what the uncached search gives for it.
        #[test]
        fn remembered_answers_are_per_name_and_kind(name in name_strategy()) {
            let fresh = |kind| may_match(&name).then(|| suggestion_from_tokens(&name, kind)).flatten();
            let kinds = [ValueKind::Any, ValueKind::Number, ValueKind::Boolean];
            for kind in kinds.iter().chain(kinds.iter().rev()) {
                prop_assert_eq!(suggestion(&name, *kind), fresh(*kind), "{} as {:?}", name, kind);
            }
        }

        /// Any name, however odd: no panic, and a term is only ever made of whole tokens
        /// of the name's last two segments.
        #[test]
        fn a_term_is_made_of_whole_tokens_of_the_name(name in name_strategy()) {
            if let Some(found) = suggestion(&name, ValueKind::Any) {
                let segments: Vec<&str> = name.split(['.', '/']).filter(|s| !s.is_empty()).collect();
                let tail = segments.iter().rev().take(2).flat_map(|s| tokens(s)).collect::<Vec<_>>();
                for word in found.term.split('_') {
                    prop_assert!(tail.iter().any(|t| t == word), "{word} not a token of {name}");
                }
            }
        }
    }

    fn term(name: &str) -> Option<String> {
        suggestion(name, ValueKind::Any).map(|s| s.term)
    }

    #[test]
    fn splits_snake_kebab_and_camel_case() {
        assert_eq!(tokens("ipAddress"), ["ip", "address"]);
        assert_eq!(tokens("HTTPReferer"), ["http", "referer"]);
        assert_eq!(tokens("unzip_time"), ["unzip", "time"]);
        assert_eq!(tokens("user-name"), ["user", "name"]);
        assert_eq!(tokens("os2Version"), ["os2", "version"]);
    }

    #[test]
    fn matches_whole_tokens_only() {
        assert_eq!(term("zip"), Some("zip".to_owned()));
        assert_eq!(term("unzip_time"), None);
        assert_eq!(term("tip"), None);
        assert_eq!(term("ship_to"), None);
        assert_eq!(term("client_ip"), Some("ip".to_owned()));
        assert_eq!(term("ipAddress"), Some("ip_address".to_owned()));
        assert_eq!(term("emailAddress"), Some("email_address".to_owned()));
        assert_eq!(term("page_url"), Some("url".to_owned()));
        assert_eq!(term("geo.lat"), Some("lat".to_owned()));
    }

    #[test]
    fn joins_the_parent_segment() {
        assert_eq!(term("user.name"), Some("user_name".to_owned()));
        assert_eq!(term("device.name"), Some("device_name".to_owned()));
        assert_eq!(term("app.name"), None);
        // The match must end in the leaf: `user` alone is not sensitive.
        assert_eq!(term("user.locale"), None);
        assert_eq!(term("crumbs[].url"), Some("url".to_owned()));
    }

    #[test]
    fn derived_values_are_not_flagged() {
        assert_eq!(term("email_count"), None);
        assert_eq!(term("url_length"), None);
        assert_eq!(term("has_password"), None);
        assert_eq!(term("token_type"), None);
        assert_eq!(term("ip_hash"), None);
        assert_eq!(term("urlbar.engagement"), None);
        assert_eq!(term("ip_isp"), None);
        assert_eq!(term("winPackageFamilyName"), None);
        assert_eq!(term("defaultMailClient"), None);
        assert_eq!(term("emailId"), None);
        assert_eq!(term("user_mail"), Some("mail".to_owned()));
    }

    #[test]
    fn the_value_kind_narrows_what_a_name_can_hold() {
        let of = |name: &str, kind| suggestion(name, kind).map(|s| s.data_type);
        assert_eq!(of("master_password", ValueKind::Boolean), None);
        assert_eq!(of("page_url", ValueKind::Number), None);
        assert_eq!(of("latitude", ValueKind::Number), Some("user.location"));
        assert_eq!(of("user_id", ValueKind::Number), Some("user.id"));
        assert_eq!(
            ValueKind::of_json_types(["boolean", "null"]),
            ValueKind::Boolean
        );
        assert_eq!(ValueKind::of_json_types(["integer"]), ValueKind::Number);
        assert_eq!(ValueKind::of_json_types(["string", "null"]), ValueKind::Any);
    }
}
