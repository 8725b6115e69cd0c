//! A whole database as plain values: what [`Storage::export_all`](crate::Storage::export_all)
//! reads and [`Storage::import_all`](crate::Storage::import_all) writes, so that
//! `mastery db copy` can move everything between any two backends through the trait, and
//! verify the copy by comparing two dumps.
//!
//! A dump keeps every id: learner ids (everything else refers to them), the review log's
//! sequence numbers (which order reviews recorded at the same time, for undo) and the
//! numbers of invitations (which admins revoke them by). It carries multi-user mode's
//! accounts, sessions, invitations and site settings too, with their password hashes and
//! digests as stored (never a secret in the clear), so a copy signs everyone in as before.
//! Its vectors
//! are in the canonical order [`Dump::canonical`] gives them, so two dumps of equal
//! databases are equal, whatever backend produced them.

use std::collections::HashSet;

use crate::{
    Account, Flag, Invite, LearnerId, Mark, Millis, ModerationEntry, Note, Post, ReviewRecord,
    Revision, StorageError, StoredCard, StoredInterview, StoredSession, Suspension,
    check_learner_kind, check_note, check_setting, check_text,
};

/// One learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpLearner {
    /// Its id, kept by the copy.
    pub id: LearnerId,
    /// `personal`, or a kind of multi-user mode.
    pub kind: String,
    /// When it was created.
    pub created_at: Millis,
}

/// A value owned by a learner (a mark, a note, a card, an interview).
#[derive(Debug, Clone, PartialEq)]
pub struct Owned<T> {
    /// The owner.
    pub learner: LearnerId,
    /// The value.
    pub value: T,
}

/// One row of the review log.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpReview {
    /// The position in the log: orders reviews recorded at the same `reviewed_at`.
    pub seq: i64,
    /// Whose review it is.
    pub learner: LearnerId,
    /// The review.
    pub review: ReviewRecord,
}

/// One learner setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSetting {
    /// Whose setting it is.
    pub learner: LearnerId,
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// One named secret shared by every instance.
#[derive(Clone, PartialEq, Eq)]
pub struct DumpSecret {
    /// Its name.
    pub name: String,
    /// Its bytes.
    pub value: Vec<u8>,
}

impl std::fmt::Debug for DumpSecret {
    /// Never prints the secret itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DumpSecret")
            .field("name", &self.name)
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .finish()
    }
}

/// One site-wide setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSiteSetting {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A thread as stored (its figures are the posts').
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpThread {
    /// Its number, kept by the copy.
    pub id: i64,
    /// The guide of its question.
    pub guide: String,
    /// Its question.
    pub question: String,
    /// Its title.
    pub title: String,
    /// Its opening post.
    pub opening_post: i64,
    /// When it was opened.
    pub created_at: Millis,
    /// Its last visible post.
    pub last_post_at: Millis,
    /// When a moderator locked it.
    pub locked_at: Option<Millis>,
}

/// A member's vote on a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpVote {
    /// The post.
    pub post: i64,
    /// The member.
    pub learner: LearnerId,
    /// +1 or -1.
    pub value: i64,
    /// When.
    pub voted_at: Millis,
}

/// The community of multi-user mode, every row by number (votes by post and member,
/// suspensions by member). The limits per action are not carried: they refill by
/// themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DumpCommunity {
    /// By number.
    pub threads: Vec<DumpThread>,
    /// By number (the authors' names are read, never written).
    pub posts: Vec<Post>,
    /// By post, number.
    pub revisions: Vec<Revision>,
    /// By post, member.
    pub votes: Vec<DumpVote>,
    /// By number (the flaggers' names are read, never written).
    pub flags: Vec<Flag>,
    /// By number.
    pub moderation_log: Vec<ModerationEntry>,
    /// By member.
    pub suspensions: Vec<Suspension>,
}

/// The kind of a column of the account-security tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// `INTEGER NOT NULL` / `BIGINT NOT NULL`.
    Int,
    /// A nullable integer.
    NullInt,
    /// `TEXT NOT NULL`.
    Text,
}

