//! Keeping only what rendering needs once a file's check is over.
//!
//! A label points into a [`SourceFile`] so that the human renderer can quote the lines
//! around it; holding the whole file for that would keep every file with a finding in memory
//! until the run ends. [`compact`] swaps each label's file for a window of it that holds the
//! labelled lines and the context lines a snippet shows; spans, line numbers, columns and
//! snippets come out exactly as before.

use super::{Diagnostic, Label};
use crate::source::{SourceFile, Span};
use std::collections::HashMap;
use std::sync::Arc;

/// The lines a snippet shows before and after what it labels (the human renderer's
/// setting; windows keep as many).
pub const CONTEXT_LINES: usize = 1;

/// Replace every label's source by a window of it, shared by all the labels (in these
/// diagnostics) whose snippets overlap. The labels of one diagnostic in one file always
/// share a window, as they shared the file (the human renderer draws them in one snippet).
/// Files held by more than these labels (a policy's, by the policy) are left as they are.
pub fn compact(diagnostics: &mut [Diagnostic]) {
    // The files labelled, and per file the line ranges to keep: one per diagnostic, from
    // its first label's start to its last label's end in that file.
    let mut files: Vec<(Arc<SourceFile>, Vec<Span>)> = Vec::new();
    let mut file_index: HashMap<*const SourceFile, usize> = HashMap::new();
    // For every label in order, its file and range.
    let mut placed: Vec<(usize, usize)> = Vec::new();
    for d in diagnostics.iter() {
        let first_range = placed.len();
        for label in labels(d) {
            let file = *file_index
                .entry(Arc::as_ptr(&label.source))
                .or_insert_with(|| {
                    files.push((Arc::clone(&label.source), Vec::new()));
                    files.len() - 1
                });
            let ranges = &mut files[file].1;
            let same = placed[first_range..].iter().find(|&&(f, _)| f == file);
            let range = match same {
                Some(&(_, range)) => {
                    let r = &mut ranges[range];
                    r.start = r.start.min(label.span.start);
                    r.end = r.end.max(label.span.end);
                    range
                }
                None => {
                    ranges.push(label.span);
                    ranges.len() - 1
                }
            };
            placed.push((file, range));
        }
    }
    let mut references = vec![0; files.len()];
    for &(file, _) in &placed {
        references[file] += 1;
    }
    let windows: Vec<(Vec<Arc<SourceFile>>, Vec<usize>)> = files
        .iter()
        .zip(references)
        .map(|((source, ranges), references)| {
            // A file something else keeps (a policy's) would stay whole anyway: windows of
            // it would only be copies. The labels and `files` hold the others.
            if Arc::strong_count(source) > references + 1 {
                (vec![Arc::clone(source)], vec![0; ranges.len()])
            } else {
                source.windows(ranges, CONTEXT_LINES)
            }
        })
        .collect();
    let mut placed = placed.into_iter();
    for d in diagnostics.iter_mut() {
        for label in d.primary.iter_mut().chain(d.related.iter_mut()) {
            let Some((file, range)) = placed.next() else {
                return;
            };
            let (windows, of_range) = &windows[file];
            label.source = Arc::clone(&windows[of_range[range]]);
        }
    }
}

