//! Spaced-repetition state as stored: one [`StoredCard`] per (learner, question) and an
//! append-only log of [`ReviewRecord`]s, plus the validation rules every backend applies
//! before writing them.
//!
//! These are plain rows, not the scheduler's types: the scheduler (`mastery-study`) and
//! storage do not depend on each other, and the web layer converts between the two. The
//! rules here are only those storage needs to keep its promises (ids that make retries
//! idempotent, numbers that round-trip exactly); what a good stability or due date is
//! remains the scheduler's business.
//!
//! Every `f64` must be finite and is read back bit for bit, with one exception a backend
//! may make: `-0.0` can come back as `0.0` (SQLite does this), which compares equal.

use std::fmt;
use std::str::FromStr;

use crate::{Millis, QuestionKey, Result, StorageError, check_key, check_text};

/// The shortest review id accepted, in characters.
pub const MIN_REVIEW_ID_LEN: usize = 8;
/// The longest review id accepted, in characters.
pub const MAX_REVIEW_ID_LEN: usize = 64;
/// The longest learner setting name accepted, in characters.
pub const MAX_SETTING_NAME_LEN: usize = 64;
/// The longest learner setting value accepted, in bytes.
pub const MAX_SETTING_VALUE_BYTES: usize = 16 * 1024;

/// Where a card is in its life, as the FSRS scheduler (and Anki) names it. Stored as the
/// text [`CardPhase::as_str`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardPhase {
    /// Never reviewed.
    New,
    /// Being learnt through short steps.
    Learning,
    /// Graduated: reviewed at growing intervals.
    Review,
    /// Forgotten after graduating, back in short steps.
    Relearning,
}

impl CardPhase {
    /// Every phase, in life order.
    pub const ALL: [CardPhase; 4] = [
        CardPhase::New,
        CardPhase::Learning,
        CardPhase::Review,
        CardPhase::Relearning,
    ];

    /// The stored spelling: `new`, `learning`, `review` or `relearning`.
    pub fn as_str(self) -> &'static str {
        match self {
            CardPhase::New => "new",
            CardPhase::Learning => "learning",
            CardPhase::Review => "review",
            CardPhase::Relearning => "relearning",
        }
    }
}

impl fmt::Display for CardPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the four phase names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a card phase (new, learning, review or relearning)")]
pub struct UnknownPhase(pub String);

impl FromStr for CardPhase {
    type Err = UnknownPhase;

    fn from_str(text: &str) -> Result<Self, UnknownPhase> {
        CardPhase::ALL
            .into_iter()
            .find(|phase| phase.as_str() == text)
            .ok_or_else(|| UnknownPhase(text.to_string()))
    }
}

/// The scheduling state of one question for one learner. A question without a stored card
/// has never been reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCard {
    /// The question.
    pub key: QuestionKey,
    /// Where the card is in its life.
    pub phase: CardPhase,
    /// The (re)learning step the card is at (0 outside learning).
    pub step: u32,
    /// FSRS memory stability in days, once known. Finite.
    pub stability: Option<f64>,
    /// FSRS difficulty, once known. Finite.
    pub difficulty: Option<f64>,
    /// When the card is next due.
    pub due: Millis,
    /// When it was last reviewed.
    pub last_review: Option<Millis>,
    /// How many times it was reviewed.
    pub reps: u32,
    /// How many times it was forgotten after graduating.
    pub lapses: u32,
}

/// One review as the review log keeps it: the rating, and the card's state before and
/// after, so that it can be undone exactly and exported in the shape the FSRS optimizer
/// reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRecord {
    /// The id the client chose for this review, so that a retried request is recorded once:
    /// 8 to 64 characters of `A-Z`, `a-z`, `0-9`, `_` and `-`, unique per learner.
    pub id: String,
    /// The question reviewed.
    pub key: QuestionKey,
    /// 1 (again), 2 (hard), 3 (good) or 4 (easy).
    pub rating: u8,
    /// When the answer was rated.
    pub reviewed_at: Millis,
    /// Days since the previous review (0 for a new card). Finite.
    pub elapsed_days: f64,
    /// The interval, in days, the card had been scheduled for. Finite.
    pub scheduled_days: f64,
    /// Time spent on the card, in milliseconds (0 or more).
    pub time_spent_ms: i64,
    /// The card as it was shown; `None` when it was new (no card stored).
    pub before: Option<StoredCard>,
    /// The card after the rating.
    pub after: StoredCard,
}

