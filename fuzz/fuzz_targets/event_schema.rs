//! Event-schema loader: any bytes as a JSON event schema → decode, strict JSON, parse,
//! meta-validate, walk (`$ref`s included) and check against the embedded default policy.
#![no_main]

mod common;

use consentlint::check;
use consentlint::load::{self, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let Ok(source) = load::decode("fuzz-input/event.schema.json", data.to_vec()) else {
        return;
    };
    let root = match load::parse(&source, &limits) {
        Ok(root) => root,
        Err(problem) => return common::render_all(&[problem]),
    };
    let outcome = common::with_context(&limits, |cx| {
        check::check_event_schema(&source, root, common::default_policy(), cx)
    });
    common::render_all(&outcome.diagnostics);
});