/// The tables of accounts' security, teams, suggestions and notifications a dump copies row
/// for row (migrations 0007 to 0011; pending single sign-ons are not: they last minutes), parents before children:
/// name, then columns (the learner's column is named `learner_id`; a table whose first
/// column is `id` keeps its numbers, as the identity sequences on PostgreSQL must then
/// move past them). Rate limits are not copied: they refill.
pub const ACCOUNT_SECURITY_TABLES: &[(&str, &[(&str, ColumnKind)])] = &[
    (
        "totp",
        &[
            ("learner_id", ColumnKind::Int),
            ("secret", ColumnKind::Text),
            ("created_at", ColumnKind::Int),
            ("enabled_at", ColumnKind::NullInt),
            ("last_step", ColumnKind::Int),
        ],
    ),
    (
        "recovery_codes",
        &[
            ("learner_id", ColumnKind::Int),
            ("code_hash", ColumnKind::Text),
            ("used_at", ColumnKind::NullInt),
        ],
    ),
    (
        "api_tokens",
        &[
            ("id", ColumnKind::Int),
            ("learner_id", ColumnKind::Int),
            ("token_hash", ColumnKind::Text),
            ("label", ColumnKind::Text),
            ("scope", ColumnKind::Text),
            ("created_at", ColumnKind::Int),
            ("expires_at", ColumnKind::NullInt),
            ("last_used_at", ColumnKind::NullInt),
            ("revoked_at", ColumnKind::NullInt),
        ],
    ),
    (
        "security_events",
        &[
            ("id", ColumnKind::Int),
            ("learner_id", ColumnKind::Int),
            ("at", ColumnKind::Int),
            ("kind", ColumnKind::Text),
            ("client", ColumnKind::Text),
            ("device", ColumnKind::Text),
        ],
    ),
    (
        "email_verifications",
        &[
            ("learner_id", ColumnKind::Int),
            ("email_key", ColumnKind::Text),
            ("verified_at", ColumnKind::Int),
        ],
    ),
    (
        "email_links",
        &[
            ("token_hash", ColumnKind::Text),
            ("learner_id", ColumnKind::Int),
            ("purpose", ColumnKind::Text),
            ("email_key", ColumnKind::Text),
            ("created_at", ColumnKind::Int),
            ("expires_at", ColumnKind::Int),
            ("used_at", ColumnKind::NullInt),
        ],
    ),
    (
        "sso_identities",
        &[
            ("issuer", ColumnKind::Text),
            ("subject", ColumnKind::Text),
            ("learner_id", ColumnKind::Int),
            ("created_at", ColumnKind::Int),
            ("last_used_at", ColumnKind::Int),
        ],
    ),
    (
        "teams",
        &[
            ("id", ColumnKind::Int),
            ("name", ColumnKind::Text),
            ("guides", ColumnKind::Text),
            ("sections", ColumnKind::Text),
            ("interview_date", ColumnKind::Text),
            ("open_invites", ColumnKind::Int),
            ("created_at", ColumnKind::Int),
        ],
    ),
    (
        "team_members",
        &[
            ("team_id", ColumnKind::Int),
            ("learner_id", ColumnKind::Int),
            ("role", ColumnKind::Text),
            ("sharing", ColumnKind::Int),
            ("invited_at", ColumnKind::Int),
            ("joined_at", ColumnKind::NullInt),
        ],
    ),
    (
        "team_invites",
        &[
            ("id", ColumnKind::Int),
            ("team_id", ColumnKind::Int),
            ("token_hash", ColumnKind::Text),
            ("created_by", ColumnKind::NullInt),
            ("created_at", ColumnKind::Int),
            ("expires_at", ColumnKind::Int),
            ("max_uses", ColumnKind::Int),
            ("uses", ColumnKind::Int),
            ("revoked_at", ColumnKind::NullInt),
        ],
    ),
    (
        "team_assignments",
        &[
            ("id", ColumnKind::Int),
            ("team_id", ColumnKind::Int),
            ("guide_id", ColumnKind::Text),
            ("title", ColumnKind::Text),
            ("request", ColumnKind::Text),
            ("created_by", ColumnKind::NullInt),
            ("created_at", ColumnKind::Int),
        ],
    ),
    (
        "interview_missed",
        &[
            ("learner_id", ColumnKind::Int),
            ("interview_id", ColumnKind::Text),
            ("item", ColumnKind::Int),
            ("key_point", ColumnKind::Int),
            ("guide_id", ColumnKind::Text),
            ("question_id", ColumnKind::Text),
            ("text", ColumnKind::Text),
        ],
    ),
    (
        "interview_assignments",
        &[
            ("learner_id", ColumnKind::Int),
            ("interview_id", ColumnKind::Text),
            ("assignment_id", ColumnKind::Int),
        ],
    ),
    (
        "suggestions",
        &[
            ("id", ColumnKind::Int),
            ("guide_id", ColumnKind::Text),
            ("question_id", ColumnKind::Text),
            ("author_id", ColumnKind::NullInt),
            ("summary", ColumnKind::Text),
            ("base_text", ColumnKind::Text),
            ("proposed_text", ColumnKind::Text),
            ("state", ColumnKind::Text),
            ("score", ColumnKind::Int),
            ("reviser_id", ColumnKind::NullInt),
            ("moderator_id", ColumnKind::NullInt),
            ("moderator_name", ColumnKind::Text),
            ("decision_comment", ColumnKind::Text),
            ("decided_at", ColumnKind::NullInt),
            ("exported_at", ColumnKind::NullInt),
            ("created_at", ColumnKind::Int),
            ("updated_at", ColumnKind::Int),
        ],
    ),
    (
        "suggestion_votes",
        &[
            ("suggestion_id", ColumnKind::Int),
            ("learner_id", ColumnKind::Int),
            ("value", ColumnKind::Int),
            ("voted_at", ColumnKind::Int),
        ],
    ),
    (
        "notifications",
        &[
            ("id", ColumnKind::Int),
            ("learner_id", ColumnKind::Int),
            ("kind", ColumnKind::Text),
            ("text", ColumnKind::Text),
            ("link", ColumnKind::Text),
            ("created_at", ColumnKind::Int),
            ("read_at", ColumnKind::NullInt),
        ],
    ),
];

