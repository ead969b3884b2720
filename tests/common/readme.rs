//! The README's commands and output samples, read the way a newcomer reads them.
//!
//! In: `README.md`. Out: every command to replay, with what the README says it prints.
//! - In a ```` ```console ```` block, a line starting with `$ ` is a command; the lines up
//!   to the next command are its output (`…` on a line of its own stands for any lines).
//! - In prose and tables, an inline code span starting with `cargo run ` is a command; a
//!   ```` ```text ```` block after it is a sample of its output (`…` lines split it into
//!   pieces that must appear in that order).
//! - An HTML comment `<!-- replay: … -->` just before a block says where its commands run:
//!   `in a copy of DIR` or `in an empty directory` (commands that write files run in
//!   scratch space, never in the checkout) or `by tests/NAME.rs` (a test of its own replays
//!   them; skipped here).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The checkout's root, as the README's reader stands there.
    Checkout,
    /// A scratch copy of this directory of the checkout.
    CopyOf(String),
    /// An empty scratch directory.
    /// (The README line of its directive: the block's commands share the directory.)
    Scratch(usize),
    /// Replayed by another test file (named), not by the generic replay.
    ReplayedBy(String),
}

/// One command of the README.
#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based line in README.md.
    pub line: usize,
    pub command: String,
    /// What the README says it prints: whole lines (`$` blocks), or pieces to find in
    /// order (a `text` sample after an inline command). `None`: the README shows nothing.
    pub expected: Option<Expected>,
    pub place: Place,
}

#[derive(Clone, Debug)]
pub enum Expected {
    /// The whole of stdout, line by line; a `…` line matches any run of lines.
    Lines(Vec<String>),
    /// Text samples that must each appear in stdout, in this order (`…` splits a sample).
    Samples(Vec<String>),
}

/// The README's commands, in order.
pub fn steps(readme: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut fence: Option<String> = None;
    let mut place = Place::Checkout;
    let mut pending_place: Option<Place> = None;
    let mut text_block = String::new();
    // The inline command a `text` block samples.
    let mut last_inline: Option<usize> = None;
    // Index of the first step of the `console` block being read.
    let mut block_start = 0;
    for (index, line) in readme.lines().enumerate() {
        let number = index + 1;
        if let Some(info) = &fence {
            if line.trim_start().starts_with("```") {
                if info == "text"
                    && let Some(step) = last_inline.and_then(|i| steps.get_mut(i))
                {
                    match &mut step.expected {
                        Some(Expected::Samples(samples)) => samples.push(text_block.clone()),
                        _ => step.expected = Some(Expected::Samples(vec![text_block.clone()])),
                    }
                }
                fence = None;
                text_block.clear();
                continue;
            }
            match info.as_str() {
                "console" => {
                    if let Some(command) = line.strip_prefix("$ ") {
                        steps.push(Step {
                            line: number,
                            command: command.to_owned(),
                            expected: None,
                            place: place.clone(),
                        });
                    } else if steps.len() > block_start {
                        // Output lines belong to the last command of this block.
                        let step = steps.last_mut().expect("a step of this block");
                        match &mut step.expected {
                            Some(Expected::Lines(lines)) => lines.push(line.to_owned()),
                            _ => step.expected = Some(Expected::Lines(vec![line.to_owned()])),
                        }
                    }
                }
                "text" => {
                    text_block.push_str(line);
                    text_block.push('\n');
                }
                _ => {}
            }
            continue;
        }
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = Some(info.trim().to_owned());
            place = pending_place.take().unwrap_or(Place::Checkout);
            // Output lines in this block never belong to an earlier block's command.
            block_start = steps.len();
            continue;
        }
        if let Some(directive) = line
            .trim()
            .strip_prefix("<!-- replay:")
            .and_then(|rest| rest.strip_suffix("-->"))
        {
            let directive = directive.trim();
            pending_place = Some(if let Some(dir) = directive.strip_prefix("in a copy of ") {
                Place::CopyOf(dir.trim().to_owned())
            } else if directive == "in an empty directory" {
                Place::Scratch(number)
            } else if let Some(test) = directive.strip_prefix("by ") {
                Place::ReplayedBy(test.trim().to_owned())
            } else {
                panic!("README.md:{number}: unknown replay directive `{directive}`")
            });
            continue;
        }
        for span in inline_code(line) {
            if span.starts_with("cargo run ") {
                steps.push(Step {
                    line: number,
                    command: span.to_owned(),
                    expected: None,
                    place: Place::Checkout,
                });
                last_inline = Some(steps.len() - 1);
            }
        }
    }
    steps
}

