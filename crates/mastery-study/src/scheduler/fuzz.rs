//! Interval fuzz: spreads review intervals a little so that cards learnt together do not stay
//! due together forever.
//!
//! The ranges follow FSRS and Anki: no fuzz under 2.5 days; above, the interval may move by
//! `delta` days either way, where `delta` starts at 1 and grows by
//!
//! | interval (days) | growth per day of interval |
//! |-----------------|----------------------------|
//! | 2.5 – 7         | 0.15                       |
//! | 7 – 20          | 0.10                       |
//! | 20 and more     | 0.05                       |
//!
//! so 3 days may become 2-4, 10 days 8-12, 30 days 27-33, 100 days 93-107. The result is
//! never below 2 days (a fuzzed card never comes back sooner than a 2-day interval would) nor
//! above the maximum interval.
//!
//! Fuzz must not make scheduling impure, so the "random" choice comes from a seed the caller
//! passes ([`fuzz_seed`] of learner, guide, question and review count is a good one): the same
//! card at the same review always gets the same fuzz, in the preview and in the review alike.
//! All four buttons share the seed, so fuzz moves them the same way.

/// One band of the fuzz table above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FuzzRange {
    /// Where the band starts, in days.
    pub start: f64,
    /// Where it ends, in days.
    pub end: f64,
    /// Days of fuzz per day of interval within the band.
    pub factor: f64,
}

/// The fuzz bands, as in FSRS and Anki.
pub const FUZZ_RANGES: [FuzzRange; 3] = [
    FuzzRange {
        start: 2.5,
        end: 7.0,
        factor: 0.15,
    },
    FuzzRange {
        start: 7.0,
        end: 20.0,
        factor: 0.1,
    },
    FuzzRange {
        start: 20.0,
        end: f64::INFINITY,
        factor: 0.05,
    },
];

/// Intervals below this many days are never fuzzed.
pub const MIN_FUZZ_DAYS: f64 = 2.5;

/// The range `interval_days` may be fuzzed to, given the maximum interval.
pub fn fuzz_bounds(interval_days: u32, maximum_days: u32) -> (u32, u32) {
    let days = f64::from(interval_days);
    if days < MIN_FUZZ_DAYS {
        return (interval_days, interval_days);
    }
    let delta = FUZZ_RANGES
        .iter()
        .map(|r| r.factor * (days.min(r.end) - r.start).max(0.0))
        .sum::<f64>()
        + 1.0;
    let max = f64::from(maximum_days);
    let high = (days + delta).round().min(max);
    let low = (days - delta).round().max(2.0).min(high);
    // Both are whole numbers within 2..=maximum_days here.
    (low as u32, high as u32)
}

/// `interval_days` fuzzed with `factor` (in `[0, 1)`, from [`fuzz_factor`]): picks a whole day
/// uniformly within [`fuzz_bounds`].
pub fn fuzzed_days(interval_days: u32, factor: f64, maximum_days: u32) -> u32 {
    let (low, high) = fuzz_bounds(interval_days, maximum_days);
    let span = f64::from(high - low + 1);
    let offset = (factor.clamp(0.0, 1.0) * span).floor() as u32;
    (low + offset).min(high)
}

/// A number in `[0, 1)` from a seed (SplitMix64, so well spread even for consecutive seeds).
pub fn fuzz_factor(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A stable seed from text parts (say learner, guide and question ids) and the card's review
/// count: FNV-1a, identical on every platform and Rust version (unlike `std`'s hasher), so a
/// preview shown in the browser and the review submitted later agree.
pub fn fuzz_seed(parts: &[&str], reps: u32) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }
    for byte in reps.to_le_bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_table() {
        // (interval, maximum, low, high)
        let cases = [
            (1, 36500, 1, 1),
            (2, 36500, 2, 2),
            (3, 36500, 2, 4),
            (7, 36500, 5, 9),
            (10, 36500, 8, 12),
            (20, 36500, 17, 23),
            (30, 36500, 27, 33),
            (100, 36500, 93, 107),
            (365, 36500, 345, 385),
            (100, 104, 93, 104),
            (36500, 36500, 34673, 36500),
        ];
        for (days, max, low, high) in cases {
            assert_eq!(
                fuzz_bounds(days, max),
                (low, high),
                "{days} days, max {max}"
            );
        }
    }

    #[test]
    fn fuzzed_days_span_the_whole_range() {
        let (low, high) = fuzz_bounds(30, 36500);
        assert_eq!(fuzzed_days(30, 0.0, 36500), low);
        assert_eq!(fuzzed_days(30, 0.999_999, 36500), high);
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..1000 {
            let d = fuzzed_days(30, fuzz_factor(seed), 36500);
            assert!((low..=high).contains(&d));
            seen.insert(d);
        }
        assert_eq!(
            seen.len() as u32,
            high - low + 1,
            "every day in range is reachable"
        );
    }

    #[test]
    fn factor_is_in_unit_interval_and_deterministic() {
        for seed in [0, 1, 2, u64::MAX, 0xdead_beef] {
            let f = fuzz_factor(seed);
            assert!((0.0..1.0).contains(&f));
            assert_eq!(f, fuzz_factor(seed));
        }
        assert_ne!(fuzz_factor(1), fuzz_factor(2));
    }

    #[test]
    fn seeds_are_stable_and_distinguish_parts() {
        const PINNED_SEED: u64 = 0xb2c1_9059_06dc_f364;
        // Pinned so that a change of hash (which would change everyone's fuzz) is noticed.
        assert_eq!(fuzz_seed(&["learner", "guide", "question"], 3), PINNED_SEED);
        assert_eq!(fuzz_seed(&["a", "b"], 1), fuzz_seed(&["a", "b"], 1));
        assert_ne!(fuzz_seed(&["ab", ""], 1), fuzz_seed(&["a", "b"], 1));
        assert_ne!(fuzz_seed(&["a", "b"], 1), fuzz_seed(&["a", "b"], 2));
    }
}
