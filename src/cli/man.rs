//! `consentlint man [COMMAND…]`: the manual pages, generated from the CLI definition, with
//! the sections clap does not know: EXIT STATUS, FILES, ENVIRONMENT and EXAMPLES. Nested
//! commands have pages of their own (`consentlint man policy lint`).

use std::io::Write;
use std::process::ExitCode;

pub fn run(cli: clap::Command, path: &[String]) -> ExitCode {
    let mut page = cli;
    for name in path {
        match page.find_subcommand(name) {
            Some(sub) => page = sub.clone(),
            None => {
                eprintln!("consentlint: no command `{}`", path.join(" "));
                return ExitCode::from(2);
            }
        }
    }
    if !path.is_empty() {
        // The page name lives until the process exits.
        page = page.name(format!("consentlint-{}", path.join("-")).leak() as &str);
    }
    let man = clap_mangen::Man::new(page.clone());
    let mut out = Vec::new();
    let rendered = (|| -> std::io::Result<()> {
        man.render_title(&mut out)?;
        man.render_name_section(&mut out)?;
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        if page.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut out)?;
        }
        if page.has_subcommands() {
            man.render_subcommands_section(&mut out)?;
        }
        if page.get_after_help().is_some() || page.get_after_long_help().is_some() {
            man.render_extra_section(&mut out)?;
        }
        out.write_all(sections(path).as_bytes())?;
        if page.get_version().is_some() || path.is_empty() {
            man.render_version_section(&mut out)?;
        }
        Ok(())
    })();
    if rendered.is_err() {
        return ExitCode::from(2);
    }
    super::print_or_exit(&String::from_utf8_lossy(&out));
    ExitCode::SUCCESS
}

/// Text for roff: backslashes and hyphens escaped, and no line read as a request.
fn roff(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn section(title: &str, items: &[(&str, &str)]) -> String {
    let mut out = format!(".SH \"{title}\"\n");
    for (term, text) in items {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(term), roff(text)));
    }
    out
}

fn sections(path: &[String]) -> String {
    let mut out = section(
        "EXIT STATUS",
        &[
            (
                "0",
                "Nothing at or above the failing severity (--fail-on, else the config's fail_on, else error).",
            ),
            (
                "1",
                "Findings at or above it (for policy diff --fail-on-loosen: something became looser; for explain: the data type does not pass).",
            ),
            (
                "2",
                "A usage error, or input that could not be read or understood. It is reported like any finding, and every other file is still checked.",
            ),
        ],
    );
    out.push_str(&section(
        "FILES",
        &[
            ("consentlint.yaml", "The project config, found by walking up from the working directory (--config names another, --no-config ignores it). Its directory is the project root that references may not leave. Keys: policy, include, exclude, severity, fail_on, baseline, classifier, classifications, infer, limits."),
            ("policy.yaml, telemetry.yaml", "The starter policy (extends builtin:default) and manifest that consentlint init writes; any names work, the config's policy: and the manifests' kind: decide."),
            ("ci/consentlint-baseline.json", "A baseline of known findings (check --write-baseline FILE, or baseline: in the config)."),
        ],
    ));
    out.push_str(&section(
        "ENVIRONMENT",
        &[
            ("NO_COLOR", "When set and not empty, human output has no colour (as when stdout is not a terminal)."),
            ("CONSENTLINT_TODAY", "A date (YYYY-MM-DD) to use as today, for suppressions' expires: and reproducible runs."),
        ],
    ));
    out.push_str(&section("EXAMPLES", examples(path)));
    out
}

fn examples(path: &[String]) -> &'static [(&'static str, &'static str)] {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    match path.as_slice() {
        ["check"] => &[
            (
                "consentlint check telemetry/",
                "Check every manifest and event schema under telemetry/.",
            ),
            (
                "consentlint check --format sarif -o consentlint.sarif",
                "A SARIF report for code scanning.",
            ),
            (
                "git show :telemetry.yaml | consentlint check - --stdin-filename telemetry.yaml",
                "Check the staged version of a file, as a pre-commit hook does.",
            ),
            (
                "consentlint check --select denied-data,no-grant --format concise",
                "Only two codes, one line each.",
            ),
            (
                "consentlint check --overlay classification.yaml schemas/",
                "Check schemas with classifications kept beside them.",
            ),
        ],
        ["audit"] => &[
            (
                "consentlint audit capture.ndjson.gz --manifests telemetry/",
                "Audit captured payloads against the declared events.",
            ),
            (
                "consentlint audit - --manifests telemetry/ --consent-state required",
                "Audit a stream captured with only required consent.",
            ),
        ],
        ["classify"] => &[
            (
                "consentlint classify schemas/",
                "Proposed data types for every unclassified field, with evidence.",
            ),
            (
                "consentlint classify --write classification.yaml schemas/",
                "Draft an overlay to review; re-running keeps what a person edited.",
            ),
        ],
        ["init"] => &[
            (
                "consentlint init",
                "Set up the current directory; consentlint check then exits 0.",
            ),
            (
                "consentlint init app --force",
                "Replace existing starter files, keeping each as FILE.bak.",
            ),
        ],
        ["policy", ..] => &[
            (
                "consentlint policy lint policies/",
                "Lint every policy under policies/.",
            ),
            (
                "consentlint policy compile policy.yaml --format html -o table.html",
                "The decision table, for review.",
            ),
            (
                "consentlint policy diff git:main:policy.yaml policy.yaml --fail-on-loosen",
                "Fail when a change loosens the policy.",
            ),
        ],
        ["explain"] => &[
            (
                "consentlint explain device.id --consent required",
                "Why device.id is (not) allowed at required, rule by rule.",
            ),
            (
                "consentlint explain user.id --consent optional --identification pseudonymized --format json",
                "The same, for tools.",
            ),
        ],
        _ => &[
            (
                "consentlint check examples/",
                "Check the shipped examples against the embedded default policy.",
            ),
            ("consentlint init && consentlint check", "Start a project."),
            (
                "consentlint explain-code denied-data",
                "What a diagnostic code means and how to fix it.",
            ),
            (
                "consentlint man check",
                "The page of one command; consentlint man policy lint for a nested one.",
            ),
        ],
    }
}