/// The longest value of a text column that holds more than a name (suggestions' Markdown,
/// summaries and comments, notifications' sentences), in bytes; `None` for the others,
/// which hold at most [`crate::MAX_ACCOUNT_TEXT_BYTES`].
fn long_text_limit(table: &str, column: &str) -> Option<usize> {
    match (table, column) {
        ("suggestions", "base_text" | "proposed_text") => Some(crate::MAX_SUGGESTION_TEXT_BYTES),
        ("suggestions", "summary" | "decision_comment") | ("notifications", "text") => {
            Some(crate::MAX_SUGGESTION_NOTE_BYTES)
        }
        _ => None,
    }
}

/// A value of a row of an account-security table.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cell {
    /// An integer, or NULL.
    Int(Option<i64>),
    /// Text.
    Text(String),
}

impl std::fmt::Debug for Cell {
    /// Never prints text: it may be an authenticator secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Int(value) => write!(f, "Int({value:?})"),
            Cell::Text(text) => write!(f, "Text(<{} bytes>)", text.len()),
        }
    }
}

/// The rows of one account-security table (see [`ACCOUNT_SECURITY_TABLES`]), each in
/// the table's column order.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct DumpTable {
    /// The table's name.
    pub table: String,
    /// Its rows, sorted.
    pub rows: Vec<Vec<Cell>>,
}

impl std::fmt::Debug for DumpTable {
    /// Never prints the rows: they hold authenticator secrets and digests.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DumpTable")
            .field("table", &self.table)
            .field("rows", &self.rows.len())
            .finish()
    }
}

/// Everything a Mastery database holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dump {
    /// By id.
    pub learners: Vec<DumpLearner>,
    /// By learner, guide, question.
    pub marks: Vec<Owned<Mark>>,
    /// By learner, guide, question.
    pub notes: Vec<Owned<Note>>,
    /// By learner, guide, question.
    pub cards: Vec<Owned<StoredCard>>,
    /// By sequence number (the order reviews were recorded in).
    pub reviews: Vec<DumpReview>,
    /// By learner, name.
    pub settings: Vec<DumpSetting>,
    /// By learner, id.
    pub interviews: Vec<Owned<StoredInterview>>,
    /// By name.
    pub secrets: Vec<DumpSecret>,
    /// By learner.
    pub accounts: Vec<Account>,
    /// By learner, id digest.
    pub sessions: Vec<StoredSession>,
    /// By number.
    pub invites: Vec<Invite>,
    /// By name.
    pub site_settings: Vec<DumpSiteSetting>,
    /// Threads, posts, votes, flags and moderation.
    pub community: DumpCommunity,
    /// Second factors, access tokens, security events and e-mail links, one entry per
    /// table of [`ACCOUNT_SECURITY_TABLES`] that has rows, in that order.
    pub account_security: Vec<DumpTable>,
}

impl Dump {
    /// The dump with every vector in canonical order (keys compared byte by byte, as Rust
    /// compares strings). Backends call this at the end of `export_all`.
    #[must_use]
    pub fn canonical(mut self) -> Dump {
        self.learners.sort_by_key(|l| l.id);
        self.marks
            .sort_by(|a, b| (a.learner, &a.value.key).cmp(&(b.learner, &b.value.key)));
        self.notes
            .sort_by(|a, b| (a.learner, &a.value.key).cmp(&(b.learner, &b.value.key)));
        self.cards
            .sort_by(|a, b| (a.learner, &a.value.key).cmp(&(b.learner, &b.value.key)));
        self.reviews.sort_by_key(|r| r.seq);
        self.settings
            .sort_by(|a, b| (a.learner, &a.name).cmp(&(b.learner, &b.name)));
        self.interviews
            .sort_by(|a, b| (a.learner, &a.value.id).cmp(&(b.learner, &b.value.id)));
        self.secrets.sort_by(|a, b| a.name.cmp(&b.name));
        self.accounts.sort_by_key(|a| a.learner);
        self.sessions
            .sort_by(|a, b| (a.learner, &a.id_hash).cmp(&(b.learner, &b.id_hash)));
        self.invites.sort_by_key(|i| i.id);
        self.site_settings.sort_by(|a, b| a.name.cmp(&b.name));
        let c = &mut self.community;
        c.threads.sort_by_key(|t| t.id);
        c.posts.sort_by_key(|p| p.id);
        c.revisions.sort_by_key(|r| (r.post, r.number));
        c.votes.sort_by_key(|v| (v.post, v.learner));
        c.flags.sort_by_key(|f| f.id);
        c.moderation_log.sort_by_key(|e| e.id);
        c.suspensions.sort_by_key(|s| s.member);
        self.account_security.retain(|t| !t.rows.is_empty());
        self.account_security.sort_by_key(|t| {
            ACCOUNT_SECURITY_TABLES
                .iter()
                .position(|(name, _)| *name == t.table)
                .unwrap_or(usize::MAX)
        });
        for table in &mut self.account_security {
            table.rows.sort();
        }
        self
    }

