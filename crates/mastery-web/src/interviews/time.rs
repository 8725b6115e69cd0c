//! Times in the learner's zone: when an interview happened, as shown and as ISO text.

use mastery_storage::Millis;
use mastery_study::scheduler::DAY_MS;
use mastery_study::stats::Date;

use mastery_storage::LearnerId;

use crate::error::WebError;
use crate::state::AppState;

/// A moment in the learner's time zone.
#[derive(Debug, Clone)]
pub(crate) struct When {
    /// "3 Mar 2025".
    pub date: String,
    /// "3 Mar".
    pub short: String,
    /// "14:05".
    pub time: String,
    /// `2025-03-03T14:05` (for `<time datetime>`).
    pub iso: String,
    /// `2025-03-03`.
    pub day: String,
}

/// `ms` in the time zone `offset_minutes` east of UTC.
pub(crate) fn when(ms: Millis, offset_minutes: i32) -> When {
    let local = ms.saturating_add(Millis::from(offset_minutes) * 60_000);
    let date = Date::of_day(local.div_euclid(DAY_MS));
    let minutes = local.rem_euclid(DAY_MS) / 60_000;
    let time = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    When {
        date: date.long(),
        short: date.short(),
        iso: format!("{date}T{time}"),
        day: date.to_string(),
        time,
    }
}

/// The learner's UTC offset in minutes (from the study settings).
pub(crate) async fn utc_offset(state: &AppState, learner: LearnerId) -> Result<i32, WebError> {
    Ok(mastery_app::settings::load_settings(state.store(), learner)
        .await?
        .1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn times_are_shown_in_the_learner_s_zone() {
        // 2025-03-03 23:30 UTC is already the 4th at UTC+1.
        let at = 1_741_044_600_000;
        assert_eq!(when(at, 0).iso, "2025-03-03T23:30");
        let plus_one = when(at, 60);
        assert_eq!(plus_one.iso, "2025-03-04T00:30");
        assert_eq!(plus_one.date, "4 Mar 2025");
        assert_eq!(plus_one.day, "2025-03-04");
    }
}
