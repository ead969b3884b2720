//! References one document makes to another (`policy:`, `extends:`, `taxonomy:`,
//! `classifier:`, `--policy`), parsed once.
//!
//! A reference is `builtin:NAME` (a document embedded in the binary), `git:REV:path` (a
//! file as it is in a git revision, for `policy diff`), `fideslang:PATH` (a fideslang
//! data-categories file as a taxonomy) or a path. Joining a reference to the file that
//! wrote it, and confining it to the project, happen here and nowhere else.

use crate::diagnostic::{Code, Diagnostic};
use crate::project::{self, Project};
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// What a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference<'a> {
    /// `builtin:NAME`.
    Builtin(&'a str),
    /// `git:REV:path`, as `REV:path` (not yet checked to have both parts).
    Git(&'a str),
    /// `fideslang:PATH`, as `PATH` (itself a reference).
    Fideslang(&'a str),
    /// A path, relative to the file that names it.
    Path(&'a str),
}

impl<'a> Reference<'a> {
    pub fn parse(text: &'a str) -> Reference<'a> {
        if let Some(name) = text.strip_prefix("builtin:") {
            Reference::Builtin(name)
        } else if let Some(rest) = text.strip_prefix("git:") {
            Reference::Git(rest)
        } else if let Some(path) = text.strip_prefix("fideslang:") {
            Reference::Fideslang(path)
        } else {
            Reference::Path(text)
        }
    }

    /// Whether the reference names a file of the working tree (a path, or a fideslang
    /// file at a path), which must exist and stay in the project.
    pub fn is_local(self) -> bool {
        match self {
            Reference::Path(_) => true,
            Reference::Fideslang(path) => Reference::parse(path).is_local(),
            Reference::Builtin(_) | Reference::Git(_) => false,
        }
    }

    /// The embedded document's name, for `builtin:NAME`.
    pub fn builtin(self) -> Option<&'a str> {
        match self {
            Reference::Builtin(name) => Some(name),
            _ => None,
        }
    }

    /// The revision and path of `git:REV:path`.
    pub fn git(self) -> Option<(&'a str, &'a str)> {
        match self {
            Reference::Git(rest) => rest.split_once(':'),
            _ => None,
        }
    }
}

/// `reference`, written in the file shown as `from`, as what it names from here:
/// `builtin:` stays as it is; in a `git:REV:path` file a path is in the same revision; a
/// built-in document can only name other built-ins; otherwise a path is relative to the
/// referring file.
pub fn join(from: &str, reference: &str) -> String {
    match Reference::parse(reference) {
        Reference::Builtin(_) | Reference::Git(_) => reference.to_owned(),
        Reference::Fideslang(path) => format!("fideslang:{}", join(from, path)),
        Reference::Path(path) => {
            let referrer = Reference::parse(from);
            match (referrer, referrer.git()) {
                (_, Some((rev, file))) => {
                    format!("git:{rev}:{}", project::join(file, path).display)
                }
                (Reference::Builtin(_), _) => format!("builtin:{path}"),
                _ => project::join(from, path).display,
            }
        }
    }
}

/// [`join`], confined to `project` when the referring file lies in it: a pull request
/// could otherwise name `/etc/passwd` and have a parse error quote it into the CI log.
/// The error is why the reference is refused.
pub fn resolve(from: &str, reference: &str, project: Option<&Project>) -> Result<String, String> {
    let local_from = Reference::parse(from).is_local();
    match (Reference::parse(reference), project) {
        (Reference::Fideslang(path), _) => {
            resolve(from, path, project).map(|path| format!("fideslang:{path}"))
        }
        (Reference::Path(path), Some(project)) if local_from && project.contains(from) => {
            project.resolve(from, path).map(|r| r.display)
        }
        _ => Ok(join(from, reference)),
    }
}

// The `unresolved-ref` diagnostics, every one of them: a reference that names nothing, or
// that was not followed.

/// `builtin:NAME` names no embedded `what` (`policy`, `taxonomy`, `classifier rules`;
/// `whats` is the plural): the nearest name, else the list of them.
pub fn no_builtin<'n>(
    reference: &str,
    (what, whats): (&str, &str),
    names: impl IntoIterator<Item = &'n str>,
) -> Diagnostic {
    let names: Vec<&str> = names.into_iter().collect();
    let name = Reference::parse(reference).builtin().unwrap_or(reference);
    let hint = crate::suggest::hint(name, names.iter().copied());
    let help = if hint.is_empty() {
        format!("built-in {whats}: {}", names.join(", "))
    } else {
        hint
    };
    Diagnostic::new(
        Code::UnresolvedRef,
        reference,
        format!("`{reference}` names no built-in {what}"),
    )
    .with_help(help)
}

/// `git:REV:path` without both parts.
pub fn malformed_git(reference: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnresolvedRef,
        reference,
        format!("`{reference}` is not of the form `git:REV:path`"),
    )
    .with_help("e.g. `git:main:policies/contoso.yaml` or `git:HEAD~1:policy.yaml`")
}

/// A `what` reference to a file that does not exist, at the reference when the file
/// wrote it (`None`: given on the command line).
pub fn missing(
    source: &Arc<SourceFile>,
    span: Option<Span>,
    what: &str,
    reference: &str,
) -> Diagnostic {
    let message = format!("{what} `{reference}` does not exist");
    match span {
        Some(span) => {
            Diagnostic::at(Code::UnresolvedRef, source, span, message).with_label("no such file")
        }
        None => Diagnostic::new(Code::UnresolvedRef, source.name.clone(), message),
    }
}

/// A reference that could not be followed (a `$ref` to a file that does not load, or to a
/// place that does not exist); the file's own problem is reported on its own.
pub fn not_followed(source: &Arc<SourceFile>, span: Span, message: String) -> Diagnostic {
    Diagnostic::at(Code::UnresolvedRef, source, span, message).with_label("not followed")
}

/// The `unresolved-ref` diagnostic for a reference that was refused (it leaves the
/// project, is absolute or remote), at the reference: `cannot use schema: …`.
pub fn refused(source: &Arc<SourceFile>, span: Span, what: &str, reason: &str) -> Diagnostic {
    Diagnostic::at(
        Code::UnresolvedRef,
        source,
        span,
        format!("cannot use {what}: {reason}"),
    )
    .with_label("not followed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_to_what_it_names() {
        assert_eq!(
            Reference::parse("builtin:glean"),
            Reference::Builtin("glean")
        );
        assert_eq!(
            Reference::parse("git:main:p.yaml").git(),
            Some(("main", "p.yaml"))
        );
        assert_eq!(Reference::parse("git:main").git(), None);
        assert_eq!(
            Reference::parse("fideslang:cats.yml"),
            Reference::Fideslang("cats.yml")
        );
        assert_eq!(Reference::parse("../p.yaml"), Reference::Path("../p.yaml"));
        assert!(Reference::parse("fideslang:x.yml").is_local());
        assert!(!Reference::parse("fideslang:builtin:x").is_local());
        assert!(!Reference::parse("git:HEAD:x").is_local());
    }

    #[test]
    fn joining_keeps_the_referring_files_world() {
        assert_eq!(join("policies/a.yaml", "base.yaml"), "policies/base.yaml");
        assert_eq!(
            join("policies/a.yaml", "builtin:default"),
            "builtin:default"
        );
        assert_eq!(
            join("git:HEAD~1:policies/a.yaml", "base.yaml"),
            "git:HEAD~1:policies/base.yaml"
        );
        assert_eq!(join("builtin:glean", "default"), "builtin:default");
        assert_eq!(
            join("policies/a.yaml", "fideslang:../cats.yml"),
            "fideslang:cats.yml"
        );
    }

    #[test]
    fn a_missing_builtin_gets_the_nearest_name_or_the_list() {
        let names = ["default", "glean", "intune"];
        let near = no_builtin("builtin:defualt", ("policy", "policies"), names);
        assert_eq!(near.code, Code::UnresolvedRef);
        assert_eq!(near.message, "`builtin:defualt` names no built-in policy");
        assert_eq!(near.help.as_deref(), Some("did you mean `default`?"));
        let far = no_builtin("builtin:zzz", ("policy", "policies"), names);
        assert_eq!(
            far.help.as_deref(),
            Some("built-in policies: default, glean, intune")
        );
    }

    /// `unresolved-ref` is built here and nowhere else, so its wording cannot drift.
    #[test]
    fn unresolved_ref_is_built_only_here() {
        let mut elsewhere = Vec::new();
        for entry in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")) {
            let entry = entry.unwrap();
            let path = entry.path();
            let skip = path.ends_with("reference.rs") || path.ends_with("diagnostic/code.rs");
            if skip || path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            if text.contains(concat!("Code::", "UnresolvedRef")) {
                elsewhere.push(path.display().to_string());
            }
        }
        assert!(elsewhere.is_empty(), "{elsewhere:?}");
    }

    #[test]
    fn a_path_leaving_the_project_is_refused() {
        let dir = std::env::temp_dir().join(format!("consentlint-ref-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        let project = Project::seen_from(&dir, &dir);
        assert_eq!(
            resolve("policies/a.yaml", "base.yaml", Some(&project)).unwrap(),
            "policies/base.yaml"
        );
        let refused = resolve("policies/a.yaml", "../../etc/passwd", Some(&project)).unwrap_err();
        assert!(refused.contains("leaves the project"), "{refused}");
        let refused =
            resolve("policies/a.yaml", "fideslang:/etc/passwd", Some(&project)).unwrap_err();
        assert!(refused.contains("absolute path"), "{refused}");
        // A built-in (or a git revision) names no file of the working tree.
        assert_eq!(
            resolve("builtin:glean", "default", Some(&project)).unwrap(),
            "builtin:default"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
