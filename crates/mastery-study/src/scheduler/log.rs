//! The review log: one entry per answer, kept forever.
//!
//! Every review produces a [`ReviewLog`] with everything needed to audit, undo or replay it:
//! when, which rating, how many days had passed, the state before and after, the time the
//! learner spent and the interval given. The optimiser fits personal parameters from these
//! logs, and the daily limits count them.

use serde::{Deserialize, Serialize};

use super::rating::Rating;
use super::state::{CardState, Millis};

/// One review of one card.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReviewLog {
    /// The learner's answer.
    pub rating: Rating,
    /// When it was given.
    pub reviewed_at: Millis,
    /// Learner days since the previous review (0 on the same day and for a first review), as
    /// FSRS counts them.
    pub elapsed_days: u32,
    /// Milliseconds since the previous review; `None` for a first review.
    pub elapsed_ms: Option<Millis>,
    /// Days until the next review (0 when the card is in a same-day step).
    pub scheduled_days: u32,
    /// Time the learner spent on the card, in milliseconds.
    pub time_spent_ms: u32,
    /// The card before the review (undo restores it).
    pub state_before: CardState,
    /// The card after the review.
    pub state_after: CardState,
}
