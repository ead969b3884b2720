//! What the manifest and event-schema targets share: the embedded default policy,
//! compiled once, and the check context (a project root no input can leave).

use consentlint::check::{Context, date::Date};
use consentlint::load::Limits;
use consentlint::policy::{Policy, compile};
use consentlint::project::Project;
use std::sync::OnceLock;

pub fn default_policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        compile("builtin:default", &Limits::default())
            .0
            .expect("the embedded default policy compiles")
    })
}

/// Run `check` with a context over the (empty) `fuzz-input` project.
pub fn with_context<T>(limits: &Limits, check: impl FnOnce(&Context<'_>) -> T) -> T {
    let project = Project::new(std::path::Path::new("fuzz-input"));
    let cx = Context {
        project: &project,
        limits,
        today: Date::parse("2026-11-23").expect("a valid date"),
    };
    check(&cx)
}
