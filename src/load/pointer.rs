//! JSON Pointers (RFC 6901): `/properties/user~1id` ↔ `["properties", "user/id"]`.

/// A key as a pointer token: `~` → `~0`, `/` → `~1`.
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A pointer token as the key it names (`~1` before `~0`, so `~01` stays `~1`).
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A pointer (`/a/b~1c`, or `` for the whole document) as its keys.
pub fn keys(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(unescape).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips_the_two_special_characters() {
        for key in ["plain", "a/b", "~", "~1", "~0/~1", ""] {
            assert_eq!(unescape(&escape(key)), key);
        }
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(unescape("~01"), "~1");
        assert_eq!(
            keys("/properties/user~1id/0"),
            ["properties", "user/id", "0"]
        );
        assert!(keys("").is_empty());
    }
}
