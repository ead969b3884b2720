//! Stage 2 (other formats) — telemetry definitions written for other tools, read where
//! they are.
//!
//! Each reader turns a format's spanned tree into plain events and fields that keep the
//! spans of the original file, so every diagnostic points into that file. How those
//! events map onto consent levels and data types is not decided here: the policy declares
//! it (`sources:` in a policy, compiled in `policy::sources`), and `check` applies it.

pub mod fideslang;
pub mod glean;
