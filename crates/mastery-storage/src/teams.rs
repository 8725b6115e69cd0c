//! Teams and cohorts of multi-user mode (the tables of migration 0010): a team studies some
//! guides (or some of their sections) for an interview date; its coaches see the progress of
//! the members who share it.
//!
//! A membership is a row of `team_members`: a coach or a member, invited (by username: not
//! joined yet, nothing shared) or joined, and sharing or not. Invitation links are stored as
//! the SHA-256 digest (hex) of their token, like every token in this crate.

use crate::{
    CardPhase, LearnerId, Millis, Owned, QuestionKey, Result, StorageError, StoredInterview,
    check_account_text,
};

/// At most this many guides or sections name a team's scope.
pub const MAX_TEAM_SCOPE: usize = 64;

/// A team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Its number (0 before it is created).
    pub id: i64,
    /// Its name ("Cohort 12").
    pub name: String,
    /// The guides it studies, by id.
    pub guides: Vec<String>,
    /// The sections it studies, as `guide/section`; empty for every section of its guides.
    pub sections: Vec<String>,
    /// The team's interview date (`YYYY-MM-DD`), if set.
    pub interview_date: Option<String>,
    /// Whether its invitation links may create accounts on a site whose registration is by
    /// invitation (the admin's choice).
    pub open_invites: bool,
    /// When it was created.
    pub created_at: Millis,
}

impl Team {
    /// Checks its fields: text without NUL within [`crate::MAX_ACCOUNT_TEXT_BYTES`], ids
    /// without spaces, at most [`MAX_TEAM_SCOPE`] of each.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("a team name", &self.name)?;
        for (what, list) in [("guides", &self.guides), ("sections", &self.sections)] {
            if list.len() > MAX_TEAM_SCOPE {
                return Err(StorageError::Invalid(format!(
                    "a team names at most {MAX_TEAM_SCOPE} {what}"
                )));
            }
            for id in list {
                check_account_text("a team's guide or section", id)?;
                if id.is_empty() || id.contains(char::is_whitespace) {
                    return Err(StorageError::Invalid(format!(
                        "a team's {what} are ids without spaces, not {id:?}"
                    )));
                }
            }
        }
        if let Some(date) = &self.interview_date {
            check_account_text("an interview date", date)?;
        }
        Ok(())
    }
}

/// A person's place in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TeamRole {
    /// Studies; shares their progress with the coaches while they choose to.
    Member,
    /// Sees the progress of members who share it, invites people, names other coaches.
    Coach,
}

impl TeamRole {
    /// The word stored and shown.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Member => "member",
            TeamRole::Coach => "coach",
        }
    }

    /// The role a stored word names.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for any other word.
    pub fn parse(word: &str) -> Result<Self> {
        match word {
            "member" => Ok(TeamRole::Member),
            "coach" => Ok(TeamRole::Coach),
            other => Err(StorageError::Invalid(format!(
                "a team role is \"member\" or \"coach\", not {other:?}"
            ))),
        }
    }
}

/// A row of `team_members`, with the account's username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    /// The team.
    pub team: i64,
    /// The account.
    pub learner: LearnerId,
    /// Its username (filled in when read; ignored when written).
    pub username: String,
    /// Coach or member.
    pub role: TeamRole,
    /// Whether the member shares their progress with the team's coaches.
    pub sharing: bool,
    /// When they were invited by name, or joined by a link.
    pub invited_at: Millis,
    /// When they accepted (`None`: invited by name, not joined yet).
    pub joined_at: Option<Millis>,
}

impl TeamMember {
    /// Whether coaches see this member's progress: joined, a member, and sharing.
    #[must_use]
    pub fn shares(&self) -> bool {
        self.joined_at.is_some() && self.sharing && self.role == TeamRole::Member
    }
}

/// An invitation link to a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInvite {
    /// Its number (0 before it is created).
    pub id: i64,
    /// The team it joins.
    pub team: i64,
    /// The SHA-256 digest (hex) of its token.
    pub token_hash: String,
    /// The coach or admin who made it (`None` once they are deleted).
    pub created_by: Option<LearnerId>,
    /// When it was made.
    pub created_at: Millis,
    /// After this it admits nobody.
    pub expires_at: Millis,
    /// How many people may use it.
    pub max_uses: i64,
    /// How many did (each sign-up and each join with it).
    pub uses: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Millis>,
}

impl TeamInvite {
    /// Whether it lets someone join at `now`.
    #[must_use]
    pub fn usable(&self, now: Millis) -> bool {
        self.revoked_at.is_none() && now < self.expires_at && self.uses < self.max_uses
    }

