//! What the manifest and event-schema targets share: the embedded default policy,
//! compiled once, and the check context (a project root no input can leave).

use consentlint::check::{Context, date::Date};
use consentlint::diagnostic::Diagnostic;
use consentlint::render::{Summary, human};
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
        classify: None,
        overlays: None,
    };
    check(&cx)
}

/// Render what a check found in the formats that quote input text: a renderer must not
/// panic on any position, length or character a file can hold.
#[allow(dead_code)] // The policy target renders its own problems only.
pub fn render_all(diagnostics: &[Diagnostic]) {
    let style = human::Style {
        color: false,
        width: 100,
    };
    let _ = human::render(diagnostics, style);
    let _ = consentlint::render::concise::render(diagnostics);
    let summary = Summary::new(diagnostics, 1, 0, 0, 0);
    let _ = consentlint::render::json::render(diagnostics, &summary);
}
