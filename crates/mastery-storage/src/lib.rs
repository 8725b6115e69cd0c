//! Mastery's storage interface.
//!
//! Learner state lives behind one trait, [`Storage`], with one crate per backend
//! (`mastery-storage-sqlite` for one machine, `mastery-storage-postgres` for several
//! instances). The web layer and the binary
//! hold an `Arc<dyn Storage>` and never see SQL. Everything a learner owns is keyed by
//! (learner, guide id, question id), never by position or title, so editing a guide never
//! loses anyone's progress.
//!
//! What is stored per learner: marks and notes ([`Mark`], [`Note`]); spaced-repetition
//! state, as one [`StoredCard`] per reviewed question and an append-only log of
//! [`ReviewRecord`]s (module [`study`], plain rows: the scheduler in `mastery-study` and
//! this crate do not know each other, the web layer converts); and small named settings
//! (desired retention, daily limits, personal FSRS parameters).
//!
//! Times are milliseconds since the Unix epoch ([`Millis`]), passed in by the caller: the
//! storage never reads the clock, which keeps tests deterministic.
//!
//! Text is stored exactly as given, with one rule every backend enforces the same way: no
//! stored text contains the NUL character (U+0000), which PostgreSQL cannot hold in a text
//! column ([`check_text`]). A write carrying one is refused with [`StorageError::Invalid`]; a
//! read naming one finds nothing.
//!
//! Features: `sqlx` adds [`sql`], the code the sqlx-based backends share (embedded
//! migrations, row decoding); `testkit` adds [`testkit`], the contract test suite every
//! backend runs.

use std::fmt;

pub use interviews::{
    MAX_INTERVIEW_ID_LEN, MAX_INTERVIEW_STATE_BYTES, StoredInterview, check_interview_id,
};

pub mod accounts;
pub mod community;
pub mod dump;
pub mod interviews;
pub mod restore;
pub mod security;
pub mod single_sign_on;
#[cfg(feature = "sqlx")]
pub mod sql;
pub mod study;
pub mod suggestions;
pub mod teams;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use accounts::{
    ACCOUNT_KIND, Account, AccountStorage, Admission, FoundSession, Invite, MAX_ACCOUNT_TEXT_BYTES,
    NewAccount, Role, StoredSession, Taken, check_account_text,
};
pub use community::{
    CommunityStorage, DiscussionHit, DiscussionSearch, Flag, MAX_COMMUNITY_TEXT_BYTES,
    MAX_POST_BYTES, Moderation, ModerationEntry, NewPost, NewThread, Post, PostState, Revision,
    Suspension, Thread, ThreadOrder, ThreadQuery, check_body, check_community_text,
};
pub use dump::{
    Dump, DumpCommunity, DumpLearner, DumpReview, DumpSecret, DumpSetting, DumpSiteSetting,
    DumpThread, DumpVote, Owned,
};

pub use restore::{LearnerRestore, Replace, Setting};
pub use security::{
    ApiToken, EmailLink, LinkPurpose, RateLimit, SecurityEvent, SecurityStorage, StoredTotp,
    TokenScope, check_rate_key,
};
pub use single_sign_on::{SingleSignOnStorage, SsoIdentity, SsoPending};
pub use suggestions::{
    MAX_NOTIFICATIONS_KEPT, MAX_SUGGESTION_NOTE_BYTES, MAX_SUGGESTION_TEXT_BYTES, NewNotification,
    NewSuggestion, Notification, Suggestion, SuggestionDecision, SuggestionFilter,
    SuggestionRevision, SuggestionState, SuggestionStorage, check_site_path,
};
pub use teams::{
    Assignment, AssignmentTaken, MAX_TEAM_SCOPE, MissedKeyPoint, RecallCard, Team, TeamInvite,
    TeamMember, TeamProgress, TeamRole, TeamStorage,
};

pub use study::{
    CardPhase, DAY_MS, MAX_DAY_SHIFT_MS, MAX_REVIEW_ID_LEN, MAX_SETTING_NAME_LEN,
    MAX_SETTING_VALUE_BYTES, MIN_REVIEW_ID_LEN, Recorded, ReviewDay, ReviewRecord, StoredCard,
    check_review_id, check_setting, check_setting_name,
};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// The current time as [`Millis`]: the one clock the web server and the terminal commands
/// read (the domain and application layers never do: they are passed the time). A clock
/// before 1970 reads as 0.
pub fn now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(Millis::MAX))
}

