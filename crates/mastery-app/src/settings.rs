//! A learner's settings: the study settings (retention, limits, steps, parameters) with the
//! UTC offset, the interview date, and fitting personal FSRS parameters from the learner's
//! own reviews.

use std::collections::BTreeMap;

use mastery_storage::{LearnerId, Storage};
use mastery_study::scheduler::optimize::{Optimized, optimize, training_reviews};
use mastery_study::scheduler::{Scheduler, Settings};

use crate::AppError;
use crate::cards::histories;

/// The learner setting that holds the study [`Settings`] as JSON.
pub const SETTINGS_KEY: &str = "study-settings";
/// The learner setting that holds the learner's UTC offset in minutes.
pub const OFFSET_KEY: &str = "utc-offset-minutes";

/// The learner's study settings and UTC offset (defaults when never saved). Settings that
/// no longer parse (written by another version) fall back to the defaults, with a warning.
pub async fn load_settings(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<(Settings, i32), AppError> {
    Ok(settings_from(&store.learner_settings(learner).await?))
}

/// The study settings and UTC offset among a learner's stored settings.
pub(crate) fn settings_from(stored: &BTreeMap<String, String>) -> (Settings, i32) {
    let settings = match stored.get(SETTINGS_KEY) {
        Some(json) => serde_json::from_str::<Settings>(json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored study settings are unreadable; using the defaults");
            Settings::default()
        }),
        None => Settings::default(),
    };
    let offset = stored
        .get(OFFSET_KEY)
        .and_then(|v| v.parse::<i32>().ok())
        .unwrap_or(0);
    (settings, offset)
}

/// Validates and saves the learner's study settings and UTC offset.
pub async fn save_settings(
    store: &dyn Storage,
    learner: LearnerId,
    settings: &Settings,
    utc_offset_minutes: i32,
) -> Result<(), AppError> {
    // Scheduler::new validates the settings and the offset together.
    Scheduler::new(settings.clone(), utc_offset_minutes)?;
    let json =
        serde_json::to_string(settings).map_err(|e| AppError::Invalid(format!("settings: {e}")))?;
    store
        .set_learner_setting(learner, SETTINGS_KEY, &json)
        .await?;
    store
        .set_learner_setting(learner, OFFSET_KEY, &utc_offset_minutes.to_string())
        .await?;
    Ok(())
}

/// What a learner can change of their study settings at once (the settings page's form and
/// `PUT /api/v1/study/settings`).
#[derive(Debug, Clone)]
pub struct StudyChanges {
    /// The target probability of recall (FSRS desired retention).
    pub desired_retention: f32,
    /// New questions per day.
    pub new_per_day: u32,
    /// Reviews per day.
    pub reviews_per_day: u32,
    /// The hour the study day starts, local time.
    pub day_start_hour: u8,
    /// The learner's UTC offset in minutes.
    pub utc_offset_minutes: i32,
    /// The interview date (`YYYY-MM-DD`), or empty for none.
    pub interview_date: String,
}

/// Applies `changes`: everything is checked first (a bad date or a value out of range
/// changes nothing), then the study settings and the interview date are saved.
pub async fn update_study(
    store: &dyn Storage,
    learner: LearnerId,
    changes: &StudyChanges,
) -> Result<(), AppError> {
    let date = changes.interview_date.trim();
    if !date.is_empty() && days_from_civil(date).is_none() {
        return Err(AppError::Invalid(format!(
            "`{date}` is not a date: use YYYY-MM-DD"
        )));
    }
    let (mut settings, _) = load_settings(store, learner).await?;
    settings.desired_retention = changes.desired_retention;
    settings.new_per_day = changes.new_per_day;
    settings.reviews_per_day = changes.reviews_per_day;
    settings.day_start_hour = changes.day_start_hour;
    save_settings(store, learner, &settings, changes.utc_offset_minutes).await?;
    set_interview_date(store, learner, date).await
}

/// The scheduler for this learner's settings.
pub async fn scheduler(store: &dyn Storage, learner: LearnerId) -> Result<Scheduler, AppError> {
    let (settings, offset) = load_settings(store, learner).await?;
    Ok(Scheduler::new(settings, offset)?)
}

/// The learner setting that holds the interview date (`YYYY-MM-DD`).
pub const INTERVIEW_KEY: &str = "interview-date";

/// Days since 1970-01-01 of a civil date (proleptic Gregorian), or `None` if invalid.
pub fn days_from_civil(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month[usize::try_from(m - 1).ok()?]
        || !(1970..=2200).contains(&y)
    {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The learner's interview date, if set and valid.
pub async fn interview_date(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<Option<String>, AppError> {
    let stored = store.learner_settings(learner).await?;
    Ok(interview_date_from(&stored).map(str::to_owned))
}

/// The interview date among a learner's stored settings, if set and valid.
pub(crate) fn interview_date_from(stored: &BTreeMap<String, String>) -> Option<&str> {
    stored
        .get(INTERVIEW_KEY)
        .map(String::as_str)
        .filter(|d| days_from_civil(d).is_some())
}

/// Sets (or, with an empty string, clears) the interview date.
pub async fn set_interview_date(
    store: &dyn Storage,
    learner: LearnerId,
    date: &str,
) -> Result<(), AppError> {
    let date = date.trim();
    if !date.is_empty() && days_from_civil(date).is_none() {
        return Err(AppError::Invalid(format!(
            "`{date}` is not a date: use YYYY-MM-DD"
        )));
    }
    store
        .set_learner_setting(learner, INTERVIEW_KEY, date)
        .await?;
    Ok(())
}

/// How many reviews count for fitting personal parameters (compare with
/// `MIN_REVIEWS_FOR_OPTIMIZATION`).
pub async fn training_review_count(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<usize, AppError> {
    Ok(training_reviews(&histories(store, learner).await?))
}

/// Fits personal FSRS parameters to the learner's reviews and saves them when they predict
/// the reviews better than the current ones. CPU-bound: call it off the async executor's
/// hot path (it takes a fraction of a second per thousand reviews).
pub async fn fit_parameters(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<Optimized, AppError> {
    let (settings, _) = load_settings(store, learner).await?;
    let histories = histories(store, learner).await?;
    let result = optimize(&histories, &settings).map_err(|e| AppError::Invalid(e.to_string()))?;
    if result.improved() {
        // Re-read the settings: the learner may have changed others while this ran.
        let (mut latest, offset) = load_settings(store, learner).await?;
        latest.parameters = Some(result.parameters.clone());
        save_settings(store, learner, &latest, offset).await?;
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(days_from_civil("1970-01-01"), Some(0));
        assert_eq!(days_from_civil("2000-03-01"), Some(11_017));
        assert_eq!(days_from_civil("2026-11-23"), Some(20_780));
        assert_eq!(days_from_civil("2024-02-29"), Some(19_782));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "26-1-1x",
            "",
            "1969-12-31",
            "2026-11-31",
        ] {
            assert_eq!(days_from_civil(bad), None, "{bad}");
        }
    }
}
