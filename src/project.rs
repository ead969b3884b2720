//! The project root, and following file references safely inside it.
//!
//! Manifests and schemas name other files (`policy:`, `schema:`, `$ref`). Those names come
//! from files anyone can change in a pull request, so they are resolved lexically against
//! the referring file and refused if they are remote, absolute, or leave the project root
//! (also through symlinks). Display paths stay relative, `/`-separated, as users wrote them.

use std::path::{Component, Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Project {
    /// Absolute, canonical project root (the config file's directory, else the working directory).
    pub root: PathBuf,
}

/// A file reference resolved to a path on disk and the path shown to users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub path: PathBuf,
    pub display: String,
}

impl Project {
    pub fn new(root: &Path) -> Project {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Project { root }
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
        let absolute = normalize_path(&std::env::current_dir().unwrap_or_default().join(&path));
        if !absolute.starts_with(&self.root) {
            return Err(format!("`{reference}` leaves the project root"));
        }
        // A symlink inside the project may still point outside it.
        if let Ok(canonical) = absolute.canonicalize()
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
}
