//! Stage 3 — policies: the taxonomy, compilation, and the decision table.

pub mod compile;
pub mod diff;
pub mod explain;
pub mod lint;
pub mod matrix;
pub mod problems;
pub mod table;
pub mod taxonomy;

pub use compile::{compile, compile_source};
pub use table::{EventContext, Failure, LevelIdx, Policy, Rule, RuleIdx, Verdict};
pub use taxonomy::{DataClass, Identification, Taxonomy, TypeId};