/// A learner. Personal mode has exactly one, created on first start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LearnerId(pub i64);

impl fmt::Display for LearnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Which question a piece of learner state belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuestionKey {
    /// The guide's id (`python-django`).
    pub guide: String,
    /// The question's id within the guide (`gil`).
    pub question: String,
}

impl QuestionKey {
    /// A key from its two parts.
    pub fn new(guide: impl Into<String>, question: impl Into<String>) -> Self {
        Self {
            guide: guide.into(),
            question: question.into(),
        }
    }
}

/// A question the learner ticked as mastered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The question.
    pub key: QuestionKey,
    /// When it was ticked.
    pub at: Millis,
}

/// A private note on a question, in Markdown as the learner typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The question.
    pub key: QuestionKey,
    /// The Markdown source (rendered and sanitised by the web layer).
    pub body: String,
    /// Last change.
    pub updated_at: Millis,
}

/// The longest note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

/// A database URL with its password replaced by `***`, for messages, logs and pages
/// (`postgres://me:***@db/mastery`, `postgres://me@db/mastery?password=***`); URLs without
/// a password are returned as they are.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut shown = match (base.find("://"), base.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &base[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &base[..scheme + 3], &base[at..]),
                None => base.to_owned(),
            }
        }
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        // `?password=...` (and the like) is another way to pass a secret.
        let parameters: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _))
                    if ["password", "pass", "passwd", "sslpassword"]
                        .contains(&key.to_ascii_lowercase().as_str()) =>
                {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&parameters.join("&"));
    }
    shown
}

/// The longest learner kind accepted, in bytes (see [`check_learner_kind`]).
pub const MAX_LEARNER_KIND_BYTES: usize = 32;

/// Checks that `text` has no NUL character (U+0000): PostgreSQL cannot store one in a text
/// column, so every backend refuses it and they all behave the same.
///
/// # Errors
///
/// [`StorageError::Invalid`] naming `what` when it has one.
pub fn check_text(what: &str, text: &str) -> Result<()> {
    if text.contains('\0') {
        Err(StorageError::Invalid(format!(
            "{what} cannot contain the NUL character (U+0000)"
        )))
    } else {
        Ok(())
    }
}

/// Checks a question key before it is written (see [`check_text`]).
///
/// # Errors
///
/// [`StorageError::Invalid`] when the guide or question id has a NUL character.
pub fn check_key(key: &QuestionKey) -> Result<()> {
    check_text("a guide id", &key.guide)?;
    check_text("a question id", &key.question)
}

/// Checks a note before it is saved: its key, at most [`MAX_NOTE_BYTES`], no NUL.
///
/// # Errors
///
/// [`StorageError::Invalid`] naming the broken rule.
pub fn check_note(key: &QuestionKey, body: &str) -> Result<()> {
    if body.len() > MAX_NOTE_BYTES {
        return Err(StorageError::Invalid(format!(
            "a note may be at most {} KiB; this one is {} bytes",
            MAX_NOTE_BYTES / 1024,
            body.len()
        )));
    }
    check_key(key)?;
    check_text("a note", body)
}

/// Checks a learner kind: 1 to [`MAX_LEARNER_KIND_BYTES`] of `a-z`, `0-9`, `-` and `_`
/// (`personal`, or the kinds of multi-user mode).
///
/// # Errors
///
/// [`StorageError::Invalid`] when it is not.
pub fn check_learner_kind(kind: &str) -> Result<()> {
    let valid = !kind.is_empty()
        && kind.len() <= MAX_LEARNER_KIND_BYTES
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(StorageError::Invalid(format!(
            "a learner kind is 1 to {MAX_LEARNER_KIND_BYTES} of a-z, 0-9, '-' and '_', not \
             {kind:?}"
        )))
    }
}

