//! Policy loader: any bytes as a policy file → decode, parse, validate, compile.
#![no_main]

use consentlint::load::{self, Limits};
use consentlint::policy::compile_source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    // `extends:`/`taxonomy:` paths resolve next to this (non-existent) directory.
    if let Ok(source) = load::decode("fuzz-input/policy.yaml", data.to_vec()) {
        let (_, problems) = compile_source(source, &limits);
        // What `policy lint` and `check` print of a broken policy: the renderers must not
        // panic on any position a file can hold (a finding past column 65,535 once did).
        let style = consentlint::render::human::Style {
            color: false,
            width: 100,
        };
        let _ = consentlint::render::human::render(&problems, style);
        let _ = consentlint::render::concise::render(&problems);
    }
});
