//! Suggested improvements to the guides' questions and the notifications members read in
//! the app (the tables of migration 0011), behind [`SuggestionStorage`].
//!
//! A suggestion keeps the question's Markdown it was written against (`base_text`) beside
//! the proposed text: the change is their difference, and a suggestion whose question has
//! moved on since is stale (`mastery-app` compares `base_text` with the guide). Votes keep
//! a running score, so a vote outlives its voter's account. Every change of state applies
//! only from the state the caller saw, and a decision's notification is written in the
//! same transaction.

use std::fmt;

use crate::{LearnerId, Millis, Result, StorageError, check_text};

/// The longest suggestion text (base or proposed) storage accepts, in bytes.
pub const MAX_SUGGESTION_TEXT_BYTES: usize = 64 * 1024;

/// How many notifications a member keeps: the oldest go as new ones come.
pub const MAX_NOTIFICATIONS_KEPT: i64 = 500;

/// The longest summary, comment or notification text storage accepts, in bytes.
pub const MAX_SUGGESTION_NOTE_BYTES: usize = 2048;

/// Where a suggestion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuggestionState {
    /// Waiting for a moderator; members vote on it; its author may change or withdraw it.
    Open,
    /// Accepted by a moderator: exported into a patch by `mastery suggestions export`.
    Accepted,
    /// Refused by a moderator, with a comment.
    Rejected,
    /// Taken back by its author.
    Withdrawn,
}

impl SuggestionState {
    /// Every state.
    pub const ALL: [SuggestionState; 4] = [
        SuggestionState::Open,
        SuggestionState::Accepted,
        SuggestionState::Rejected,
        SuggestionState::Withdrawn,
    ];

    /// Its stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionState::Open => "open",
            SuggestionState::Accepted => "accepted",
            SuggestionState::Rejected => "rejected",
            SuggestionState::Withdrawn => "withdrawn",
        }
    }

    /// The state of a stored name.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for any other name.
    pub fn parse(name: &str) -> Result<SuggestionState> {
        SuggestionState::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| StorageError::Invalid(format!("no suggestion state is called {name:?}")))
    }
}

impl fmt::Display for SuggestionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A suggestion as stored, with its author's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Its number.
    pub id: i64,
    /// The guide's id.
    pub guide: String,
    /// The question's id.
    pub question: String,
    /// Its author; `None` once the account is deleted.
    pub author: Option<LearnerId>,
    /// The author's username; `None` once the account is deleted.
    pub author_name: Option<String>,
    /// What it changes and why.
    pub summary: String,
    /// The question's Markdown it was written against.
    pub base_text: String,
    /// The Markdown it proposes instead.
    pub proposed_text: String,
    /// Where it stands.
    pub state: SuggestionState,
    /// Votes up minus votes down.
    pub score: i64,
    /// Who last changed its text when it was not its author (a moderator's rebase).
    pub reviser: Option<LearnerId>,
    /// The moderator who decided, by name as it was.
    pub moderator_name: Option<String>,
    /// The moderator's comment on the decision.
    pub decision_comment: Option<String>,
    /// When it was decided.
    pub decided_at: Option<Millis>,
    /// When it was written into a patch.
    pub exported_at: Option<Millis>,
    /// When it was written.
    pub created_at: Millis,
    /// When its text last changed (written, changed by its author, rebased).
    pub updated_at: Millis,
}

/// A new suggestion.
#[derive(Debug, Clone, Copy)]
pub struct NewSuggestion<'a> {
    /// The guide's id.
    pub guide: &'a str,
    /// The question's id.
    pub question: &'a str,
    /// Its author.
    pub author: LearnerId,
    /// What it changes and why.
    pub summary: &'a str,
    /// The question's Markdown now.
    pub base_text: &'a str,
    /// The Markdown proposed.
    pub proposed_text: &'a str,
    /// When.
    pub at: Millis,
}

/// Which suggestions to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct SuggestionFilter {
    /// Only this guide's.
    pub guide: Option<String>,
    /// Only this question's (with `guide`).
    pub question: Option<String>,
    /// Only in these states (all when empty).
    pub states: Vec<SuggestionState>,
    /// Only this author's.
    pub author: Option<LearnerId>,
    /// Only those accepted and not yet exported.
    pub unexported: bool,
    /// At most this many.
    pub limit: i64,
    /// After skipping this many.
    pub offset: i64,
}

