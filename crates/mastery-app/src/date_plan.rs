//! Planning around an interview date, readiness per section, personal parameters, and
//! what counts as mastered.
//!
//! **Interview date.** A learner may set the date of their interview. When a review
//! schedules a card's next due date on or after that day, the scheduler's interview rule
//! (`mastery_study::scheduler::date_plan`, explained in `docs/scheduling.md`) brings it
//! forward to the day that gives the highest expected recall at the interview. Readiness
//! is FSRS's predicted recall of each question at noon of the interview day, averaged per
//! section, with questions never studied counting as 0.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{LearnerId, QuestionKey, Storage};
use mastery_study::scheduler::date_plan::{self, SectionReadiness};
use mastery_study::scheduler::optimize::{Optimized, optimize, training_reviews};
use mastery_study::scheduler::{
    CardState, HOUR_MS, Millis, Rating, ReviewLog, Scheduler, is_mastered,
};

use crate::AppError;
use crate::study::{load_settings, save_settings, scheduler, to_state};

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

/// Noon (learner's time) of the interview day, as the instant readiness is predicted for.
pub fn interview_instant(scheduler: &Scheduler, date: &str) -> Option<Millis> {
    let days = days_from_civil(date)?;
    let offset_ms = Millis::from(scheduler.clock().utc_offset_minutes()) * 60_000;
    Some(days * 24 * HOUR_MS + 12 * HOUR_MS - offset_ms)
}

/// Moves `after`'s due date for the learner's interview on `date`, if one is set (see the
/// module docs).
pub fn plan_for_interview(
    scheduler: &Scheduler,
    date: Option<&str>,
    after: CardState,
    now: Millis,
) -> Result<CardState, AppError> {
    let Some(at) = date.and_then(|d| interview_instant(scheduler, d)) else {
        return Ok(after);
    };
    Ok(date_plan::apply(scheduler, &after, now, at)?)
}

/// Readiness for the interview: per section, predicted recall on the day; and the questions
/// to study next (lowest predicted recall first).
#[derive(Debug, Clone)]
pub struct Readiness {
    /// The interview date (`YYYY-MM-DD`).
    pub date: String,
    /// Whole days from today to the interview (negative when it has passed).
    pub days_left: i64,
    /// Per section of each guide: (guide title, section title, readiness).
    pub sections: Vec<(String, String, SectionReadiness)>,
    /// Questions with the lowest predicted recall on the day: (key, title, recall or None if
    /// never studied).
    pub weakest: Vec<(QuestionKey, String, Option<f32>)>,
}

/// Readiness for the learner's interview date, or `None` when none is set.
pub async fn readiness(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    now: Millis,
) -> Result<Option<Readiness>, AppError> {
    let Some(date) = interview_date(store, learner).await? else {
        return Ok(None);
    };
    let scheduler = scheduler(store, learner).await?;
    let Some(at) = interview_instant(&scheduler, &date) else {
        return Ok(None);
    };
    let states: HashMap<QuestionKey, CardState> = store
        .cards(learner)
        .await?
        .iter()
        .map(|c| (c.key.clone(), to_state(c)))
        .collect();
    let mut sections = Vec::new();
    let mut weakest = Vec::new();
    for guide in guides {
        let mut per_card: Vec<(String, CardState)> = Vec::new();
        for section in &guide.sections {
            for entry in section.questions() {
                let key = QuestionKey::new(guide.id.as_str(), entry.id.as_str());
                let state = states.get(&key).copied().unwrap_or(CardState::NEW);
                weakest.push((
                    key,
                    entry.title_text.clone(),
                    scheduler.retrievability(&state, at),
                ));
                per_card.push((section.id.to_string(), state));
            }
        }
        for r in date_plan::readiness(
            &scheduler,
            per_card.iter().map(|(s, c)| (s.as_str(), c)),
            at,
        ) {
            let title = guide
                .sections
                .iter()
                .find(|s| s.id.as_str() == r.section)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            sections.push((guide.title.clone(), title, r));
        }
    }
    weakest.sort_by(|a, b| a.2.unwrap_or(-1.0).total_cmp(&b.2.unwrap_or(-1.0)));
    weakest.truncate(10);
    let clock = scheduler.clock();
    Ok(Some(Readiness {
        date,
        days_left: clock.day_index(at) - clock.day_index(now),
        sections,
        weakest,
    }))
}

/// The learner's review log as FSRS histories, one per card.
async fn histories(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<Vec<Vec<ReviewLog>>, AppError> {
    let mut by_card: HashMap<QuestionKey, Vec<ReviewLog>> = HashMap::new();
    for r in store.reviews(learner, None).await? {
        let Ok(rating) = Rating::from_u8(r.rating) else {
            continue;
        };
        let before = r.before.as_ref().map(to_state).unwrap_or(CardState::NEW);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let log = ReviewLog {
            rating,
            reviewed_at: r.reviewed_at,
            elapsed_days: r.elapsed_days.max(0.0) as u32,
            elapsed_ms: before.last_review.map(|last| r.reviewed_at - last),
            scheduled_days: r.scheduled_days.max(0.0) as u32,
            time_spent_ms: u32::try_from(r.time_spent_ms.max(0)).unwrap_or(u32::MAX),
            state_before: before,
            state_after: to_state(&r.after),
        };
        by_card.entry(r.key).or_default().push(log);
    }
    Ok(by_card.into_values().collect())
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

/// The questions a learner has mastered in `guide`: ticked by hand, or remembered reliably
/// in study (FSRS stability of at least `MASTERED_STABILITY_DAYS`). The one definition every
/// page and the terminal use.
pub async fn mastered(
    store: &dyn Storage,
    learner: LearnerId,
    guide: &str,
) -> Result<(HashSet<String>, HashSet<String>), AppError> {
    let ticked: HashSet<String> = store
        .marks(learner)
        .await?
        .into_iter()
        .filter(|m| m.key.guide == guide)
        .map(|m| m.key.question)
        .collect();
    let mut mastered = ticked.clone();
    for card in store
        .cards(learner)
        .await?
        .iter()
        .filter(|c| c.key.guide == guide)
    {
        if is_mastered(false, Some(&to_state(card))) {
            mastered.insert(card.key.question.clone());
        }
    }
    Ok((ticked, mastered))
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