    /// Its state at `now` in a word: `revoked`, `expired`, `used up` or `open`.
    #[must_use]
    pub fn state(&self, now: Millis) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if now >= self.expires_at {
            "expired"
        } else if self.uses >= self.max_uses {
            "used up"
        } else {
            "open"
        }
    }
}

/// A mock interview a coach assigned to the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Its number (0 before it is created).
    pub id: i64,
    /// The team.
    pub team: i64,
    /// The guide it draws questions from.
    pub guide: String,
    /// What members see ("Week 3: Django ORM").
    pub title: String,
    /// The interview's request (a preset or a custom setup), as JSON written by
    /// `mastery-study`.
    pub request: String,
    /// Who assigned it (`None` once they are deleted).
    pub created_by: Option<LearnerId>,
    /// When.
    pub created_at: Millis,
}

impl Assignment {
    /// Checks its text fields with [`check_account_text`] (the request may be longer).
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("a guide id", &self.guide)?;
        check_account_text("an assignment's title", &self.title)?;
        if self.request.len() > 16 * 1024 {
            return Err(StorageError::Invalid(
                "an assignment's request may be at most 16 KiB".into(),
            ));
        }
        crate::check_text("an assignment's request", &self.request)
    }
}

/// An interview a member started for an assignment, with its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentTaken {
    /// The assignment.
    pub assignment: i64,
    /// The member.
    pub learner: LearnerId,
    /// The interview's id.
    pub interview: String,
    /// When it started.
    pub started_at: Millis,
    /// When it finished, if it did.
    pub finished_at: Option<Millis>,
    /// Its score (0 to 1) once finished.
    pub score: Option<f64>,
}

/// A key point a finished mock interview missed (kept so that it can be queried).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissedKeyPoint {
    /// The interview.
    pub interview: String,
    /// The item of the interview (its question's place, follow-ups included).
    pub item: i64,
    /// The key point's place in its question.
    pub key_point: i64,
    /// The question.
    pub key: QuestionKey,
    /// The statement (Markdown source).
    pub text: String,
}

/// What predicting recall needs of one card (see [`crate::StoredCard`] for the fields).
#[derive(Debug, Clone, PartialEq)]
pub struct RecallCard {
    /// The question.
    pub key: QuestionKey,
    /// Its phase.
    pub phase: CardPhase,
    /// FSRS stability, in days.
    pub stability: Option<f64>,
    /// FSRS difficulty.
    pub difficulty: Option<f64>,
    /// Its latest review.
    pub last_review: Option<Millis>,
}

/// What a coach's view is computed from, read in one snapshot: the stored state of the
/// team's members who share (see [`TeamMember::shares`]), nobody else's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamProgress {
    /// The members who share, by username.
    pub members: Vec<TeamMember>,
    /// The questions each marked as mastered.
    pub marks: Vec<(LearnerId, QuestionKey)>,
    /// Their cards, as much as recall needs.
    pub cards: Vec<(LearnerId, RecallCard)>,
    /// Their settings (name, value): retention, parameters, UTC offset.
    pub settings: Vec<(LearnerId, String, String)>,
    /// Their reviews since the `since` asked for: (learner, question, when).
    pub recent_reviews: Vec<(LearnerId, QuestionKey, Millis)>,
    /// The time of each one's latest review ever (absent: never reviewed).
    pub last_review: Vec<(LearnerId, Millis)>,
    /// Their finished interviews; the `state` (the document) only of those whose missed
    /// key points are not recorded (empty for the others).
    pub interviews: Vec<Owned<StoredInterview>>,
    /// The recorded missed key points of their finished interviews.
    pub missed: Vec<(LearnerId, MissedKeyPoint)>,
}

/// The teams part of [`crate::Storage`]. Every method is one transaction.
#[async_trait::async_trait]
pub trait TeamStorage: Send + Sync {
    /// Creates a team (its `id` is ignored); its number.
    async fn create_team(&self, team: &Team) -> Result<i64>;

    /// Changes a team's name, scope, date and invitation rule; `false` when there is none.
    async fn update_team(&self, team: &Team) -> Result<bool>;

    /// Deletes a team with its memberships and links; `false` when there is none.
    async fn delete_team(&self, team: i64) -> Result<bool>;

    /// One team.
    async fn team(&self, team: i64) -> Result<Option<Team>>;

    /// Every team, by name.
    async fn teams(&self) -> Result<Vec<Team>>;

