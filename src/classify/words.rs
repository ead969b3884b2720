//! The words of names and texts, as the classifier compares them.
//!
//! Names are split into lowercase words by [`tokens`] (snake_case, kebab-case, camelCase;
//! the sensitive-name heuristic in `check::names` splits them the same way), then each
//! word loses a plural `s`, so the rules' `url` matches `urls` and `ids` matches `id`
//! without listing both.

/// A word without its plural `s` (`urls` → `url`, `ids` → `id`); other short words and `ss`/`us`/`is`/`as`/`os`
/// endings are kept (`address`, `status`, `alias`, `os`).
pub fn singular(word: &str) -> String {
    if word == "ids" {
        return "id".to_owned();
    }
    let keep = word.len() <= 3
        || !word.ends_with('s')
        || ["ss", "us", "is", "as", "os"]
            .iter()
            .any(|end| word.ends_with(end));
    if keep {
        word.to_owned()
    } else {
        word[..word.len() - 1].to_owned()
    }
}

/// The singular lowercase words of a name segment or a phrase.
pub fn words_of(text: &str) -> Vec<String> {
    tokens(text).iter().map(|w| singular(w)).collect()
}

/// The lowercase words of a name segment: split at every non-alphanumeric character
/// and at camelCase boundaries (`HTTPReferer` → `http`, `referer`).
pub fn tokens(segment: &str) -> Vec<String> {
    let chars: Vec<char> = segment.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether `needle` occurs in `haystack` as consecutive whole words, returning where.
pub fn find(haystack: &[String], needle: &[String]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_lose_their_s_but_words_ending_in_s_do_not() {
        assert_eq!(words_of("accessResultUrls"), ["access", "result", "url"]);
        assert_eq!(words_of("email_address"), ["email", "address"]);
        assert_eq!(words_of("status"), ["status"]);
        assert_eq!(words_of("os"), ["os"]);
        assert_eq!(words_of("secondary_user_ids"), ["secondary", "user", "id"]);
    }

    #[test]
    fn finds_whole_word_sequences() {
        let hay = words_of("last_login_ip_address");
        assert_eq!(find(&hay, &words_of("ip address")), Some(2));
        assert_eq!(find(&hay, &words_of("login ip")), Some(1));
        assert_eq!(find(&hay, &words_of("address ip")), None);
        assert_eq!(find(&words_of("unzip"), &words_of("zip")), None);
    }
}
