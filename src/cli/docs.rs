//! The commands that print documentation: `explain-code`, `schema`, `taxonomy`.

use super::{emit, print_or_exit};
use std::process::ExitCode;

pub fn explain(code: Option<&str>) -> ExitCode {
    let text = match code {
        Some(name) => match consentlint::diagnostic::Code::from_name(name) {
            Some(code) => format!("{}\n\n{}\n", code.as_str(), code.explanation()),
            None => {
                let hint = consentlint::suggest::hint(
                    name,
                    consentlint::diagnostic::Code::ALL
                        .iter()
                        .map(|c| c.as_str()),
                );
                eprintln!("consentlint: unknown diagnostic code `{name}` {hint}");
                return ExitCode::from(2);
            }
        },
        None => consentlint::diagnostic::Code::ALL
            .iter()
            .map(|c| {
                let text = c.explanation();
                let summary = text.split("\n\n").next().unwrap_or("").replace('\n', " ");
                format!("{:<26} {summary}\n", c.as_str())
            })
            .collect(),
    };
    print_or_exit(&text);
    ExitCode::SUCCESS
}

pub fn schema(name: Option<&str>) -> ExitCode {
    use consentlint::load::schema_check::Format as Doc;
    let names = || Doc::NAMED.iter().map(|(n, _)| *n);
    let text = match name {
        None => names().map(|n| format!("{n}\n")).collect(),
        Some(name) => match Doc::NAMED.iter().find(|(n, _)| *n == name) {
            Some((_, format)) => format.schema_text().to_owned(),
            None => {
                let hint = consentlint::suggest::hint(name, names());
                eprintln!(
                    "consentlint: no schema `{name}` {hint}\nschemas: {}",
                    names().collect::<Vec<_>>().join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    print_or_exit(&text);
    ExitCode::SUCCESS
}

pub fn taxonomy(
    reference: &str,
    format: super::policy::Format,
    output: Option<&std::path::Path>,
) -> ExitCode {
    match super::policy::load_policy(reference) {
        Some(policy) => {
            let text = match format {
                super::policy::Format::Human => consentlint::render::taxonomy::render(&policy),
                super::policy::Format::Json => consentlint::render::taxonomy::json(&policy),
            };
            emit(output, &text, None).unwrap_or(ExitCode::SUCCESS)
        }
        None => ExitCode::from(2),
    }
}
