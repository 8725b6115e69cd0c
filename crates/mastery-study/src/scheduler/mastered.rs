//! What "mastered" means.
//!
//! A question is mastered when the learner ticked it by hand, or when FSRS says it is well
//! learnt: stability of at least [`MASTERED_STABILITY_DAYS`], i.e. the learner would still
//! recall it with 90% probability three weeks after the last review. Three weeks is the
//! threshold Anki calls a "mature" card; it takes a few successful reviews spread over
//! several days to reach it, so one lucky answer is not enough.

use super::state::CardState;

/// Stability (days to 90% recall) from which a card counts as mastered.
pub const MASTERED_STABILITY_DAYS: f32 = 21.0;

/// `true` when the question is ticked, or its card's stability has reached
/// [`MASTERED_STABILITY_DAYS`].
pub fn is_mastered(ticked: bool, state: Option<&CardState>) -> bool {
    ticked
        || state.is_some_and(|s| {
            !s.is_new()
                && s.memory
                    .is_some_and(|m| m.is_valid() && m.stability >= MASTERED_STABILITY_DAYS)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{MemoryState, Phase};

    fn card(phase: Phase, stability: Option<f32>) -> CardState {
        CardState {
            phase,
            memory: stability.map(|stability| MemoryState {
                stability,
                difficulty: 5.0,
            }),
            ..CardState::NEW
        }
    }

    #[test]
    fn mastered_table() {
        let cases = [
            (true, None, true),
            (false, None, false),
            (false, Some(card(Phase::New, None)), false),
            (true, Some(card(Phase::New, None)), true),
            (false, Some(card(Phase::Review, Some(20.9))), false),
            (false, Some(card(Phase::Review, Some(21.0))), true),
            (
                false,
                Some(card(Phase::Relearning { step: 0 }, Some(30.0))),
                true,
            ),
            (false, Some(card(Phase::Review, Some(f32::NAN))), false),
            (false, Some(card(Phase::New, Some(50.0))), false),
        ];
        for (ticked, state, want) in cases {
            assert_eq!(
                is_mastered(ticked, state.as_ref()),
                want,
                "{ticked} {state:?}"
            );
        }
    }
}
