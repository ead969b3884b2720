//! `git:REV:path` references: a file as it is in a git revision, for `policy diff`.
//!
//! The text comes from `git show REV:path` run in the working directory; the display name
//! stays `git:REV:path`, so relative references (`extends`, `taxonomy`) written in that file
//! are read from the same revision.

use super::{Limits, decode};
use crate::diagnostic::Diagnostic;
use crate::reference::Reference;
use crate::source::SourceFile;
use std::process::Command;
use std::sync::Arc;

/// Read `path` as it is at `rev`.
pub fn read(reference: &str, limits: &Limits) -> Result<Arc<SourceFile>, Diagnostic> {
    let Some((rev, path)) = Reference::parse(reference)
        .git()
        .filter(|(r, p)| !r.is_empty() && !p.is_empty())
    else {
        return Err(crate::reference::malformed_git(reference));
    };
    let output = Command::new("git")
        .args(["show", &format!("{rev}:{path}")])
        .output()
        .map_err(|e| {
            super::unreadable(reference, format!("cannot run git: {e}"))
                .with_help("install git, or compare two files on disk")
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().next().unwrap_or("git show failed").trim();
        return Err(super::unreadable(reference, reason).with_help(format!(
            "check that revision `{rev}` exists and has `{path}` (`git ls-tree -r --name-only {rev}`); paths are relative to the repository root"
        )));
    }
    if output.stdout.len() as u64 > limits.max_file_size {
        return Err(super::too_large(
            reference,
            output.stdout.len() as u64,
            limits,
        ));
    }
    decode(reference, output.stdout)
}
