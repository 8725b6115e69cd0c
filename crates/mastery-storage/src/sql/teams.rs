//! The statements of teams (the tables of migration 0010), shared by the sqlx backends like
//! the rest of [`Queries`]. Writes of several statements take the backend's open
//! transaction (`conn`); the coach's view reads in the backend's read transaction.

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{Columns, Decoder, Queries};
use crate::{
    Assignment, AssignmentTaken, CardPhase, LearnerId, Millis, MissedKeyPoint, Owned, QuestionKey,
    RecallCard, Result, StorageError, Team, TeamInvite, TeamMember, TeamProgress, TeamRole,
};

const TEAM_COLUMNS: &str = "id, name, guides, sections, interview_date, open_invites, created_at";

const MEMBER_SELECT: &str = "SELECT m.team_id AS team_id, m.learner_id AS learner_id, \
     a.username AS username, m.role AS role, m.sharing AS sharing, m.invited_at AS invited_at, \
     m.joined_at AS joined_at FROM team_members m JOIN accounts a ON a.learner_id = m.learner_id";

const INVITE_COLUMNS: &str =
    "id, team_id, token_hash, created_by, created_at, expires_at, max_uses, uses, revoked_at";

/// The learners whose progress the coaches of team `$1` see (see [`TeamMember::shares`]).
const SHARING: &str = "SELECT learner_id FROM team_members WHERE team_id = $1 \
     AND role = 'member' AND sharing = 1 AND joined_at IS NOT NULL";

/// A backend's SQL around an expression (see [`Queries::team_progress`]).
pub type SqlText = fn(&str) -> String;

fn words(list: &[String]) -> String {
    list.join(" ")
}

fn team(d: Decoder<'_>, row: &impl Columns) -> Result<Team> {
    let list = |column: &str| -> Result<Vec<String>> {
        Ok(d.text(row, column)?
            .split_whitespace()
            .map(str::to_owned)
            .collect())
    };
    Ok(Team {
        id: d.int(row, "id")?,
        name: d.text(row, "name")?,
        guides: list("guides")?,
        sections: list("sections")?,
        interview_date: Some(d.text(row, "interview_date")?).filter(|date| !date.is_empty()),
        open_invites: d.int(row, "open_invites")? != 0,
        created_at: d.int(row, "created_at")?,
    })
}

fn member(d: Decoder<'_>, row: &impl Columns) -> Result<TeamMember> {
    let role = d.text(row, "role")?;
    Ok(TeamMember {
        team: d.int(row, "team_id")?,
        learner: LearnerId(d.int(row, "learner_id")?),
        username: d.text(row, "username")?,
        role: TeamRole::parse(&role)
            .map_err(|_| d.corrupt(&format!("a team member with the role {role:?}")))?,
        sharing: d.int(row, "sharing")? != 0,
        invited_at: d.int(row, "invited_at")?,
        joined_at: d.sql(row.int_or_null("joined_at"))?,
    })
}

/// A question key from the next two words of a line (ids hold no space).
fn key_of<'a>(d: Decoder<'_>, words: &mut impl Iterator<Item = &'a str>) -> Result<QuestionKey> {
    match (words.next(), words.next()) {
        (Some(guide), Some(question)) => Ok(QuestionKey::new(guide, question)),
        _ => Err(d.corrupt("a team's row without its question")),
    }
}

/// A card from its line: `guide question phase stability difficulty last_review` (`-` for
/// NULL).
fn recall_card(d: Decoder<'_>, line: &str) -> Result<RecallCard> {
    let mut words = line.split(' ');
    let key = key_of(d, &mut words)?;
    let bad = || {
        d.corrupt(&format!(
            "a card of {}/{} that does not read",
            key.guide, key.question
        ))
    };
    let phase = words
        .next()
        .and_then(|w| w.parse::<CardPhase>().ok())
        .ok_or_else(bad)?;
    let mut number = || -> Result<Option<f64>> {
        match words.next() {
            Some("-") => Ok(None),
            Some(w) => w.parse().map(Some).map_err(|_| bad()),
            None => Err(bad()),
        }
    };
    let stability = number()?;
    let difficulty = number()?;
    #[allow(clippy::cast_possible_truncation)]
    let last_review = number()?.map(|v| v as Millis);
    Ok(RecallCard {
        key,
        phase,
        stability,
        difficulty,
        last_review,
    })
}

