//! Field paths and event names with wildcards, as overlay entries write them.

/// A name where `*` matches any run of characters (`*_id`, `page_*`).
#[derive(Clone, Debug)]
pub struct Wild {
    parts: Vec<String>,
}

impl Wild {
    pub fn new(pattern: &str) -> Wild {
        Wild {
            parts: pattern.split('*').map(str::to_owned).collect(),
        }
    }

    pub fn is_literal(&self) -> bool {
        self.parts.len() == 1
    }

    pub fn matches(&self, text: &str) -> bool {
        let [first, middle @ .., last] = self.parts.as_slice() else {
            return self.parts.first().is_some_and(|p| p == text);
        };
        let Some(mut rest) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        for part in middle {
            match rest.find(part.as_str()) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
        rest.len() >= last.len() && rest.ends_with(last.as_str())
    }
}

/// A dotted field path: each segment a [`Wild`], and `**` for any number of segments
/// (`**.email` is every `email` field at any depth).
#[derive(Clone, Debug)]
pub struct FieldPattern {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug)]
enum Segment {
    Any,
    Name(Wild),
}

impl FieldPattern {
    pub fn new(pattern: &str) -> FieldPattern {
        FieldPattern {
            text: pattern.to_owned(),
            segments: pattern
                .split('.')
                .map(|s| match s {
                    "**" => Segment::Any,
                    s => Segment::Name(Wild::new(s)),
                })
                .collect(),
        }
    }

    /// The path itself, when it has no wildcards.
    pub fn literal(&self) -> Option<&str> {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Name(w) if w.is_literal()))
            .then_some(self.text.as_str())
    }

    pub fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('.').collect();
        // Dynamic programming over (segments, parts) rather than backtracking: a pattern
        // of many `**` stays linear in its size times the path's, whatever a file holds.
        // `reach[j]`: the segments so far can consume exactly the first `j` parts.
        let mut reach = vec![false; parts.len() + 1];
        reach[0] = true;
        for segment in &self.segments {
            let mut next = vec![false; parts.len() + 1];
            match segment {
                Segment::Any => {
                    let mut any = false;
                    for j in 0..=parts.len() {
                        any |= reach[j];
                        next[j] = any;
                    }
                }
                Segment::Name(w) => {
                    for j in 0..parts.len() {
                        if reach[j] && w.matches(parts[j]) {
                            next[j + 1] = true;
                        }
                    }
                }
            }
            reach = next;
        }
        reach[parts.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_match_within_a_name() {
        let w = Wild::new("*_id");
        assert!(w.matches("client_id"));
        assert!(w.matches("_id"));
        assert!(!w.matches("client_ids"));
        assert!(Wild::new("a*b*c").matches("aXbYc"));
        assert!(!Wild::new("a*b*c").matches("ac"));
        assert!(!Wild::new("ab*ba").matches("aba"));
        assert!(Wild::new("main").matches("main"));
        assert!(!Wild::new("main").matches("mains"));
    }

    #[test]
    fn double_stars_match_any_number_of_segments() {
        let p = FieldPattern::new("**.email");
        assert!(p.matches("email"));
        assert!(p.matches("user.contact.email"));
        assert!(!p.matches("user.email_verified"));
        let p = FieldPattern::new("user.*.city");
        assert!(p.matches("user.address.city"));
        assert!(!p.matches("user.city"));
        assert!(FieldPattern::new("crumbs[].name").literal().is_some());
        assert!(FieldPattern::new("a.**").matches("a.b.c"));
        assert!(FieldPattern::new("a.**").matches("a"));
        assert!(FieldPattern::new("*").literal().is_none());
        assert!(FieldPattern::new("**.a.**").matches("x.a.y.z"));
        assert!(!FieldPattern::new("**.a.**.b").matches("x.a.y.z"));
        // Many `**` against a long path: answered at once, not by backtracking.
        let hostile = vec!["**"; 200].join(".") + ".z";
        let path = vec!["a"; 200].join(".");
        assert!(!FieldPattern::new(&hostile).matches(&path));
    }
}
