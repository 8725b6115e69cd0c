//! Finding what a request names: a guide of the library, a question of a guide (not an
//! insight), and which of its questions the learner has mastered.

use std::collections::HashSet;
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::QuestionKey;

use crate::error::WebError;
use crate::library::Library;
use crate::state::AppState;

/// The ids of the questions the learner has mastered in one guide: ticked by hand, or
/// remembered reliably in study (`mastery_app::date_plan::mastered`, the one definition).
pub(crate) async fn mastered_in(
    state: &AppState,
    guide: &str,
) -> Result<HashSet<String>, WebError> {
    Ok(
        mastery_app::date_plan::mastered(state.store(), state.learner(), guide)
            .await?
            .1,
    )
}

/// (ticked by hand, mastered) for one guide: the check buttons show the first, progress
/// counts the second.
pub(crate) async fn ticked_and_mastered(
    state: &AppState,
    guide: &str,
) -> Result<(HashSet<String>, HashSet<String>), WebError> {
    Ok(mastery_app::date_plan::mastered(state.store(), state.learner(), guide).await?)
}

pub(crate) fn as_set(ids: &HashSet<String>) -> HashSet<&str> {
    ids.iter().map(String::as_str).collect()
}

pub(crate) fn find_guide(library: &Library, id: &str) -> Result<Arc<Guide>, WebError> {
    library
        .guide(id)
        .cloned()
        .ok_or_else(|| WebError::NotFound(format!("there is no guide `{id}`")))
}

pub(crate) fn not_found_question(guide: &Guide, id: &str) -> WebError {
    WebError::NotFound(format!(
        "the guide “{}” has no question `{id}`",
        guide.title
    ))
}

/// The checked (guide, question) of a request: the question must exist and be a question.
pub(crate) fn question_key(
    library: &Library,
    guide: &str,
    question: &str,
) -> Result<QuestionKey, WebError> {
    let g = find_guide(library, guide)?;
    match g.entry(question) {
        Some(e) if e.level().is_some() => Ok(QuestionKey::new(guide, question)),
        Some(_) => Err(WebError::BadRequest(format!(
            "`{question}` is an insight, not a question: it cannot be marked"
        ))),
        None => Err(not_found_question(&g, question)),
    }
}

pub(crate) fn entry_key(
    state: &AppState,
    guide: &str,
    question: &str,
) -> Result<QuestionKey, WebError> {
    let library = state.library();
    let g = find_guide(&library, guide)?;
    g.entry(question)
        .map(|_| QuestionKey::new(guide, question))
        .ok_or_else(|| {
            WebError::NotFound(format!("the guide `{guide}` has no question `{question}`"))
        })
}
