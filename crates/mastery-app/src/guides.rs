//! Finding what a learner's request names in the loaded guides, with the messages every
//! front end shows: an unknown guide, an unknown question, an insight where a question is
//! needed.

use std::sync::Arc;

use mastery_content::{Entry, Guide};

use crate::AppError;

/// The guide `id`, or a "no such guide" error.
pub fn find_guide<'g>(guides: &'g [Arc<Guide>], id: &str) -> Result<&'g Arc<Guide>, AppError> {
    guides
        .iter()
        .find(|g| g.id.as_str() == id)
        .ok_or_else(|| AppError::NotFound(format!("there is no guide `{id}`")))
}

/// The entry `id` of `guide` (a question or an insight), or a "no such question" error.
pub fn find_entry<'g>(guide: &'g Guide, id: &str) -> Result<&'g Entry, AppError> {
    guide.entry(id).ok_or_else(|| {
        AppError::NotFound(format!(
            "the guide “{}” has no question `{id}`",
            guide.title
        ))
    })
}

/// The question `id` of `guide`: an insight is refused ([`AppError::Conflict`]), since it
/// cannot be marked or studied.
pub fn find_question<'g>(guide: &'g Guide, id: &str) -> Result<&'g Entry, AppError> {
    let entry = find_entry(guide, id)?;
    if entry.level().is_none() {
        return Err(AppError::Conflict(format!(
            "`{id}` is an insight, not a question: it cannot be marked"
        )));
    }
    Ok(entry)
}