    /// How many rows of each kind, in the order `mastery db copy` prints them.
    pub fn counts(&self) -> [(&'static str, usize); 20] {
        [
            ("learners", self.learners.len()),
            ("marks", self.marks.len()),
            ("notes", self.notes.len()),
            ("cards", self.cards.len()),
            ("reviews", self.reviews.len()),
            ("settings", self.settings.len()),
            ("interviews", self.interviews.len()),
            ("secrets", self.secrets.len()),
            ("accounts", self.accounts.len()),
            ("sessions", self.sessions.len()),
            ("invites", self.invites.len()),
            ("site settings", self.site_settings.len()),
            ("threads", self.community.threads.len()),
            ("posts", self.community.posts.len()),
            ("post revisions", self.community.revisions.len()),
            ("votes", self.community.votes.len()),
            ("flags", self.community.flags.len()),
            ("moderation log", self.community.moderation_log.len()),
            ("suspensions", self.community.suspensions.len()),
            (
                "account security rows",
                self.account_security.iter().map(|t| t.rows.len()).sum(),
            ),
        ]
    }

    /// Whether it holds nothing at all.
    pub fn is_empty(&self) -> bool {
        self.counts().iter().all(|(_, n)| *n == 0)
    }

    /// Checks the rules a backend enforces before importing: every row follows the rules
    /// of the data model (the same checks as the single-row writes), learner ids and
    /// sequence numbers are unique, and every owned row belongs to a learner of the dump;
    /// account keys, session digests, invitation numbers and tokens, and site setting names
    /// are unique (as the database's keys and unique indexes require).
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the first row that breaks a rule.
    pub fn check(&self) -> Result<(), StorageError> {
        let mut learners = HashSet::new();
        for learner in &self.learners {
            check_learner_kind(&learner.kind)?;
            if !learners.insert(learner.id) {
                return Err(invalid(format!("learner {} appears twice", learner.id)));
            }
        }
        if self
            .learners
            .iter()
            .filter(|l| l.kind == "personal")
            .count()
            > 1
        {
            return Err(invalid("there is more than one personal learner".into()));
        }
        let owner = |learner: LearnerId, what: &str| {
            if learners.contains(&learner) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{what} belongs to learner {learner}, who is not in it"
                )))
            }
        };
        for mark in &self.marks {
            owner(mark.learner, "a mark")?;
            crate::check_key(&mark.value.key)?;
        }
        for note in &self.notes {
            owner(note.learner, "a note")?;
            check_note(&note.value.key, &note.value.body)?;
        }
        let mut cards = HashSet::new();
        for card in &self.cards {
            owner(card.learner, "a card")?;
            crate::check_key(&card.value.key)?;
            if !cards.insert((card.learner, &card.value.key)) {
                return Err(invalid(format!(
                    "learner {} has two cards for {}/{}",
                    card.learner, card.value.key.guide, card.value.key.question
                )));
            }
            let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
            if !finite(card.value.stability) || !finite(card.value.difficulty) {
                return Err(invalid(format!(
                    "the card of {}/{} has a number that is not finite",
                    card.value.key.guide, card.value.key.question
                )));
            }
        }
        let mut seqs = HashSet::new();
        let mut ids = HashSet::new();
        for logged in &self.reviews {
            owner(logged.learner, "a review")?;
            logged.review.check()?;
            if !seqs.insert(logged.seq) {
                return Err(invalid(format!(
                    "review number {} appears twice",
                    logged.seq
                )));
            }
            if !ids.insert((logged.learner, logged.review.id.as_str())) {
                return Err(invalid(format!(
                    "learner {} has two reviews with the id {}",
                    logged.learner, logged.review.id
                )));
            }
        }
        for setting in &self.settings {
            owner(setting.learner, "a setting")?;
            check_setting(&setting.name, &setting.value)?;
        }
        for interview in &self.interviews {
            owner(interview.learner, "an interview")?;
            interview.value.check()?;
        }
        let mut names = HashSet::new();
        for secret in &self.secrets {
            check_text("a secret's name", &secret.name)?;
            if !names.insert(secret.name.as_str()) {
                return Err(invalid(format!(
                    "the secret {:?} appears twice",
                    secret.name
                )));
            }
        }
        self.check_accounts(&learners)
    }

    /// The rules of [`Dump::check`] for accounts, sessions, invitations and site settings.
    fn check_accounts(&self, learners: &HashSet<LearnerId>) -> Result<(), StorageError> {
        let owner = |learner: LearnerId, what: &str| {
            if learners.contains(&learner) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{what} belongs to learner {learner}, who is not in it"
                )))
            }
        };
        let (mut ids, mut usernames, mut emails) = (HashSet::new(), HashSet::new(), HashSet::new());
        for account in &self.accounts {
            owner(account.learner, "an account")?;
            account.check()?;
            if !ids.insert(account.learner) {
                return Err(invalid(format!(
                    "learner {} has two accounts",
                    account.learner
                )));
            }
            if !usernames.insert(account.username_key.as_str()) {
                return Err(invalid(format!(
                    "two accounts have the username key of learner {}'s",
                    account.learner
                )));
            }
            if let Some(key) = &account.email_key
                && !emails.insert(key.as_str())
            {
                return Err(invalid(format!(
                    "two accounts have the e-mail key of learner {}'s",
                    account.learner
                )));
            }
        }
        let mut digests = HashSet::new();
        for session in &self.sessions {
            owner(session.learner, "a session")?;
            session.check()?;
            if !digests.insert(session.id_hash.as_str()) {
                return Err(invalid(format!(
                    "two sessions of learner {} have one id",
                    session.learner
                )));
            }
        }
        let (mut numbers, mut tokens) = (HashSet::new(), HashSet::new());
        for invite in &self.invites {
            if let Some(creator) = invite.created_by {
                owner(creator, &format!("invitation {}", invite.id))?;
            }
            invite.check()?;
            if !numbers.insert(invite.id) {
                return Err(invalid(format!("invitation {} appears twice", invite.id)));
            }
            if !tokens.insert(invite.token_hash.as_str()) {
                return Err(invalid(format!(
                    "invitation {} has the token of another",
                    invite.id
                )));
            }
        }
        let mut names = HashSet::new();
        for setting in &self.site_settings {
            check_setting(&setting.name, &setting.value)?;
            if !names.insert(setting.name.as_str()) {
                return Err(invalid(format!(
                    "the site setting {} appears twice",
                    setting.name
                )));
            }
        }
        self.community.check(learners)?;
        self.check_account_security(learners)
    }

    /// The rules of [`Dump::check`] for the account-security tables: known tables with
    /// rows of their columns' kinds, each row belonging to a learner of the dump, text that
    /// an account's text may be.
    fn check_account_security(&self, learners: &HashSet<LearnerId>) -> Result<(), StorageError> {
        // Suggestions come before their votes (parents before children).
        let mut suggestions = HashSet::new();
        for table in &self.account_security {
            let Some((_, columns)) = ACCOUNT_SECURITY_TABLES
                .iter()
                .find(|(name, _)| *name == table.table)
            else {
                return Err(invalid(format!("there is no table {:?}", table.table)));
            };
            for row in &table.rows {
                if row.len() != columns.len() {
                    return Err(invalid(format!(
                        "a row of {} has {} values, not {}",
                        table.table,
                        row.len(),
                        columns.len()
                    )));
                }
                for ((column, kind), cell) in columns.iter().zip(row) {
                    match (kind, cell) {
                        (ColumnKind::Int, Cell::Int(Some(_)))
                        | (ColumnKind::NullInt, Cell::Int(_)) => {}
                        (ColumnKind::Text, Cell::Text(text))
                            if long_text_limit(&table.table, column).is_some() =>
                        {
                            let limit = long_text_limit(&table.table, column).unwrap_or_default();
                            if text.len() > limit {
                                return Err(invalid(format!(
                                    "{}.{column} is longer than {limit} bytes",
                                    table.table
                                )));
                            }
                            check_text(column, text)?;
                        }
                        (ColumnKind::Text, Cell::Text(text)) => {
                            crate::check_account_text(column, text)?;
                        }
                        _ => {
                            return Err(invalid(format!(
                                "{}.{column} holds a value of the wrong kind",
                                table.table
                            )));
                        }
                    }
                    if matches!(
                        *column,
                        "learner_id" | "author_id" | "moderator_id" | "reviser_id"
                    ) && let Cell::Int(Some(id)) = cell
                        && !learners.contains(&LearnerId(*id))
                    {
                        return Err(invalid(format!(
                            "a row of {} names learner {id}, who is not in it",
                            table.table
                        )));
                    }
                    match (table.table.as_str(), *column, cell) {
                        ("notifications", "link", Cell::Text(link)) => {
                            crate::check_site_path(link)?;
                        }
                        ("suggestions", "state", Cell::Text(state)) => {
                            crate::SuggestionState::parse(state)?;
                        }
                        ("suggestions", "id", Cell::Int(Some(id))) => {
                            suggestions.insert(*id);
                        }
                        ("suggestion_votes", "suggestion_id", Cell::Int(Some(id)))
                            if !suggestions.contains(id) =>
                        {
                            return Err(invalid(format!(
                                "a vote names suggestion {id}, which is not in it"
                            )));
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Where `self` and `other` first differ, one line per kind of row that differs
    /// (`reviews: 120 rows against 119; first difference at row 57 (learner 1, id ...)`),
    /// naming rows by their keys, never by their content. Empty when they are equal.
    pub fn differences(&self, other: &Dump) -> Vec<String> {
        let mut found = Vec::new();
        compare(
            &mut found,
            "learners",
            &self.learners,
            &other.learners,
            |l| format!("learner {}", l.id),
        );
        compare(&mut found, "marks", &self.marks, &other.marks, |m| {
            format!(
                "learner {}, {}/{}",
                m.learner, m.value.key.guide, m.value.key.question
            )
        });
        compare(&mut found, "notes", &self.notes, &other.notes, |n| {
            format!(
                "learner {}, {}/{}",
                n.learner, n.value.key.guide, n.value.key.question
            )
        });
        compare(&mut found, "cards", &self.cards, &other.cards, |c| {
            format!(
                "learner {}, {}/{}",
                c.learner, c.value.key.guide, c.value.key.question
            )
        });
        compare(&mut found, "reviews", &self.reviews, &other.reviews, |r| {
            format!(
                "number {}, learner {}, id {}",
                r.seq, r.learner, r.review.id
            )
        });
        compare(
            &mut found,
            "settings",
            &self.settings,
            &other.settings,
            |s| format!("learner {}, {}", s.learner, s.name),
        );
        compare(
            &mut found,
            "interviews",
            &self.interviews,
            &other.interviews,
            |i| format!("learner {}, {}", i.learner, i.value.id),
        );
        compare(&mut found, "secrets", &self.secrets, &other.secrets, |s| {
            s.name.clone()
        });
        compare(
            &mut found,
            "accounts",
            &self.accounts,
            &other.accounts,
            |a| format!("learner {}", a.learner),
        );
        // A session is named by its learner and the start of its digest, which cannot sign
        // anyone in (the cookie holds what was digested).
        compare(
            &mut found,
            "sessions",
            &self.sessions,
            &other.sessions,
            |s| {
                let start: String = s.id_hash.chars().take(8).collect();
                format!("learner {}, session {start}…", s.learner)
            },
        );
        compare(&mut found, "invites", &self.invites, &other.invites, |i| {
            format!("invitation {}", i.id)
        });
        compare(
            &mut found,
            "site settings",
            &self.site_settings,
            &other.site_settings,
            |s| s.name.clone(),
        );
        let (a, b) = (&self.community, &other.community);
        compare(&mut found, "threads", &a.threads, &b.threads, |t| {
            format!("thread {}", t.id)
        });
        compare(&mut found, "posts", &a.posts, &b.posts, |p| {
            format!("post {}", p.id)
        });
        compare(
            &mut found,
            "post revisions",
            &a.revisions,
            &b.revisions,
            |r| format!("post {}, revision {}", r.post, r.number),
        );
        compare(&mut found, "votes", &a.votes, &b.votes, |v| {
            format!("post {}, learner {}", v.post, v.learner)
        });
        compare(&mut found, "flags", &a.flags, &b.flags, |f| {
            format!("flag {}", f.id)
        });
        compare(
            &mut found,
            "moderation log",
            &a.moderation_log,
            &b.moderation_log,
            |e| format!("entry {}", e.id),
        );
        compare(
            &mut found,
            "suspensions",
            &a.suspensions,
            &b.suspensions,
            |s| format!("learner {}", s.member),
        );
        for (name, _) in ACCOUNT_SECURITY_TABLES {
            let rows = |d: &Dump| {
                d.account_security
                    .iter()
                    .find(|t| t.table == *name)
                    .map(|t| t.rows.clone())
                    .unwrap_or_default()
            };
            compare(&mut found, name, &rows(self), &rows(other), |_| {
                "a row".to_owned()
            });
        }
        found
    }
}

impl DumpCommunity {
    /// The rules of [`Dump::check`] for the community: unique numbers, every post in a
    /// thread of the dump, every reference to a learner or a post resolved, the same
    /// length and text rules as the single-row writes.
    fn check(&self, learners: &HashSet<LearnerId>) -> Result<(), StorageError> {
        let learner = |id: LearnerId, what: &str| {
            if learners.contains(&id) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{what} names learner {id}, who is not in it"
                )))
            }
        };
        let mut threads = HashSet::new();
        for thread in &self.threads {
            crate::check_community_text("a thread title", &thread.title)?;
            crate::check_key(&crate::QuestionKey::new(&*thread.guide, &*thread.question))?;
            if !threads.insert(thread.id) {
                return Err(invalid(format!("thread {} appears twice", thread.id)));
            }
        }
        let mut posts = HashSet::new();
        for post in &self.posts {
            if !threads.contains(&post.thread) {
                return Err(invalid(format!(
                    "post {} belongs to thread {}, which is not in it",
                    post.id, post.thread
                )));
            }
            if let Some(author) = post.author {
                learner(author, &format!("post {}", post.id))?;
            }
            crate::check_body(&post.body, &post.html)?;
            if let Some(reason) = &post.reason {
                crate::check_community_text("a reason", reason)?;
            }
            if !posts.insert(post.id) {
                return Err(invalid(format!("post {} appears twice", post.id)));
            }
        }
        let known_post = |id: i64, what: &str| {
            if posts.contains(&id) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{what} names post {id}, which is not in it"
                )))
            }
        };
        for thread in &self.threads {
            known_post(thread.opening_post, &format!("thread {}", thread.id))?;
        }
        let mut revisions = HashSet::new();
        for revision in &self.revisions {
            known_post(revision.post, "a revision")?;
            crate::check_body(&revision.body, "")?;
            if !revisions.insert((revision.post, revision.number)) {
                return Err(invalid(format!(
                    "revision {} of post {} appears twice",
                    revision.number, revision.post
                )));
            }
        }
        let mut votes = HashSet::new();
        for vote in &self.votes {
            known_post(vote.post, "a vote")?;
            learner(vote.learner, "a vote")?;
            if !votes.insert((vote.post, vote.learner)) {
                return Err(invalid(format!(
                    "learner {} votes twice on post {}",
                    vote.learner, vote.post
                )));
            }
        }
        let (mut flags, mut open) = (HashSet::new(), HashSet::new());
        for flag in &self.flags {
            known_post(flag.post, &format!("flag {}", flag.id))?;
            if let Some(flagger) = flag.flagger {
                learner(flagger, &format!("flag {}", flag.id))?;
            }
            crate::check_community_text("a rule", &flag.rule)?;
            crate::check_community_text("a flag's detail", &flag.detail)?;
            if !flags.insert(flag.id) {
                return Err(invalid(format!("flag {} appears twice", flag.id)));
            }
            if flag.resolved_at.is_none()
                && flag.flagger.is_some()
                && !open.insert((flag.post, flag.flagger))
            {
                return Err(invalid(format!(
                    "two open flags of one member on post {}",
                    flag.post
                )));
            }
        }
        let mut entries = HashSet::new();
        for entry in &self.moderation_log {
            crate::check_community_text("a reason", &entry.reason)?;
            crate::check_community_text("a moderator's name", &entry.moderator_name)?;
            crate::check_community_text("an action", &entry.action)?;
            if !entries.insert(entry.id) {
                return Err(invalid(format!(
                    "moderation log entry {} appears twice",
                    entry.id
                )));
            }
        }
        let mut suspended = HashSet::new();
        for suspension in &self.suspensions {
            learner(suspension.member, "a suspension")?;
            crate::check_community_text("a reason", &suspension.reason)?;
            if !suspended.insert(suspension.member) {
                return Err(invalid(format!(
                    "learner {} is suspended twice",
                    suspension.member
                )));
            }
        }
        Ok(())
    }
}

