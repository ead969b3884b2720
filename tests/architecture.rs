//! The shape of the tree: no module imports a module that imports it back, at the top
//! level (`check` ↔ `classify`) or between the files of one stage (`policy::compile` ↔
//! `policy::table`). The pipeline reads one direction, so a newcomer can read it stage by
//! stage. Test code (`tests.rs`, `#[cfg(test)]` modules) may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `src/policy/compile/chain.rs` → `["policy", "compile", "chain"]`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Every `crate::a::b…` path a file's non-test code names, `use crate::{a, b::c}` groups
/// included, and `super::x` resolved against the file's module.
fn referenced(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> usize {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let mut out = Vec::new();
    for (root, base) in [
        ("crate::", Vec::new()),
        // `super` in `a/b.rs` and in `a/b/mod.rs` (both module a::b) is `a`.
        ("super::", module[..module.len().saturating_sub(1)].to_vec()),
    ] {
        for (at, _) in code.match_indices(root) {
            if code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let mut rest = &code[at + root.len()..];
            let mut path = base.clone();
            loop {
                let n = ident(rest);
                if n == 0 {
                    break;
                }
                path.push(rest[..n].to_owned());
                rest = &rest[n..];
                match rest.strip_prefix("::") {
                    Some(more) => rest = more,
                    None => break,
                }
            }
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for item in group.split(',') {
                    let item = item.trim();
                    let n = ident(item);
                    let mut p = path.clone();
                    if n > 0 && &item[..n] != "self" {
                        p.push(item[..n].to_owned());
                    }
                    out.push(p);
                }
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The first cycle of the graph, if any.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == next).unwrap_or(0);
                    let mut found = stack[from..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(_) => {}
                None => {
                    if let Some(found) = visit(next, graph, state, stack) {
                        return Some(found);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str())
            && let Some(found) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(found);
        }
    }
    None
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeSet::new();
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path.strip_prefix(&src).unwrap();
        // The binary's command handlers sit on top of everything; tests use anything.
        if path.extension().is_none_or(|e| e != "rs")
            || rel.starts_with("cli")
            || rel == Path::new("main.rs")
            || path.file_name().is_some_and(|n| n == "tests.rs")
        {
            continue;
        }
        let module = module_of(rel);
        modules.insert(module.clone());
        files.push((module, std::fs::read_to_string(path).unwrap()));
    }
    // A path names the longest module it starts with.
    let resolve = |path: &[String]| -> Option<Vec<String>> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|m| modules.contains(m))
    };
    for depth in [1, 2] {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, text) in &files {
            for path in referenced(text, module) {
                let Some(target) = resolve(&path) else {
                    continue;
                };
                let (from, to) = (
                    &module[..module.len().min(depth)],
                    &target[..target.len().min(depth)],
                );
                // A module and the modules inside it are one node at this depth.
                if from.is_empty() || from == to || from.starts_with(to) || to.starts_with(from) {
                    continue;
                }
                graph
                    .entry(from.join("::"))
                    .or_default()
                    .insert(to.join("::"));
            }
        }
        assert!(graph.len() > 5, "the graph was read: {graph:?}");
        if let Some(found) = cycle(&graph) {
            panic!("import cycle at depth {depth}: {}", found.join(" → "));
        }
    }
}

/// Every `Diagnostic::at(Code::X, …)` / `Diagnostic::new(Code::X, …)` in a file's non-test
/// code, as `X`.
fn constructed_codes(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for call in ["Diagnostic::at(", "Diagnostic::new("] {
        for (at, _) in code.match_indices(call) {
            let args = code[at + call.len()..].trim_start();
            let args = args.strip_prefix("crate::diagnostic::").unwrap_or(args);
            if let Some(rest) = args.strip_prefix("Code::") {
                let n = rest
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                out.push(rest[..n].to_owned());
            }
        }
    }
    out
}

/// A diagnostic code's messages are written in one place per stage, so the same problem is
/// never worded two ways: within one top-level module (`policy`, `check`, `load`…), every
/// code is built in one file. Codes a stage shares with another (`invalid-value` in `config`
/// and `policy`) are that stage's own cases.
#[test]
fn each_stage_builds_a_code_in_one_file() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut homes: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path.strip_prefix(&src).unwrap();
        if path.extension().is_none_or(|e| e != "rs")
            || rel.starts_with("diagnostic")
            || path.file_name().is_some_and(|n| n == "tests.rs")
        {
            continue;
        }
        let stage = module_of(rel).first().cloned().unwrap_or_default();
        for code in constructed_codes(&std::fs::read_to_string(path).unwrap()) {
            seen += 1;
            homes
                .entry((stage.clone(), code))
                .or_default()
                .insert(rel.display().to_string());
        }
    }
    assert!(seen > 40, "the constructors were read: {seen}");
    let scattered: Vec<String> = homes
        .iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|((stage, code), files)| format!("{stage}: Code::{code} in {files:?}"))
        .collect();
    assert!(
        scattered.is_empty(),
        "codes built in more than one file of a stage:\n{}",
        scattered.join("\n")
    );
}