    /// The teams a learner is in (joined or invited), by name, with their membership.
    async fn teams_of(&self, learner: LearnerId) -> Result<Vec<(Team, TeamMember)>>;

    /// A team's coaches and members (joined or invited), coaches first, then by username.
    async fn team_members(&self, team: i64) -> Result<Vec<TeamMember>>;

    /// Adds a membership or replaces its role, sharing and times. Errors with
    /// [`StorageError::Invalid`] when the team or the learner does not exist.
    async fn put_team_member(&self, member: &TeamMember) -> Result<()>;

    /// Invites someone by name: adds their membership only if they have none (a joined
    /// member is never reset to invited); `false` when they had one. Errors as
    /// [`TeamStorage::put_team_member`].
    async fn invite_team_member(&self, member: &TeamMember) -> Result<bool>;

    /// Accepts an invitation by name: sets `joined_at` and `sharing` only while the
    /// membership exists and is not joined; `false` otherwise (removed meanwhile, or joined).
    async fn accept_team_invitation(
        &self,
        team: i64,
        learner: LearnerId,
        sharing: bool,
        now: Millis,
    ) -> Result<bool>;

    /// Starts or stops sharing: only for a joined member (not a coach); `false` when there is
    /// no such membership (removed meanwhile).
    async fn set_team_sharing(&self, team: i64, learner: LearnerId, sharing: bool) -> Result<bool>;

    /// Removes a membership; `false` when there was none.
    async fn remove_team_member(&self, team: i64, learner: LearnerId) -> Result<bool>;

    /// Stores an invitation link (its `id` is ignored); its number.
    async fn create_team_invite(&self, invite: &TeamInvite) -> Result<i64>;

    /// A team's invitation links, newest first.
    async fn team_invites(&self, team: i64) -> Result<Vec<TeamInvite>>;

    /// The invitation link of a token digest.
    async fn team_invite(&self, token_hash: &str) -> Result<Option<TeamInvite>>;

    /// Revokes a team's link; `false` when there is no such link or it was revoked.
    async fn revoke_team_invite(&self, team: i64, invite: i64, at: Millis) -> Result<bool>;

    /// Joins a team with a link, in one transaction: the link must be usable at `now` (not
    /// revoked, not expired, not used up), unless the learner was invited already (an
    /// account created with this link is); its use is counted; the learner becomes a member (sharing as they chose) unless they are
    /// in the team already (then only `joined_at` is set if it was not, and `sharing`).
    /// The team's number, or `None` when the link is unknown, revoked or expired.
    async fn join_team(
        &self,
        token_hash: &str,
        learner: LearnerId,
        sharing: bool,
        now: Millis,
    ) -> Result<Option<i64>>;

    /// Stores an assignment (its `id` is ignored); its number. [`StorageError::Invalid`]
    /// when the team does not exist.
    async fn create_assignment(&self, assignment: &Assignment) -> Result<i64>;

    /// A team's assignments, newest first.
    async fn assignments(&self, team: i64) -> Result<Vec<Assignment>>;

    /// One assignment.
    async fn assignment(&self, id: i64) -> Result<Option<Assignment>>;

    /// Deletes a team's assignment (the interviews stay, unlinked); `false` when the team
    /// has no such assignment.
    async fn delete_assignment(&self, team: i64, id: i64) -> Result<bool>;

    /// Records that the learner's interview was started for an assignment.
    /// [`StorageError::Invalid`] when the interview or the assignment does not exist.
    async fn link_assignment(
        &self,
        learner: LearnerId,
        interview: &str,
        assignment: i64,
    ) -> Result<()>;

    /// The interviews started for the team's assignments by the members who share (see
    /// [`TeamMember::shares`]), oldest first.
    async fn assignments_taken(&self, team: i64) -> Result<Vec<AssignmentTaken>>;

    /// The learner's own interviews started for assignments, oldest first.
    async fn my_assignments_taken(&self, learner: LearnerId) -> Result<Vec<AssignmentTaken>>;

    /// Records the key points a finished interview at `revision` missed, replacing those
    /// recorded before; `false` (and nothing written) when the interview is not at that
    /// revision any more (saved again meanwhile: that save records its own).
    async fn record_missed(
        &self,
        learner: LearnerId,
        interview: &str,
        revision: i64,
        missed: &[MissedKeyPoint],
    ) -> Result<bool>;

    /// The stored state behind a coach's view of the team (see [`TeamProgress`]), with
    /// reviews since `since`.
    async fn team_progress(&self, team: i64, since: Millis) -> Result<TeamProgress>;
}