/// A change of a suggestion's state by a moderator or its author.
#[derive(Debug, Clone)]
pub struct SuggestionDecision<'a> {
    /// The suggestion.
    pub id: i64,
    /// The state the decider saw: nothing changes when it is no longer so.
    pub from: SuggestionState,
    /// Its `updated_at` as the decider saw it (a moderator decides on the text they read):
    /// nothing changes when its text changed since. `None`: whatever the text (its author
    /// withdrawing it).
    pub seen: Option<Millis>,
    /// Its new state.
    pub to: SuggestionState,
    /// The deciding moderator (`None` when the author withdraws).
    pub moderator: Option<(LearnerId, &'a str)>,
    /// The comment, if any.
    pub comment: Option<&'a str>,
    /// When.
    pub at: Millis,
    /// What to tell whom, in the same transaction.
    pub notice: Option<NewNotification<'a>>,
}

/// New text for a suggestion: its author's change while open, or a moderator's rebase onto
/// the question's newer text. A new text is a new proposal: the suggestion is open again,
/// its decision and its votes are cleared.
#[derive(Debug, Clone, Copy)]
pub struct SuggestionRevision<'a> {
    /// The suggestion.
    pub id: i64,
    /// Who changes it: its author, or a moderator (then recorded as its reviser).
    pub by: LearnerId,
    /// Its `updated_at` as the reviser saw it: nothing changes when another revision came
    /// first.
    pub seen: Millis,
    /// The states in which it may be revised.
    pub states: &'a [SuggestionState],
    /// The question's Markdown it is now written against.
    pub base_text: &'a str,
    /// The Markdown proposed.
    pub proposed_text: &'a str,
    /// What it changes and why.
    pub summary: &'a str,
    /// When.
    pub at: Millis,
}

/// A notification as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its number (increasing).
    pub id: i64,
    /// Who is told.
    pub learner: LearnerId,
    /// What kind (`reply`, `suggestion`, `flag`, `moderation`).
    pub kind: String,
    /// What happened, in one sentence.
    pub text: String,
    /// The page that shows it (a path of the site).
    pub link: String,
    /// When.
    pub created_at: Millis,
    /// When it was seen.
    pub read_at: Option<Millis>,
}

/// A new notification.
#[derive(Debug, Clone, Copy)]
pub struct NewNotification<'a> {
    /// Who is told.
    pub learner: LearnerId,
    /// What kind.
    pub kind: &'a str,
    /// What happened.
    pub text: &'a str,
    /// A path of the site.
    pub link: &'a str,
    /// When.
    pub at: Millis,
}

impl NewNotification<'_> {
    /// Checks its texts: no NUL, bounded, the link a path of the site.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_note("a notification kind", self.kind)?;
        check_note("a notification", self.text)?;
        check_note("a notification link", self.link)?;
        check_site_path(self.link)
    }
}

/// Checks that `link` is a path of this site: it starts with one `/`, and has no `\`, no
/// control character and no scheme before its first `/` (browsers read `/\host` as
/// `//host`).
///
/// # Errors
///
/// [`StorageError::Invalid`] naming the link.
pub fn check_site_path(link: &str) -> Result<()> {
    let ok = link.starts_with('/')
        && !link.starts_with("//")
        && !link.contains('\\')
        && !link.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(StorageError::Invalid(format!(
            "a notification links to a path of the site, not {link:?}"
        )))
    }
}

impl NewSuggestion<'_> {
    /// Checks its texts: no NUL, bounded.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_note("a guide id", self.guide)?;
        check_note("a question id", self.question)?;
        check_note("a suggestion's summary", self.summary)?;
        check_long("the text a suggestion is written against", self.base_text)?;
        check_long("a suggestion's text", self.proposed_text)
    }
}

impl SuggestionRevision<'_> {
    /// Checks its texts as [`NewSuggestion::check`].
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_note("a suggestion's summary", self.summary)?;
        check_long("the text a suggestion is written against", self.base_text)?;
        check_long("a suggestion's text", self.proposed_text)
    }
}

impl SuggestionDecision<'_> {
    /// Checks its texts and its notification.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        if let Some(comment) = self.comment {
            check_note("a decision's comment", comment)?;
        }
        if let Some((_, name)) = self.moderator {
            check_note("a moderator's name", name)?;
        }
        if let Some(notice) = &self.notice {
            notice.check()?;
        }
        Ok(())
    }
}

