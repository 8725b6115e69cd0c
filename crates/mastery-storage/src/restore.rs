//! Restoring one learner's backup: the rows a merge decided to write
//! ([`Storage::restore_learner`](crate::Storage::restore_learner)).
//!
//! Which rows win is the application's business (`mastery_app::learner_data`); storage
//! only promises that the whole restore is one transaction, and that every row it replaces
//! is still the one the merge read ([`Replace::expected`]): when anything changed in
//! between (a review in another tab), nothing is written and the caller merges again.

use crate::{
    Mark, Note, Result, ReviewRecord, StoredCard, StoredInterview, check_key, check_note,
    check_setting,
};

/// A row to write, with the row the merge read in its place (`None`: there was none).
#[derive(Debug, Clone, PartialEq)]
pub struct Replace<T> {
    /// What the store must still hold, or `None` for "nothing".
    pub expected: Option<T>,
    /// What to write.
    pub value: T,
}

/// One named learner setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Its name (see [`check_setting`]).
    pub name: String,
    /// Its value.
    pub value: String,
}

/// What a restore writes for one learner.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LearnerRestore {
    /// Marks to add; a question already ticked keeps its first time.
    pub marks: Vec<Mark>,
    /// Notes to write (a blank body deletes, as [`Storage::save_note`](crate::Storage::save_note)).
    pub notes: Vec<Replace<Note>>,
    /// Cards to write.
    pub cards: Vec<Replace<StoredCard>>,
    /// Reviews to append to the log, in order; one whose id the learner already has is
    /// left out (the first one stands, as for [`Storage::record_review`](crate::Storage::record_review)).
    pub reviews: Vec<ReviewRecord>,
    /// Settings to write.
    pub settings: Vec<Replace<Setting>>,
    /// Interviews to write, revision included (no revision check beyond `expected`).
    pub interviews: Vec<Replace<StoredInterview>>,
}

impl LearnerRestore {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
            && self.notes.is_empty()
            && self.cards.is_empty()
            && self.reviews.is_empty()
            && self.settings.is_empty()
            && self.interviews.is_empty()
    }

    /// Checks every row against the rules of the data model before anything is written.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`](crate::StorageError::Invalid) naming the first broken rule.
    pub fn check(&self) -> Result<()> {
        for mark in &self.marks {
            check_key(&mark.key)?;
        }
        for note in &self.notes {
            check_note(&note.value.key, &note.value.body)?;
        }
        for card in &self.cards {
            check_key(&card.value.key)?;
            card.value.check_numbers()?;
        }
        for review in &self.reviews {
            review.check()?;
        }
        for setting in &self.settings {
            check_setting(&setting.value.name, &setting.value.value)?;
        }
        for interview in &self.interviews {
            interview.value.check()?;
        }
        Ok(())
    }
}
