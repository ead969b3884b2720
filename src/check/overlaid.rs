//! A field as a classification overlay classifies it: the overlay's type (and
//! identification) where the field declares none, `overlay-conflict` where it declares
//! something else.

use super::EventSite;
use super::field::FieldSite;
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::document::Sp;
use crate::overlay;

/// The field as the overlay entry classifies it, once per type it gives; `None` when the
/// field declares its own type, which then stands (a disagreement is `overlay-conflict`).
pub(super) fn overlay_sites(
    entry: &overlay::Entry,
    site: &EventSite<'_>,
    f: &FieldSite,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<FieldSite>> {
    let identification = entry.identification.as_ref().map(|i| i.value.as_str());
    let Some(declared) = &f.data_type else {
        return Some(
            entry
                .types
                .iter()
                .map(|t| FieldSite {
                    data_type: Some(Sp::new(t.value.clone(), f.name_span)),
                    identification: f
                        .identification
                        .clone()
                        .or_else(|| identification.map(|i| Sp::new(i.to_owned(), f.name_span))),
                    overlaid: Some(Box::new(entry.label(&t.value))),
                    ..f.clone()
                })
                .collect(),
        );
    };
    let conflict = |what: String, theirs: Label| {
        let mut d = Diagnostic::at(
            Code::OverlayConflict,
            &entry.source,
            entry.span,
            format!("overlay entry for field `{}` {what}", f.name),
        )
        .with_label("contradicts the field's own classification")
        .with_related(theirs)
        .with_help("the field's own classification stands: remove the overlay entry, or correct whichever of the two is wrong");
        d.event = Some(site.name.clone());
        d.field = Some(f.name.clone());
        d.data_type = Some(declared.value.clone());
        d
    };
    if !entry.types.iter().any(|t| t.value == declared.value) {
        let given: Vec<String> = entry
            .types
            .iter()
            .map(|t| format!("`{}`", t.value))
            .collect();
        let mut d = conflict(
            format!(
                "says {}, but the field declares `{}`",
                given.join(", "),
                declared.value
            ),
            Label::new(
                &f.source,
                declared.span,
                format!("declared `{}` here", declared.value),
            ),
        );
        if let Some(t) = entry.types.first() {
            d.primary = Some(Label::new(
                &entry.source,
                t.span,
                "contradicts the field's own type",
            ));
        }
        out.push(d);
        return None;
    }
    match (identification, &f.identification) {
        (Some(theirs), Some(own)) if theirs != own.value => {
            out.push(conflict(
                format!(
                    "says it is sent {theirs}, but the field declares {}",
                    own.value
                ),
                Label::new(&f.source, own.span, format!("declared {} here", own.value)),
            ));
            None
        }
        (Some(i), None) => Some(vec![FieldSite {
            identification: Some(Sp::new(i.to_owned(), f.name_span)),
            overlaid: Some(Box::new(entry.label(&declared.value))),
            ..f.clone()
        }]),
        _ => None,
    }
}
