//! Mock interviews as stored: a few summary columns for listing and history charts, and the
//! whole session as a JSON document owned by `mastery-study` (storage never parses it).
//!
//! Writes are optimistic: every save carries the revision it was based on, so two tabs or
//! two instances answering the same interview cannot silently overwrite each other.

use crate::{Millis, Result, StorageError, check_text};

/// The longest interview id accepted, in bytes.
pub const MAX_INTERVIEW_ID_LEN: usize = 64;
/// The largest interview document accepted, in bytes.
pub const MAX_INTERVIEW_STATE_BYTES: usize = 512 * 1024;

/// One mock interview of a learner.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredInterview {
    /// Chosen by the server when the interview starts (1 to 64 of `A-Z a-z 0-9 - _`).
    pub id: String,
    /// The guide it draws its questions from.
    pub guide: String,
    /// 1 for the first save, then one more per save (see [`crate::Storage::save_interview`]).
    pub revision: i64,
    /// When it started.
    pub started_at: Millis,
    /// When it finished; `None` while it is going on.
    pub finished_at: Option<Millis>,
    /// The overall score from 0 to 1, once finished.
    pub score: Option<f64>,
    /// The session as JSON (at most [`MAX_INTERVIEW_STATE_BYTES`]).
    pub state: String,
}

impl StoredInterview {
    /// Checks the rules every backend enforces before writing.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the broken rule.
    pub fn check(&self) -> Result<()> {
        check_interview_id(&self.id)?;
        if self.guide.is_empty() || self.guide.len() > 200 {
            return Err(StorageError::Invalid(
                "an interview needs a guide id of 1 to 200 bytes".into(),
            ));
        }
        if self.revision < 1 {
            return Err(StorageError::Invalid(
                "an interview revision starts at 1".into(),
            ));
        }
        if self.state.len() > MAX_INTERVIEW_STATE_BYTES {
            return Err(StorageError::Invalid(format!(
                "an interview is limited to {MAX_INTERVIEW_STATE_BYTES} bytes"
            )));
        }
        check_text("an interview's guide id", &self.guide)?;
        check_text("an interview", &self.state)?;
        if let Some(score) = self.score
            && !(0.0..=1.0).contains(&score)
        {
            return Err(StorageError::Invalid(
                "an interview score is between 0 and 1".into(),
            ));
        }
        if let Some(finished) = self.finished_at
            && finished < self.started_at
        {
            return Err(StorageError::Invalid(
                "an interview cannot finish before it started".into(),
            ));
        }
        Ok(())
    }
}

/// Checks an interview id: 1 to [`MAX_INTERVIEW_ID_LEN`] of `A-Z a-z 0-9 - _`.
///
/// # Errors
///
/// [`StorageError::Invalid`] when it is not.
pub fn check_interview_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= MAX_INTERVIEW_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StorageError::Invalid(format!(
            "an interview id is 1 to {MAX_INTERVIEW_ID_LEN} of A-Z, a-z, 0-9, '-' and '_'"
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn interview() -> StoredInterview {
        StoredInterview {
            id: "abc-1".into(),
            guide: "python-django".into(),
            revision: 1,
            started_at: 10,
            finished_at: None,
            score: None,
            state: "{}".into(),
        }
    }

    #[test]
    fn rules() {
        assert!(interview().check().is_ok());
        let mut bad = interview();
        bad.id = "a b".into();
        assert!(bad.check().is_err());
        let mut bad = interview();
        bad.revision = 0;
        assert!(bad.check().is_err());
        let mut bad = interview();
        bad.score = Some(1.5);
        assert!(bad.check().is_err());
        let mut bad = interview();
        bad.finished_at = Some(5);
        assert!(bad.check().is_err());
        let mut bad = interview();
        bad.state = "x".repeat(MAX_INTERVIEW_STATE_BYTES + 1);
        assert!(bad.check().is_err());
        let mut bad = interview();
        bad.state = "{\"a\":\"\0\"}".into();
        assert!(bad.check().is_err());
    }
}