fn check_note(what: &str, text: &str) -> Result<()> {
    if text.len() > MAX_SUGGESTION_NOTE_BYTES {
        return Err(StorageError::Invalid(format!(
            "{what} may be at most {MAX_SUGGESTION_NOTE_BYTES} bytes"
        )));
    }
    check_text(what, text)
}

fn check_long(what: &str, text: &str) -> Result<()> {
    if text.len() > MAX_SUGGESTION_TEXT_BYTES {
        return Err(StorageError::Invalid(format!(
            "{what} may be at most {MAX_SUGGESTION_TEXT_BYTES} bytes"
        )));
    }
    check_text(what, text)
}

/// Suggestions, their votes, and notifications. Implemented by each backend; the contract
/// is checked by `testkit::suggestions`.
#[async_trait::async_trait]
pub trait SuggestionStorage: Send + Sync {
    /// Writes a new open suggestion; returns its number.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for a text [`NewSuggestion::check`] refuses or an unknown
    /// author.
    async fn create_suggestion(&self, new: &NewSuggestion<'_>) -> Result<i64>;

    /// One suggestion.
    async fn suggestion(&self, id: i64) -> Result<Option<Suggestion>>;

    /// Suggestions by `filter`, newest first (oldest first with `unexported`, the order a
    /// patch applies them in).
    async fn suggestions(&self, filter: &SuggestionFilter) -> Result<Vec<Suggestion>>;

    /// How many suggestions `filter` finds (its limit and offset aside).
    async fn count_suggestions(&self, filter: &SuggestionFilter) -> Result<i64>;

    /// Sets (`+1`, `-1`) or removes (`0`) a member's vote; returns the new score. A vote
    /// counts once whatever happens to the voter's account later.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] when there is no such suggestion or account.
    async fn vote_suggestion(
        &self,
        id: i64,
        voter: LearnerId,
        value: i64,
        at: Millis,
    ) -> Result<i64>;

    /// A member's vote on a suggestion (0 when none).
    async fn suggestion_vote(&self, id: i64, voter: LearnerId) -> Result<i64>;

    /// Changes a suggestion's state when it is still `decision.from`, and writes the
    /// notification with it. Returns whether it changed.
    async fn decide_suggestion(&self, decision: &SuggestionDecision<'_>) -> Result<bool>;

    /// Replaces a suggestion's texts when its state is one of `revision.states`, it is not
    /// exported, and its `updated_at` is still `revision.seen`: it is open again, without
    /// decision or votes, and a reviser other than its author is recorded. Returns whether
    /// it changed.
    async fn revise_suggestion(&self, revision: &SuggestionRevision<'_>) -> Result<bool>;

    /// Marks accepted suggestions as exported at `at`, each only while its `updated_at` is
    /// the one given (the text that went into the patch); returns how many were marked.
    async fn mark_suggestions_exported(&self, ids: &[(i64, Millis)], at: Millis) -> Result<u64>;

    /// Removes a member's contributions, for an account deletion that asks it: every post
    /// of theirs is deleted (its text and history go, and the title of a thread it opens;
    /// replies keep their place) and every suggestion of theirs is deleted but those
    /// accepted and not exported yet (they belong to the guide's next patch). Returns
    /// (posts, suggestions) removed.
    async fn erase_contributions(&self, learner: LearnerId, at: Millis) -> Result<(u64, u64)>;

    /// Writes a notification; the member's oldest beyond [`MAX_NOTIFICATIONS_KEPT`] go.
    async fn notify(&self, notice: &NewNotification<'_>) -> Result<()>;

    /// A member's notifications, newest first, those numbered below `before` when given.
    async fn notifications(
        &self,
        learner: LearnerId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>>;

    /// How many of a member's notifications are unread.
    async fn unread_notifications(&self, learner: LearnerId) -> Result<i64>;

    /// Marks a member's notifications up to number `up_to` as read at `at`; returns how many
    /// were unread.
    async fn read_notifications(&self, learner: LearnerId, up_to: i64, at: Millis) -> Result<u64>;
}

/// Implements [`SuggestionStorage`] for a sqlx backend over the shared statements
/// (`sql::Queries`): `$store` is the backend's type, `$sql` its `Queries<DB>`, `$write` the
/// method that opens its write transaction, `$read` the field of its read pool, `$lock` its
/// row lock (` FOR UPDATE` or nothing). One copy of the delegation serves every backend.
#[cfg(feature = "sqlx")]
#[macro_export]
macro_rules! impl_suggestion_storage {
    ($store:ty, $sql:ty, $write:ident, $read:ident, $lock:expr) => {
        #[async_trait::async_trait]
        impl $crate::SuggestionStorage for $store {
            async fn create_suggestion(
                &self,
                new: &$crate::NewSuggestion<'_>,
            ) -> $crate::Result<i64> {
                new.check()?;
                let mut tx = self.$write().await?;
                let id = <$sql>::create_suggestion(&mut *tx, new)
                    .await
                    .map_err(|e| {
                        if $crate::sql::is_foreign_key_violation(&e) {
                            $crate::StorageError::Invalid(format!(
                                "there is no account {}",
                                new.author
                            ))
                        } else {
                            self.error(e)
                        }
                    })?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(id)
            }

            async fn suggestion(&self, id: i64) -> $crate::Result<Option<$crate::Suggestion>> {
                <$sql>::suggestion(&self.$read, self.decoder(), id).await
            }

            async fn suggestions(
                &self,
                filter: &$crate::SuggestionFilter,
            ) -> $crate::Result<Vec<$crate::Suggestion>> {
                <$sql>::suggestions(&self.$read, self.decoder(), filter).await
            }

            async fn count_suggestions(
                &self,
                filter: &$crate::SuggestionFilter,
            ) -> $crate::Result<i64> {
                <$sql>::count_suggestions(&self.$read, self.decoder(), filter).await
            }

            async fn vote_suggestion(
                &self,
                id: i64,
                voter: $crate::LearnerId,
                value: i64,
                at: $crate::Millis,
            ) -> $crate::Result<i64> {
                let mut tx = self.$write().await?;
                let score =
                    <$sql>::vote_suggestion(&mut tx, self.decoder(), id, voter, value, at, $lock)
                        .await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(score)
            }

            async fn suggestion_vote(
                &self,
                id: i64,
                voter: $crate::LearnerId,
            ) -> $crate::Result<i64> {
                <$sql>::suggestion_vote(&self.$read, self.decoder(), id, voter).await
            }

            async fn decide_suggestion(
                &self,
                decision: &$crate::SuggestionDecision<'_>,
            ) -> $crate::Result<bool> {
                decision.check()?;
                let mut tx = self.$write().await?;
                let changed = <$sql>::decide_suggestion(&mut tx, self.decoder(), decision).await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(changed)
            }

            async fn revise_suggestion(
                &self,
                revision: &$crate::SuggestionRevision<'_>,
            ) -> $crate::Result<bool> {
                revision.check()?;
                let mut tx = self.$write().await?;
                let changed = <$sql>::revise_suggestion(&mut tx, self.decoder(), revision).await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(changed)
            }

            async fn mark_suggestions_exported(
                &self,
                ids: &[(i64, $crate::Millis)],
                at: $crate::Millis,
            ) -> $crate::Result<u64> {
                let mut tx = self.$write().await?;
                let marked =
                    <$sql>::mark_suggestions_exported(&mut tx, self.decoder(), ids, at).await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(marked)
            }

            async fn erase_contributions(
                &self,
                learner: $crate::LearnerId,
                at: $crate::Millis,
            ) -> $crate::Result<(u64, u64)> {
                let mut tx = self.$write().await?;
                let erased =
                    <$sql>::erase_contributions(&mut tx, self.decoder(), learner, at).await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(erased)
            }

            async fn notify(&self, notice: &$crate::NewNotification<'_>) -> $crate::Result<()> {
                notice.check()?;
                let mut tx = self.$write().await?;
                <$sql>::notify(&mut *tx, self.decoder(), notice).await?;
                tx.commit().await.map_err(|e| self.error(e))
            }

            async fn notifications(
                &self,
                learner: $crate::LearnerId,
                before: Option<i64>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::Notification>> {
                <$sql>::notifications(&self.$read, self.decoder(), learner, before, limit).await
            }

            async fn unread_notifications(
                &self,
                learner: $crate::LearnerId,
            ) -> $crate::Result<i64> {
                <$sql>::unread_notifications(&self.$read, self.decoder(), learner).await
            }

            async fn read_notifications(
                &self,
                learner: $crate::LearnerId,
                up_to: i64,
                at: $crate::Millis,
            ) -> $crate::Result<u64> {
                let mut tx = self.$write().await?;
                let read = <$sql>::read_notifications(&mut *tx, self.decoder(), learner, up_to, at)
                    .await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(read)
            }
        }
    };
}
