//! How far apart two words are, for typo tolerance and "did you mean": the Levenshtein
//! distance, computed only up to a bound (a word is never compared further than the
//! typos allowed).

/// Typos allowed in a query word of `len` characters: none below 5, one from 5, two from 9
/// (as Meilisearch allows by default).
pub fn allowed(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The letters of a word as a set of 64 bits (a letter's bit is its code point modulo 64),
/// for [`may_be_within`].
pub fn letters(word: &[char]) -> u64 {
    word.iter()
        .fold(0, |set, &c| set | 1u64 << (u32::from(c) % 64))
}

/// False when two words with these [`letters`] are surely more than `max` edits apart:
/// each letter of one that the other lacks entirely needs an edit of its own (a deletion
/// or a substitution at a different place). Two letters sharing a bit only make the test
/// weaker, never wrong. Most words of a guide fail it, so a typo search compares few in
/// full.
pub fn may_be_within(a: u64, b: u64, max: usize) -> bool {
    let max = u32::try_from(max).unwrap_or(u32::MAX);
    (a & !b).count_ones() <= max && (b & !a).count_ones() <= max
}

/// The Levenshtein distance between `a` and `b` if it is at most `max`.
#[cfg(test)]
pub fn within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    Band::default().within(a, b, max)
}

/// The two rows of the matrix, kept between comparisons: a query word is compared with
/// thousands of words per search, and allocating rows for each was most of the time of a
/// search that matches little.
#[derive(Debug, Default)]
pub struct Band {
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Band {
    /// The Levenshtein distance between `a` and `b` if it is at most `max`.
    pub fn within(&mut self, a: &[char], b: &[char], max: usize) -> Option<usize> {
        if a.len().abs_diff(b.len()) > max {
            return None;
        }
        // One row of the matrix; cells beyond the band are "too far".
        let far = max + 1;
        let (prev, cur) = (&mut self.prev, &mut self.cur);
        prev.clear();
        prev.extend((0..=b.len()).map(|j| j.min(far)));
        cur.clear();
        cur.resize(b.len() + 1, far);
        for (i, ca) in a.iter().enumerate() {
            cur[0] = (i + 1).min(far);
            let lo = (i + 1).saturating_sub(max).max(1);
            let hi = (i + 1 + max).min(b.len());
            for slot in cur.iter_mut().take(lo).skip(1) {
                *slot = far;
            }
            let mut row_min = cur[0];
            for j in lo..=hi {
                let cost = usize::from(*ca != b[j - 1]);
                let v = (prev[j - 1] + cost)
                    .min(prev[j] + 1)
                    .min(cur[j - 1] + 1)
                    .min(far);
                cur[j] = v;
                row_min = row_min.min(v);
            }
            for slot in cur.iter_mut().skip(hi + 1) {
                *slot = far;
            }
            if row_min > max {
                return None;
            }
            std::mem::swap(prev, cur);
        }
        let d = prev[b.len()];
        (d <= max).then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        within(&a, &b, max)
    }

    #[test]
    fn distances_within_a_bound() {
        assert_eq!(d("decoratr", "decorator", 1), Some(1));
        assert_eq!(d("select_relatd", "select_related", 2), Some(1));
        assert_eq!(d("kitten", "sitting", 3), Some(3));
        assert_eq!(d("kitten", "sitting", 2), None);
        assert_eq!(d("same", "same", 0), Some(0));
        assert_eq!(d("abc", "abcdef", 2), None);
        assert_eq!(allowed(4), 0);
        assert_eq!(allowed(5), 1);
        assert_eq!(allowed(9), 2);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_full_matrix(a in "[a-e]{0,8}", b in "[a-e]{0,8}") {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            let mut m = vec![vec![0usize; b.len() + 1]; a.len() + 1];
            for (i, row) in m.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in m[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let c = usize::from(a[i - 1] != b[j - 1]);
                    m[i][j] = (m[i - 1][j - 1] + c).min(m[i - 1][j] + 1).min(m[i][j - 1] + 1);
                }
            }
            let full = m[a.len()][b.len()];
            // The cheap test never rules out words that are close enough.
            for max in full..4 {
                proptest::prop_assert!(may_be_within(letters(&a), letters(&b), max));
            }
            // One band reused across comparisons of every length, as the index does.
            let mut band = Band::default();
            for max in 0..4 {
                proptest::prop_assert_eq!(within(&a, &b, max), (full <= max).then_some(full));
                proptest::prop_assert_eq!(band.within(&a, &b, max), (full <= max).then_some(full));
                proptest::prop_assert_eq!(band.within(&b, &a, max), (full <= max).then_some(full));
            }
        }
    }
}