/// A day of the review log summed, as statistics read it
/// ([`Storage::review_days`](crate::Storage::review_days)): a learner with 50,000 reviews
/// gets a few hundred rows, not 50,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewDay {
    /// ⌊(reviewed_at + shift) / [`DAY_MS`]⌋ of the day's reviews.
    pub day: i64,
    /// Reviews that day.
    pub reviews: i64,
    /// Time spent on them in milliseconds, each review counted from 0 (a negative time,
    /// which only a damaged database holds) up to [`DAY_MS`].
    pub time_ms: i64,
    /// Reviews of cards that were in the Review phase.
    pub matured: i64,
    /// Of those, the ones not rated 1 (again).
    pub passed: i64,
}

/// A day in milliseconds: the unit of [`ReviewDay::day`].
pub const DAY_MS: i64 = 86_400_000;

/// The largest shift of a day's start from UTC midnight that
/// [`Storage::review_days`](crate::Storage::review_days) takes, either way (two days; a
/// learner's is at most 37 hours).
pub const MAX_DAY_SHIFT_MS: i64 = 2 * DAY_MS;

/// What [`Storage::record_review`](crate::Storage::record_review) did.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "returned once per review; boxing would only make matching clumsier"
)]
pub enum Recorded {
    /// The review was recorded and the card updated.
    New,
    /// A review with this id was already recorded: nothing changed. Holds the review as it
    /// was stored (which may differ from the one just sent).
    Duplicate(ReviewRecord),
}

/// Checks a review id: [`MIN_REVIEW_ID_LEN`] to [`MAX_REVIEW_ID_LEN`] characters of
/// `A-Z`, `a-z`, `0-9`, `_` and `-`.
///
/// # Errors
///
/// [`StorageError::Invalid`] when it is not.
pub fn check_review_id(id: &str) -> Result<()> {
    let valid = (MIN_REVIEW_ID_LEN..=MAX_REVIEW_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(StorageError::Invalid(format!(
            "a review id is {MIN_REVIEW_ID_LEN} to {MAX_REVIEW_ID_LEN} of A-Z, a-z, 0-9, '_' \
             and '-', not {id:?}"
        )))
    }
}

/// Checks a learner setting: a name of 1 to [`MAX_SETTING_NAME_LEN`] characters of `a-z`,
/// `0-9`, `_`, `-` and `.`, and a value of at most [`MAX_SETTING_VALUE_BYTES`] bytes without
/// a NUL character ([`check_text`]).
///
/// # Errors
///
/// [`StorageError::Invalid`] when either breaks its rule.
pub fn check_setting(name: &str, value: &str) -> Result<()> {
    check_setting_name(name)?;
    if value.len() > MAX_SETTING_VALUE_BYTES {
        return Err(StorageError::Invalid(format!(
            "a setting value may be at most {} KiB; the one for {name:?} is {} bytes",
            MAX_SETTING_VALUE_BYTES / 1024,
            value.len()
        )));
    }
    check_text("a setting value", value)
}

/// Checks a learner setting name (see [`check_setting`]).
///
/// # Errors
///
/// [`StorageError::Invalid`] when it breaks the rule.
pub fn check_setting_name(name: &str) -> Result<()> {
    let valid = (1..=MAX_SETTING_NAME_LEN).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        });
    if valid {
        Ok(())
    } else {
        Err(StorageError::Invalid(format!(
            "a setting name is 1 to {MAX_SETTING_NAME_LEN} of a-z, 0-9, '_', '-' and '.', not \
             {name:?}"
        )))
    }
}

impl StoredCard {
    /// Checks that the card belongs to `key` and that its numbers can be stored exactly
    /// (NaN and infinities cannot: SQLite turns NaN into NULL).
    fn check(&self, key: &QuestionKey, which: &str) -> Result<()> {
        if self.key != *key {
            return Err(StorageError::Invalid(format!(
                "the card {which} the review is for {}/{}, not the reviewed question {}/{}",
                self.key.guide, self.key.question, key.guide, key.question
            )));
        }
        check_finite(self.stability, &format!("the stability {which}"))?;
        check_finite(self.difficulty, &format!("the difficulty {which}"))
    }

    /// Checks that the card's numbers can be stored exactly (finite stability and
    /// difficulty), for a card written without a review (a restore).
    pub(crate) fn check_numbers(&self) -> Result<()> {
        check_finite(self.stability, "a card's stability")?;
        check_finite(self.difficulty, "a card's difficulty")
    }
}

