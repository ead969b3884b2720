//! The project root, and following file references safely inside it.
//!
//! Manifests and schemas name other files (`policy:`, `schema:`, `$ref`). Those names come
//! from files anyone can change in a pull request, so they are resolved lexically against
//! the referring file and refused if they are remote, absolute, or leave the project root
//! (also through symlinks). Display paths stay relative, `/`-separated, as users wrote them.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use globset::{GlobSet, GlobSetBuilder};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Project {
    /// Absolute, canonical project root (the config file's directory, else the working directory).
    pub root: PathBuf,
    /// The working directory, read once (relative references are resolved against it).
    cwd: PathBuf,
    /// Canonical forms of the directories references led into (`None`: not there). A
    /// reference is resolved for every schema and `$ref`'d file, and canonicalizing its
    /// whole path each time was one `readlink` per path component.
    canonical_dirs: Arc<Mutex<HashMap<PathBuf, Option<PathBuf>>>>,
}

/// A file reference resolved to a path on disk and the path shown to users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub path: PathBuf,
    pub display: String,
}

impl Project {
    pub fn new(root: &Path) -> Project {
        Project::seen_from(root, &std::env::current_dir().unwrap_or_default())
    }

    /// A project whose files are shown relative to `cwd` rather than the working directory.
    pub fn seen_from(root: &Path, cwd: &Path) -> Project {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Project {
            root,
            cwd: cwd.to_path_buf(),
            canonical_dirs: Arc::default(),
        }
    }

    /// `path` (absolute, lexically normal) with every symlink resolved, or `None` if it
    /// does not exist — `Path::canonicalize`, with the directory part remembered.
    fn canonical(&self, path: &Path) -> Option<PathBuf> {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return path.canonicalize().ok();
        };
        let is_link = std::fs::symlink_metadata(path)
            .ok()?
            .file_type()
            .is_symlink();
        if is_link {
            return path.canonicalize().ok();
        }
        let mut dirs = self
            .canonical_dirs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dir = dirs
            .entry(dir.to_path_buf())
            .or_insert_with(|| dir.canonicalize().ok())
            .as_ref()?;
        Some(dir.join(name))
    }

    /// Whether the file shown as `path` lies inside the root (lexically).
    pub fn contains(&self, path: &str) -> bool {
        normalize_path(&self.cwd.join(path)).starts_with(&self.root)
    }

    /// Resolve `reference`, written in the file shown as `from`, confined to the root.
    pub fn resolve(&self, from: &str, reference: &str) -> Result<Resolved, String> {
        if reference.contains("://") {
            return Err(format!(
                "`{reference}` is a remote reference; consentlint never uses the network"
            ));
        }
        if Path::new(reference).is_absolute() {
            return Err(format!(
                "`{reference}` is an absolute path; references must be relative to the file"
            ));
        }
        let base = Path::new(from).parent().unwrap_or(Path::new(""));
        let display = normalize(&base.join(reference));
        let path = PathBuf::from(&display);
        let absolute = normalize_path(&self.cwd.join(&path));
        if !absolute.starts_with(&self.root) {
            return Err(format!("`{reference}` leaves the project root"));
        }
        // A symlink inside the project may still point outside it.
        if let Some(canonical) = self.canonical(&absolute)
            && !canonical.starts_with(&self.root)
        {
            return Err(format!(
                "`{reference}` leads outside the project root through a symlink"
            ));
        }
        Ok(Resolved { path, display })
    }
}

/// Join a reference without confinement (for trusted references such as `--policy`).
pub fn join(from: &str, reference: &str) -> Resolved {
    let base = Path::new(from).parent().unwrap_or(Path::new(""));
    let display = normalize(&base.join(reference));
    Resolved {
        path: PathBuf::from(&display),
        display,
    }
}

