//! consentlint — policy-as-code for telemetry.
//!
//! The pipeline, one module per stage: [`load`] (files → spanned trees, validated against
//! `schemas/`) → [`document`] (typed documents, other tools' formats such as Glean
//! `metrics.yaml` among them) → [`policy`] (taxonomy + policy compiled
//! into a decision table) → [`check`] (manifests and event schemas → diagnostics) →
//! [`render`]. [`run`] drives a whole check over many files; [`diagnostic`] is the data
//! every stage produces and every renderer consumes.

// Loaders return a `Diagnostic` as their error: it is built only on the failure path, so
// its size costs nothing when files are fine, and boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod audit;
pub mod baseline;
pub mod builtin;
pub mod check;
pub mod classify;
pub mod config;
pub mod diagnostic;
pub mod document;
pub mod fides;
pub mod fix;
pub mod load;
pub mod overlay;
pub mod policy;
pub mod policy_test;
pub mod project;
pub mod reference;
pub mod render;
pub mod report;
pub mod run;
pub mod sink;
pub mod source;
pub mod suggest;
