//! The community of multi-user mode: discussion threads on a guide's questions, their
//! posts with edit history, votes, flags, moderation (post states, locked threads,
//! suspended members, the moderation log). The limits per action that every instance
//! shares are [`crate::SecurityStorage::take_rate`].
//!
//! Threads are kept by the ids of their guide and question, not by a reference to a
//! loaded guide: a question that a guide drops keeps its threads, and they are shown again
//! if it comes back. Posts keep their Markdown as typed and the HTML `mastery-app` made of
//! it (sanitised there), so a page of 200 posts renders nothing. The moderation log
//! outlives what it names: it keeps the names of the moderator and the member as they
//! were.
//!
//! The rules on values (title and body lengths, which states follow which) live in
//! `mastery-app`; this crate keeps the database sound: no NUL, bounded lengths, one vote
//! per member and post, one open flag per member and post.

use std::fmt;

use crate::{LearnerId, Millis, Result, StorageError, check_text};

/// The longest post body storage accepts, in bytes (with the HTML made of it, at most
/// four times as much).
pub const MAX_POST_BYTES: usize = 64 * 1024;

/// How many earlier versions of a post are kept (the oldest go first).
pub const MAX_REVISIONS: i64 = 50;

/// The longest thread title, flag detail or moderation reason storage accepts, in bytes.
pub const MAX_COMMUNITY_TEXT_BYTES: usize = 2048;

/// Where a post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostState {
    /// Waiting for a moderator's approval (a new member's first posts): only its author
    /// and moderators see it.
    Pending,
    /// Shown to everyone.
    Visible,
    /// Hidden by a moderator, with a reason: its author and moderators see it.
    Hidden,
    /// Deleted by its author: its text is gone.
    Deleted,
    /// Refused by a moderator while pending: its author and moderators see it.
    Rejected,
}

impl PostState {
    /// Every state.
    pub const ALL: [PostState; 5] = [
        PostState::Pending,
        PostState::Visible,
        PostState::Hidden,
        PostState::Deleted,
        PostState::Rejected,
    ];

    /// Its stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Pending => "pending",
            PostState::Visible => "visible",
            PostState::Hidden => "hidden",
            PostState::Deleted => "deleted",
            PostState::Rejected => "rejected",
        }
    }

    /// The state of a stored name.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for any other name.
    pub fn parse(name: &str) -> Result<PostState> {
        PostState::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| StorageError::Invalid(format!("no post state is called {name:?}")))
    }
}

impl fmt::Display for PostState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A thread and its opening post's public figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// Its number.
    pub id: i64,
    /// The guide of the question it discusses.
    pub guide: String,
    /// The question it discusses.
    pub question: String,
    /// Its title.
    pub title: String,
    /// Its opening post.
    pub opening_post: i64,
    /// Who opened it (None once that account is deleted).
    pub author: Option<LearnerId>,
    /// The author's username, if the account still exists.
    pub author_name: Option<String>,
    /// The opening post's state: the thread's own.
    pub state: PostState,
    /// The opening post's score (votes up minus down).
    pub score: i64,
    /// Visible posts, the opening one included.
    pub visible_posts: i64,
    /// Posts in every state (the pages of the thread).
    pub all_posts: i64,
    /// Whether the opening post was ever shown to everyone.
    pub approved: bool,
    /// When it was opened.
    pub created_at: Millis,
    /// The last visible post.
    pub last_post_at: Millis,
    /// When a moderator locked it: no more replies or edits.
    pub locked_at: Option<Millis>,
}

/// A post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Its number.
    pub id: i64,
    /// Its thread.
    pub thread: i64,
    /// Who wrote it (None once that account is deleted).
    pub author: Option<LearnerId>,
    /// The author's username, if the account still exists.
    pub author_name: Option<String>,
    /// The Markdown as typed (empty once deleted).
    pub body: String,
    /// The sanitised HTML made of it.
    pub html: String,
    /// Where it stands.
    pub state: PostState,
    /// Why a moderator hid or rejected it.
    pub reason: Option<String>,
    /// Votes up minus votes down.
    pub score: i64,
    /// When it was written.
    pub created_at: Millis,
    /// Its last edit.
    pub edited_at: Option<Millis>,
    /// When it was first shown to everyone (posted visible, or approved).
    pub approved_at: Option<Millis>,
}

/// A new thread with its opening post.
#[derive(Debug, Clone, Copy)]
pub struct NewThread<'a> {
    /// See [`Thread::guide`].
    pub guide: &'a str,
    /// See [`Thread::question`].
    pub question: &'a str,
    /// See [`Thread::title`].
    pub title: &'a str,
    /// The opening post.
    pub post: NewPost<'a>,
}