/// The inline code spans of a line of prose.
fn inline_code(line: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else { break };
        spans.push(&after[..end]);
        rest = &after[end + 1..];
    }
    spans
}

/// What running a command printed.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Run `command` with bash in `dir`, the way a newcomer types it: `cargo` is the
/// toolchain's, and `consentlint` (as installed) is the binary this test suite built.
/// `~` is a scratch home, so nothing is written into the real one.
pub fn run(command: &str, dir: &Path, home: &Path) -> Ran {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_consentlint"))
        .parent()
        .expect("the binary's directory")
        .to_owned();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let real_home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| real_home.join(".cargo"));
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| real_home.join(".rustup"));
    let out = Command::new("bash")
        .args(["-c", &format!("set -o pipefail\n{command}")])
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", home)
        .env("CARGO_HOME", cargo_home)
        .env("RUSTUP_HOME", rustup_home)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("CONSENTLINT_TODAY")
        .output()
        .expect("run bash");
    Ran {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Whether `actual` is what `expected` says, or why not.
pub fn matches(expected: &Expected, actual: &str) -> Result<(), String> {
    match expected {
        Expected::Lines(lines) => {
            let actual: Vec<&str> = actual.lines().collect();
            let expected: Vec<&str> = lines.iter().map(String::as_str).collect();
            if lines_match(&expected, &actual) {
                Ok(())
            } else {
                Err(format!(
                    "README shows:\n{}\nit printed:\n{}",
                    expected.join("\n"),
                    actual.join("\n")
                ))
            }
        }
        Expected::Samples(samples) => {
            let mut rest = actual;
            for sample in samples {
                for piece in sample.split("\n…\n").flat_map(|p| p.split("…\n")) {
                    let piece = piece.trim_matches('\n');
                    if piece.is_empty() {
                        continue;
                    }
                    match rest.find(piece) {
                        Some(at) => rest = &rest[at + piece.len()..],
                        None => {
                            return Err(format!(
                                "README's sample is not in the output (in this order):\n{piece}\nit printed:\n{actual}"
                            ));
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

/// Line-by-line match where a `…` line stands for any run of lines.
fn lines_match(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"…", rest)) => (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..])),
        Some((line, rest)) => actual
            .split_first()
            .is_some_and(|(first, tail)| first == line && lines_match(rest, tail)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_console_blocks_inline_commands_and_samples() {
        let readme = "intro\n\n```console\n$ cargo run -- check a/\n1 file\n$ cargo test\n```\n\n\
            Run `cargo run -- check demo` and see:\n\n```text\nfirst\n…\nlast\n```\n\n\
            <!-- replay: in a copy of demo -->\n```console\n$ consentlint check --write-baseline b.json\n```\n\
            ```console\nconsentlint check [PATH…]\n```\n";
        let steps = steps(readme);
        let summary: Vec<(usize, &str, Place)> = steps
            .iter()
            .map(|s| (s.line, s.command.as_str(), s.place.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (4, "cargo run -- check a/", Place::Checkout),
                (6, "cargo test", Place::Checkout),
                (9, "cargo run -- check demo", Place::Checkout),
                (
                    19,
                    "consentlint check --write-baseline b.json",
                    Place::CopyOf("demo".into())
                ),
            ]
        );
        assert!(matches!(&steps[0].expected, Some(Expected::Lines(l)) if l == &["1 file"]));
        assert!(steps[1].expected.is_none());
        assert!(
            matches!(&steps[2].expected, Some(Expected::Samples(s)) if s == &["first\n…\nlast\n"])
        );
        assert!(matches(steps[2].expected.as_ref().unwrap(), "x\nfirst\ny\nlast\n").is_ok());
        assert!(matches(steps[2].expected.as_ref().unwrap(), "last\nfirst\n").is_err());
    }

    #[test]
    fn an_ellipsis_line_matches_any_lines() {
        assert!(lines_match(&["…", "end"], &["a", "b", "end"]));
        assert!(lines_match(&["…", "end"], &["end"]));
        assert!(!lines_match(&["…", "end"], &["end", "more"]));
        assert!(!lines_match(&["a"], &["b"]));
    }
}
