//! Benchmark helpers for consentlint (not shipped with the binary): a deterministic corpus
//! generator and the shared file walk of the parse-only floor. See `bench/run.sh` and
//! `BENCHMARKS.md`.

pub mod corpus;
pub mod floor;
