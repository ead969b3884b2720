//! The resolved data-type taxonomy: a tree of dotted ids, each with its data class.
//!
//! Built from a `kind: Taxonomy` document plus a policy's `taxonomy_extensions`; parents
//! are checked, classes inherited, and the tree order (parent before children, siblings
//! in declaration order) fixed once for every report and matrix.

use crate::diagnostic::{Diagnostic, Label};
use crate::document::taxonomy::TypeDecl;
use crate::policy::problems;
use crate::source::{SourceFile, Span};
use crate::suggest;
use std::collections::HashMap;
use std::sync::Arc;

macro_rules! enumeration {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }

            pub fn names() -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().map(|v| v.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

enumeration! {
    /// Microsoft's data classification (after ISO/IEC 19944-1).
    DataClass {
        CustomerContent = "customer_content",
        Euii = "euii",
        Eupi = "eupi",
        Oii = "oii",
        AccountData = "account_data",
        SystemMetadata = "system_metadata",
        CallstackOrException = "callstack_or_exception",
        PublicPersonal = "public_personal",
        PublicNonPersonal = "public_non_personal",
    }
}

enumeration! {
    /// ISO/IEC 19944-1 §8.3 identification qualifiers, least identifiable first, so that
    /// `a <= b` reads "a is at most as identifiable as b".
    Identification {
        Aggregated = "aggregated",
        Anonymized = "anonymized",
        UnlinkedPseudonymized = "unlinked_pseudonymized",
        Pseudonymized = "pseudonymized",
        Identified = "identified",
    }
}

pub type TypeId = usize;

/// Where a declaration was written.
#[derive(Clone, Debug)]
pub struct Origin {
    pub source: Arc<SourceFile>,
    pub span: Span,
}

impl Origin {
    pub fn label(&self, message: impl Into<String>) -> Label {
        Label::new(&self.source, self.span, message)
    }
}

#[derive(Clone, Debug)]
pub struct DataType {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub examples: Vec<String>,
    pub class: DataClass,
    pub parent: Option<TypeId>,
    pub depth: usize,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct Taxonomy {
    pub types: Vec<DataType>,
    /// Looked up for every field checked, hence the fast hash.
    index: foldhash::HashMap<String, TypeId>,
    /// Type ids in tree order.
    order: Vec<TypeId>,
}

impl Taxonomy {
    /// Build a taxonomy from declarations (base first, then extensions), reporting
    /// duplicates, missing parents and missing root classes.
    pub fn build(decls: &[(Arc<SourceFile>, TypeDecl)], out: &mut Vec<Diagnostic>) -> Taxonomy {
        let mut first_seen: HashMap<&str, usize> = HashMap::new();
        let mut unique: Vec<&(Arc<SourceFile>, TypeDecl)> = Vec::new();
        for decl in decls {
            let (source, ty) = decl;
            if let Some(&i) = first_seen.get(ty.id.as_str()) {
                let (first_source, first) = unique[i];
                out.push(problems::type_declared_twice(
                    source,
                    &ty.id,
                    Label::new(first_source, first.id.span, "first declared here"),
                ));
                continue;
            }
            first_seen.insert(ty.id.as_str(), unique.len());
            unique.push(decl);
        }
        // Parents before children: sorting by depth keeps declaration order within a depth.
        let mut by_depth: Vec<usize> = (0..unique.len()).collect();
        by_depth.sort_by_key(|&i| unique[i].1.id.value.matches('.').count());
        let mut taxonomy = Taxonomy::default();
        for i in by_depth {
            let (source, ty) = unique[i];
            let id = &ty.id.value;
            let parent = match id.rsplit_once('.') {
                Some((parent_id, _)) => match taxonomy.index.get(parent_id) {
                    Some(&p) => Some(p),
                    None => {
                        out.push(problems::unknown_parent(source, &ty.id, parent_id));
                        continue;
                    }
                },
                None => None,
            };
            let class = match (&ty.class, parent) {
                (Some(class), _) => match DataClass::parse(&class.value) {
                    Some(c) => c,
                    None => continue, // the schema already reported the bad class
                },
                (None, Some(p)) => taxonomy.types[p].class,
                (None, None) => {
                    let classes: Vec<&str> = DataClass::names().collect();
                    out.push(problems::root_without_class(source, &ty.id, &classes));
                    continue;
                }
            };
            let depth = parent.map_or(0, |p| taxonomy.types[p].depth + 1);
            taxonomy.index.insert(id.clone(), taxonomy.types.len());
            taxonomy.types.push(DataType {
                id: id.clone(),
                title: ty.title.clone(),
                description: ty.description.clone(),
                examples: ty.examples.clone(),
                class,
                parent,
                depth,
                origin: Origin {
                    source: Arc::clone(source),
                    span: ty.id.span,
                },
            });
        }
        taxonomy.order = taxonomy.tree_order(&unique);
        taxonomy
    }

    fn tree_order(&self, declared: &[&(Arc<SourceFile>, TypeDecl)]) -> Vec<TypeId> {
        let position: HashMap<&str, usize> = declared
            .iter()
            .enumerate()
            .map(|(i, (_, t))| (t.id.as_str(), i))
            .collect();
        let mut children: Vec<Vec<TypeId>> = vec![Vec::new(); self.types.len()];
        let mut roots = Vec::new();
        for (id, ty) in self.types.iter().enumerate() {
            match ty.parent {
                Some(p) => children[p].push(id),
                None => roots.push(id),
            }
        }
        let key = |t: &TypeId| {
            position
                .get(self.types[*t].id.as_str())
                .copied()
                .unwrap_or(usize::MAX)
        };
        roots.sort_by_key(key);
        for list in &mut children {
            list.sort_by_key(key);
        }
        let mut order = Vec::with_capacity(self.types.len());
        let mut stack: Vec<TypeId> = roots.into_iter().rev().collect();
        while let Some(t) = stack.pop() {
            order.push(t);
            stack.extend(children[t].iter().rev());
        }
        order
    }

    pub fn get(&self, id: &str) -> Option<TypeId> {
        self.index.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Type ids in tree order: parents before children, siblings as declared.
    pub fn in_tree_order(&self) -> &[TypeId] {
        &self.order
    }

    /// Whether `ty` is `ancestor` or one of its descendants.
    pub fn is_within(&self, mut ty: TypeId, ancestor: TypeId) -> bool {
        loop {
            if ty == ancestor {
                return true;
            }
            match self.types[ty].parent {
                Some(p) => ty = p,
                None => return false,
            }
        }
    }

    /// "did you mean" for an unknown type id.
    pub fn suggest(&self, wrong: &str) -> String {
        suggest::hint(wrong, self.types.iter().map(|t| t.id.as_str()))
    }
}

/// Whether purpose `p` is `ancestor` or a dotted descendant of it.
pub fn purpose_within(p: &str, ancestor: &str) -> bool {
    p == ancestor
        || (p.len() > ancestor.len()
            && p.starts_with(ancestor)
            && p.as_bytes()[ancestor.len()] == b'.')
}
