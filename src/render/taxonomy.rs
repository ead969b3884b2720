//! `consentlint taxonomy`: the data-type tree of a policy, with each type's class.

use crate::policy::Policy;

pub fn render(policy: &Policy) -> String {
    let taxonomy = &policy.taxonomy;
    let rows: Vec<(String, &str, String)> = taxonomy
        .in_tree_order()
        .iter()
        .map(|&t| {
            let ty = &taxonomy.types[t];
            (
                format!("{}{}", "  ".repeat(ty.depth), ty.id),
                ty.title.as_str(),
                format!("[{}]", ty.class),
            )
        })
        .collect();
    let id_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let class_width = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let mut out = format!(
        "taxonomy of policy `{}` ({} types)\n",
        policy.id,
        taxonomy.len()
    );
    for (id, title, class) in rows {
        out.push_str(&format!(
            "{id:<id_width$}  {class:<class_width$}  {title}\n"
        ));
    }
    out
}
