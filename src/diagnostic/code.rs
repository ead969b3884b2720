//! The stable diagnostic codes, each with its `--explain` text.
//!
//! A code is user interface: it appears in every output format, in suppressions, in
//! baselines and in config severity overrides, so codes are never renamed. The doc comment
//! of each variant *is* its explanation (`consentlint explain-code CODE`), so the docs
//! cannot drift from the list.

use super::Severity;

/// What a code is about: a finding in telemetry, or a problem reading the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// The telemetry breaks the policy or is incompletely described. Exit code 1.
    Finding,
    /// A file could not be read, parsed or understood. Exit code 2.
    Input,
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $category:ident, $severity:ident; )*) => {
        /// A stable, kebab-case diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $(#[doc = $doc])* $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            pub fn category(self) -> Category {
                match self { $( Code::$variant => Category::$category, )* }
            }

            /// Whether the code is about the input rather than the telemetry: never
            /// overridden, filtered out or baselined.
            pub fn is_input(self) -> bool {
                self.category() == Category::Input
            }

            /// The severity a diagnostic of this code has unless a rule or the config says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// The explanation printed by `--explain`: what it checks, why, an example, the fix.
            pub fn explanation(self) -> String {
                let lines: &[&str] = match self { $( Code::$variant => &[ $( $doc, )* ], )* };
                lines.iter().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
            }
        }
    };
}

