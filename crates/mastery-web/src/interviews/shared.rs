//! What the interview pages and the interviews API share: interview ids and seeds, the
//! mapping of application errors to answers (a stale page is a 409 that says to reload),
//! the question a step is about, what "next" does, question labels and answers as typed.

use mastery_app::AppError;
use mastery_content::{Guide, question_path};
use mastery_storage::StorageError;
use mastery_study::interview::Interview;
use mastery_study::interview::session::MAX_DEPTH;

use crate::error::WebError;
use crate::session::random_hex;

/// What a learner is told when another tab saved the interview first.
const CONFLICT: &str = "this interview changed in another tab or window since this page was \
                        shown; reload it and try again";

/// An application error as the web shows it (a revision conflict gets an interview-specific
/// message).
pub(crate) fn app_error(error: AppError) -> WebError {
    match error {
        AppError::Storage(StorageError::Conflict) => WebError::Conflict(CONFLICT.into()),
        other => other.into(),
    }
}

/// Refuses ids that cannot be an interview's before asking storage.
pub(crate) fn check_id(id: &str) -> Result<(), WebError> {
    mastery_storage::check_interview_id(id)
        .map_err(|_| WebError::NotFound("there is no interview with this id".into()))
}

/// A new interview's id and seed, both random.
pub(crate) fn new_id_and_seed() -> Result<(String, u64), WebError> {
    let id = random_hex(16)?;
    let mut seed = [0u8; 8];
    getrandom::fill(&mut seed)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok((id, u64::from_le_bytes(seed)))
}

/// The page of question `id`, when it is in the guide.
pub(crate) fn question_url(guide: &Guide, id: &str) -> Option<String> {
    guide
        .question(id)
        .map(|(_, e)| question_path(&guide.id, &e.id))
}

/// What "next" does once the current question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextStep {
    /// The answer covered the basics and the question has a follow-up not yet asked.
    FollowUp,
    /// The next planned main question.
    Next,
    /// Nothing is left: next finishes the interview.
    Finish,
}

impl NextStep {
    /// The machine name used by the API and the page's script.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NextStep::FollowUp => "follow_up",
            NextStep::Next => "next",
            NextStep::Finish => "finish",
        }
    }

    /// The label of the "next" button.
    pub(crate) fn label(self) -> &'static str {
        match self {
            NextStep::FollowUp => "Follow-up question",
            NextStep::Next => "Next question",
            NextStep::Finish => "Finish and see the report",
        }
    }
}

/// What [`Interview::next`] would do now, once the current question is answered (the same
/// rules as the state machine: the ladder first, then the planned questions).
pub(crate) fn next_step(interview: &Interview, guide: &Guide) -> Option<NextStep> {
    let current = interview.current()?;
    if !current.is_answered() {
        return None;
    }
    let asked = |id: &str| interview.items.iter().any(|i| i.question == id);
    let open = |id: &str| !asked(id) && guide.question(id).is_some();
    if current.covers_basics()
        && current.depth < MAX_DEPTH
        && guide
            .entry(&current.question)
            .is_some_and(|e| e.follow_ups.iter().any(|f| open(f.as_str())))
    {
        return Some(NextStep::FollowUp);
    }
    if interview.lineup.questions.iter().any(|q| open(q)) {
        Some(NextStep::Next)
    } else {
        Some(NextStep::Finish)
    }
}

/// Line endings as `\n` (browsers send `\r\n` from a textarea).
pub(crate) fn normalise_answer(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn a_revision_conflict_is_a_409_that_says_to_reload() {
        let error = app_error(AppError::Storage(StorageError::Conflict));
        assert_eq!(error.status(), axum::http::StatusCode::CONFLICT);
        assert!(error.to_string().contains("another tab"), "{error}");
        let missing = app_error(AppError::NotFound("there is no interview `x`".into()));
        assert_eq!(missing.status(), axum::http::StatusCode::NOT_FOUND);
        assert_eq!(
            check_id("a b").map_err(|e| e.status()),
            Err(axum::http::StatusCode::NOT_FOUND)
        );
        assert!(check_id("0123abcd").is_ok());
    }
}
