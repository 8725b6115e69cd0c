//! Study statistics for one learner: reads the review log, the card states and the ticks
//! from storage, converts them into `mastery_study::stats` inputs and computes the figures
//! the stats page, the JSON API and `mastery stats` show.

use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{LearnerId, ReviewDay, Storage, StoredCard};
use mastery_study::scheduler::{DayClock, Millis};
use mastery_study::stats::{self, CardInput, DayTotals, QuestionRef, Stats, StatsInput};

use crate::AppError;
use crate::cards::to_state;
use crate::settings::scheduler;

/// A day of the stored review log as the statistics' input (a count below 0, which only a
/// damaged database could hold, as 0).
pub fn day_totals(day: &ReviewDay) -> DayTotals {
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    DayTotals {
        day: day.day,
        reviews: count(day.reviews),
        time_ms: u64::try_from(day.time_ms).unwrap_or(0),
        matured: count(day.matured),
        passed: count(day.passed),
    }
}

/// The learner's reviews from `since` on (all when `None`) summed per day of `clock`: the
/// database sums them, so a year of reviews is a few hundred rows.
///
/// # Errors
///
/// Storage errors.
pub async fn review_days(
    store: &dyn Storage,
    learner: LearnerId,
    clock: DayClock,
    since: Option<Millis>,
) -> Result<Vec<DayTotals>, AppError> {
    let days = store.review_days(learner, clock.shift_ms(), since).await?;
    Ok(days.iter().map(day_totals).collect())
}

/// A stored card as the statistics' input.
pub fn card_input(card: &StoredCard) -> CardInput {
    CardInput {
        question: QuestionRef::new(card.key.guide.as_str(), card.key.question.as_str()),
        state: to_state(card),
    }
}

/// The learner's statistics as of `now`, in their own days (study settings' day start hour
/// and UTC offset), over the loaded `guides`.
pub async fn load(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    now: Millis,
) -> Result<Stats, AppError> {
    let clock = scheduler(store, learner).await?.clock();
    let days = review_days(store, learner, clock, None).await?;
    let cards = store.cards(learner).await?;
    let marks = store.marks(learner).await?;
    let input = StatsInput {
        guides: guides.iter().map(AsRef::as_ref).collect(),
        days,
        cards: cards.iter().map(card_input).collect(),
        ticked: marks
            .iter()
            .map(|m| QuestionRef::new(m.key.guide.as_str(), m.key.question.as_str()))
            .collect(),
    };
    Ok(stats::compute(&input, now, clock))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mastery_storage::{CardPhase, QuestionKey};

    fn stored(phase: CardPhase, step: u32) -> StoredCard {
        StoredCard {
            key: QuestionKey::new("g", "q"),
            phase,
            step,
            stability: Some(3.0),
            difficulty: Some(5.0),
            due: 10,
            last_review: Some(5),
            reps: 2,
            lapses: 0,
        }
    }

    #[test]
    fn stored_days_and_cards_convert() {
        let day = ReviewDay {
            day: 20_250,
            reviews: 7,
            time_ms: 61_000,
            matured: 5,
            passed: 4,
        };
        let want = DayTotals {
            day: 20_250,
            reviews: 7,
            time_ms: 61_000,
            matured: 5,
            passed: 4,
        };
        assert_eq!(day_totals(&day), want);
        let damaged = ReviewDay {
            reviews: -1,
            time_ms: -1,
            ..day
        };
        assert_eq!(
            (day_totals(&damaged).reviews, day_totals(&damaged).time_ms),
            (0, 0)
        );
        let card = card_input(&stored(CardPhase::Review, 0));
        assert_eq!(card.question, QuestionRef::new("g", "q"));
        assert_eq!(card.state.due, 10);
    }
}