codes! {
    /// A field's data type is denied by a `deny` rule of the policy.
    ///
    /// Deny rules always win: no grant can permit a denied type. A deny rule may be scoped
    /// with `below: LEVEL` (denied only for events under that level) or `purposes:` (denied
    /// only for events declaring one of them).
    ///
    /// Example: `{ name: owner_email, type: user.email }` in any event, with the rule
    /// `deny: { classes: [euii] }`.
    ///
    /// Fix: stop collecting the field, or collect a less identifying type instead (a
    /// pseudonymous `user.id` rather than `user.email`).
    DeniedData = "denied-data", Finding, Error;
    /// A field's data type is granted only at a higher consent level than the event's.
    ///
    /// Example: `type: app.error.crash_report` in an event with `consent: required`, where
    /// the only grant says `min_consent: optional`.
    ///
    /// Fix: move the field to an event collected at the level named in the help, or raise
    /// the event's `consent:`.
    ConsentTooLow = "consent-too-low", Finding, Error;
    /// A field is sent more identifiably than any grant for its type permits.
    ///
    /// Identification qualifiers (ISO/IEC 19944-1 §8.3), most identifiable first:
    /// identified > pseudonymized > unlinked_pseudonymized > anonymized > aggregated. A
    /// field without `identification:` is assumed to be sent as the manifest's or the
    /// policy's default (normally `identified`).
    ///
    /// Example: `{ name: device_id, type: device.id }` (identified by default) where the
    /// grant says `max_identification: pseudonymized`.
    ///
    /// Fix: hash or pseudonymize the value on the client and declare
    /// `identification: pseudonymized`.
    IdentificationTooHigh = "identification-too-high", Finding, Error;
    /// The event declares a purpose that no grant for the field's type allows.
    ///
    /// A grant with `purposes:` permits a type only when every purpose the event declares
    /// is one of them (or a descendant of one).
    ///
    /// Example: an event with `purposes: [advertising]` carrying `user.id`, granted only for
    /// `purposes: [diagnostics]`.
    ///
    /// Fix: split the event, or drop the purpose that the policy does not allow.
    PurposeNotAllowed = "purpose-not-allowed", Finding, Error;
    /// The event keeps data longer than the policy allows.
    ///
    /// Reported against a grant's `max_retention_days` (for a field), or against the
    /// policy's `limits.max_retention_days` / `limits.per_level` (for the event).
    ///
    /// Example: `retention_days: 90` where the policy limits retention to 28 days.
    ///
    /// Fix: lower `retention_days` to the limit named in the help.
    RetentionExceeded = "retention-exceeded", Finding, Error;
    /// The event's collection ends later than the policy allows, or never.
    ///
    /// Reported against the policy's `limits.max_expiry_days` (or `limits.per_level`), which
    /// makes every collection end within that many days of today: an `expires` date further
    /// ahead, `expires: never`, or a manifest event with no `expires` at all. A Glean
    /// metric's `expires` is read the same way (glean_parser's EXPIRATION_DATE_TOO_FAR, with
    /// the limit the policy's, not a fixed 730 days; `no_lint: [EXPIRATION_DATE_TOO_FAR]`
    /// opts a metric out); a Glean version expiry has no date and is not checked.
    ///
    /// Example: `expires: never` on an event at `optional` where the policy says
    /// `per_level: { optional: { max_expiry_days: 365 } }`.
    ///
    /// Fix: set `expires:` to the date named in the help or earlier, and renew the
    /// collection after review.
    ExpiryTooFar = "expiry-too-far", Finding, Error;
    /// The event's `expires` date has passed, and it is still declared.
    ///
    /// Reported only when the policy asks for it with `defaults.expired: error` or
    /// `warning` (the finding's severity); by default an expired event is not reported. An
    /// event expires on its `expires` date (Glean's reading: a metric whose date is today or
    /// earlier is expired, as is one marked `expires: expired`; glean_parser's EXPIRED, and
    /// `no_lint: [EXPIRED]` opts a metric out). Dates are compared with today in UTC, or
    /// with `check --today` / `CONSENTLINT_TODAY` when set.
    ///
    /// Example: `expires: 2026-06-30` on an event checked on 2026-11-23.
    ///
    /// Fix: remove the event and the code that sends it, or renew the collection with a
    /// later `expires` after review.
    CollectionExpired = "collection-expired", Finding, Warning;
    /// A case of a policy test (`kind: PolicyTest`) does not get the outcome it expects.
    ///
    /// `consentlint policy test` decides each case as `check` decides a field of that type
    /// in an event at that consent level, and compares the verdict (`expect: allow | deny`),
    /// the deciding rule (`rule:`) and the code `check` reports (`code:`) with the case's.
    /// The finding points at the expectation that does not hold, and at the rule that
    /// actually decided.
    ///
    /// Example: `{ name: crash dumps at required, type: app.crash.dump, consent: required,
    /// expect: allow }` where the only grant says `min_consent: optional`.
    ///
    /// Fix: if the policy is right, correct the case; if the case is right, the policy
    /// changed its meaning — fix the rule the finding points at.
    PolicyTestFailed = "policy-test-failed", Finding, Error;
    /// No rule of the policy covers the field's data type, and the policy's
    /// `defaults.unmatched` is `deny`.
    ///
    /// A policy lists what may be collected; anything it does not mention is not collected.
    ///
    /// Example: `type: device.network` under a policy with no rule mentioning `device`.
    ///
    /// Fix: remove the field, or add a grant for the type to the policy (and have it
    /// reviewed).
    NoGrant = "no-grant", Finding, Error;
    /// The event is sent over a transport the policy's `limits.transport` does not list.
    ///
    /// Example: `transport: http` where the policy says `transport: [https]`.
    ///
    /// Fix: send the event over one of the allowed transports.
    TransportNotAllowed = "transport-not-allowed", Finding, Error;
    /// The event is stored in a region the policy's `limits.regions` does not list.
    ///
    /// Example: `regions: [us, eu]` where the policy says `regions: [us]`.
    ///
    /// Fix: store the data only in the allowed regions.
    RegionNotAllowed = "region-not-allowed", Finding, Error;
    /// A field (or a leaf of an event schema) has no data type.
    ///
    /// Every value an event can carry must be classified so the policy can decide on it.
    /// The severity comes from the policy's `defaults.unclassified` (error, warning or
    /// allow).
    ///
    /// Example: `- { name: extra }` without `type:`, or a schema property without
    /// `x-data-type`.
    ///
    /// Fix: add `type:` (or `x-data-type`) with a data type from the taxonomy
    /// (`consentlint taxonomy` lists them).
    UnclassifiedField = "unclassified-field", Finding, Error;
    /// A field names a data type that the policy's taxonomy does not contain.
    ///
    /// Example: `type: device.os.versoin`.
    ///
    /// Fix: use the suggested type, or add the type to the policy's `taxonomy_extensions`.
    UnknownDataType = "unknown-data-type", Finding, Error;
    /// A field's name strongly suggests more sensitive data than its classification says.
    ///
    /// consentlint splits the name into words (snake_case, kebab-case, camelCase; for a
    /// schema path, the last two segments) and looks for terms such as `email`, `phone`,
    /// `ip`/`ip_address`, `ssn`, `password`, `token`, `url`/`uri`, `lat`/`lon`,
    /// `user_name`, `device_name`, `zip`, `user_id`. Whole words only: `zip` never matches
    /// `unzip_time`, nor `ip` `tip` or `ship`. It warns when such a field is classified
    /// `system_metadata` or `public_non_personal` (or, under `unclassified: allow`, not
    /// classified at all), and says which type the name suggests. A name that also says
    /// the value is derived (`email_count`, `url_length`, `has_password`, `token_type`,
    /// `ip_hash`) is not reported, nor is a field declared `anonymized` or `aggregated`.
    ///
    /// Example: `{ name: contact_email, type: app.usage.action }`, or a Glean event extra
    /// `url` of type `string` (a `glean.string`, system metadata).
    ///
    /// Fix: if the field carries what its name says, classify it with the suggested type
    /// (the policy then decides whether and at which level it may be collected). If the
    /// name misleads, rename the field or suppress the finding for it (`suppress: [{code:
    /// suspicious-classification, field: NAME, reason: …}]`); to turn the check off, set
    /// its severity to `off` in `consentlint.yaml`.
    SuspiciousClassification = "suspicious-classification", Finding, Warning;
    /// A Glean metric names no data review, and the policy requires one
    /// (`sources: glean: require_data_review: true`, as `builtin:glean` does: Mozilla reviews
    /// every new or changed collection).
    ///
    /// Its `data_reviews` list is empty, or holds an empty string or a `TODO` / `TBD`
    /// marker (glean_parser's EMPTY_DATAREVIEW). Reported at each placeholder, or at the
    /// `data_reviews` key when the list is empty.
    ///
    /// Fix: link the data review (a bug comment or review document) for this collection; a
    /// metric that legitimately has none opts out with `no_lint: [EMPTY_DATAREVIEW]`.
    NoDataReview = "no-data-review", Finding, Warning;
    /// An object in an event schema allows properties it does not declare.
    ///
    /// `additionalProperties` missing or `true` lets an event carry anything, and nothing
    /// it carries beyond the declared properties is classified or checked.
    ///
    /// Example: `{"type": "object", "properties": {"os": {...}}}`.
    ///
    /// Fix: add `"additionalProperties": false`, or give `additionalProperties` a schema
    /// with an `x-data-type`.
    OpenSchema = "open-schema", Finding, Warning;
    /// An event names a consent level that the policy does not declare.
    ///
    /// Example: `consent: optinal` under levels `required`, `optional`.
    ///
    /// Fix: use one of the policy's levels (see the help).
    UnknownConsentLevel = "unknown-consent-level", Finding, Error;
    /// An event declares a purpose that the policy's `purposes` list does not contain.
    ///
    /// Fix: use one of the policy's purposes, or add the purpose to the policy.
    UnknownPurpose = "unknown-purpose", Finding, Error;
    /// Two events in one manifest have the same name.
    ///
    /// Event names identify events in reports, suppressions and baselines.
    ///
    /// Fix: rename one of them.
    DuplicateEvent = "duplicate-event", Finding, Error;
    /// Two fields of one event have the same name (schema-derived fields included).
    ///
    /// Fix: rename or remove one of them.
    DuplicateField = "duplicate-field", Finding, Error;
    /// A classification overlay entry matches no field, although the run checked what it
    /// is about: a file its `files:` globs match (any file, without them) and, when it
    /// names one, its event.
    ///
    /// An overlay entry that matches nothing usually means the schema moved on (a field
    /// was renamed or removed) or the entry has a typo; either way the field it meant is
    /// no longer classified by it. Entries about files or events the run did not check are
    /// not reported, nor are entries naming neither `files:` nor `event:` (patterns for any
    /// field anywhere, which no run can tell were meant to match).
    ///
    /// Example: `{ field: environment.system.os.nam, type: device.os.version }` where the
    /// schema has `environment.system.os.name`.
    ///
    /// Fix: correct the entry to the nearest field named in the help, or remove it.
    OverlayUnmatched = "overlay-unmatched", Finding, Warning;
    /// A classification overlay gives a field a different type (or identification) from
    /// the one the schema or manifest itself declares.
    ///
    /// The classification written next to the data wins (the field is decided on its
    /// `x-data-type` / `type:`), but two answers to "what is this field" mean one of them
    /// is wrong, so the disagreement is an error.
    ///
    /// Example: an overlay entry `{ field: client_id, type: user.id }` for a schema field
    /// with `"x-data-type": "device.id"`.
    ///
    /// Fix: remove the overlay entry (the inline type stands), or correct whichever of the
    /// two is wrong.
    OverlayConflict = "overlay-conflict", Finding, Error;
    /// A suppression's `expires` date has passed.
    ///
    /// An expired suppression no longer hides anything: the finding it covered is reported
    /// again, and the suppression itself is an error so that somebody reviews it.
    ///
    /// Example: `suppress: [{ rule: pseudonymous-ids, reason: "…", expires: 2024-01-31 }]`.
    ///
    /// Fix: fix the finding and delete the suppression, or renew it with a new reason and
    /// date after review.
    SuppressionExpired = "suppression-expired", Finding, Error;
    /// A suppression matched no finding.
    ///
    /// Stale suppressions hide future findings nobody reviewed.
    ///
    /// Fix: delete it.
    SuppressionUnused = "suppression-unused", Finding, Warning;
    /// A rule's selector entry selects no data type.
    ///
    /// A `classes:` entry that no type of the taxonomy has, or a rule whose `except:` removes
    /// everything its selector names, does nothing — usually a typo for a class or type
    /// that was meant. Reported by `policy lint`.
    ///
    /// Example: `deny: { classes: [public_personal] }` when no taxonomy type has that class.
    ///
    /// Fix: remove the entry or the rule, or correct it.
    EmptySelector = "empty-selector", Finding, Warning;
    /// An `except:` entry names a type its rule does not select.
    ///
    /// `except` removes types from that rule's own selector only; naming a type outside it
    /// changes nothing, so the author probably meant another type or another rule.
    ///
    /// Example: `allow: { types: [device.os], except: [user.id] }`.
    ///
    /// Fix: remove the entry, or name a type inside the selector.
    ExceptOutsideSelector = "except-outside-selector", Finding, Warning;
    /// A grant can never permit anything: deny rules cover every type it selects at every
    /// level from its `min_consent` up.
    ///
    /// Deny always wins, so the grant is dead — and a reader of the policy may believe the
    /// data is allowed.
    ///
    /// Example: `deny: { classes: [euii] }` and `allow: { types: [user.email] }`.
    ///
    /// Fix: remove the grant, or scope the deny rule (`below:`, `purposes:`, `except:`) if
    /// the data should be allowed.
    ShadowedGrant = "shadowed-grant", Finding, Warning;
    /// Another grant permits everything this grant permits.
    ///
    /// The other grant selects every type this one does, from the same consent level or a
    /// lower one, at least as identifiable, for at least the same purposes and retention.
    /// The redundant grant never decides a verdict; when two grants cover each other, the
    /// one with the greater id is reported.
    ///
    /// Example: `allow: { classes: [system_metadata] }` and
    /// `allow: { types: [device.os] }` with the same conditions.
    ///
    /// Fix: remove the redundant grant (keep its `reference:` on the other one), or give it
    /// the narrower conditions it was meant to have.
    RedundantGrant = "redundant-grant", Finding, Warning;
    /// No rule mentions a consent level (no grant starts at it, no deny rule ends below it).
    ///
    /// Such a level permits exactly what the level under it permits, which is rarely what
    /// the level's documentation promises users.
    ///
    /// Fix: grant what the level adds with `min_consent:`, or remove the level.
    UnusedConsentLevel = "unused-consent-level", Finding, Info;
    /// No rule mentions a purpose the policy declares, although some rules are scoped by
    /// purpose.
    ///
    /// Events may declare it, and only grants without `purposes:` then allow their data. A
    /// policy none of whose rules names a purpose declares its purposes as the vocabulary
    /// events may use, and is not reported.
    ///
    /// Fix: name the purpose in the grants it belongs to, or remove it.
    UnusedPurpose = "unused-purpose", Finding, Info;
    /// Under `defaults.unmatched: allow`, data types that no rule grants or denies are
    /// allowed without anybody having decided so.
    ///
    /// The finding lists the top of each such subtree of the taxonomy.
    ///
    /// Fix: grant or deny each type explicitly, or set `unmatched: deny`.
    ImplicitlyAllowed = "implicitly-allowed", Finding, Warning;
    /// A policy that `extends` a base allows more than the base: a type allowed at a lower
    /// consent level, where the base denies or does not grant it, or sent more
    /// identifiably than the base permits.
    ///
    /// Extending a policy should refine it. A loosening is sometimes deliberate; then the
    /// child says so with `loosens: [rule-id]` and a reviewer sees it.
    ///
    /// Example: a child of `builtin:default` with
    /// `allow: { types: [device.id] }` (the default allows it only pseudonymized).
    ///
    /// Fix: narrow the rule, or declare it in `loosens:`.
    LoosensBase = "loosens-base", Finding, Error;
    /// A baseline entry matched no finding: what it recorded was fixed, or moved to
    /// another file, event or field.
    ///
    /// A baseline (`check --baseline FILE`) lists known findings that CI should not fail
    /// on. An entry that no longer matches anything should go, or the baseline slowly
    /// hides nothing while looking like it hides a lot — and a later finding with the same
    /// key would be silently absorbed.
    ///
    /// Example: the baseline records `denied-data[no-euii]` at `note_saved.author_email` in
    /// `telemetry.yaml`, and the field was removed.
    ///
    /// Fix: delete the entry, or rewrite the baseline with `check --write-baseline FILE`
    /// after reviewing that every remaining finding is still accepted.
    StaleBaselineEntry = "stale-baseline-entry", Finding, Info;
    /// A YAML file is not well-formed.
    ///
    /// Fix: correct the syntax at the position shown.
    YamlSyntax = "yaml-syntax", Input, Error;
    /// A JSON file is not well-formed.
    ///
    /// Fix: correct the syntax at the position shown.
    JsonSyntax = "json-syntax", Input, Error;
    /// A document has a key its format does not define.
    ///
    /// Unknown keys are errors so that a typo (`min_consnet:`) never silently loosens a
    /// policy or hides a field. The help suggests the closest known key.
    ///
    /// Fix: correct or remove the key (`docs/FORMATS.md` lists every key).
    UnknownKey = "unknown-key", Input, Error;
    /// A mapping has the same key twice.
    ///
    /// YAML requires unique keys, and parsers disagree on which value wins.
    ///
    /// Fix: remove one of them.
    DuplicateKey = "duplicate-key", Input, Error;
    /// A value has the wrong type or shape, or a required key is missing.
    ///
    /// Example: `consent: [required]` where a single level is expected, or a rule with
    /// both `allow` and `deny`.
    ///
    /// Fix: follow the format in `docs/FORMATS.md` and `schemas/`.
    InvalidValue = "invalid-value", Input, Error;
    /// A policy names a data type, class, consent level, purpose or rule that does not exist
    /// (or a suppression a code or rule; or a Glean metric a ping or tag that neither Glean
    /// nor the `pings.yaml` / `tags.yaml` named on the command line define).
    ///
    /// Example: `min_consent: optinal`, or `types: [device.serial]`, or
    /// `send_in_pings: [custom-pong]` when `pings.yaml` defines `custom-ping`.
    ///
    /// Fix: use the suggested id.
    UnknownId = "unknown-id", Input, Error;
    /// Two rules (possibly from different files of an `extends` chain) share an id.
    ///
    /// Rule ids name the rule in every diagnostic, suppression and baseline.
    ///
    /// Fix: rename one of them.
    DuplicateRule = "duplicate-rule", Input, Error;
    /// An event schema is not a valid JSON Schema for its declared draft.
    ///
    /// Fix: correct the schema at the position shown.
    InvalidEventSchema = "invalid-event-schema", Input, Error;
    /// A `$ref`, `schema:`, `policy:`, `extends:` or `taxonomy:` reference cannot be followed.
    ///
    /// consentlint never touches the network and never leaves the project root: remote
    /// references, absolute paths and paths escaping the root are refused, as are missing
    /// files and JSON pointers that point nowhere.
    ///
    /// Fix: point the reference at a file inside the project.
    UnresolvedRef = "unresolved-ref", Input, Error;
    /// `$ref`s (or policy `extends`) refer to each other in a loop with nothing in between.
    ///
    /// Fix: break the loop.
    RefCycle = "ref-cycle", Input, Error;
    /// A file or directory could not be read (missing, no permission, a symlink loop).
    ///
    /// The file is not checked, and the run exits 2 so a gate never passes on what it did
    /// not read; every other file is still checked.
    ///
    /// Fix: correct the path, or make the file readable by the user running consentlint.
    UnreadableFile = "unreadable-file", Input, Error;
    /// A file is not UTF-8 text (binary data, a NUL byte, or another encoding such as UTF-16).
    ///
    /// Fix: save the file as UTF-8.
    InvalidEncoding = "invalid-encoding", Input, Error;
    /// A file is empty (or holds only comments and whitespace).
    ///
    /// An empty manifest or policy is almost always a truncated write or a bad merge, so it is
    /// reported rather than read as "collects nothing".
    ///
    /// Fix: restore the file's content, or delete the file.
    EmptyFile = "empty-file", Input, Error;
    /// A file is larger than `--max-file-size` (default 32 MiB, or the config's
    /// `limits: { max_file_size }`).
    ///
    /// Fix: split the file, or raise the limit.
    InputTooLarge = "input-too-large", Input, Error;
    /// A document exceeds a parsing budget: nesting depth, node count, or alias
    /// expansion (a "billion laughs" alias bomb).
    ///
    /// Fix: simplify the document, or raise the budget in the project config
    /// (`consentlint.yaml`: `limits: { max_depth, max_nodes, max_aliases }`) if the
    /// document is legitimate.
    ResourceLimit = "resource-limit", Input, Error;
    /// A YAML file holds more than one document (`---`).
    ///
    /// Fix: put each document in a file of its own.
    MultipleDocuments = "multiple-documents", Input, Error;
    /// A file named on the command line is not a consentlint document: no known `kind:`
    /// and no JSON Schema `$schema`.
    ///
    /// (Files found by walking a directory are skipped and counted instead; `check
    /// --verbose` lists them and why, and a run that checked none is `nothing-checked`.)
    UnknownDocument = "unknown-document", Input, Error;
    /// `check` read no consentlint document: every file it found was skipped (not a
    /// manifest, event schema, Glean metrics file, policy or taxonomy), or none was found.
    ///
    /// A gate that read nothing must not pass: a folder of documents in another format, a
    /// wrong path or an `include:` that matches nothing would otherwise look clean to CI.
    /// The project config and baselines do not count as documents.
    ///
    /// Fix: point `check` at the manifests, event schemas or `metrics.yaml` files to check
    /// (`--verbose` lists each skipped file and why), or pass `--allow-empty` where a run
    /// with nothing to check is expected.
    NothingChecked = "nothing-checked", Input, Error;
    /// The policy a manifest needs could not be loaded, so its events were not checked.
    ///
    /// The policy's own diagnostics say why.
    PolicyUnavailable = "policy-unavailable", Input, Error;
    /// A captured payload (`consentlint audit`) names an event no manifest declares.
    ///
    /// Every event an app sends must be declared, so that the policy can decide on what it
    /// carries; an undeclared event is collection nobody reviewed.
    ///
    /// Example: the line `{"event": "note_exported", "payload": {...}}` when no manifest
    /// given to `--manifests` has `- name: note_exported`.
    ///
    /// Fix: declare the event in a manifest (and check it), or stop sending it. The help
    /// suggests a declared name when the captured one looks like a typo.
    UndeclaredEvent = "undeclared-event", Finding, Error;
    /// A captured payload carries a property its event does not declare.
    ///
    /// This is the most serious audit finding: data is being collected that no manifest
    /// classifies, so no policy rule ever decided whether it may be. An event's declared
    /// properties are its manifest `fields:` and the top-level properties of its `schema:`.
    ///
    /// Example: `{"event": "note_saved", "payload": {"session_id": "…", "user_email": "…"}}`
    /// where `note_saved` declares only `session_id`.
    ///
    /// Fix: stop sending the property, or declare it with its data type (and let `check`
    /// decide whether the policy allows it).
    UndeclaredField = "undeclared-field", Finding, Error;
    /// A captured value contradicts its field's declaration: a field declared
    /// `pseudonymized` or less holds a raw identifier or personal data, or a field of a
    /// non-personal type (`system_metadata`, `public_non_personal`) holds personal data.
    ///
    /// Detected: email addresses, IPv4 and IPv6 addresses, phone numbers (7 to 15 digits
    /// written with `+`, spaces, dashes, dots or brackets), payment card numbers (an
    /// issuer's prefix and length, Luhn check digit), IBANs (a country's length, mod-97
    /// checksum), JSON Web Tokens, keys in a provider's published format (AWS, GitHub,
    /// Slack, Stripe, Google, GitLab, OpenAI) and PEM private keys, and coordinates to four
    /// decimals or more (`47.62051,-122.3493`, or `{"lat": …, "lon": …}`). In pseudonymized
    /// fields also GUIDs (a raw device or user id where a hash was declared) and URLs with a
    /// query string; system metadata legitimately carries request ids and service URLs, and
    /// in a field whose type is a version, `1.0.0.0` is not read as an address. Values are
    /// never printed in full: reports show them masked (`j***@e******.c**`).
    ///
    /// Example: `{"event": "note_saved", "payload": {"device_id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}}`
    /// where `device_id` is declared `identification: pseudonymized`; or
    /// `{"app_version": "jane@example.com"}` where `app_version` is `app.version`.
    ///
    /// Fix: hash or pseudonymize the value on the client before sending it, as declared, or
    /// stop sending personal data in a metadata field; if the field really holds it,
    /// declare what it holds (and let `check` decide).
    PiiInPayload = "pii-in-payload", Finding, Error;
    /// A captured event was collected at a consent level the capture was not made under.
    ///
    /// `consentlint audit --consent-state LEVEL` says which consent the device had given
    /// when the payloads were captured; only events declared at that level or a lower one
    /// may appear.
    ///
    /// Example: `--consent-state required` and a captured `crash_report` event declared
    /// with `consent: optional`.
    ///
    /// Fix: make the app check the consent state before sending the event.
    ConsentStateMismatch = "consent-state-mismatch", Finding, Error;
    /// A captured payload does not validate against the JSON Schema its event declares.
    ///
    /// The message names the failing schema keyword and the JSON pointer of the value in
    /// the captured line; the value itself is not printed.
    ///
    /// Example: `"save_duration_ms": "fast"` where the schema says `"type": "integer"`.
    ///
    /// Fix: send what the schema declares, or correct the schema.
    PayloadSchemaMismatch = "payload-schema-mismatch", Finding, Error;
    /// A line of a captured payload stream cannot be audited: it is not JSON, not an
    /// object, has no event name, or its payload is not an object.
    ///
    /// Each line of an NDJSON stream must be one JSON object with the event name (`event`
    /// or `name`, or `--event-field`) and its properties (under `payload`, `properties` or
    /// `data`, or `--payload-field`; else the other top-level keys). The rest of the stream
    /// is still audited.
    ///
    /// Fix: correct the capture at the position shown.
    InvalidPayload = "invalid-payload", Input, Error;
    /// A line of a captured payload stream is longer than `--max-line-length`.
    ///
    /// The rest of the line is skipped without being read into memory, so one runaway line
    /// cannot exhaust memory; the stream continues with the next line.
    ///
    /// Fix: find out why the app sent such a payload, or raise the limit.
    PayloadLineTooLong = "payload-line-too-long", Input, Error;
}

impl Code {
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case_and_explained() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name} is not kebab-case"
            );
            assert!(
                code.explanation().trim().len() > 20,
                "{name} has no explanation"
            );
            assert_eq!(Code::from_name(name), Some(*code));
        }
    }
}