/// A new post (its thread is ignored when it opens a thread).
#[derive(Debug, Clone, Copy)]
pub struct NewPost<'a> {
    /// See [`Post::thread`].
    pub thread: i64,
    /// Who writes it.
    pub author: LearnerId,
    /// See [`Post::body`].
    pub body: &'a str,
    /// See [`Post::html`].
    pub html: &'a str,
    /// [`PostState::Visible`] or [`PostState::Pending`].
    pub state: PostState,
    /// When.
    pub at: Millis,
}

impl NewPost<'_> {
    /// Checks what storage guards: lengths and NUL.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the broken rule.
    pub fn check(&self) -> Result<()> {
        check_body(self.body, self.html)
    }
}

/// Checks a post's body and HTML.
///
/// # Errors
///
/// [`StorageError::Invalid`] naming the broken rule.
pub fn check_body(body: &str, html: &str) -> Result<()> {
    if body.len() > MAX_POST_BYTES || html.len() > 4 * MAX_POST_BYTES {
        return Err(StorageError::Invalid(format!(
            "a post may be at most {} KiB",
            MAX_POST_BYTES / 1024
        )));
    }
    check_text("a post", body)?;
    check_text("a post's HTML", html)
}

/// Checks a short community text (title, reason, flag detail).
///
/// # Errors
///
/// [`StorageError::Invalid`] naming the broken rule.
pub fn check_community_text(what: &str, text: &str) -> Result<()> {
    if text.len() > MAX_COMMUNITY_TEXT_BYTES {
        return Err(StorageError::Invalid(format!(
            "{what} may be at most {MAX_COMMUNITY_TEXT_BYTES} bytes"
        )));
    }
    check_text(what, text)
}

/// An earlier version of a post, kept when it is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The post.
    pub post: i64,
    /// 1 for the first text, then 2, …
    pub number: i64,
    /// The Markdown of that version.
    pub body: String,
    /// When that version was written.
    pub written_at: Millis,
}

/// A member's report of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Its number.
    pub id: i64,
    /// The post.
    pub post: i64,
    /// Who flagged it (None once that account is deleted).
    pub flagger: Option<LearnerId>,
    /// The flagger's username, if the account still exists.
    pub flagger_name: Option<String>,
    /// The rule of the community the post breaks, as the rules named it.
    pub rule: String,
    /// What the flagger added (may be empty).
    pub detail: String,
    /// When.
    pub created_at: Millis,
    /// When a moderator acted on the post or dismissed the flags.
    pub resolved_at: Option<Millis>,
}

/// A line of the moderation log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationEntry {
    /// Its number (0 before it is stored).
    pub id: i64,
    /// When.
    pub at: Millis,
    /// Who acted (None once that account is deleted).
    pub moderator: Option<LearnerId>,
    /// Their username when they acted.
    pub moderator_name: String,
    /// What was done (`hide`, `restore`, `approve`, `reject`, `dismiss`, `lock`,
    /// `unlock`, `suspend`, `unsuspend`).
    pub action: String,
    /// The thread acted on or that the post belongs to.
    pub thread: Option<i64>,
    /// The post acted on.
    pub post: Option<i64>,
    /// The member acted on or whose post it was.
    pub member: Option<LearnerId>,
    /// Their username when the action was taken.
    pub member_name: Option<String>,
    /// Why (required).
    pub reason: String,
    /// Until when a suspension lasts.
    pub until: Option<Millis>,
}

/// What a moderator changes, stored with its [`ModerationEntry`] in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Moves a post from one state to another (hide, restore, approve, reject); resolves
    /// its open flags. Nothing happens (and nothing is logged) if the post is no longer in
    /// the state `from`.
    PostState {
        /// The post.
        post: i64,
        /// The state the moderator saw.
        from: PostState,
        /// Its new state.
        state: PostState,
    },
    /// Resolves a post's open flags without changing it.
    DismissFlags {
        /// The post.
        post: i64,
    },
    /// Locks (`true`) or unlocks a thread.
    Lock {
        /// The thread.
        thread: i64,
        /// Locked or not.
        locked: bool,
    },
    /// Suspends a member until a time, or lifts a suspension (`None`).
    Suspend {
        /// The member.
        member: LearnerId,
        /// Until when.
        until: Option<Millis>,
        /// The role of who sets it (a moderator cannot change an admin's suspension).
        by: crate::Role,
    },
}

/// A member's suspension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    /// The member.
    pub member: LearnerId,
    /// Until when: they may read, not write.
    pub until: Millis,
    /// Why.
    pub reason: String,
    /// The role of who set it.
    pub by: crate::Role,
}

/// How threads are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThreadOrder {
    /// The opening post's score, highest first (then newest).
    #[default]
    Votes,
    /// Newest first.
    Newest,
}

