//! Every command of the README, replayed literally the way a newcomer types it, with the
//! output the README shows compared to what it prints.
//!
//! `cargo run …` runs through cargo (so a README command cargo cannot run fails here), and
//! `consentlint …` (as installed) is the binary this suite built. Commands that write files
//! run in scratch space (`<!-- replay: … -->` directives, see `common/readme.rs`); commands
//! on `../shared/` corpora are skipped, visibly, where the corpora are not beside the
//! checkout; `cargo test` itself is replayed in a fresh clone by `tests/fresh_clone.rs`.

mod common;
#[path = "common/readme.rs"]
mod readme;

use readme::{Place, Step};
use std::path::Path;

fn readme_steps() -> Vec<Step> {
    readme::steps(&std::fs::read_to_string("README.md").expect("README.md"))
}

/// Copy the tree at `from` into `to` (files and directories only).
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn every_readme_command_does_what_the_readme_says() {
    let steps = readme_steps();
    let checkout = std::env::current_dir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut replayed = 0;
    let mut failures = Vec::new();
    for step in &steps {
        let what = format!("README.md:{}: `{}`", step.line, step.command);
        let dir = match &step.place {
            Place::ReplayedBy(_) => continue,
            Place::Checkout => checkout.clone(),
            Place::CopyOf(dir) => {
                // One copy per block: the block's commands share it, in order.
                let copy = scratch.path().join(format!("copy-{dir}").replace('/', "-"));
                if !copy.exists() {
                    copy_tree(&checkout.join(dir), &copy);
                }
                copy
            }
            Place::Scratch(block) => {
                // One directory per block: its commands share it, in order.
                let empty = scratch.path().join(format!("empty-{block}"));
                std::fs::create_dir_all(&empty).unwrap();
                empty
            }
        };
        if step.command.contains("../shared/") {
            let corpus = step
                .command
                .split_whitespace()
                .find(|word| word.starts_with("../shared/"))
                .unwrap();
            if !dir.join(corpus).exists() {
                common::skipped(&what, &format!("`{corpus}` is not beside this checkout"));
                continue;
            }
        }
        let ran = readme::run(&step.command, &dir, &home);
        replayed += 1;
        // A command shown without output must succeed. One shown with its output may report
        // findings (1) or broken input (2, as on corpora with real defects), and its output
        // says which; never 101 (a panic, or cargo unable to run it) or 127 (no command).
        let verdicts: &[i32] = if step.expected.is_some() {
            &[0, 1, 2]
        } else {
            &[0]
        };
        if !verdicts.contains(&ran.code) {
            failures.push(format!(
                "{what} exited {}\nstdout:\n{}\nstderr:\n{}",
                ran.code, ran.stdout, ran.stderr
            ));
            continue;
        }
        if let Some(expected) = &step.expected
            && let Err(why) = readme::matches(expected, &ran.stdout)
        {
            failures.push(format!("{what}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The README's commands on shipped files alone are fifteen.
    assert!(replayed >= 15, "only {replayed} README commands replayed");
}

#[test]
fn the_readme_opens_with_the_two_commands() {
    let steps = readme_steps();
    let commands: Vec<&str> = steps.iter().take(2).map(|s| s.command.as_str()).collect();
    assert_eq!(commands, ["cargo run -- check examples/", "cargo test"]);
    assert_eq!(
        steps[1].place,
        Place::ReplayedBy("tests/fresh_clone.rs".into())
    );
}

#[test]
fn the_readme_demo_sample_exits_1_with_four_findings() {
    let step = readme_steps()
        .into_iter()
        .find(|s| s.command == "cargo run -- check demo/notes-app")
        .expect("the README shows the demo");
    // Its two output samples (the first finding, the last one and the summary) are compared
    // by the replay above.
    assert!(
        matches!(&step.expected, Some(readme::Expected::Samples(s)) if s.len() == 2),
        "{:?}",
        step.expected
    );
    let ran = readme::run(
        &step.command,
        &std::env::current_dir().unwrap(),
        tempfile::tempdir().unwrap().path(),
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        ran.stdout.lines().last(),
        Some("2 files checked (5 events, 20 fields): 4 errors, 0 warnings, 0 infos")
    );
}
