//! Stage 1 — reading files into spanned trees.
//!
//! Bytes come in from disk (or from the binary, for built-in documents); out come a
//! [`SourceFile`] and its [`Node`] tree, or a diagnostic saying exactly why not: too large,
//! not UTF-8 text, empty, malformed, over a parsing budget. Nothing here knows what a
//! policy or manifest is; `schema_check` then validates a tree against the JSON Schema of
//! its kind.

pub mod git;
mod json;
pub mod node;
pub mod node_json;
pub mod pointer;
pub mod schema_check;
mod yaml;

pub use node::{Entry, Node, Value};
pub use yaml::duplicate_keys;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// What untrusted input may cost, and where its references may lead.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The directory (absolute, canonical: the project root) that files named by
    /// `extends:` and `taxonomy:` in a policy inside it may not leave; `None` leaves them
    /// unconfined (built-in documents, tests). Policies named on the command line from
    /// outside the root are the user's own choice and keep relative references as written.
    pub confine_to: Option<std::path::PathBuf>,
    /// Largest file read, in bytes.
    pub max_file_size: u64,
    /// Deepest nesting of mappings and lists.
    pub max_depth: usize,
    /// Most YAML nodes in one document.
    pub max_nodes: usize,
    /// Most alias references (`*name`) in one document.
    pub max_aliases: usize,
    /// Most subschemas visited while walking one event schema through its `$ref`s.
    pub max_schema_visits: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            confine_to: None,
            max_file_size: 32 * 1024 * 1024,
            max_depth: 128,
            max_nodes: 5_000_000,
            max_aliases: 1_000,
            max_schema_visits: 100_000,
        }
    }
}

/// Read a file as UTF-8 text within the size limit.
pub fn read_source(
    path: &Path,
    display: &str,
    limits: &Limits,
) -> Result<Arc<SourceFile>, Diagnostic> {
    let io = |e: std::io::Error| unreadable(display, e);
    let file = std::fs::File::open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if !metadata.is_file() {
        // A FIFO or a device (`/dev/zero`) would block or never end.
        return Err(unreadable(display, "not a regular file"));
    }
    if metadata.len() > limits.max_file_size {
        return Err(too_large(display, metadata.len(), limits));
    }
    // The size may change between the check and the read: never read past the limit.
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limits.max_file_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_file_size {
        return Err(too_large(display, bytes.len() as u64, limits));
    }
    decode(display, bytes)
}

/// Read standard input as the file `display` (`check -`), within the size limit.
pub fn read_stdin(display: &str, limits: &Limits) -> Result<Arc<SourceFile>, Diagnostic> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limits.max_file_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| {
            Diagnostic::new(
                Code::UnreadableFile,
                display,
                format!("cannot read standard input: {e}"),
            )
        })?;
    if bytes.len() as u64 > limits.max_file_size {
        return Err(too_large(display, bytes.len() as u64, limits));
    }
    decode(display, bytes)
}

/// Read a file named by a reference: `git:REV:path`, else a path on disk.
pub fn read_reference(reference: &str, limits: &Limits) -> Result<Arc<SourceFile>, Diagnostic> {
    if let crate::reference::Reference::Git(_) = crate::reference::Reference::parse(reference) {
        git::read(reference, limits)
    } else {
        read_source(Path::new(reference), reference, limits)
    }
}

/// `unreadable-file`: `display` could not be read, and why.
pub fn unreadable(display: &str, reason: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(
        Code::UnreadableFile,
        display,
        format!("cannot read `{display}`: {reason}"),
    )
}

/// `unreadable-file`: a path given to read does not exist.
pub fn not_found(display: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnreadableFile,
        display,
        format!("`{display}` does not exist"),
    )
}

/// `input-too-large`: over `--max-file-size`.
pub(crate) fn too_large(display: &str, size: u64, limits: &Limits) -> Diagnostic {
    Diagnostic::new(
        Code::InputTooLarge,
        display,
        format!(
            "`{display}` is {size} bytes, over the limit of {} bytes",
            limits.max_file_size
        ),
    )
    .with_help("split the file, or raise the limit with `--max-file-size`")
}

/// Turn raw bytes into a source file, refusing what is not UTF-8 text.
pub fn decode(display: &str, mut bytes: Vec<u8>) -> Result<Arc<SourceFile>, Diagnostic> {
    let encoding_error = |message: String, text: String, offset: usize| {
        let source = SourceFile::new(display, text);
        let end = (offset + 1).min(source.text.len());
        Diagnostic::at(
            Code::InvalidEncoding,
            &source,
            Span::new(offset.min(end), end),
            message,
        )
        .with_help("save the file as UTF-8 text")
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::new(
            Code::InvalidEncoding,
            display,
            format!("`{display}` is UTF-16 text; consentlint reads UTF-8 only"),
        )
        .with_help("save the file as UTF-8 text"));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let lossy_offset = String::from_utf8_lossy(&error.as_bytes()[..offset]).len();
            return Err(encoding_error(
                format!("`{display}` is not valid UTF-8 (invalid byte at offset {offset})"),
                lossy,
                lossy_offset,
            ));
        }
    };
    if let Some(offset) = text.find('\0') {
        return Err(encoding_error(
            format!("`{display}` contains a NUL byte; it looks like a binary file"),
            text.replace('\0', " "),
            offset,
        ));
    }
    Ok(SourceFile::new(display, text))
}

/// Parse a source file into a tree; an empty document is an error.
pub fn parse(source: &Arc<SourceFile>, limits: &Limits) -> Result<Node, Diagnostic> {
    if source.text.trim().is_empty() {
        return Err(Diagnostic::new(
            Code::EmptyFile,
            source.name.clone(),
            format!("`{}` is empty", source.name),
        ));
    }
    let fast = if source.name.ends_with(".json") {
        // Strict JSON in one fast pass; anything else gets the general parser's verdict.
        json::parse(&source.text, limits)
    } else {
        None
    };
    let node = match fast {
        Some(node) => node,
        None => {
            if source.name.ends_with(".json") {
                yaml::strict_json(source)?;
            }
            yaml::parse(source, limits)?
        }
    };
    if node.value == Value::Null {
        return Err(Diagnostic::new(
            Code::EmptyFile,
            source.name.clone(),
            format!("`{}` holds no document (only comments?)", source.name),
        ));
    }
    Ok(node)
}

/// A parsed document that passed its format's schema.
#[derive(Debug)]
pub struct Loaded {
    pub source: Arc<SourceFile>,
    pub root: Node,
}

/// Read, parse and validate one document of a known format, collecting every problem.
pub fn load_document(
    source: Result<Arc<SourceFile>, Diagnostic>,
    format: schema_check::Format,
    limits: &Limits,
) -> Result<Loaded, Vec<Diagnostic>> {
    let source = source.map_err(|d| vec![d])?;
    let root = parse(&source, limits).map_err(|d| vec![d])?;
    // The embedded documents are checked against their schemas by the test suite
    // (`builtin::tests`); checking them again at every start compiled the policy and
    // taxonomy schemas for runs that use nothing else.
    if source.embedded {
        return Ok(Loaded { source, root });
    }
    let mut problems = Vec::new();
    duplicate_keys(&root, &source, &mut problems);
    problems.extend(schema_check::validate(&root, &source, format));
    if problems.is_empty() {
        Ok(Loaded { source, root })
    } else {
        Err(problems)
    }
}
