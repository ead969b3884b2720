//! Finding the files to check: paths given on the command line, directories walked.
//!
//! Walking never follows a symlink to a directory, so a link loop (`a/loop -> ..`) or a
//! link to `/` cannot make a walk endless. A symlink to a file is checked like the file
//! when its target lies inside the project root; one that is broken, loops, or leads out
//! of the root is reported as `unreadable-file` — a pull request must not be able to make
//! CI read and quote `/etc/passwd`.

use crate::config::FileFilter;
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::project;
use std::path::{Path, PathBuf};

/// A file to check.
#[derive(Clone, Debug)]
pub struct Input {
    pub path: PathBuf,
    /// The path as shown to users (as given, `/`-separated).
    pub display: String,
    /// Named on the command line (an unrecognised file is then an error, not skipped).
    pub explicit: bool,
}

const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];
/// Directories that never hold telemetry definitions of the project itself.
const SKIPPED_DIRS: [&str; 3] = ["target", "node_modules", "vendor"];

/// Expand paths into files, sorted for deterministic output, with a diagnostic for each
/// path or directory entry that cannot be read. Walked files pass through `filter`; files
/// named explicitly are always checked. `root` is the project root symlinks must stay in.
pub fn inputs(
    paths: &[PathBuf],
    filter: &FileFilter,
    root: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Input> {
    let mut files = Vec::new();
    for path in paths {
        let display = project::normalize(path);
        if path.is_dir() {
            walk_dir(path, filter, root, &mut files, problems);
        } else if path.exists() {
            files.push(Input {
                path: path.clone(),
                display,
                explicit: true,
            });
        } else {
            problems.push(load::not_found(&display));
        }
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    // A file both named and walked keeps its "named explicitly" status.
    files.dedup_by(|later, kept| {
        let same = later.display == kept.display;
        if same {
            kept.explicit |= later.explicit;
        }
        same
    });
    files
}

fn walk_dir(
    dir: &Path,
    filter: &FileFilter,
    root: &Path,
    files: &mut Vec<Input>,
    problems: &mut Vec<Diagnostic>,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && (name.starts_with('.')
                        || SKIPPED_DIRS.contains(&name.as_ref())
                        || filter.excludes_dir(e.path())))
        });
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                let wanted = (path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e))
                    || is_iglu_schema(path))
                    && entry.file_name() != crate::config::FILE_NAME
                    && filter.accepts(path);
                let file = entry.file_type().is_file()
                    || (entry.path_is_symlink() && wanted && linked_file(path, root, problems));
                if wanted && file {
                    files.push(Input {
                        path: path.to_path_buf(),
                        display: project::normalize(path),
                        explicit: false,
                    });
                }
            }
            Err(error) => {
                let display = error
                    .path()
                    .map_or_else(|| project::normalize(dir), project::normalize);
                problems.push(load::unreadable(
                    &display,
                    error
                        .io_error()
                        .map_or_else(|| error.to_string(), ToString::to_string),
                ));
            }
        }
    }
}

/// Whether a symlink met while walking leads to a file to check; a broken or looping link,
/// or one leading out of the project root, is reported instead. Links to directories are
/// not followed.
fn linked_file(link: &Path, root: &Path, problems: &mut Vec<Diagnostic>) -> bool {
    let display = project::normalize(link);
    let target = std::fs::metadata(link).and_then(|m| Ok((m, link.canonicalize()?)));
    let problem = match target {
        Ok((metadata, _)) if metadata.is_dir() => return false,
        Ok((_, canonical)) if canonical.starts_with(root) => return true,
        Ok(_) => "it is a symlink leading outside the project root; not followed".to_owned(),
        Err(error) => error.to_string(),
    };
    problems.push(load::unreadable(&display, problem));
    false
}

/// A schema in an Iglu repository's layout, `VENDOR/NAME/jsonschema/MODEL-REVISION-ADDITION`
/// (no extension; Iglu Central and Snowplow schema registries store them so).
fn is_iglu_schema(path: &Path) -> bool {
    let in_jsonschema_dir = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "jsonschema");
    let version = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let parts: Vec<&str> = version.split('-').collect();
    in_jsonschema_dir
        && parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
