//! A learner's private notes on questions (and insights): Markdown text of at most
//! [`MAX_NOTE_BYTES`], kept per question.

use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{LearnerId, MAX_NOTE_BYTES, Millis, Note, QuestionKey, Storage};

use crate::AppError;
use crate::guides::{find_entry, find_guide};

/// The note of `learner` on entry `question` of guide `guide`, if any.
pub async fn note(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    guide: &str,
    question: &str,
) -> Result<Option<Note>, AppError> {
    let key = entry_key(guides, guide, question)?;
    Ok(store.note(learner, &key).await?)
}

/// Saves the note (an empty body deletes it). A body over [`MAX_NOTE_BYTES`] is
/// `TooLarge`, and nothing is saved.
pub async fn save_note(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    guide: &str,
    question: &str,
    body: &str,
    now: Millis,
) -> Result<(), AppError> {
    let key = entry_key(guides, guide, question)?;
    if body.len() > MAX_NOTE_BYTES {
        return Err(AppError::TooLarge {
            limit_kib: MAX_NOTE_BYTES / 1024,
        });
    }
    store.save_note(learner, &key, body, now).await?;
    Ok(())
}

fn entry_key(guides: &[Arc<Guide>], guide: &str, question: &str) -> Result<QuestionKey, AppError> {
    let g = find_guide(guides, guide)?;
    find_entry(g, question)?;
    Ok(QuestionKey::new(guide, question))
}
