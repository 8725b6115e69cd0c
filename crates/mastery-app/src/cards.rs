//! Card states between storage and the scheduler: stored rows
//! (`mastery_storage::StoredCard`) become the scheduler's `CardState` and back, so neither
//! the domain nor storage knows the other.

use std::collections::HashMap;

use mastery_storage::{CardPhase, LearnerId, QuestionKey, Storage, StoredCard};
use mastery_study::scheduler::{CardState, MemoryState, Phase, Rating, ReviewLog};

use crate::AppError;

/// A stored phase (with its step) and memory as the scheduler's.
fn phase_and_memory(
    phase: CardPhase,
    step: u32,
    stability: Option<f64>,
    difficulty: Option<f64>,
) -> (Phase, Option<MemoryState>) {
    let phase = match phase {
        CardPhase::New => Phase::New,
        CardPhase::Learning => Phase::Learning { step },
        CardPhase::Review => Phase::Review,
        CardPhase::Relearning => Phase::Relearning { step },
    };
    let memory = match (stability, difficulty) {
        // f32 -> f64 -> f32 is exact, so states round-trip bit for bit.
        #[allow(clippy::cast_possible_truncation)]
        (Some(s), Some(d)) => Some(MemoryState {
            stability: s as f32,
            difficulty: d as f32,
        }),
        _ => None,
    };
    (phase, memory)
}

/// A stored row as the scheduler's state.
pub fn to_state(card: &StoredCard) -> CardState {
    let (phase, memory) = phase_and_memory(card.phase, card.step, card.stability, card.difficulty);
    CardState {
        phase,
        memory,
        due: card.due,
        last_review: card.last_review,
        reps: card.reps,
        lapses: card.lapses,
    }
}

/// The scheduler's state of a card read for predicting recall only
/// ([`mastery_storage::RecallCard`]): its phase, memory and latest review, the due date and
/// counts left at zero (recall does not depend on them).
pub fn recall_state(card: &mastery_storage::RecallCard) -> CardState {
    let (phase, memory) = phase_and_memory(card.phase, 0, card.stability, card.difficulty);
    CardState {
        phase,
        memory,
        due: 0,
        last_review: card.last_review,
        reps: 0,
        lapses: 0,
    }
}

/// The scheduler's state as a row for `key`.
pub fn to_stored(key: &QuestionKey, state: &CardState) -> StoredCard {
    let (phase, step) = match state.phase {
        Phase::New => (CardPhase::New, 0),
        Phase::Learning { step } => (CardPhase::Learning, step),
        Phase::Review => (CardPhase::Review, 0),
        Phase::Relearning { step } => (CardPhase::Relearning, step),
    };
    StoredCard {
        key: key.clone(),
        phase,
        step,
        stability: state.memory.map(|m| f64::from(m.stability)),
        difficulty: state.memory.map(|m| f64::from(m.difficulty)),
        due: state.due,
        last_review: state.last_review,
        reps: state.reps,
        lapses: state.lapses,
    }
}

/// The learner's cards and review log (oldest first) for the questions of one guide: what
/// an export to Anki carries.
///
/// # Errors
///
/// Storage errors.
pub async fn of_guide(
    store: &dyn Storage,
    learner: LearnerId,
    guide: &str,
) -> Result<(Vec<StoredCard>, Vec<mastery_storage::ReviewRecord>), AppError> {
    let cards = store
        .cards(learner)
        .await?
        .into_iter()
        .filter(|c| c.key.guide == guide)
        .collect();
    let mut reviews: Vec<_> = store
        .reviews(learner, None)
        .await?
        .into_iter()
        .filter(|r| r.key.guide == guide)
        .collect();
    reviews.sort_by_key(|r| r.reviewed_at);
    Ok((cards, reviews))
}

/// The learner's review log as FSRS histories, one per card.
pub(crate) async fn histories(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_rows() {
        let key = QuestionKey::new("g", "q");
        let states = [
            CardState::NEW,
            CardState {
                phase: Phase::Learning { step: 1 },
                memory: Some(MemoryState {
                    stability: 0.4_f32,
                    difficulty: 5.123_f32,
                }),
                due: 123,
                last_review: Some(100),
                reps: 2,
                lapses: 0,
            },
            CardState {
                phase: Phase::Relearning { step: 0 },
                memory: Some(MemoryState {
                    stability: 12.345_678_f32,
                    difficulty: 9.99_f32,
                }),
                due: 9_999_999,
                last_review: Some(5),
                reps: 9,
                lapses: 3,
            },
        ];
        for s in states {
            assert_eq!(to_state(&to_stored(&key, &s)), s);
        }
    }
}