/// What can go wrong in storage. Messages are safe to show an operator; the web layer
/// maps them to HTTP statuses and never shows them to a client.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or opened (missing folder, permissions, server down).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database was written by a newer Mastery, whose migrations this one does not know.
    #[error(
        "the database was written by a newer version of Mastery (schema version {found}, this version knows up to {known}); upgrade Mastery, or pass --database to use another file"
    )]
    NewerSchema {
        /// The highest migration applied to the database.
        found: i64,
        /// The highest migration this build knows.
        known: i64,
    },
    /// The file exists but is not a usable database; it is left untouched.
    #[error("{0}")]
    Corrupt(String),
    /// A value breaks a rule of the data model (a note that is too long).
    #[error("{0}")]
    Invalid(String),
    /// The write was based on a state that has changed since it was read (another tab or
    /// device reviewed the same card): nothing was written. The client should reload.
    #[error("the card changed since it was shown; reload")]
    Conflict,
    /// A unique value (a username, an e-mail address) belongs to another account: nothing
    /// was written.
    #[error("{}", match .0 {
        Taken::Username => "this username is taken",
        Taken::Email => "this e-mail address belongs to another account",
    })]
    Taken(Taken),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
}

/// The result type of storage calls.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A snapshot of a backend's connection pool(s), summed when it has several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Connections open now (idle plus in use).
    pub size: u32,
    /// Open connections waiting for work.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

impl PoolStats {
    /// Connections doing work now.
    pub fn in_use(&self) -> u32 {
        self.size.saturating_sub(self.idle)
    }
}