/// The root of what a command checks when no config names one: the working directory when
/// every checked path lies inside it, else the nearest directory holding all of them (a
/// checked file counts as its directory). So `cd examples && consentlint check
/// ../demo/notes-app` keeps the demo's own `schema:` references inside its root, as
/// `check /abs/path` does, while `../../etc/passwd` from inside the root still leaves it.
pub fn checked_root(cwd: &Path, paths: &[PathBuf]) -> PathBuf {
    let dirs: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .map(|p| {
            let absolute = normalize_path(&cwd.join(p));
            if absolute.is_file() {
                absolute
                    .parent()
                    .map_or(absolute.clone(), Path::to_path_buf)
            } else {
                absolute
            }
        })
        .collect();
    let cwd = normalize_path(cwd);
    if dirs.is_empty() || dirs.iter().all(|d| d.starts_with(&cwd)) {
        return cwd;
    }
    let mut common = dirs[0].clone();
    for d in &dirs[1..] {
        while !d.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// `path` relative to `base` (both absolute), lexically, with `..` where needed: the way
/// to show a file found above the working directory, or to key a file by its project
/// location rather than by where consentlint ran.
pub fn relative(path: &Path, base: &Path) -> String {
    let (path, base) = (normalize_path(path), normalize_path(base));
    let common = path
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in base.components().skip(common) {
        out.push("..");
    }
    for component in path.components().skip(common) {
        out.push(component);
    }
    normalize(&out)
}

/// Lexically normalise a path: drop `.`, fold `..`, and use `/` separators.
pub fn normalize(path: &Path) -> String {
    let normal = normalize_path(path);
    let text = normal.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let at_leading_parent = matches!(
                    out.components().next_back(),
                    Some(Component::ParentDir) | None
                );
                if at_leading_parent {
                    // Nothing left to cancel (or only `..`s): keep it; `/..` stays `/`.
                    if !out.has_root() {
                        out.push("..");
                    }
                } else {
                    out.pop();
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Globs match like `.gitignore` lines: `*` stays within a directory, `**` crosses them,
/// and a pattern without `/` matches at any depth.
pub fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    let trimmed = pattern.trim_start_matches("./");
    let anchored = if trimmed.contains('/') {
        trimmed.trim_start_matches('/').to_owned()
    } else {
        format!("**/{trimmed}")
    };
    let anchored = anchored.trim_end_matches('/');
    // `dir/` or `dir` also means everything below it.
    globset::GlobBuilder::new(&format!("{{{anchored},{anchored}/**}}"))
        .literal_separator(true)
        .build()
}

/// The `glob` patterns as one set; each pattern that is not a glob is reported at its place
/// (`invalid-value`) and left out.
pub fn glob_set<'a>(
    source: &Arc<SourceFile>,
    patterns: impl IntoIterator<Item = (&'a str, Span)>,
    problems: &mut Vec<Diagnostic>,
) -> Option<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for (pattern, span) in patterns {
        match glob(pattern) {
            Ok(glob) => {
                set.add(glob);
            }
            Err(error) => problems.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    source,
                    span,
                    format!("`{pattern}` is not a valid glob: {}", error.kind()),
                )
                .with_label("invalid glob")
                .with_help("`*` matches within a directory, `**` across directories, `?` one character, `[abc]` a class"),
            ),
        }
    }
    set.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative(Path::new("/a/b/c.yaml"), Path::new("/a")),
            "b/c.yaml"
        );
        assert_eq!(
            relative(Path::new("/a/c.yaml"), Path::new("/a/b/d")),
            "../../c.yaml"
        );
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), ".");
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("examples/x/../../policies/p.yaml")),
            "policies/p.yaml"
        );
        assert_eq!(normalize(Path::new("./a/./b")), "a/b");
        assert_eq!(normalize(Path::new("a/../../../x")), "../../x");
    }

    #[test]
    fn refuses_remote_absolute_and_escaping_references() {
        let project = Project::new(&std::env::current_dir().unwrap());
        assert!(project.resolve("a/m.yaml", "https://x/s.json").is_err());
        assert!(project.resolve("a/m.yaml", "/etc/passwd").is_err());
        assert!(project.resolve("a/m.yaml", "../../../etc/passwd").is_err());
        assert_eq!(
            project.resolve("a/m.yaml", "s/e.json").unwrap().display,
            "a/s/e.json"
        );
    }

    /// A symlink, as the referenced file or as a directory on the way to it, may not lead
    /// out of the root — asked repeatedly, since directories' canonical forms are
    /// remembered.
    #[test]
    fn refuses_references_that_leave_through_symlinks() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("e.json"), "{}").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("a/s")).unwrap();
        std::fs::write(root.join("a/s/e.json"), "{}").unwrap();
        symlink(outside.path().join("e.json"), root.join("a/s/out.json")).unwrap();
        symlink(root.join("a/s/e.json"), root.join("a/s/in.json")).unwrap();
        symlink(outside.path(), root.join("a/away")).unwrap();
        symlink(root.join("a/s"), root.join("a/near")).unwrap();
        let project = Project::new(&root);
        let from = root.join("a/m.yaml").display().to_string();
        for _ in 0..2 {
            assert!(project.resolve(&from, "s/e.json").is_ok());
            assert!(project.resolve(&from, "s/in.json").is_ok());
            assert!(project.resolve(&from, "near/e.json").is_ok());
            assert!(
                project.resolve(&from, "s/missing.json").is_ok(),
                "reported when read"
            );
            for escape in ["s/out.json", "away/e.json", "near/out.json"] {
                let error = project.resolve(&from, escape).unwrap_err();
                assert!(error.contains("through a symlink"), "{escape}: {error}");
            }
        }
    }
}
