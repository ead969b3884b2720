//! `kind: PolicyTest` documents: cases pinning down what a policy decides.

use super::{Sp, items, string, strings, uint};
use crate::load::Node;
use crate::source::Span;

#[derive(Clone, Debug)]
pub struct PolicyTestDoc {
    pub policy: Option<Sp<String>>,
    pub cases: Vec<CaseDecl>,
}

/// One case: a field of `type` in an event at `consent`, and what the policy should say.
#[derive(Clone, Debug)]
pub struct CaseDecl {
    pub name: Sp<String>,
    /// The whole case, for a finding about it as a whole.
    pub span: Span,
    pub data_type: Sp<String>,
    pub consent: Sp<String>,
    pub identification: Option<Sp<String>>,
    pub purposes: Vec<Sp<String>>,
    pub retention_days: Option<Sp<u64>>,
    pub transport: Option<Sp<String>>,
    pub region: Option<Sp<String>>,
    /// `true` for `allow`.
    pub expect_allow: Sp<bool>,
    pub rule: Option<Sp<String>>,
    pub code: Option<Sp<String>>,
}

impl PolicyTestDoc {
    pub fn read(root: &Node) -> PolicyTestDoc {
        PolicyTestDoc {
            policy: string(root, "policy"),
            cases: items(root, "cases").iter().filter_map(read_case).collect(),
        }
    }
}

fn read_case(node: &Node) -> Option<CaseDecl> {
    let expect = string(node, "expect")?;
    Some(CaseDecl {
        name: string(node, "name")?,
        span: node.span,
        data_type: string(node, "type")?,
        consent: string(node, "consent")?,
        identification: string(node, "identification"),
        purposes: strings(node, "purposes").unwrap_or_default(),
        retention_days: uint(node, "retention_days"),
        transport: string(node, "transport"),
        region: string(node, "region"),
        expect_allow: Sp::new(expect.value == "allow", expect.span),
        rule: string(node, "rule"),
        code: string(node, "code"),
    })
}
