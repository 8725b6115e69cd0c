//! Study statistics for one learner: reads the review log, the card states and the ticks
//! from storage, converts them into `mastery_study::stats` inputs and computes the figures
//! the stats page, the JSON API and `mastery stats` show.

use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{CardPhase, LearnerId, ReviewFact, ReviewRecord, Storage, StoredCard};
use mastery_study::scheduler::{Millis, Phase, Rating};
use mastery_study::stats::{self, CardInput, QuestionRef, ReviewInput, Stats, StatsInput};

use crate::AppError;
use crate::cards::to_state;
use crate::settings::scheduler;

/// A stored review as the statistics' input; `None` for a rating outside 1 to 4 (which
/// storage refuses to record).
pub fn review_input(record: &ReviewRecord) -> Option<ReviewInput> {
    fact_input(&ReviewFact {
        reviewed_at: record.reviewed_at,
        rating: record.rating,
        before: record.before.as_ref().map(|card| (card.phase, card.step)),
        time_spent_ms: record.time_spent_ms,
    })
}

/// What statistics read of a stored review ([`Storage::review_facts`]) as their input;
/// `None` for a rating outside 1 to 4.
pub fn fact_input(fact: &ReviewFact) -> Option<ReviewInput> {
    Some(ReviewInput {
        at: fact.reviewed_at,
        rating: Rating::from_u8(fact.rating).ok()?,
        before: fact
            .before
            .map_or(Phase::New, |(phase, step)| phase_of(phase, step)),
        time_spent_ms: fact.time_spent_ms,
    })
}

fn phase_of(phase: CardPhase, step: u32) -> Phase {
    match phase {
        CardPhase::New => Phase::New,
        CardPhase::Learning => Phase::Learning { step },
        CardPhase::Review => Phase::Review,
        CardPhase::Relearning => Phase::Relearning { step },
    }
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
    let reviews = store.review_facts(learner, None).await?;
    let cards = store.cards(learner).await?;
    let marks = store.marks(learner).await?;
    let input = StatsInput {
        guides: guides.iter().map(AsRef::as_ref).collect(),
        reviews: reviews.iter().filter_map(fact_input).collect(),
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
    use mastery_storage::QuestionKey;

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
    fn reviews_convert_with_the_phase_before() {
        let record = |rating: u8, before: Option<StoredCard>| ReviewRecord {
            id: "r-0000001".into(),
            key: QuestionKey::new("g", "q"),
            rating,
            reviewed_at: 42,
            elapsed_days: 1.0,
            scheduled_days: 1.0,
            time_spent_ms: 1_500,
            before,
            after: stored(CardPhase::Review, 0),
        };
        // (rating, before, expected phase)
        let cases = [
            (3, None, Phase::New),
            (1, Some(stored(CardPhase::Review, 0)), Phase::Review),
            (
                2,
                Some(stored(CardPhase::Learning, 1)),
                Phase::Learning { step: 1 },
            ),
            (
                4,
                Some(stored(CardPhase::Relearning, 0)),
                Phase::Relearning { step: 0 },
            ),
        ];
        for (rating, before, phase) in cases {
            let input = review_input(&record(rating, before)).unwrap();
            assert_eq!(input.before, phase);
            assert_eq!(input.rating.as_u8(), rating);
            assert_eq!((input.at, input.time_spent_ms), (42, 1_500));
        }
        assert_eq!(review_input(&record(9, None)), None);
        let card = card_input(&stored(CardPhase::Review, 0));
        assert_eq!(card.question, QuestionRef::new("g", "q"));
        assert_eq!(card.state.due, 10);
    }
}