/// Which threads of a question to list, as whom.
#[derive(Debug, Clone, Copy)]
pub struct ThreadQuery<'a> {
    /// The guide.
    pub guide: &'a str,
    /// The question.
    pub question: &'a str,
    /// The order.
    pub order: ThreadOrder,
    /// Threads to skip.
    pub offset: i64,
    /// Threads to return at most.
    pub limit: i64,
    /// The reader: they see their own pending and rejected threads.
    pub viewer: Option<LearnerId>,
    /// Moderators see every thread.
    pub moderator: bool,
}

/// A search in the discussions: what the search box asked for, as words.
#[derive(Debug, Clone, Copy)]
pub struct DiscussionSearch<'a> {
    /// Words every match contains (lowercase runs of letters, digits and `_`; anything
    /// else in them is ignored).
    pub words: &'a [String],
    /// Whether the last word also matches as the start of a word (the reader is typing).
    pub last_is_prefix: bool,
    /// Phrases every match contains, word for word.
    pub phrases: &'a [Vec<String>],
    /// Threads to return at most.
    pub limit: i64,
}

impl DiscussionSearch<'_> {
    /// Whether there is anything to look for.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.terms().is_empty()
    }

    /// The terms, each a run of word parts that must follow each other, and whether the
    /// last part of the term is a prefix. Only letters and digits are kept: `_` and
    /// punctuation split parts, as both databases' tokenizers do.
    fn terms(&self) -> Vec<(Vec<String>, bool)> {
        let split = |w: &str| -> Vec<String> {
            w.split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .map(str::to_lowercase)
                .collect()
        };
        let last = self.words.len().saturating_sub(1);
        let mut terms: Vec<(Vec<String>, bool)> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| (split(w), self.last_is_prefix && i == last))
            .collect();
        terms.extend(self.phrases.iter().map(|p| {
            let parts = p.iter().flat_map(|w| split(w)).collect();
            (parts, false)
        }));
        terms.retain(|(parts, _)| !parts.is_empty());
        terms.truncate(24);
        terms
    }

    /// The query in SQLite FTS5's syntax: every term a quoted phrase (`"select related"`),
    /// a prefix marked `*`, all of them required.
    #[must_use]
    pub fn fts5(&self) -> String {
        self.terms()
            .iter()
            .map(|(parts, prefix)| {
                format!("\"{}\"{}", parts.join(" "), if *prefix { "*" } else { "" })
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The query as a PostgreSQL `tsquery` text: parts quoted (`'select' <-> 'related'`),
    /// a prefix marked `:*`, terms joined by `&`.
    #[must_use]
    pub fn tsquery(&self) -> String {
        self.terms()
            .iter()
            .map(|(parts, prefix)| {
                let last = parts.len() - 1;
                let quoted: Vec<String> = parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| format!("'{p}'{}", if *prefix && i == last { ":*" } else { "" }))
                    .collect();
                format!("({})", quoted.join(" <-> "))
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// A thread that mentions what was searched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscussionHit {
    /// The thread's number.
    pub thread: i64,
    /// The guide of the question it discusses.
    pub guide: String,
    /// The question it discusses.
    pub question: String,
    /// Its title.
    pub title: String,
    /// The Markdown of its best-matching visible post (the opening post when only the
    /// title matched).
    pub body: String,
    /// Its post whose text is [`DiscussionHit::body`].
    pub post: i64,
    /// How many of its visible posts (and its title) match.
    pub matches: i64,
}

/// Multi-user mode's community. Every method is one transaction.
#[async_trait::async_trait]
pub trait CommunityStorage: Send + Sync {
    /// Opens a thread with its first post; returns the thread's and the post's numbers.
    /// An author who is not a learner is [`StorageError::Invalid`].
    async fn create_thread(&self, new: &NewThread<'_>) -> Result<(i64, i64)>;

    /// Adds a post to a thread; its number. A thread that does not exist is
    /// [`StorageError::Invalid`].
    async fn add_post(&self, new: &NewPost<'_>) -> Result<i64>;

    /// A thread by number.
    async fn thread(&self, id: i64) -> Result<Option<Thread>>;

    /// A page of a question's threads as a reader sees them, and how many there are in
    /// all: threads whose opening post is visible or hidden, or deleted with replies
    /// still visible; the reader's own pending and rejected threads; every thread for a
    /// moderator.
    async fn threads(&self, query: &ThreadQuery<'_>) -> Result<(Vec<Thread>, i64)>;

    /// How many threads everyone sees, per question of a guide that has any.
    async fn thread_counts(&self, guide: &str) -> Result<Vec<(String, i64)>>;

    /// Every (guide, question) with threads, and how many (for moderators' list of
    /// threads whose question is gone).
    async fn discussed_questions(&self) -> Result<Vec<(String, String, i64)>>;

    /// A page of a thread's posts, oldest first (every state: the caller masks).
    async fn posts(&self, thread: i64, offset: i64, limit: i64) -> Result<Vec<Post>>;

    /// A post by number.
    async fn post(&self, id: i64) -> Result<Option<Post>>;

    /// Replaces a post's text, keeping the old one as a [`Revision`] (the latest
    /// [`MAX_REVISIONS`] are kept); whether it existed and was visible or pending.
    async fn edit_post(&self, id: i64, body: &str, html: &str, at: Millis) -> Result<bool>;

    /// Deletes a post's text and its revisions for its author (the post stays, as
    /// deleted, so replies keep their place) and closes its open flags; whether it existed
    /// and was not deleted.
    async fn delete_post(&self, id: i64, at: Millis) -> Result<bool>;

    /// A post's earlier versions, oldest first.
    async fn revisions(&self, post: i64) -> Result<Vec<Revision>>;

    /// Sets a member's vote on a post (+1, -1, or 0 to take it back); the post's new
    /// score. A post that does not exist is [`StorageError::Invalid`].
    async fn vote(&self, post: i64, voter: LearnerId, value: i64, at: Millis) -> Result<i64>;

    /// A member's votes on the posts of a thread: (post, value).
    async fn votes_in_thread(&self, voter: LearnerId, thread: i64) -> Result<Vec<(i64, i64)>>;

    /// Flags a post; false when this member already has an open flag on it.
    async fn flag(
        &self,
        post: i64,
        flagger: LearnerId,
        rule: &str,
        detail: &str,
        at: Millis,
    ) -> Result<bool>;

    /// Every open flag, oldest first.
    async fn open_flags(&self) -> Result<Vec<Flag>>;

    /// Every pending post, oldest first.
    async fn pending_posts(&self) -> Result<Vec<Post>>;

    /// Applies a moderator's change and logs it; the entry's number, or None when what
    /// it names does not exist (nothing is logged then).
    async fn moderate(&self, entry: &ModerationEntry, change: Moderation) -> Result<Option<i64>>;

    /// A page of the moderation log, newest first.
    async fn moderation_log(&self, offset: i64, limit: i64) -> Result<Vec<ModerationEntry>>;

    /// A member's suspension, if one was set (it may have ended: compare `until`).
    async fn suspension(&self, member: LearnerId) -> Result<Option<Suspension>>;

    /// How many of a member's posts were ever shown to everyone.
    async fn approved_posts(&self, member: LearnerId) -> Result<i64>;

    /// The threads everyone may read (opening post visible) whose title or one of whose
    /// visible posts contains every term, best match first. Nothing hidden, pending,
    /// rejected or deleted is searched.
    async fn search_discussions(&self, query: &DiscussionSearch<'_>) -> Result<Vec<DiscussionHit>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in PostState::ALL {
            assert_eq!(PostState::parse(state.as_str()).ok(), Some(state));
        }
        assert!(PostState::parse("gone").is_err());
    }

    #[test]
    fn discussion_searches_become_each_database_s_query() {
        let words = vec![
            "Select_Related".to_string(),
            "n+1".to_string(),
            "quer".to_string(),
        ];
        let phrases = vec![vec!["free".to_string(), "threading".to_string()]];
        let q = DiscussionSearch {
            words: &words,
            last_is_prefix: true,
            phrases: &phrases,
            limit: 10,
        };
        assert_eq!(
            q.fts5(),
            "\"select related\" AND \"n 1\" AND \"quer\"* AND \"free threading\""
        );
        assert_eq!(
            q.tsquery(),
            "('select' <-> 'related') & ('n' <-> '1') & ('quer':*) & ('free' <-> 'threading')"
        );
        // Quotes and operators never reach either syntax.
        let words = vec!["a'b\"c".to_string(), "***".to_string()];
        let q = DiscussionSearch {
            words: &words,
            last_is_prefix: false,
            phrases: &[],
            limit: 10,
        };
        assert_eq!(q.fts5(), "\"a b c\"");
        assert_eq!(q.tsquery(), "('a' <-> 'b' <-> 'c')");
        assert!(
            DiscussionSearch {
                words: &["--".to_string()],
                last_is_prefix: true,
                phrases: &[],
                limit: 1
            }
            .is_empty()
        );
    }

    #[test]
    fn bodies_and_texts_are_bounded() {
        assert!(check_body("x", "<p>x</p>").is_ok());
        assert!(check_body(&"x".repeat(MAX_POST_BYTES + 1), "").is_err());
        assert!(check_body("a\0b", "").is_err());
        assert!(check_community_text("a title", &"t".repeat(3000)).is_err());
    }
}
