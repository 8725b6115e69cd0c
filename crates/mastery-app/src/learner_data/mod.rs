//! One learner's data as a versioned JSON document (`docs/your-data.md`, schema
//! `mastery.learner-data`): what "Download my data" of multi-user mode, the settings page's
//! download and `mastery learner export` write, and what the settings page's upload and
//! `mastery learner import` read back ([`restore`]).
//!
//! Version 1 holds: the account (username, e-mail, role, dates; never the password hash),
//! sessions (device and dates; never their ids), marks, notes, cards, the review log,
//! settings and mock interviews (with their full recorded state). Times are milliseconds
//! since the Unix epoch, UTC.
//!
//! - [`document`]: the schema as serde types, used both ways;
//! - [`restore`]: reading a document back, merging it into the learner's data.

pub mod document;
pub mod restore;

use mastery_storage::{LearnerId, Millis, Storage};
use serde_json::Value;

pub use document::{SCHEMA, VERSION};

use crate::AppError;
use document::{
    AccountDoc, CardDoc, Export, InterviewDoc, MarkDoc, NoteDoc, ReviewDoc, SessionDoc,
};

/// Everything about `learner`, read at `now`, as the JSON document.
///
/// # Errors
///
/// Storage errors.
pub async fn export(
    store: &dyn Storage,
    learner: LearnerId,
    now: Millis,
) -> Result<Value, AppError> {
    let account = store.account(learner).await?.map(|a| AccountDoc {
        username: a.username,
        email: a.email,
        role: a.role.as_str().to_owned(),
        created_at: a.created_at,
        password_changed_at: a.password_changed_at,
        disabled_at: a.disabled_at,
    });
    let sessions = store
        .sessions(learner)
        .await?
        .into_iter()
        .map(|s| SessionDoc {
            device: s.device,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
        })
        .collect();
    let document = Export {
        schema: SCHEMA,
        version: VERSION,
        exported_at: now,
        account,
        sessions,
        marks: store
            .marks(learner)
            .await?
            .iter()
            .map(MarkDoc::from)
            .collect(),
        notes: store
            .notes(learner)
            .await?
            .iter()
            .map(NoteDoc::from)
            .collect(),
        cards: store
            .cards(learner)
            .await?
            .iter()
            .map(CardDoc::from)
            .collect(),
        reviews: store
            .reviews(learner, None)
            .await?
            .iter()
            .map(ReviewDoc::from)
            .collect(),
        settings: store.learner_settings(learner).await?,
        interviews: store
            .interviews(learner, u32::MAX)
            .await?
            .iter()
            .map(InterviewDoc::from)
            .collect(),
    };
    serde_json::to_value(document)
        .map_err(|e| AppError::Invalid(format!("cannot write the learner document: {e}")))
}