/// Everything Mastery stores about learners. Implemented once per database backend; every
/// method is one transaction, and a method that returned `Ok` has made its write durable
/// (SQLite: WAL with `synchronous=FULL`; PostgreSQL: the commit flushed to its WAL). The
/// contract is checked by the suite in `testkit` (feature `testkit`), which every backend
/// runs.
///
/// Multi-user mode's accounts, sessions and invitations are the supertrait
/// [`AccountStorage`]; its community (threads, posts, moderation) is
/// [`CommunityStorage`]; its limits, second factors, access tokens and security events are
/// [`SecurityStorage`]; its single sign-on identities are [`SingleSignOnStorage`]; its
/// suggested improvements and notifications are [`SuggestionStorage`]; its teams are
/// [`TeamStorage`].
#[async_trait::async_trait]
pub trait Storage:
    AccountStorage
    + CommunityStorage
    + SecurityStorage
    + SingleSignOnStorage
    + SuggestionStorage
    + TeamStorage
    + Send
    + Sync
    + fmt::Debug
    + 'static
{
    /// A short name of the backend for logs and `/readyz` (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;

    /// The learner of personal mode, created on first use (always the same id after).
    async fn personal_learner(&self) -> Result<LearnerId>;

    /// Every question the learner marked as mastered, in all guides.
    async fn marks(&self, learner: LearnerId) -> Result<Vec<Mark>>;

    /// Ticks (`mastered = true`) or unticks a question. Idempotent: ticking twice keeps the
    /// first time. Returns whether anything changed.
    async fn set_mark(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
        mastered: bool,
        at: Millis,
    ) -> Result<bool>;

    /// The learner's note on a question, if any.
    async fn note(&self, learner: LearnerId, key: &QuestionKey) -> Result<Option<Note>>;

    /// Every note of the learner, in all guides.
    async fn notes(&self, learner: LearnerId) -> Result<Vec<Note>>;

    /// Saves a note; an empty or whitespace-only body deletes it. Bodies longer than
    /// [`MAX_NOTE_BYTES`] are refused with [`StorageError::Invalid`].
    async fn save_note(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
        body: &str,
        at: Millis,
    ) -> Result<()>;

    /// Deletes everything the learner has on one question: its mark, its note, its card
    /// and its reviews (used to clear state left by questions that no longer exist in a
    /// guide, when the learner asks to). Settings are kept.
    async fn forget(&self, learner: LearnerId, key: &QuestionKey) -> Result<()>;

    /// Every card of the learner, in all guides, ordered by guide then question.
    async fn cards(&self, learner: LearnerId) -> Result<Vec<StoredCard>>;

    /// The learner's card for one question; `None` when it was never reviewed (new).
    async fn card(&self, learner: LearnerId, key: &QuestionKey) -> Result<Option<StoredCard>>;

    /// Records a review and sets the card to `review.after`, in one transaction.
    ///
    /// Idempotent by review id: when the learner already has a review with `review.id`,
    /// nothing changes and the stored review is returned as [`Recorded::Duplicate`], even
    /// if the one sent differs, so a retried request is never counted twice.
    ///
    /// # Errors
    ///
    /// - [`StorageError::Invalid`] when the review breaks a rule of
    ///   [`ReviewRecord::check`] (or the learner does not exist); nothing is written;
    /// - [`StorageError::Conflict`] when `review.before` is not exactly the card stored now
    ///   (`None` means "no card stored"): the card was reviewed elsewhere since it was
    ///   shown, and recording would lose that review. Nothing is written.
    async fn record_review(&self, learner: LearnerId, review: &ReviewRecord) -> Result<Recorded>;

    /// Undoes the learner's most recent review (latest `reviewed_at`, the last recorded
    /// among equal times): deletes it from the log and puts its card back to `before`
    /// (deleting the card when `before` is `None`). Returns the removed review, or `None`
    /// when the learner has no review. Can be called again to undo the one before.
    ///
    /// # Errors
    ///
    /// [`StorageError::Conflict`] when the card is no longer in the state that review left
    /// it in (it was changed by something other than a review since): nothing is written.
    async fn undo_last_review(&self, learner: LearnerId) -> Result<Option<ReviewRecord>>;

    /// The learner's reviews in chronological order (`reviewed_at`, then recording order),
    /// all of them or those with `reviewed_at >= since`: for statistics, exports and
    /// fitting personal scheduler parameters.
    async fn reviews(&self, learner: LearnerId, since: Option<Millis>)
    -> Result<Vec<ReviewRecord>>;

    /// The same reviews summed per day, oldest day first, for statistics: day `d` holds the
    /// reviews with ⌊(reviewed_at + shift_ms) / [`DAY_MS`]⌋ = `d` (the learner's days when
    /// `shift_ms` is their day start's shift from UTC midnight), computed without overflow
    /// for any instant.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for a shift beyond [`MAX_DAY_SHIFT_MS`] either way.
    async fn review_days(
        &self,
        learner: LearnerId,
        shift_ms: i64,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewDay>>;

    /// One of the learner's settings (a small string or JSON value), if set.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] when the name breaks the rule of [`check_setting`].
    async fn learner_setting(&self, learner: LearnerId, name: &str) -> Result<Option<String>>;

    /// The learners whose setting `name` is `value` (the members who made their profile
    /// public, or joined the leaderboard), by number.
    async fn learners_with_setting(&self, name: &str, value: &str) -> Result<Vec<LearnerId>>;

    /// Every setting of the learner, by name, in one read (what a review needs: the study
    /// settings, the UTC offset and the interview date, without three round trips).
    async fn learner_settings(
        &self,
        learner: LearnerId,
    ) -> Result<std::collections::BTreeMap<String, String>>;

    /// Sets one of the learner's settings, replacing its value.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] when the name or value breaks the rule of
    /// [`check_setting`] (a name of 1 to 64 of `a-z`, `0-9`, `_`, `-`, `.`; a value of at
    /// most 16 KiB), or the learner does not exist.
    async fn set_learner_setting(&self, learner: LearnerId, name: &str, value: &str) -> Result<()>;

    /// Saves a mock interview. `interview.revision` is the revision this save creates:
    /// 1 inserts a new interview, n > 1 replaces the stored revision n - 1.
    ///
    /// # Errors
    ///
    /// - [`StorageError::Invalid`] when [`StoredInterview::check`] fails or the learner does
    ///   not exist; nothing is written;
    /// - [`StorageError::Conflict`] when the stored interview is not at revision
    ///   `interview.revision - 1` (or already exists, for revision 1): it was changed
    ///   elsewhere since it was read. Nothing is written.
    async fn save_interview(&self, learner: LearnerId, interview: &StoredInterview) -> Result<()>;

    /// One of the learner's interviews.
    async fn interview(&self, learner: LearnerId, id: &str) -> Result<Option<StoredInterview>>;

    /// The learner's interviews, newest first (by `started_at`, then id), at most `limit`.
    async fn interviews(&self, learner: LearnerId, limit: u32) -> Result<Vec<StoredInterview>>;

    /// A named secret shared by every instance (for example the key that signs CSRF
    /// tokens): returned if it exists, otherwise `fresh` is stored and returned. Safe when
    /// several instances call it at once: all get the same value.
    async fn secret(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>>;

    /// Checks that the database answers and its migrations are current (for `/readyz`).
    async fn ping(&self) -> Result<()>;

    /// How full the connection pool is, for the `mastery_db_pool_*` metrics; `None` (the
    /// default) when the backend has no pool. Cheap and non-blocking: called on every scrape.
    fn pool_stats(&self) -> Option<PoolStats> {
        None
    }

    /// A number that grows after every write transaction *this store object* commits
    /// (and its clones), read without touching the database; `None` (the default) when
    /// the backend cannot offer one that means anything.
    ///
    /// Callers use it to keep data derived from learner state (a rendered page) until the
    /// next write: read the generation, then read the state, and keep the result under
    /// the generation read first. The number moves only *after* a commit is visible, so
    /// a result kept that way is never older than its generation says. Writes made by
    /// other processes on the same database (`mastery study` beside `mastery serve`) do
    /// not move it: callers that keep results must also expire them after a short time.
    /// PostgreSQL returns `None`: several instances writing one database is its normal
    /// case, so no instance's own count tells whether the data changed.
    fn local_write_generation(&self) -> Option<u64> {
        None
    }

    /// The learner's data revision: a number that moves whenever the learner's marks or
    /// cards change, in the same transaction, whoever writes (triggers keep it, migration
    /// 0012); `None` for an unknown learner. Exact across processes and instances:
    /// callers keep what they derived from the learner's marks and cards (a finished page)
    /// under the revision read *before* reading them. A signed-in request gets it with its
    /// session ([`FoundSession::data_revision`]) at no extra cost.
    async fn data_revision(&self, learner: LearnerId) -> Result<Option<i64>>;

    /// Writes what restoring a backup of the learner's data decided ([`LearnerRestore`]),
    /// in one transaction: marks are added (a question already ticked keeps its time),
    /// notes, cards, settings and interviews are written in place of the row each
    /// [`Replace::expected`] names, and reviews are appended to the log unless the learner
    /// already has a review with the same id (which then stays as it is). Calling it again
    /// with the same reviews adds none.
    ///
    /// # Errors
    ///
    /// - [`StorageError::Invalid`] when a row breaks a rule ([`LearnerRestore::check`]) or
    ///   the learner does not exist; nothing is written;
    /// - [`StorageError::Conflict`] when a row to replace is not the expected one any more
    ///   (it changed since the caller read it): nothing is written.
    async fn restore_learner(&self, learner: LearnerId, restore: &LearnerRestore) -> Result<()>;

    /// Everything the database holds (learners, marks, notes, cards, the review log with
    /// its recording order, settings, interviews, secrets, and multi-user mode's accounts,
    /// sessions, invitations and site settings), read in one consistent snapshot and in the
    /// canonical order of [`Dump`]. For `mastery db copy` and its verification: the whole
    /// database is held in memory.
    async fn export_all(&self) -> Result<Dump>;

    /// Writes `dump` into an empty database in one transaction, keeping every id (learner
    /// ids, review sequence numbers, invitation numbers), so that
    /// [`export_all`](Self::export_all) afterwards returns a dump equal to `dump`. Later
    /// learners, reviews and invitations are numbered after the imported ones.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] when the database already holds a learner, a secret, an
    /// invitation or a site setting (accounts and sessions belong to learners), or
    /// when a row of the dump breaks a rule of the data model ([`Dump::check`]); nothing is
    /// written.
    async fn import_all(&self, dump: &Dump) -> Result<()>;
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_wherever_the_url_puts_them() {
        assert_eq!(
            redact_url("postgres://me:secret@db:5432/mastery"),
            "postgres://me:***@db:5432/mastery"
        );
        assert_eq!(
            redact_url("postgres://me@db/mastery?sslmode=disable&password=secret"),
            "postgres://me@db/mastery?sslmode=disable&password=***"
        );
        assert_eq!(
            redact_url("postgresql://me:a@b@db/m?PassWord=x"),
            "postgresql://me:***@db/m?PassWord=***"
        );
        assert_eq!(redact_url("sqlite:///tmp/m.db"), "sqlite:///tmp/m.db");
    }
}
