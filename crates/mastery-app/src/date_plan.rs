//! Planning around an interview date and readiness per section.
//!
//! **Interview date.** A learner may set the date of their interview. When a review
//! schedules a card's next due date on or after that day, the scheduler's interview rule
//! (`mastery_study::scheduler::date_plan`, explained in `docs/scheduling.md`) brings it
//! forward to the day that gives the highest expected recall at the interview. Readiness
//! is FSRS's predicted recall of each question at noon of the interview day, averaged per
//! section, with questions never studied counting as 0. A learner who set no date of their
//! own plans for the earliest upcoming date of the teams they joined ([`planned_date`]).

use std::collections::HashMap;
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{LearnerId, QuestionKey, Storage};
use mastery_study::scheduler::date_plan::{self, SectionReadiness};
use mastery_study::scheduler::{CardState, HOUR_MS, Millis, Scheduler};

use crate::AppError;
use crate::cards::to_state;
use crate::settings::{days_from_civil, interview_date, scheduler};

/// Noon (learner's time) of the interview day, as the instant readiness is predicted for.
pub fn interview_instant(scheduler: &Scheduler, date: &str) -> Option<Millis> {
    let days = days_from_civil(date)?;
    let offset_ms = Millis::from(scheduler.clock().utc_offset_minutes()) * 60_000;
    Some(days * 24 * HOUR_MS + 12 * HOUR_MS - offset_ms)
}

/// The date a learner's planning aims at: their own interview date (`own`) if they set one,
/// else the earliest upcoming interview date of the teams they joined.
///
/// # Errors
///
/// Storage errors.
pub async fn planned_date(
    store: &dyn Storage,
    learner: LearnerId,
    own: Option<&str>,
    now: Millis,
) -> Result<Option<String>, AppError> {
    match own {
        Some(date) => Ok(Some(date.to_owned())),
        None => crate::teams::planning_date(store, learner, now).await,
    }
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
    let own = interview_date(store, learner).await?;
    let Some(date) = planned_date(store, learner, own.as_deref(), now).await? else {
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
