//! The learner's day: when "today" starts and ends.
//!
//! A study day starts at [`Settings::day_start_hour`](super::Settings::day_start_hour) (4 am by
//! default, as in Anki, so a late-night session counts for the evening it belongs to) in the
//! learner's UTC offset, which the caller passes in (it may change with daylight saving time;
//! pass the offset in force now). Days are numbered since the Unix epoch, so two times are on
//! the same day exactly when their [`DayClock::day_index`] is equal.

use super::settings::SettingsError;
use super::state::{DAY_MS, HOUR_MS, MINUTE_MS, Millis};

/// The largest UTC offset on Earth, ±14 hours, in minutes.
pub const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;

/// Turns instants into learner days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayClock {
    utc_offset_minutes: i32,
    day_start_hour: u8,
}

/// One learner day: from `start` (inclusive) to `end` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnerDay {
    /// Days since the epoch, in the learner's reckoning.
    pub index: i64,
    /// First instant of the day.
    pub start: Millis,
    /// First instant of the next day.
    pub end: Millis,
}

impl LearnerDay {
    /// `true` when `at` falls within this day.
    pub const fn contains(&self, at: Millis) -> bool {
        self.start <= at && at < self.end
    }
}

impl DayClock {
    /// A clock for a learner `utc_offset_minutes` east of UTC (e.g. 120 for UTC+2) whose days
    /// start at `day_start_hour` local time.
    pub fn new(utc_offset_minutes: i32, day_start_hour: u8) -> Result<Self, SettingsError> {
        if utc_offset_minutes.unsigned_abs() > MAX_UTC_OFFSET_MINUTES.unsigned_abs() {
            return Err(SettingsError::UtcOffset(utc_offset_minutes));
        }
        if day_start_hour > 23 {
            return Err(SettingsError::DayStartHour(day_start_hour));
        }
        Ok(Self {
            utc_offset_minutes,
            day_start_hour,
        })
    }

    /// The learner's UTC offset in minutes.
    pub const fn utc_offset_minutes(self) -> i32 {
        self.utc_offset_minutes
    }

    /// The local hour at which days start.
    pub const fn day_start_hour(self) -> u8 {
        self.day_start_hour
    }

    /// How far the learner's day starts are from UTC midnights, in milliseconds (between
    /// −37 and +14 hours): [`Self::day_index`] is ⌊(at + shift) / DAY⌋, for callers that
    /// count days elsewhere (storage sums reviews per day in the database).
    pub const fn shift_ms(self) -> Millis {
        self.utc_offset_minutes as Millis * MINUTE_MS - self.day_start_hour as Millis * HOUR_MS
    }

    /// The learner day `at` falls on, numbered since the epoch.
    pub const fn day_index(self, at: Millis) -> i64 {
        // ⌊(at + shift) / DAY⌋ without overflowing at either end of the range: with
        // at = q·DAY + r (0 ≤ r < DAY), r + shift stays within a few days. Storage groups
        // reviews by day with the same arithmetic in SQL.
        let q = at.div_euclid(DAY_MS);
        let r = at.rem_euclid(DAY_MS);
        q + (r + self.shift_ms()).div_euclid(DAY_MS)
    }

    /// The first instant of day `index`.
    pub const fn start_of_day(self, index: i64) -> Millis {
        index.saturating_mul(DAY_MS).saturating_sub(self.shift_ms())
    }

    /// The learner day containing `at`.
    pub const fn day(self, at: Millis) -> LearnerDay {
        let index = self.day_index(at);
        LearnerDay {
            index,
            start: self.start_of_day(index),
            end: self.start_of_day(index.saturating_add(1)),
        }
    }

