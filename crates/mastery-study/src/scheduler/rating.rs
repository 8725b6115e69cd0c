//! The learner's answer to a card: Again, Hard, Good or Easy.
//!
//! Ratings arrive from the outside (a form, a key press, an import) as numbers or names; they
//! become a [`Rating`] at the edge, with a typed error for anything else, so the scheduler
//! never sees an invalid answer.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How well the learner recalled the answer, FSRS's four buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Rating {
    /// Forgot: the card goes back to a (re)learning step.
    Again = 1,
    /// Recalled with serious difficulty.
    Hard = 2,
    /// Recalled after some thought.
    Good = 3,
    /// Recalled effortlessly.
    Easy = 4,
}

/// A value that is not one of the four ratings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    /// A number other than 1 to 4.
    #[error("a rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), not {0}")]
    OutOfRange(u8),
    /// Text that is neither a number from 1 to 4 nor a rating's name.
    #[error("a rating is 1-4 or again, hard, good or easy, not {0:?}")]
    Unrecognised(String),
}

impl Rating {
    /// The four ratings, from Again to Easy.
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// The rating numbered `value` (1 = Again … 4 = Easy).
    pub fn from_u8(value: u8) -> Result<Self, RatingError> {
        match value {
            1 => Ok(Rating::Again),
            2 => Ok(Rating::Hard),
            3 => Ok(Rating::Good),
            4 => Ok(Rating::Easy),
            other => Err(RatingError::OutOfRange(other)),
        }
    }

    /// Its number, 1 (Again) to 4 (Easy), as FSRS and Anki number them.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// Its lower-case name, as shown on the buttons and accepted by [`FromStr`].
    pub const fn name(self) -> &'static str {
        match self {
            Rating::Again => "again",
            Rating::Hard => "hard",
            Rating::Good => "good",
            Rating::Easy => "easy",
        }
    }

    /// `true` for a successful recall (anything but Again).
    pub const fn is_pass(self) -> bool {
        !matches!(self, Rating::Again)
    }

    /// Position in [`Rating::ALL`] (0 for Again … 3 for Easy).
    pub(crate) const fn index(self) -> usize {
        self as usize - 1
    }
}

impl TryFrom<u8> for Rating {
    type Error = RatingError;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Rating::from_u8(value)
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> Self {
        rating.as_u8()
    }
}

impl FromStr for Rating {
    type Err = RatingError;

    /// Accepts `1`-`4` or a name (`again`, `hard`, `good`, `easy`, any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        if let Ok(n) = trimmed.parse::<u8>() {
            return Rating::from_u8(n);
        }
        Rating::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| RatingError::Unrecognised(s.to_string()))
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_map_to_ratings() {
        let cases: [(u8, Result<Rating, RatingError>); 7] = [
            (0, Err(RatingError::OutOfRange(0))),
            (1, Ok(Rating::Again)),
            (2, Ok(Rating::Hard)),
            (3, Ok(Rating::Good)),
            (4, Ok(Rating::Easy)),
            (5, Err(RatingError::OutOfRange(5))),
            (255, Err(RatingError::OutOfRange(255))),
        ];
        for (n, want) in cases {
            assert_eq!(Rating::from_u8(n), want, "from_u8({n})");
            if let Ok(r) = want {
                assert_eq!(r.as_u8(), n);
                assert_eq!(u8::from(r), n);
            }
        }
    }

    #[test]
    fn text_parses_to_ratings() {
        let cases = [
            ("1", Ok(Rating::Again)),
            (" 4 ", Ok(Rating::Easy)),
            ("Good", Ok(Rating::Good)),
            ("HARD", Ok(Rating::Hard)),
            ("9", Err(RatingError::OutOfRange(9))),
            ("great", Err(RatingError::Unrecognised("great".into()))),
            ("", Err(RatingError::Unrecognised(String::new()))),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<Rating>(), want, "{text:?}");
        }
    }

    #[test]
    fn serialises_as_its_number() {
        assert_eq!(serde_json::to_string(&Rating::Hard).unwrap(), "2");
        assert_eq!(serde_json::from_str::<Rating>("4").unwrap(), Rating::Easy);
        assert!(serde_json::from_str::<Rating>("0").is_err());
    }

    #[test]
    fn order_and_pass() {
        assert!(Rating::Again < Rating::Hard && Rating::Hard < Rating::Good);
        assert!(!Rating::Again.is_pass());
        assert!(Rating::ALL[1..].iter().all(|r| r.is_pass()));
        for (i, r) in Rating::ALL.into_iter().enumerate() {
            assert_eq!(r.index(), i);
        }
    }
}