fn invite(d: Decoder<'_>, row: &impl Columns) -> Result<TeamInvite> {
    Ok(TeamInvite {
        id: d.int(row, "id")?,
        team: d.int(row, "team_id")?,
        token_hash: d.text(row, "token_hash")?,
        created_by: d.sql(row.int_or_null("created_by"))?.map(LearnerId),
        created_at: d.int(row, "created_at")?,
        expires_at: d.int(row, "expires_at")?,
        max_uses: d.int(row, "max_uses")?,
        uses: d.int(row, "uses")?,
        revoked_at: d.sql(row.int_or_null("revoked_at"))?,
    })
}

impl<DB> Queries<DB>
where
    DB: Database,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    <DB as Database>::Row: Columns,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
{
    /// As [`crate::TeamStorage::create_team`].
    pub async fn create_team<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        t: &Team,
    ) -> Result<i64> {
        let (guides, sections) = (words(&t.guides), words(&t.sections));
        let row = sqlx::query(
            "INSERT INTO teams (name, guides, sections, interview_date, open_invites, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(t.name.as_str())
        .bind(guides.as_str())
        .bind(sections.as_str())
        .bind(t.interview_date.as_deref().unwrap_or(""))
        .bind(i64::from(t.open_invites))
        .bind(t.created_at)
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        d.int(&row, "id")
    }

    /// As [`crate::TeamStorage::update_team`].
    pub async fn update_team<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        t: &Team,
    ) -> Result<bool> {
        let (guides, sections) = (words(&t.guides), words(&t.sections));
        let rows = sqlx::query(
            "UPDATE teams SET name = $2, guides = $3, sections = $4, interview_date = $5, \
             open_invites = $6 WHERE id = $1 RETURNING id",
        )
        .bind(t.id)
        .bind(t.name.as_str())
        .bind(guides.as_str())
        .bind(sections.as_str())
        .bind(t.interview_date.as_deref().unwrap_or(""))
        .bind(i64::from(t.open_invites))
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::delete_team`] (the memberships and links go by cascade).
    pub async fn delete_team<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
    ) -> Result<bool> {
        let rows = sqlx::query("DELETE FROM teams WHERE id = $1 RETURNING id")
            .bind(team)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::team`].
    pub async fn team<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id: i64,
    ) -> Result<Option<Team>> {
        let row = sqlx::query(&format!("SELECT {TEAM_COLUMNS} FROM teams WHERE id = $1"))
            .bind(id)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| team(d, &row)).transpose()
    }

    /// As [`crate::TeamStorage::teams`].
    pub async fn teams<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<Vec<Team>> {
        let rows = sqlx::query(&format!(
            "SELECT {TEAM_COLUMNS} FROM teams ORDER BY name, id"
        ))
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| team(d, row)).collect()
    }

    /// As [`crate::TeamStorage::teams_of`].
    pub async fn teams_of<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<(Team, TeamMember)>> {
        let rows = sqlx::query(
            "SELECT t.id AS id, t.name AS name, t.guides AS guides, t.sections AS sections, \
             t.interview_date AS interview_date, t.open_invites AS open_invites, \
             t.created_at AS created_at, m.team_id AS team_id, m.learner_id AS learner_id, \
             a.username AS username, m.role AS role, m.sharing AS sharing, \
             m.invited_at AS invited_at, m.joined_at AS joined_at \
             FROM team_members m JOIN teams t ON t.id = m.team_id \
             JOIN accounts a ON a.learner_id = m.learner_id \
             WHERE m.learner_id = $1 ORDER BY t.name, t.id",
        )
        .bind(learner.0)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| Ok((team(d, row)?, member(d, row)?)))
            .collect()
    }

    /// As [`crate::TeamStorage::team_members`].
    pub async fn team_members<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
    ) -> Result<Vec<TeamMember>> {
        let rows = sqlx::query(&format!(
            "{MEMBER_SELECT} WHERE m.team_id = $1 ORDER BY m.role, a.username_key"
        ))
        .bind(team)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        // 'coach' sorts before 'member'.
        rows.iter().map(|row| member(d, row)).collect()
    }

    /// As [`crate::TeamStorage::put_team_member`].
    pub async fn put_team_member<'e>(
        e: impl Executor<'e, Database = DB>,
        m: &TeamMember,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO team_members (team_id, learner_id, role, sharing, invited_at, joined_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id, learner_id) DO UPDATE SET \
             role = excluded.role, sharing = excluded.sharing, invited_at = excluded.invited_at, \
             joined_at = excluded.joined_at",
        )
        .bind(m.team)
        .bind(m.learner.0)
        .bind(m.role.as_str())
        .bind(i64::from(m.sharing))
        .bind(m.invited_at)
        .bind(m.joined_at)
        .execute(e)
        .await?;
        Ok(())
    }

    /// As [`crate::TeamStorage::invite_team_member`].
    pub async fn invite_team_member<'e>(
        e: impl Executor<'e, Database = DB>,
        m: &TeamMember,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows = sqlx::query(
            "INSERT INTO team_members (team_id, learner_id, role, sharing, invited_at, joined_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id, learner_id) DO NOTHING \
             RETURNING team_id",
        )
        .bind(m.team)
        .bind(m.learner.0)
        .bind(m.role.as_str())
        .bind(i64::from(m.sharing))
        .bind(m.invited_at)
        .bind(m.joined_at)
        .fetch_all(e)
        .await?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::accept_team_invitation`].
    pub async fn accept_team_invitation<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
        learner: LearnerId,
        sharing: bool,
        now: Millis,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE team_members SET joined_at = $3, \
             sharing = CASE WHEN role = 'member' THEN $4 ELSE 0 END \
             WHERE team_id = $1 AND learner_id = $2 AND joined_at IS NULL RETURNING team_id",
        )
        .bind(team)
        .bind(learner.0)
        .bind(now)
        .bind(i64::from(sharing))
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::set_team_sharing`].
    pub async fn set_team_sharing<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
        learner: LearnerId,
        sharing: bool,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE team_members SET sharing = $3 WHERE team_id = $1 AND learner_id = $2 \
             AND role = 'member' AND joined_at IS NOT NULL RETURNING team_id",
        )
        .bind(team)
        .bind(learner.0)
        .bind(i64::from(sharing))
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::remove_team_member`].
    pub async fn remove_team_member<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
        learner: LearnerId,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "DELETE FROM team_members WHERE team_id = $1 AND learner_id = $2 RETURNING team_id",
        )
        .bind(team)
        .bind(learner.0)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::create_team_invite`].
    pub async fn create_team_invite<'e>(
        e: impl Executor<'e, Database = DB>,
        i: &TeamInvite,
    ) -> std::result::Result<i64, sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO team_invites (team_id, token_hash, created_by, created_at, expires_at, \
             max_uses, uses, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(i.team)
        .bind(i.token_hash.as_str())
        .bind(i.created_by.map(|l| l.0))
        .bind(i.created_at)
        .bind(i.expires_at)
        .bind(i.max_uses)
        .bind(i.uses)
        .bind(i.revoked_at)
        .fetch_one(e)
        .await?;
        row.int("id")
    }

    /// As [`crate::TeamStorage::team_invites`].
    pub async fn team_invites<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
    ) -> Result<Vec<TeamInvite>> {
        let rows = sqlx::query(&format!(
            "SELECT {INVITE_COLUMNS} FROM team_invites WHERE team_id = $1 \
             ORDER BY created_at DESC, id DESC"
        ))
        .bind(team)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| invite(d, row)).collect()
    }

    /// As [`crate::TeamStorage::team_invite`].
    pub async fn team_invite<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        token_hash: &str,
    ) -> Result<Option<TeamInvite>> {
        let row = sqlx::query(&format!(
            "SELECT {INVITE_COLUMNS} FROM team_invites WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        row.map(|row| invite(d, &row)).transpose()
    }

    /// As [`crate::TeamStorage::revoke_team_invite`].
    pub async fn revoke_team_invite<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
        id: i64,
        at: Millis,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE team_invites SET revoked_at = $3 WHERE team_id = $1 AND id = $2 \
             AND revoked_at IS NULL RETURNING id",
        )
        .bind(team)
        .bind(id)
        .bind(at)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::join_team`], in the caller's write transaction.
    pub async fn join_team(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        token_hash: &str,
        learner: LearnerId,
        sharing: bool,
        now: Millis,
    ) -> Result<Option<i64>> {
        // Someone this link made an account for (invited at sign-up) joins without a
        // second use, while the link is neither revoked nor expired.
        let invited = sqlx::query(
            "SELECT i.team_id AS team_id FROM team_invites i JOIN team_members m \
             ON m.team_id = i.team_id AND m.learner_id = $3 AND m.joined_at IS NULL \
             WHERE i.token_hash = $1 AND i.revoked_at IS NULL AND i.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .bind(learner.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        let row = match invited {
            Some(row) => Some(row),
            // Counting the use first takes the link's row: two joins count twice, the last
            // use goes to one of them, and a revoke in between is seen.
            None => sqlx::query(
                "UPDATE team_invites SET uses = uses + 1 WHERE token_hash = $1 \
                 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses \
                 RETURNING team_id",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| d.error(e))?,
        };
        let Some(row) = row else {
            return Ok(None);
        };
        let team = d.int(&row, "team_id")?;
        sqlx::query(
            "INSERT INTO team_members (team_id, learner_id, role, sharing, invited_at, joined_at) \
             VALUES ($1, $2, 'member', $3, $4, $4) ON CONFLICT (team_id, learner_id) DO UPDATE \
             SET sharing = excluded.sharing, \
             joined_at = COALESCE(team_members.joined_at, excluded.joined_at)",
        )
        .bind(team)
        .bind(learner.0)
        .bind(i64::from(sharing))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            if super::is_foreign_key_violation(&e) {
                StorageError::Invalid(format!("there is no learner {learner}"))
            } else {
                d.error(e)
            }
        })?;
        Ok(Some(team))
    }

    /// As [`crate::TeamStorage::team_progress`], in the caller's read transaction (one
    /// snapshot). `list` is the backend's aggregate of text rows into one, newline-separated
    /// (`group_concat(X, char(10))`, `string_agg(X, chr(10))`), `real` its text of a
    /// floating-point column (NULL as `-`) that gives back at least the `f32` FSRS uses: marks, cards and recent
    /// reviews come as one row per member, not one per item (a cohort of 500 with a year of
    /// study has some 200,000 of those, and a row costs more to decode than a line to split).
    pub async fn team_progress(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        (list, real): (SqlText, SqlText),
        team: i64,
        since: Millis,
    ) -> Result<TeamProgress> {
        let mut progress = TeamProgress::default();
        let members = sqlx::query(&format!(
            "{MEMBER_SELECT} WHERE m.team_id = $1 AND m.role = 'member' AND m.sharing = 1 \
             AND m.joined_at IS NOT NULL ORDER BY a.username_key"
        ))
        .bind(team)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        for row in &members {
            progress.members.push(member(d, row)?);
        }
        let marks = list("k.guide_id || ' ' || k.question_id");
        let cards = list(&format!(
            "c.guide_id || ' ' || c.question_id || ' ' || c.phase || ' ' || {} || ' ' || {} \
             || ' ' || COALESCE(CAST(c.last_review AS TEXT), '-')",
            real("c.stability"),
            real("c.difficulty")
        ));
        let recent =
            list("r.guide_id || ' ' || r.question_id || ' ' || CAST(r.reviewed_at AS TEXT)");
        let rows = sqlx::query(&format!(
            "SELECT s.learner_id AS learner_id, \
             (SELECT {marks} FROM marks k WHERE k.learner_id = s.learner_id) AS marks, \
             (SELECT {cards} FROM cards c WHERE c.learner_id = s.learner_id) AS cards, \
             (SELECT {recent} FROM reviews r WHERE r.learner_id = s.learner_id \
               AND r.reviewed_at >= $2) AS recent, \
             (SELECT MAX(r.reviewed_at) FROM reviews r WHERE r.learner_id = s.learner_id) \
               AS last FROM ({SHARING}) s"
        ))
        .bind(team)
        .bind(since)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        for row in &rows {
            let learner = LearnerId(d.int(row, "learner_id")?);
            let lines = |column: &str| -> Result<String> {
                Ok(d.sql(row.text_or_null(column))?.unwrap_or_default())
            };
            for line in lines("marks")?.lines() {
                let mut words = line.split(' ');
                progress.marks.push((learner, key_of(d, &mut words)?));
            }
            for line in lines("cards")?.lines() {
                progress.cards.push((learner, recall_card(d, line)?));
            }
            for line in lines("recent")?.lines() {
                let mut words = line.split(' ');
                let key = key_of(d, &mut words)?;
                let at = words
                    .next()
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| d.corrupt("a review without its time"))?;
                progress.recent_reviews.push((learner, key, at));
            }
            if let Some(last) = d.sql(row.int_or_null("last"))? {
                progress.last_review.push((learner, last));
            }
        }
        let rows = sqlx::query(&format!(
            "SELECT learner_id, name, value FROM learner_settings WHERE learner_id IN ({SHARING})"
        ))
        .bind(team)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        for row in &rows {
            progress.settings.push((
                LearnerId(d.int(row, "learner_id")?),
                d.text(row, "name")?,
                d.text(row, "value")?,
            ));
        }
        // The document only where the missed key points are not recorded yet.
        let rows = sqlx::query(&format!(
            "SELECT learner_id, interview_id, guide_id, revision, started_at, finished_at, \
             score, CASE WHEN missed_recorded = 1 THEN '' ELSE state END AS state \
             FROM interviews WHERE learner_id IN ({SHARING}) \
             AND finished_at IS NOT NULL ORDER BY learner_id, started_at"
        ))
        .bind(team)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        for row in &rows {
            progress.interviews.push(Owned {
                learner: LearnerId(d.int(row, "learner_id")?),
                value: d.interview(row)?,
            });
        }
        let rows = sqlx::query(&format!(
            "SELECT learner_id, interview_id, item, key_point, guide_id, question_id, text \
             FROM interview_missed WHERE learner_id IN ({SHARING})"
        ))
        .bind(team)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        for row in &rows {
            progress.missed.push((
                LearnerId(d.int(row, "learner_id")?),
                MissedKeyPoint {
                    interview: d.text(row, "interview_id")?,
                    item: d.int(row, "item")?,
                    key_point: d.int(row, "key_point")?,
                    key: d.key(row)?,
                    text: d.text(row, "text")?,
                },
            ));
        }
        Ok(progress)
    }

    /// As [`crate::TeamStorage::record_missed`], in the caller's write transaction: `false`
    /// when the interview is not at `revision` (the caller rolls back).
    pub async fn record_missed(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        interview: &str,
        revision: i64,
        missed: &[MissedKeyPoint],
    ) -> Result<bool> {
        let marked = sqlx::query(
            "UPDATE interviews SET missed_recorded = 1 WHERE learner_id = $1 \
             AND interview_id = $2 AND revision = $3 RETURNING revision",
        )
        .bind(learner.0)
        .bind(interview)
        .bind(revision)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        if marked.is_empty() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM interview_missed WHERE learner_id = $1 AND interview_id = $2")
            .bind(learner.0)
            .bind(interview)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        for point in missed {
            sqlx::query(
                "INSERT INTO interview_missed (learner_id, interview_id, item, key_point, \
                 guide_id, question_id, text) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (learner_id, interview_id, item, key_point) DO NOTHING",
            )
            .bind(learner.0)
            .bind(interview)
            .bind(point.item)
            .bind(point.key_point)
            .bind(point.key.guide.as_str())
            .bind(point.key.question.as_str())
            .bind(point.text.as_str())
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        }
        Ok(true)
    }
}

const ASSIGNMENT_COLUMNS: &str = "id, team_id, guide_id, title, request, created_by, created_at";

fn assignment(d: Decoder<'_>, row: &impl Columns) -> Result<Assignment> {
    Ok(Assignment {
        id: d.int(row, "id")?,
        team: d.int(row, "team_id")?,
        guide: d.text(row, "guide_id")?,
        title: d.text(row, "title")?,
        request: d.text(row, "request")?,
        created_by: d.sql(row.int_or_null("created_by"))?.map(LearnerId),
        created_at: d.int(row, "created_at")?,
    })
}

/// The interviews started for assignments, with their outcome, joined from `ia` and `i`.
const TAKEN_SELECT: &str = "SELECT ia.assignment_id AS assignment_id, ia.learner_id AS \
     learner_id, ia.interview_id AS interview_id, i.started_at AS started_at, i.finished_at AS \
     finished_at, i.score AS score FROM interview_assignments ia JOIN interviews i \
     ON i.learner_id = ia.learner_id AND i.interview_id = ia.interview_id";

fn taken(d: Decoder<'_>, row: &impl Columns) -> Result<AssignmentTaken> {
    Ok(AssignmentTaken {
        assignment: d.int(row, "assignment_id")?,
        learner: LearnerId(d.int(row, "learner_id")?),
        interview: d.text(row, "interview_id")?,
        started_at: d.int(row, "started_at")?,
        finished_at: d.sql(row.int_or_null("finished_at"))?,
        score: d.sql(row.float_or_null("score"))?,
    })
}

impl<DB> Queries<DB>
where
    DB: Database,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    <DB as Database>::Row: Columns,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
{
    /// As [`crate::TeamStorage::create_assignment`].
    pub async fn create_assignment<'e>(
        e: impl Executor<'e, Database = DB>,
        a: &Assignment,
    ) -> std::result::Result<i64, sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO team_assignments (team_id, guide_id, title, request, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(a.team)
        .bind(a.guide.as_str())
        .bind(a.title.as_str())
        .bind(a.request.as_str())
        .bind(a.created_by.map(|l| l.0))
        .bind(a.created_at)
        .fetch_one(e)
        .await?;
        row.int("id")
    }

    /// As [`crate::TeamStorage::assignments`].
    pub async fn assignments<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
    ) -> Result<Vec<Assignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM team_assignments WHERE team_id = $1 \
             ORDER BY created_at DESC, id DESC"
        ))
        .bind(team)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| assignment(d, row)).collect()
    }

    /// As [`crate::TeamStorage::assignment`].
    pub async fn assignment<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id: i64,
    ) -> Result<Option<Assignment>> {
        let row = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM team_assignments WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        row.map(|row| assignment(d, &row)).transpose()
    }

    /// As [`crate::TeamStorage::delete_assignment`].
    pub async fn delete_assignment<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
        id: i64,
    ) -> Result<bool> {
        let rows =
            sqlx::query("DELETE FROM team_assignments WHERE team_id = $1 AND id = $2 RETURNING id")
                .bind(team)
                .bind(id)
                .fetch_all(e)
                .await
                .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::TeamStorage::link_assignment`].
    pub async fn link_assignment<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        interview: &str,
        assignment: i64,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO interview_assignments (learner_id, interview_id, assignment_id) \
             VALUES ($1, $2, $3)",
        )
        .bind(learner.0)
        .bind(interview)
        .bind(assignment)
        .execute(e)
        .await?;
        Ok(())
    }

    /// As [`crate::TeamStorage::assignments_taken`].
    pub async fn assignments_taken<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        team: i64,
    ) -> Result<Vec<AssignmentTaken>> {
        let rows = sqlx::query(&format!(
            "{TAKEN_SELECT} WHERE ia.assignment_id IN (SELECT id FROM team_assignments \
             WHERE team_id = $1) AND ia.learner_id IN ({SHARING}) \
             ORDER BY i.started_at, ia.interview_id"
        ))
        .bind(team)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| taken(d, row)).collect()
    }

    /// As [`crate::TeamStorage::my_assignments_taken`].
    pub async fn my_assignments_taken<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<AssignmentTaken>> {
        let rows = sqlx::query(&format!(
            "{TAKEN_SELECT} WHERE ia.learner_id = $1 ORDER BY i.started_at, ia.interview_id"
        ))
        .bind(learner.0)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| taken(d, row)).collect()
    }
}