    /// Learner days from `from` to `to`: 0 on the same day, 1 for the next day, … and 0 when
    /// `to` is before `from`. This is FSRS's "elapsed days", as Anki counts them.
    pub fn days_between(self, from: Millis, to: Millis) -> u32 {
        let days = self
            .day_index(to)
            .saturating_sub(self.day_index(from))
            .max(0);
        u32::try_from(days).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-10T00:00:00Z.
    const MIDNIGHT_UTC: Millis = 1_710_028_800_000;

    #[test]
    fn day_boundaries_table() {
        // (offset minutes, start hour, instant, expected day start, expected day end)
        let h = HOUR_MS;
        let cases = [
            (0, 0, MIDNIGHT_UTC, MIDNIGHT_UTC, MIDNIGHT_UTC + 24 * h),
            (
                0,
                4,
                MIDNIGHT_UTC + 3 * h,
                MIDNIGHT_UTC - 20 * h,
                MIDNIGHT_UTC + 4 * h,
            ),
            (
                0,
                4,
                MIDNIGHT_UTC + 4 * h,
                MIDNIGHT_UTC + 4 * h,
                MIDNIGHT_UTC + 28 * h,
            ),
            // UTC+2, 4 am local = 02:00Z.
            (
                120,
                4,
                MIDNIGHT_UTC + 2 * h,
                MIDNIGHT_UTC + 2 * h,
                MIDNIGHT_UTC + 26 * h,
            ),
            (
                120,
                4,
                MIDNIGHT_UTC + 2 * h - 1,
                MIDNIGHT_UTC - 22 * h,
                MIDNIGHT_UTC + 2 * h,
            ),
            // UTC-5, 4 am local = 09:00Z.
            (
                -300,
                4,
                MIDNIGHT_UTC + 12 * h,
                MIDNIGHT_UTC + 9 * h,
                MIDNIGHT_UTC + 33 * h,
            ),
            // UTC+5:30, midnight local = 18:30Z the day before.
            (
                330,
                0,
                MIDNIGHT_UTC,
                MIDNIGHT_UTC - 5 * h - 30 * MINUTE_MS,
                MIDNIGHT_UTC + 18 * h + 30 * MINUTE_MS,
            ),
            // Before the epoch.
            (0, 0, -1, -DAY_MS, 0),
        ];
        for (offset, hour, at, start, end) in cases {
            let clock = DayClock::new(offset, hour).unwrap();
            let day = clock.day(at);
            assert_eq!(
                (day.start, day.end),
                (start, end),
                "offset {offset} hour {hour} at {at}"
            );
            assert!(day.contains(at));
            assert_eq!(clock.start_of_day(day.index), day.start);
            assert_eq!(clock.day_index(day.end), day.index + 1);
        }
    }

    #[test]
    fn elapsed_days_count_day_boundaries() {
        let clock = DayClock::new(0, 4).unwrap();
        let at = |hour: i64| MIDNIGHT_UTC + hour * HOUR_MS;
        // (from, to, days)
        let cases = [
            (at(10), at(10), 0),
            (at(10), at(27), 0), // 10:00 to 03:00 next night: still the same study day
            (at(10), at(28), 1), // … and 04:00 starts the next one
            (at(23), at(29), 1), // 6 hours apart, across the boundary
            (at(5), at(5 + 24), 1),
            (at(5), at(4 + 48), 2),
            (at(30), at(10), 0), // backwards in time
        ];
        for (from, to, days) in cases {
            assert_eq!(clock.days_between(from, to), days, "{from} -> {to}");
        }
    }

    #[test]
    fn rejects_impossible_clocks() {
        assert_eq!(DayClock::new(841, 4), Err(SettingsError::UtcOffset(841)));
        assert_eq!(DayClock::new(-841, 4), Err(SettingsError::UtcOffset(-841)));
        assert_eq!(DayClock::new(0, 24), Err(SettingsError::DayStartHour(24)));
        assert!(DayClock::new(-840, 23).is_ok());
    }

    #[test]
    fn extreme_instants_do_not_overflow() {
        let clock = DayClock::new(840, 23).unwrap();
        for at in [Millis::MIN, Millis::MAX, 0] {
            let day = clock.day(at);
            assert!(day.start <= day.end);
        }
    }

    proptest::proptest! {
        /// The day index is the exact floor of (at + shift) / DAY over the whole range of
        /// instants and clocks (i128 cannot overflow), as storage's SQL reckons it.
        #[test]
        fn day_index_is_the_exact_floor(
            at in proptest::prelude::any::<i64>(),
            offset in -MAX_UTC_OFFSET_MINUTES..=MAX_UTC_OFFSET_MINUTES,
            hour in 0u8..24,
        ) {
            let clock = DayClock::new(offset, hour).unwrap();
            let exact = (i128::from(at) + i128::from(clock.shift_ms())).div_euclid(i128::from(DAY_MS));
            proptest::prop_assert_eq!(i128::from(clock.day_index(at)), exact);
        }
    }
}
