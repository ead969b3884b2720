//! Manifest loader: any bytes as a telemetry manifest → decode, parse, validate, read,
//! and check against the embedded default policy.
#![no_main]

mod common;

use consentlint::check;
use consentlint::document::manifest::ManifestDoc;
use consentlint::load::{self, Limits, schema_check::Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let source = load::decode("fuzz-input/telemetry.yaml", data.to_vec());
    let loaded = match load::load_document(source, Format::Manifest, &limits) {
        Ok(loaded) => loaded,
        Err(problems) => return common::render_all(&problems),
    };
    let doc = ManifestDoc::read(&loaded.root);
    let outcome = common::with_context(&limits, |cx| {
        check::check_manifest(&loaded.source, &doc, common::default_policy(), cx)
    });
    common::render_all(&outcome.diagnostics);
});