fn invalid(message: String) -> StorageError {
    StorageError::Invalid(format!("cannot import: {message}"))
}

/// Adds a line to `found` when `a` and `b` differ.
fn compare<T: PartialEq>(
    found: &mut Vec<String>,
    what: &str,
    a: &[T],
    b: &[T],
    name: impl Fn(&T) -> String,
) {
    if a == b {
        return;
    }
    let first = a.iter().zip(b).position(|(x, y)| x != y);
    let at = match first {
        Some(i) => {
            let (x, y) = (&a[i], &b[i]);
            let (nx, ny) = (name(x), name(y));
            if nx == ny {
                format!("row {} ({nx}) differs", i + 1)
            } else {
                format!("row {} is {nx} on one side, {ny} on the other", i + 1)
            }
        }
        None => format!("the first {} rows are equal", a.len().min(b.len())),
    };
    found.push(format!(
        "{what}: {} rows against {}; {at}",
        a.len(),
        b.len()
    ));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::QuestionKey;

    fn dump() -> Dump {
        Dump {
            learners: vec![DumpLearner {
                id: LearnerId(1),
                kind: "personal".into(),
                created_at: 5,
            }],
            marks: vec![Owned {
                learner: LearnerId(1),
                value: Mark {
                    key: QuestionKey::new("g", "q"),
                    at: 1,
                },
            }],
            secrets: vec![DumpSecret {
                name: "csrf".into(),
                value: vec![1, 2],
            }],
            ..Dump::default()
        }
    }

    #[test]
    fn checks_owners_and_rules() {
        assert!(dump().check().is_ok());
        let mut orphan = dump();
        orphan.marks[0].learner = LearnerId(2);
        assert!(orphan.check().is_err());
        let mut twice = dump();
        twice.learners.push(twice.learners[0].clone());
        assert!(twice.check().is_err());
        let mut nul = dump();
        nul.marks[0].value.key.question = "a\0".into();
        assert!(nul.check().is_err());
    }

    fn with_accounts() -> Dump {
        let account = Account {
            learner: LearnerId(1),
            username: "Ann".into(),
            username_key: "ann".into(),
            email: Some("Ann@Example.org".into()),
            email_key: Some("ann@example.org".into()),
            password_hash: "$argon2id$secret-hash".into(),
            role: crate::Role::Admin,
            created_at: 1,
            password_changed_at: 1,
            disabled_at: None,
        };
        let session = StoredSession {
            id_hash: "0123456789abcdef".into(),
            learner: LearnerId(1),
            created_at: 2,
            last_seen_at: 3,
            device: "Firefox on Linux".into(),
        };
        let invite = Invite {
            id: 7,
            token_hash: "token".into(),
            label: "cohort".into(),
            created_by: Some(LearnerId(1)),
            created_at: 1,
            expires_at: 10,
            max_uses: 1,
            uses: 0,
            revoked_at: None,
        };
        Dump {
            accounts: vec![account],
            sessions: vec![session],
            invites: vec![invite],
            site_settings: vec![DumpSiteSetting {
                name: "registration".into(),
                value: "invite".into(),
            }],
            ..dump()
        }
    }

    #[test]
    fn checks_accounts_sessions_invites_and_site_settings() {
        assert!(with_accounts().check().is_ok());
        let breaks: [fn(&mut Dump); 11] = [
            |d| d.accounts[0].learner = LearnerId(2),
            |d| d.accounts[0].username.push('\0'),
            |d| d.accounts.push(d.accounts[0].clone()),
            |d| {
                d.learners.push(DumpLearner {
                    id: LearnerId(2),
                    kind: "account".into(),
                    created_at: 1,
                });
                let mut other = d.accounts[0].clone();
                other.learner = LearnerId(2);
                other.username_key = "other".into();
                d.accounts.push(other);
            },
            |d| d.sessions[0].learner = LearnerId(2),
            |d| d.sessions.push(d.sessions[0].clone()),
            |d| d.sessions[0].device = "x".repeat(crate::MAX_ACCOUNT_TEXT_BYTES + 1),
            |d| d.invites[0].created_by = Some(LearnerId(2)),
            |d| {
                let mut other = d.invites[0].clone();
                other.id = 8;
                d.invites.push(other);
            },
            |d| d.site_settings[0].name = "Registration".into(),
            |d| d.site_settings.push(d.site_settings[0].clone()),
        ];
        for (i, change) in breaks.iter().enumerate() {
            let mut broken = with_accounts();
            change(&mut broken);
            assert!(broken.check().is_err(), "change {i}");
        }
        // An invitation whose creator is gone, and a second account with no e-mail.
        let mut fine = with_accounts();
        fine.invites[0].created_by = None;
        fine.accounts[0].email_key = None;
        assert!(fine.check().is_ok());
    }

    #[test]
    fn differences_name_accounts_and_sessions_by_key() {
        let mut other = with_accounts();
        other.accounts[0].password_hash = "changed".into();
        other.sessions[0].last_seen_at = 4;
        let found = with_accounts().differences(&other);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("row 1 (learner 1) differs"), "{found:?}");
        assert!(
            found[1].contains("(learner 1, session 01234567…)"),
            "{found:?}"
        );
        let shown = format!("{found:?}");
        assert!(
            !shown.contains("hash") && !shown.contains("89abcdef"),
            "{shown}"
        );
        assert_eq!(with_accounts().counts().len(), 20);
        assert_eq!(with_accounts().counts()[11], ("site settings", 1));
    }

    #[test]
    fn differences_name_rows_not_content() {
        assert!(dump().differences(&dump()).is_empty());
        let mut other = dump();
        other.marks[0].value.at = 2;
        other.secrets.clear();
        let found = dump().differences(&other);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("marks: 1 rows against 1; row 1 (learner 1, g/q)"));
        assert!(found[1].starts_with("secrets: 1 rows against 0"));
        assert!(!format!("{:?}", dump().secrets).contains("1, 2"));
        assert_eq!(dump().counts()[0], ("learners", 1));
        assert!(Dump::default().is_empty());
    }
}
