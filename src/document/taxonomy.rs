//! `kind: Taxonomy` documents (and `taxonomy_extensions:` in policies).

use super::{Sp, items, string, strings};
use crate::load::Node;

#[derive(Clone, Debug)]
pub struct TaxonomyDoc {
    pub id: Option<Sp<String>>,
    pub types: Vec<TypeDecl>,
}

#[derive(Clone, Debug)]
pub struct TypeDecl {
    pub id: Sp<String>,
    pub title: String,
    pub class: Option<Sp<String>>,
    pub description: Option<String>,
    pub examples: Vec<String>,
}

impl TaxonomyDoc {
    pub fn read(root: &Node) -> TaxonomyDoc {
        TaxonomyDoc {
            id: string(root, "id"),
            types: read_types(items(root, "types")),
        }
    }
}

pub fn read_types(nodes: &[Node]) -> Vec<TypeDecl> {
    nodes
        .iter()
        .filter_map(|node| {
            Some(TypeDecl {
                id: string(node, "id")?,
                title: string(node, "title").map(|s| s.value).unwrap_or_default(),
                class: string(node, "class"),
                description: string(node, "description").map(|s| s.value),
                examples: strings(node, "examples")
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| s.value)
                    .collect(),
            })
        })
        .collect()
}
