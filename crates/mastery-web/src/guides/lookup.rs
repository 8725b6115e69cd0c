//! Finding what a request names: a guide of the library, a question of a guide (not an
//! insight), and which of its questions the learner has mastered.

use std::collections::HashSet;
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::LearnerId;

use crate::error::WebError;
use crate::library::Library;
use crate::state::AppState;

/// The ids of the questions the learner has mastered in one guide: ticked by hand, or
/// remembered reliably in study (`mastery_app::marks::mastered`, the one definition).
/// Nobody (an anonymous visitor) has mastered nothing.
pub(crate) async fn mastered_in(
    state: &AppState,
    learner: Option<LearnerId>,
    guide: &str,
) -> Result<HashSet<String>, WebError> {
    Ok(ticked_and_mastered(state, learner, guide).await?.1)
}

/// (ticked by hand, mastered) for one guide: the check buttons show the first, progress
/// counts the second.
pub(crate) async fn ticked_and_mastered(
    state: &AppState,
    learner: Option<LearnerId>,
    guide: &str,
) -> Result<(HashSet<String>, HashSet<String>), WebError> {
    match learner {
        Some(learner) => Ok(mastery_app::marks::mastered(state.store(), learner, guide).await?),
        None => Ok(Default::default()),
    }
}

/// The learner's note on a question (nobody has none).
pub(crate) async fn note_of(
    state: &AppState,
    learner: Option<LearnerId>,
    guide: &str,
    question: &str,
) -> Result<Option<mastery_storage::Note>, WebError> {
    match learner {
        Some(learner) => Ok(mastery_app::notes::note(
            state.store(),
            learner,
            &state.library().guides,
            guide,
            question,
        )
        .await?),
        None => Ok(None),
    }
}

pub(crate) fn as_set(ids: &HashSet<String>) -> HashSet<&str> {
    ids.iter().map(String::as_str).collect()
}

/// The guide `id` of the current library (404 when there is none).
pub(crate) fn find_guide(library: &Library, id: &str) -> Result<Arc<Guide>, WebError> {
    Ok(Arc::clone(mastery_app::guides::find_guide(
        &library.guides,
        id,
    )?))
}
