//! `--format ndjson`: one diagnostic per line, each the object the JSON report holds (keys
//! sorted), and nothing else — for pipelines that stream findings, and for comparing runs
//! line by line. Counts are in the JSON report; an empty run prints nothing.

use crate::diagnostic::Diagnostic;

/// Write every diagnostic as one line of JSON.
pub fn write(
    out: &mut (impl std::io::Write + ?Sized),
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    for d in diagnostics {
        serde_json::to_writer(&mut *out, &super::json::diagnostic(d))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
