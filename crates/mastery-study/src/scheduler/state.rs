//! A card's scheduling state: its phase, its FSRS memory, when it is due.
//!
//! A "card" is one (learner, guide, question). Its state is a plain value: the storage layer
//! saves it as is, and the [`Scheduler`](super::Scheduler) computes the next one from it.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC). Every time in the scheduler is one of these,
/// passed in by the caller: nothing here reads the clock.
pub type Millis = i64;

/// One second in [`Millis`].
pub const SECOND_MS: Millis = 1_000;
/// One minute in [`Millis`].
pub const MINUTE_MS: Millis = 60 * SECOND_MS;
/// One hour in [`Millis`].
pub const HOUR_MS: Millis = 60 * MINUTE_MS;
/// One day (24 hours) in [`Millis`].
pub const DAY_MS: Millis = 24 * HOUR_MS;

/// Where a card is in its life, as in Anki and FSRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Phase {
    /// Never reviewed.
    New,
    /// Being learnt for the first time: same-day steps (`step` indexes the learning steps).
    Learning {
        /// Index into [`Settings::learning_steps_secs`](super::Settings::learning_steps_secs).
        step: u32,
    },
    /// Graduated: scheduled in whole days by FSRS.
    Review,
    /// Forgotten in review: same-day steps again before returning to review.
    Relearning {
        /// Index into [`Settings::relearning_steps_secs`](super::Settings::relearning_steps_secs).
        step: u32,
    },
}

impl Phase {
    /// The (re)learning step, if the card is in one.
    pub const fn step(self) -> Option<u32> {
        match self {
            Phase::Learning { step } | Phase::Relearning { step } => Some(step),
            Phase::New | Phase::Review => None,
        }
    }

    /// `true` in the Learning and Relearning phases (due again within the day).
    pub const fn is_learning(self) -> bool {
        matches!(self, Phase::Learning { .. } | Phase::Relearning { .. })
    }
}

/// FSRS's memory model of one card.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MemoryState {
    /// Days until predicted recall falls to 90%.
    pub stability: f32,
    /// How hard the card is, from 1 (easiest) to 10 (hardest).
    pub difficulty: f32,
}

impl MemoryState {
    /// `true` when stability is a positive finite number and difficulty is within 1..=10,
    /// as FSRS produces them. Anything else (a corrupt row, a bad import) is refused by the
    /// scheduler with [`ScheduleError::InvalidMemory`](super::ScheduleError::InvalidMemory).
    pub fn is_valid(self) -> bool {
        self.stability.is_finite()
            && self.stability > 0.0
            && self.difficulty.is_finite()
            && (1.0..=10.0).contains(&self.difficulty)
    }
}

impl From<fsrs::MemoryState> for MemoryState {
    fn from(m: fsrs::MemoryState) -> Self {
        Self {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

impl From<MemoryState> for fsrs::MemoryState {
    fn from(m: MemoryState) -> Self {
        Self {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

/// The scheduling state of one (learner, guide, question).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CardState {
    /// New, Learning, Review or Relearning.
    pub phase: Phase,
    /// FSRS memory, known once the card has been reviewed.
    pub memory: Option<MemoryState>,
    /// When the card is next due. Not used for new cards (they come in guide order).
    pub due: Millis,
    /// When it was last reviewed.
    pub last_review: Option<Millis>,
    /// Reviews so far.
    pub reps: u32,
    /// Times it was forgotten in the Review phase.
    pub lapses: u32,
}

impl CardState {
    /// A card never reviewed: the state of every question the learner has no row for.
    pub const NEW: CardState = CardState {
        phase: Phase::New,
        memory: None,
        due: 0,
        last_review: None,
        reps: 0,
        lapses: 0,
    };

    /// `true` when the card has never been reviewed.
    pub const fn is_new(&self) -> bool {
        matches!(self.phase, Phase::New)
    }
}

impl Default for CardState {
    fn default() -> Self {
        Self::NEW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_validity() {
        let cases = [
            (1.0, 5.0, true),
            (0.001, 1.0, true),
            (36500.0, 10.0, true),
            (0.0, 5.0, false),
            (-1.0, 5.0, false),
            (f32::NAN, 5.0, false),
            (f32::INFINITY, 5.0, false),
            (1.0, 0.5, false),
            (1.0, 10.5, false),
            (1.0, f32::NAN, false),
        ];
        for (stability, difficulty, valid) in cases {
            assert_eq!(
                MemoryState {
                    stability,
                    difficulty
                }
                .is_valid(),
                valid,
                "{stability} {difficulty}"
            );
        }
    }

    #[test]
    fn phases() {
        assert_eq!(Phase::Learning { step: 2 }.step(), Some(2));
        assert_eq!(Phase::Review.step(), None);
        assert!(Phase::Relearning { step: 0 }.is_learning());
        assert!(!Phase::New.is_learning());
        assert!(CardState::default().is_new());
    }

    #[test]
    fn state_round_trips_through_json() {
        let state = CardState {
            phase: Phase::Relearning { step: 1 },
            memory: Some(MemoryState {
                stability: 3.25,
                difficulty: 6.5,
            }),
            due: 1_700_000_000_000,
            last_review: Some(1_699_999_400_000),
            reps: 7,
            lapses: 2,
        };
        let json = serde_json::to_string(&state).unwrap();
        assert!(
            json.contains(r#""phase":{"kind":"relearning","step":1}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<CardState>(&json).unwrap(), state);
    }
}
