//! Evaluating the privacy declarations of a run's Fides systems against its Fides policies,
//! as `fides evaluate` does.
//!
//! Every declaration is evaluated against every rule of every policy: its own categories as
//! one list, then — with the declaration's data use and subjects — the categories of each
//! level of each dataset it references (the dataset's, each collection's, each field's), each
//! level a list of its own, as Fides evaluates them. A rule that denies a list is one
//! `denied-data` finding at the first violating category (in the system's file, or in the
//! dataset's), with the other violating categories, the declaration's data use and the rule
//! as related locations. Without a Fides policy in the run, nothing is evaluated.

use super::rules::{Match, Mode, Rule};
use super::{Declaration, Resources, System};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::document::Sp;
use crate::source::SourceFile;
use std::collections::HashMap;
use std::sync::Arc;

/// The findings of a run's Fides resources (every file's, together: a system, the datasets
/// it references and the policies may each be in a file of their own).
pub fn evaluate(files: &[Resources]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut datasets = HashMap::new();
    for file in files {
        for dataset in &file.datasets {
            datasets
                .entry(dataset.key.value.as_str())
                .or_insert((file, dataset));
        }
    }
    let policies: Vec<_> = files.iter().flat_map(|f| f.policies.iter()).collect();
    for file in files {
        for system in &file.systems {
            for declaration in &system.declarations {
                let site = Site {
                    source: &file.source,
                    system,
                    declaration,
                };
                let mut lists: Vec<List<'_>> = vec![List {
                    source: &file.source,
                    categories: &declaration.categories,
                    place: None,
                }];
                for reference in &declaration.datasets {
                    let Some((dataset_file, dataset)) = datasets.get(reference.value.as_str())
                    else {
                        out.push(crate::reference::not_followed(
                            &file.source,
                            reference.span,
                            format!(
                                "dataset `{}` is not among the Fides resources checked; its categories were not evaluated",
                                reference.value
                            ),
                        ).with_help("check the dataset's file too (name its folder, or the file, to `check`)"));
                        continue;
                    };
                    for (level, categories) in &dataset.levels {
                        lists.push(List {
                            source: &dataset_file.source,
                            categories,
                            place: Some((
                                reference,
                                match level.as_str() {
                                    "" => format!("dataset `{}`", dataset.key.value),
                                    level => format!("{level} of dataset `{}`", dataset.key.value),
                                },
                            )),
                        });
                    }
                }
                for policy in &policies {
                    for rule in &policy.rules {
                        for list in &lists {
                            if let Some(d) = denial(&site, list, rule, &policy.key.value) {
                                out.push(d);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

struct Site<'a> {
    source: &'a Arc<SourceFile>,
    system: &'a System,
    declaration: &'a Declaration,
}

/// One list of categories evaluated on its own.
struct List<'a> {
    source: &'a Arc<SourceFile>,
    categories: &'a [Sp<String>],
    /// For a referenced dataset's level: the reference, and which level.
    place: Option<(&'a Sp<String>, String)>,
}

fn keys(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    quoted.join(", ")
}

fn describe(m: &Match) -> String {
    let mode = match m.mode {
        Mode::Any => "any of",
        Mode::All => "all of",
        Mode::None => "none of",
        Mode::Other => "any but",
    };
    format!("{mode} {}", keys(&m.values))
}

fn denial(site: &Site<'_>, list: &List<'_>, rule: &Rule, policy: &str) -> Option<Diagnostic> {
    let declaration = site.declaration;
    let categories: Vec<&str> = list.categories.iter().map(|c| c.value.as_str()).collect();
    let subjects: Vec<&str> = declaration
        .subjects
        .iter()
        .map(|s| s.value.as_str())
        .collect();
    let (violating, subjects_hit) =
        rule.denies(&categories, &declaration.data_use.value, &subjects)?;
    let names = |at: &[usize], of: &[&str]| -> Vec<String> {
        at.iter().map(|&i| of[i].to_owned()).collect()
    };
    let violating_names = names(&violating, &categories);
    let mut message = format!(
        "declaration `{}` of system `{}` fails rule `{}` of Fides policy `{policy}`: data categories {}",
        declaration.name.value,
        site.system.key.value,
        rule.id,
        keys(&violating_names),
    );
    if let Some((_, level)) = &list.place {
        message.push_str(&format!(" (in {level})"));
    }
    message.push_str(&format!(
        " for data use `{}` and subjects {}",
        declaration.data_use.value,
        keys(&names(&subjects_hit, &subjects))
    ));
    let first = &list.categories[violating[0]];
    let mut d = Diagnostic::at(Code::DeniedData, list.source, first.span, message)
        .with_label(format!("denied for `{}`", declaration.data_use.value))
        .with_rule(&rule.id)
        .with_help(format!(
            "rule `{}` denies data categories {} for data uses {} and subjects {}; drop the categories from the declaration or its dataset, or declare another data use",
            rule.id,
            describe(&rule.categories),
            describe(&rule.uses),
            describe(&rule.subjects)
        ));
    for &i in &violating[1..] {
        d = d.with_related(Label::new(
            list.source,
            list.categories[i].span,
            "violating too",
        ));
    }
    if let Some((reference, _)) = &list.place {
        d = d.with_related(Label::new(
            site.source,
            reference.span,
            "the declaration references this dataset",
        ));
    }
    d = d
        .with_related(Label::new(
            site.source,
            declaration.data_use.span,
            "the declaration's data use",
        ))
        .with_related(rule.origin.label(format!("Fides rule `{}`", rule.id)));
    d.event = Some(format!(
        "{}/{}",
        site.system.key.value, declaration.name.value
    ));
    d.data_type = Some(violating_names[0].clone());
    Some(d)
}
