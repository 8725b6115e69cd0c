//! Errors of application operations: storage errors, schedule errors and bad requests,
//! each with a message safe to show the learner.

use mastery_storage::StorageError;
use mastery_study::scheduler::{ScheduleError, SettingsError};

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The guide or question does not exist (or is not a question).
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be carried out as asked.
    #[error("{0}")]
    Invalid(String),
    /// The request is well formed but conflicts with the current state of what it names
    /// (an interview already finished, a question already answered, an insight where a
    /// question is needed).
    #[error("{0}")]
    Conflict(String),
    /// One field of a form is wrong: the message is shown next to it.
    #[error("{message}")]
    Field {
        /// The field's name in the form (`username`, `password`).
        field: &'static str,
        /// What is wrong, in words for the person filling the form.
        message: String,
    },
    /// The credentials are wrong (or name no account): the same answer either way.
    #[error("{0}")]
    SignIn(String),
    /// The person is signed in but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many sign-ins are being checked at once: try again in a few seconds.
    #[error("the server is busy checking other sign-ins; try again in a few seconds")]
    Busy,
    /// A limit per action was reached (posts, votes, flags): wait before trying again.
    #[error("{message}")]
    TooMany {
        /// What was limited and when to try again, in words.
        message: String,
        /// Seconds until one more is allowed.
        retry_after_secs: u64,
    },
    /// The text is longer than the limit, in KiB.
    #[error("the text is too large (the limit is {limit_kib} KiB)")]
    TooLarge {
        /// The limit in KiB.
        limit_kib: usize,
    },
    /// The learner's settings are invalid.
    #[error("invalid study settings: {0}")]
    Settings(#[from] SettingsError),
    /// The scheduler refused the card's stored state.
    #[error("cannot schedule this card: {0}")]
    Schedule(#[from] ScheduleError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}
