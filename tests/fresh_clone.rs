//! The README's two commands, typed literally in a fresh copy of the repository placed
//! where no `../shared/` is beside it — as on any machine that clones from the host.
//!
//! Slow (it builds the workspace's crates again and runs the whole suite in the clone), so it
//! is `#[ignore]`d in a plain `cargo test`; `.ci/run` runs it with `cargo test --test
//! fresh_clone -- --ignored`, and that is CI's one full run of the suite.
//!
//! The copy is a `git clone` of the checkout with the working tree's changes laid over it
//! (tracked files as they are now, new files git does not ignore, deleted files gone), so
//! on a clean checkout — as in CI — it is exactly a clone of `HEAD`. It builds into this checkout's `target/` (cargo
//! hashes workspace members by their path inside the workspace, so the dependencies built
//! for the outer suite are reused and only the workspace's own crates are rebuilt).
//!
//! That sharing has one trap, and the test closes it: cargo also judges the workspace's own
//! artifacts fresh by that relative path, so after the clone built them, a `cargo test` here
//! would run the clone's binaries — with the clone's (deleted) directory compiled into every
//! `env!("CARGO_MANIFEST_DIR")` and no `../shared/` beside it. When the test ends, pass or
//! fail, it removes the workspace crates' debug artifacts (`cargo clean --workspace`; the
//! README's commands build no release), so the next build here compiles this checkout's own.
//!
//! Last, when `../shared/` is beside this checkout (our machines, CI), it is linked beside
//! the clone and the targets that read the full corpora run again in the clone: CI's one
//! run of the corpus checks, on the builds the clone already has.

#[path = "common/readme.rs"]
mod readme;

use std::path::Path;
use std::process::Command;

/// The files of the working tree a clone would have, relative to the checkout.
fn files_a_clone_has(checkout: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(checkout)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git ls-files failed");
    String::from_utf8(out.stdout)
        .expect("UTF-8 paths")
        .split('\0')
        .filter(|p| !p.is_empty())
        // Deleted in the working tree but not yet committed: a clone would not have it.
        .filter(|p| checkout.join(p).exists())
        .map(str::to_owned)
        .collect()
}

#[test]
#[ignore = "builds and runs the whole suite in a fresh clone; run by .ci/run"]
fn the_readme_two_commands_work_in_a_fresh_clone() {
    let checkout = std::env::current_dir().unwrap();
    let readme_text = std::fs::read_to_string("README.md").unwrap();
    let steps = readme::steps(&readme_text);
    let (first, second) = (&steps[0], &steps[1]);

    let scratch = tempfile::tempdir().unwrap();
    let clone = scratch.path().join("consentlint");
    let cloned = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(&checkout)
        .arg(&clone)
        .status()
        .expect("run git clone");
    assert!(cloned.success(), "git clone failed");
    let files = files_a_clone_has(&checkout);
    for file in &files {
        let target = clone.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(checkout.join(file), &target).unwrap();
    }
    for file in files_a_clone_has(&clone) {
        if !files.contains(&file) {
            std::fs::remove_file(clone.join(&file)).unwrap();
        }
    }
    assert!(
        !clone.join("../shared").exists(),
        "the fresh clone must have no shared/ beside it"
    );
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let target_dir = checkout.join("target");
    let _own_artifacts_next = CleanWorkspaceArtifacts {
        checkout: checkout.clone(),
        target_dir: target_dir.clone(),
    };
    let in_clone = |command: &str| {
        readme::run(
            &format!(
                "export CARGO_TARGET_DIR='{}'\n{command}",
                target_dir.display()
            ),
            &clone,
            &home,
        )
    };

    let ran = in_clone(&first.command);
    assert_eq!(
        ran.code, 0,
        "`{}` in a fresh clone:\n{}",
        first.command, ran.stderr
    );
    let expected = first
        .expected
        .as_ref()
        .expect("the README shows its output");
    if let Err(why) = readme::matches(expected, &ran.stdout) {
        panic!("`{}` in a fresh clone: {why}", first.command);
    }

    let ran = in_clone(&second.command);
    assert_eq!(
        ran.code,
        0,
        "`{}` in a fresh clone failed:\n{}\n{}",
        second.command,
        tail(&ran.stdout),
        tail(&ran.stderr)
    );
    // Without shared/, the full-corpus checks say they were skipped.
    assert!(
        ran.stderr.contains("note: skipped"),
        "no visible skip note:\n{}",
        tail(&ran.stderr)
    );

    // Then, on our machines, the checks that read the full corpora: ../shared/ is put beside
    // the clone, and the targets that read it run again there, on the clone's own builds
    // (building this checkout's as well would compile the workspace crates twice).
    let shared = checkout.join("../shared");
    if !shared.join("corpus").is_dir() {
        eprintln!(
            "note: skipped the full-corpus checks: `../shared/corpus` is not beside this checkout"
        );
        return;
    }
    std::os::unix::fs::symlink(
        shared.canonicalize().unwrap(),
        scratch.path().join("shared"),
    )
    .unwrap();
    let command = format!("cargo test --lib {}", corpus_targets(&clone).join(" "));
    let ran = in_clone(&command);
    assert_eq!(
        ran.code,
        0,
        "`{command}` in the clone, with ../shared/ beside it, failed:\n{}\n{}",
        tail(&ran.stdout),
        tail(&ran.stderr)
    );
    let still_skipped: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("note: skipped") && l.contains("not beside this checkout"))
        .collect();
    assert!(
        still_skipped.is_empty(),
        "with ../shared/ beside the clone, corpus checks still skipped:\n{}",
        still_skipped.join("\n")
    );
}

/// `--test NAME` for every test target that reads `../shared/` (the library's unit tests
/// do too: one compares the fast JSON parser on the Mozilla schemas corpus).
fn corpus_targets(root: &Path) -> Vec<String> {
    let mut targets: Vec<String> = std::fs::read_dir(root.join("tests"))
        .unwrap()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_owned();
            let text = std::fs::read_to_string(&path).ok()?;
            let reads_shared = ["../shared", "shared_corpus", "SHARED_CORPUS"]
                .iter()
                .any(|needle| text.contains(needle));
            (path.extension()? == "rs" && name != "fresh_clone" && reads_shared)
                .then(|| format!("--test {name}"))
        })
        .collect();
    targets.sort();
    targets
}

/// Removes the workspace crates' debug artifacts from the shared `target/` when dropped: the
/// clone built them, and cargo would otherwise take them for this checkout's. (Release ones
/// are left alone: the clone builds none, and `tests/wheel.rs` may be building its own.)
struct CleanWorkspaceArtifacts {
    checkout: std::path::PathBuf,
    target_dir: std::path::PathBuf,
}

impl Drop for CleanWorkspaceArtifacts {
    fn drop(&mut self) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let cleaned = Command::new(&cargo)
            .args(["clean", "--workspace", "--quiet", "--target-dir"])
            .arg(&self.target_dir)
            .current_dir(&self.checkout)
            .status();
        if !matches!(cleaned, Ok(status) if status.success()) {
            eprintln!(
                "warning: could not remove the clone's builds of the workspace crates; \
                 run `cargo clean --workspace` before the next `cargo test` here"
            );
        }
    }
}

/// The last lines of a long output, where cargo reports what failed.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(80)..].join("\n")
}
