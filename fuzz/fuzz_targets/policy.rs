//! Policy loader: any bytes as a policy file → decode, parse, validate, compile.
#![no_main]

use consentlint::load::{self, Limits};
use consentlint::policy::compile_source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    // `extends:`/`taxonomy:` paths resolve next to this (non-existent) directory.
    if let Ok(source) = load::decode("fuzz-input/policy.yaml", data.to_vec()) {
        let _ = compile_source(source, &limits);
    }
});