fn labels(d: &Diagnostic) -> impl Iterator<Item = &Label> {
    d.primary.iter().chain(d.related.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::render::human;

    /// Numbered lines of different lengths, some with a character the snippet escapes.
    fn text(lines: usize) -> String {
        (1..=lines)
            .map(|i| {
                let esc = if i % 16 == 0 { "\u{1b}" } else { "" };
                format!("line{i}: é{esc}{}\n", "x".repeat(i % 7))
            })
            .collect()
    }

    fn span_of(text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap();
        Span::new(start, start + needle.len())
    }

    /// Diagnostics on a 200-line file, one of them with a related label 3 lines up and
    /// one in another file, and one at the very end.
    fn diagnostics() -> (Vec<Diagnostic>, Arc<SourceFile>, Arc<SourceFile>) {
        let manifest_text = text(200);
        let manifest = SourceFile::new("m.yaml", manifest_text.clone());
        let policy_text = text(40);
        let policy = SourceFile::new("p.yaml", policy_text.clone());
        let d1 = Diagnostic::at(
            Code::ConsentTooLow,
            &manifest,
            span_of(&manifest_text, "line50: é"),
            "first",
        )
        .with_label("here")
        .with_related(Label::new(
            &manifest,
            span_of(&manifest_text, "line47"),
            "the event",
        ))
        .with_related(Label::new(
            &policy,
            span_of(&policy_text, "line20"),
            "the rule",
        ));
        let d2 = Diagnostic::at(
            Code::DeniedData,
            &manifest,
            span_of(&manifest_text, "line51"),
            "second",
        );
        let d3 = Diagnostic::at(
            Code::DeniedData,
            &manifest,
            span_of(&manifest_text, "line200"),
            "last line",
        );
        let d4 = Diagnostic::at(
            Code::DeniedData,
            &manifest,
            span_of(&manifest_text, "line1:"),
            "first line",
        )
        .with_help("fix it");
        (vec![d1, d2, d3, d4], manifest, policy)
    }

    fn rendered(diagnostics: &[Diagnostic]) -> String {
        let json = crate::render::json::render(diagnostics, &crate::render::Summary::default());
        let human = human::render(
            diagnostics,
            human::Style {
                color: false,
                width: 100,
            },
        );
        format!("{json}{human}")
    }

    #[test]
    fn windows_keep_only_the_shown_lines_and_render_the_same() {
        let (mut ds, manifest, policy) = diagnostics();
        let before = rendered(&ds);
        // The checked file is dropped once its check ends; the policy is kept.
        let manifest_text = manifest.text.clone();
        let whole_manifest = Arc::downgrade(&manifest);
        drop(manifest);
        compact(&mut ds);
        assert_eq!(rendered(&ds), before);

        // Nothing holds the whole manifest any more; the policy's labels still share it.
        assert!(whole_manifest.upgrade().is_none());
        assert!(Arc::ptr_eq(&ds[0].related[1].source, &policy));
        let [d1, d2, d3, d4] = &ds[..] else {
            unreachable!()
        };
        let primary = |d: &Diagnostic| Arc::clone(&d.primary.as_ref().unwrap().source);
        // Lines 46–51 (the labels and one line either side) make one window shared by the
        // two diagnostics there and the related label.
        assert!(Arc::ptr_eq(&primary(d1), &primary(d2)));
        assert!(Arc::ptr_eq(&primary(d1), &d1.related[0].source));
        assert_eq!(
            primary(d1).text,
            text(52).split_inclusive('\n').skip(45).collect::<String>()
        );
        assert_eq!(primary(d1).first_line, 45);
        // The last lines, and the first two.
        assert!(primary(d3).text.starts_with("line199: "));
        assert!(primary(d3).text.ends_with("line200: éxxxx\n"));
        assert_eq!(primary(d4).text, "line1: éx\nline2: éxx\n");
        assert_eq!(primary(d4).base, 0);
        let kept: usize = [primary(d1), primary(d3), primary(d4)]
            .iter()
            .map(|s| s.text.len())
            .sum();
        let whole = manifest_text.len();
        assert!(kept * 10 < whole, "{kept} of {whole} bytes kept");
    }

    #[test]
    fn a_bare_carriage_return_or_a_span_past_the_end_keeps_the_file_whole() {
        let cr = format!("a\rb\n{}", text(50));
        let plain = text(50);
        let end = plain.len();
        for (text, span) in [
            (&cr, span_of(&cr, "line30")),
            (&plain, Span::new(end - 3, end + 5)),
        ] {
            let source = SourceFile::new("m.yaml", text.clone());
            let mut ds = vec![Diagnostic::at(Code::DeniedData, &source, span, "m")];
            let before = rendered(&ds);
            let whole = Arc::downgrade(&source);
            drop(source);
            compact(&mut ds);
            assert_eq!(rendered(&ds), before);
            let kept = &ds[0].primary.as_ref().unwrap().source;
            assert!(whole.upgrade().is_some_and(|s| Arc::ptr_eq(&s, kept)));
        }
    }
}
