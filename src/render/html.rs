//! The self-contained HTML page shared by `policy compile --format html` and `report
//! --format html`: one file, inline stylesheet, no script, no external resource, so it can
//! be attached to a review or archived as it is.

/// Escape text for HTML (and XML: the JUnit report uses it too) element content and
/// attribute values. Characters XML 1.0 cannot carry are written as `\u{..}`.
pub fn escape(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body` (already HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"consentlint {version}\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        version = env!("CARGO_PKG_VERSION"),
        title = escape(title),
    )
}

const STYLE: &str = "\
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --head: #f6f8fa;
  --deny: #b42318; --deny-bg: #fef3f2; --allow: #1a7f37; --allow-bg: #effaf2;
  --cond: #9a6700; --cond-bg: #fff8e5; --none: #59636e; --none-bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 32px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 6px; }
p, ul { margin: 6px 0 12px; }
.meta { color: var(--muted); font-size: 13px; }
.meta code { font-size: 12px; }
code { font: 13px/1.4 ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', monospace;
  background: var(--head); padding: 1px 4px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.type code { background: none; padding: 0; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.deny { color: var(--deny); background: var(--deny-bg); }
.allow { color: var(--allow); background: var(--allow-bg); }
.cond { color: var(--cond); background: var(--cond-bg); }
.none { color: var(--none); background: var(--none-bg); }
.rules { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
.class { color: var(--muted); font-size: 12px; white-space: nowrap; }
.summary { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 4px; }
.summary div { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.summary b { display: block; font-size: 22px; }
.summary span { color: var(--muted); font-size: 12px; }
td.examples { color: var(--muted); font-size: 13px; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
h2 code { font-size: 18px; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">O'Neil & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
    }
}
