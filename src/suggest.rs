//! "Did you mean …?" — the closest known name to a misspelt one.

/// The candidate closest to `wrong`, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a, I>(wrong: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wrong_lower = wrong.to_ascii_lowercase();
    let wrong_chars = wrong_lower.chars().count();
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let budget = (candidate.len().max(wrong.len()) / 3).max(1);
            // A truncated name (`device.serial` for `device.serial_number`) is a typo too.
            let truncated = wrong_lower.len() >= 4 && candidate.starts_with(&wrong_lower);
            // Each edit changes the length by at most one character, so a length gap wider
            // than the budget rules a candidate out without the (allocating) distance.
            if !truncated
                && (candidate.chars().count().abs_diff(wrong_chars) > budget
                    || letters_apart(&wrong_lower, candidate) > 2 * budget)
            {
                return None;
            }
            let distance = strsim::damerau_levenshtein(&wrong_lower, candidate);
            (distance <= budget || truncated).then_some((distance, candidate))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, candidate)| candidate)
}

/// How many letters the two names do not share (the size of the difference of their
/// letter multisets), for ASCII names; 0 (no information) otherwise. An edit changes it by
/// two at most (a substitution takes one letter away and adds another; a transposition
/// changes nothing), so the edit distance is at least half of it.
fn letters_apart(a: &str, b: &str) -> usize {
    if !a.is_ascii() || !b.is_ascii() {
        return 0;
    }
    let mut counts = [0i32; 128];
    for byte in a.bytes() {
        counts[usize::from(byte)] += 1;
    }
    for byte in b.bytes() {
        counts[usize::from(byte)] -= 1;
    }
    counts.iter().map(|c| c.unsigned_abs() as usize).sum()
}

/// " (did you mean `x`?)" or nothing.
pub fn hint<'a, I>(wrong: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(wrong, candidates)
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The pre-filters never change the answer: compare with the plain search.
        #[test]
        fn the_pre_filters_change_no_suggestion(
            wrong in "[a-eA-Eé_.]{0,12}",
            candidates in prop::collection::vec("[a-eé_.]{0,14}|[a-e]{3,6}", 0..12),
        ) {
            let wrong_lower = wrong.to_ascii_lowercase();
            let plain = candidates
                .iter()
                .filter_map(|candidate| {
                    let distance = strsim::damerau_levenshtein(&wrong_lower, candidate);
                    let budget = (candidate.len().max(wrong.len()) / 3).max(1);
                    let truncated = wrong_lower.len() >= 4 && candidate.starts_with(&wrong_lower);
                    (distance <= budget || truncated).then_some((distance, candidate.as_str()))
                })
                .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
                .map(|(_, candidate)| candidate);
            prop_assert_eq!(did_you_mean(&wrong, candidates.iter().map(String::as_str)), plain);
        }
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["min_consent", "max_identification", "purposes"];
        assert_eq!(did_you_mean("min_consnet", keys), Some("min_consent"));
        assert_eq!(did_you_mean("purpose", keys), Some("purposes"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(
            did_you_mean("device.serial", ["device.serial_number", "device"]),
            Some("device.serial_number")
        );
    }
}
