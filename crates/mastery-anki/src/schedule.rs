//! A learner's scheduling as this crate carries it between Mastery and Anki: card states
//! and reviews keyed by question id, in Mastery's terms (milliseconds, FSRS memory state),
//! so neither side's storage types leak into the other. The binary maps them to and from
//! `mastery_storage` rows through the application layer.

use std::collections::BTreeMap;

/// Where a card is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Never reviewed.
    New,
    /// In its first learning steps.
    Learning,
    /// In long-term review.
    Review,
    /// Forgotten, relearning.
    Relearning,
}

/// One card's state.
#[derive(Debug, Clone, PartialEq)]
pub struct CardState {
    /// Its phase.
    pub phase: Phase,
    /// The learning step it is on (learning and relearning).
    pub step: u32,
    /// FSRS stability, in days.
    pub stability: Option<f64>,
    /// FSRS difficulty, 1 to 10.
    pub difficulty: Option<f64>,
    /// When it is due (milliseconds since 1970).
    pub due: i64,
    /// When it was last reviewed.
    pub last_review: Option<i64>,
    /// Reviews so far.
    pub reps: u32,
    /// Times forgotten.
    pub lapses: u32,
}

impl CardState {
    /// A card never reviewed.
    pub const NEW: CardState = CardState {
        phase: Phase::New,
        step: 0,
        stability: None,
        difficulty: None,
        due: 0,
        last_review: None,
        reps: 0,
        lapses: 0,
    };
}

/// One review.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// A stable id for it (Mastery's review id, or `anki-<revlog id>` from Anki).
    pub id: String,
    /// The question reviewed.
    pub question: String,
    /// 1 (again) to 4 (easy).
    pub rating: u8,
    /// When it was rated.
    pub reviewed_at: i64,
    /// Time spent, in milliseconds.
    pub time_spent_ms: i64,
    /// The card before (`None` when new).
    pub before: Option<CardState>,
    /// The card after.
    pub after: CardState,
}

/// A learner's cards and reviews for one guide.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scheduling {
    /// Cards by question id.
    pub cards: BTreeMap<String, CardState>,
    /// Reviews, oldest first.
    pub reviews: Vec<Review>,
}

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;
