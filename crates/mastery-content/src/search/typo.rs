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

/// The Levenshtein distance between `a` and `b` if it is at most `max`.
pub fn within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // One row of the matrix; cells beyond the band are "too far".
    let far = max + 1;
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(far)).collect();
    let mut cur = vec![far; b.len() + 1];
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
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
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
        fn agrees_with_the_full_matrix(a in "[a-c]{0,8}", b in "[a-c]{0,8}") {
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
            for max in 0..4 {
                proptest::prop_assert_eq!(within(&a, &b, max), (full <= max).then_some(full));
            }
        }
    }
}
