//! Calendar dates of learner days: the proleptic Gregorian date, the weekday and the week
//! of a day index (days since 1970-01-01, as [`DayClock::day_index`] numbers them).

use std::fmt;

#[cfg(doc)]
use crate::scheduler::DayClock;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year.
    pub year: i64,
    /// 1 (January) to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Date {
    /// The date of learner day `index` (days since 1970-01-01, as [`DayClock::day_index`]
    /// numbers them).
    pub fn of_day(index: i64) -> Self {
        // Howard Hinnant's civil_from_days.
        let z = index.saturating_add(719_468);
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year,
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// The short English month name ("Jan").
    pub fn month_name(self) -> &'static str {
        MONTHS
            .get(usize::from(self.month).saturating_sub(1))
            .copied()
            .unwrap_or("")
    }

    /// "3 Mar".
    pub fn short(self) -> String {
        format!("{} {}", self.day, self.month_name())
    }

    /// "3 Mar 2025".
    pub fn long(self) -> String {
        format!("{} {} {}", self.day, self.month_name(), self.year)
    }
}

/// ISO 8601: `2025-03-03`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// 0 for Monday … 6 for Sunday, of learner day `index`.
pub fn weekday(index: i64) -> u8 {
    // Day 0 (1970-01-01) was a Thursday.
    u8::try_from(index.saturating_add(3).rem_euclid(7)).unwrap_or(0)
}

/// The short English name of a [`weekday`] ("Mon").
pub fn weekday_name(weekday: u8) -> &'static str {
    WEEKDAYS.get(usize::from(weekday)).copied().unwrap_or("")
}

/// The index of the Monday that starts the week of day `index`.
pub fn week_start(index: i64) -> i64 {
    index.saturating_sub(i64::from(weekday(index)))
}

/// One learner day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    /// Days since the epoch, as [`DayClock::day_index`] numbers them.
    pub index: i64,
    /// Its date.
    pub date: Date,
    /// 0 for Monday … 6 for Sunday.
    pub weekday: u8,
}

impl Day {
    /// Learner day `index`.
    pub fn new(index: i64) -> Self {
        Self {
            index,
            date: Date::of_day(index),
            weekday: weekday(index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::DayClock;

    #[test]
    fn dates_table() {
        // (day index, ISO date, weekday)
        let cases = [
            (0, "1970-01-01", "Thu"),
            (-1, "1969-12-31", "Wed"),
            (11_016, "2000-02-29", "Tue"),
            (19_783, "2024-03-01", "Fri"),
            (20_250, "2025-06-11", "Wed"),
            (20_453, "2025-12-31", "Wed"),
            (20_454, "2026-01-01", "Thu"),
        ];
        for (index, iso, day) in cases {
            assert_eq!(Date::of_day(index).to_string(), iso, "{index}");
            assert_eq!(weekday_name(weekday(index)), day, "{index}");
        }
        // 2025-06-11T12:00:00Z, for a UTC learner whose days start at 04:00.
        let clock = DayClock::new(0, 4).unwrap();
        assert_eq!(clock.day_index(1_749_643_200_000), 20_250);
        assert_eq!(Date::of_day(20_250).short(), "11 Jun");
        assert_eq!(Date::of_day(20_250).long(), "11 Jun 2025");
        assert_eq!(week_start(20_250), 20_248, "the Monday before");
        assert_eq!(week_start(20_248), 20_248);
        assert_eq!(week_start(20_254), 20_248, "Sunday ends the week");
    }
}
