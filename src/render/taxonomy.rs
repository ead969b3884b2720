//! `consentlint taxonomy`: the data-type tree of a policy, with each type's class; types a
//! policy added with `taxonomy_extensions` are marked with the file that added them.

use crate::policy::Policy;

pub fn render(policy: &Policy) -> String {
    let taxonomy = &policy.taxonomy;
    // The base taxonomy is declared first, so its file is the first type's.
    let base = taxonomy.types.first().map(|t| &t.origin.source);
    let is_extension = |t: &crate::policy::taxonomy::DataType| {
        base.is_some_and(|b| !std::sync::Arc::ptr_eq(b, &t.origin.source))
    };
    let extensions = taxonomy.types.iter().filter(|t| is_extension(t)).count();
    let rows: Vec<(String, String, String)> = taxonomy
        .in_tree_order()
        .iter()
        .map(|&t| {
            let ty = &taxonomy.types[t];
            let title = if is_extension(ty) {
                format!("{}  (extension, {})", ty.title, ty.origin.source.name)
            } else {
                ty.title.clone()
            };
            (
                format!("{}{}", "  ".repeat(ty.depth), ty.id),
                title,
                format!("[{}]", ty.class),
            )
        })
        .collect();
    let id_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let class_width = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let mut out = format!(
        "taxonomy of policy `{}` ({} types{})\n",
        policy.id,
        taxonomy.len(),
        if extensions > 0 {
            format!(", {extensions} from `taxonomy_extensions`")
        } else {
            String::new()
        }
    );
    for (id, title, class) in &rows {
        out.push_str(&format!(
            "{id:<id_width$}  {class:<class_width$}  {title}\n"
        ));
    }
    out
}

/// The taxonomy as JSON: `{"policy", "types": [{"id", "title", "class", "parent", "depth",
/// "description", "examples", "extension", "file", "line"}]}`, in tree order.
pub fn json(policy: &Policy) -> String {
    let taxonomy = &policy.taxonomy;
    let base = taxonomy.types.first().map(|t| &t.origin.source);
    let types: Vec<serde_json::Value> = taxonomy
        .in_tree_order()
        .iter()
        .map(|&t| {
            let ty = &taxonomy.types[t];
            serde_json::json!({
                "id": ty.id,
                "title": ty.title,
                "class": ty.class.to_string(),
                "parent": ty.parent.map(|p| taxonomy.types[p].id.as_str()),
                "depth": ty.depth,
                "description": ty.description,
                "examples": ty.examples,
                "extension": base.is_some_and(|b| !std::sync::Arc::ptr_eq(b, &ty.origin.source)),
                "file": ty.origin.source.name,
                "line": ty.origin.source.line_col(ty.origin.span.start).line,
            })
        })
        .collect();
    let doc = serde_json::json!({ "policy": policy.id, "types": types });
    super::json_document(doc)
}