impl ReviewRecord {
    /// Checks every rule a backend enforces before recording the review: a well-formed
    /// [`id`](Self::id), a key without NUL ([`check_key`]), a rating from 1 to 4, a time
    /// spent of 0 or more, finite numbers, and `before` and `after` cards of the reviewed
    /// question.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the first broken rule.
    pub fn check(&self) -> Result<()> {
        check_review_id(&self.id)?;
        check_key(&self.key)?;
        if !(1..=4).contains(&self.rating) {
            return Err(StorageError::Invalid(format!(
                "a rating is 1 (again) to 4 (easy), not {}",
                self.rating
            )));
        }
        if self.time_spent_ms < 0 {
            return Err(StorageError::Invalid(format!(
                "the time spent on a review cannot be negative ({} ms)",
                self.time_spent_ms
            )));
        }
        check_finite(Some(self.elapsed_days), "the elapsed days")?;
        check_finite(Some(self.scheduled_days), "the scheduled days")?;
        if let Some(before) = &self.before {
            before.check(&self.key, "before")?;
        }
        self.after.check(&self.key, "after")
    }
}

fn check_finite(value: Option<f64>, what: &str) -> Result<()> {
    match value {
        Some(v) if !v.is_finite() => Err(StorageError::Invalid(format!(
            "{what} must be a finite number, not {v}"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(key: &QuestionKey) -> StoredCard {
        StoredCard {
            key: key.clone(),
            phase: CardPhase::Review,
            step: 0,
            stability: Some(3.5),
            difficulty: Some(5.0),
            due: 10,
            last_review: Some(5),
            reps: 2,
            lapses: 0,
        }
    }

    fn review() -> ReviewRecord {
        let key = QuestionKey::new("python", "gil");
        ReviewRecord {
            id: "r-0000001".into(),
            key: key.clone(),
            rating: 3,
            reviewed_at: 5,
            elapsed_days: 1.0,
            scheduled_days: 1.0,
            time_spent_ms: 0,
            before: Some(card(&key)),
            after: card(&key),
        }
    }

    #[test]
    fn phases_round_trip_through_text() {
        for phase in CardPhase::ALL {
            assert_eq!(phase.as_str().parse::<CardPhase>(), Ok(phase));
            assert_eq!(phase.to_string(), phase.as_str());
        }
        assert_eq!(
            "Review".parse::<CardPhase>(),
            Err(UnknownPhase("Review".into()))
        );
        assert!("".parse::<CardPhase>().is_err());
    }

    #[test]
    fn review_ids_follow_the_rule() {
        for good in ["abcdefgh", "A-b_9-Z_", &"x".repeat(64)] {
            assert!(check_review_id(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "abcdefg",
            &"x".repeat(65),
            "abcd efgh",
            "abcdéfgh",
            "abcd/efg",
        ] {
            assert!(
                matches!(check_review_id(bad), Err(StorageError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn setting_names_and_values_follow_the_rule() {
        for good in ["a", "desired_retention", "fsrs.params-v6", &"n".repeat(64)] {
            assert!(check_setting(good, "v").is_ok(), "{good:?}");
        }
        for bad in ["", "Retention", "a b", "a/b", "é", &"n".repeat(65)] {
            assert!(check_setting(bad, "v").is_err(), "{bad:?}");
        }
        assert!(check_setting("n", &"é".repeat(MAX_SETTING_VALUE_BYTES / 2)).is_ok());
        assert!(check_setting("n", &"x".repeat(MAX_SETTING_VALUE_BYTES + 1)).is_err());
        assert!(check_setting("n", "a\0b").is_err());
    }

    #[test]
    fn reviews_are_checked() {
        assert!(review().check().is_ok());
        type Spoil = fn(&mut ReviewRecord);
        let bad: &[(&str, Spoil)] = &[
            ("rating 0", |r| r.rating = 0),
            ("rating 5", |r| r.rating = 5),
            ("short id", |r| r.id = "short".into()),
            ("negative time", |r| r.time_spent_ms = -1),
            ("NaN elapsed", |r| r.elapsed_days = f64::NAN),
            ("infinite scheduled", |r| r.scheduled_days = f64::INFINITY),
            ("NaN stability after", |r| {
                r.after.stability = Some(f64::NAN)
            }),
            ("infinite difficulty before", |r| {
                if let Some(b) = &mut r.before {
                    b.difficulty = Some(f64::NEG_INFINITY);
                }
            }),
            ("after of another question", |r| {
                r.after.key.question = "other".into()
            }),
            ("NUL in the key", |r| {
                r.key.question = "g\0il".into();
                r.after.key.question = "g\0il".into();
                r.before = None;
            }),
            ("before of another guide", |r| {
                if let Some(b) = &mut r.before {
                    b.key.guide = "other".into();
                }
            }),
        ];
        for (what, change) in bad {
            let mut r = review();
            change(&mut r);
            assert!(matches!(r.check(), Err(StorageError::Invalid(_))), "{what}");
        }
    }
}
