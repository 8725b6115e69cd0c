//! Teams: the tables of migration 0010 (`teams`, `team_members`, `team_invites`), behind
//! [`TeamStorage`]. The statements are the ones every backend shares
//! (`mastery_storage::sql::Queries`).

use mastery_storage::sql::is_foreign_key_violation;
use mastery_storage::{
    Assignment, AssignmentTaken, LearnerId, Millis, MissedKeyPoint, Result, StorageError, Team,
    TeamInvite, TeamMember, TeamProgress, TeamStorage, check_account_text,
};

use crate::{Sql, SqliteStore};

#[async_trait::async_trait]
impl TeamStorage for SqliteStore {
    async fn create_team(&self, team: &Team) -> Result<i64> {
        team.check()?;
        let mut tx = self.write().await?;
        let id = Sql::create_team(&mut *tx, self.decoder(), team).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(id)
    }

    async fn update_team(&self, team: &Team) -> Result<bool> {
        team.check()?;
        let mut tx = self.write().await?;
        let found = Sql::update_team(&mut *tx, self.decoder(), team).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn delete_team(&self, team: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::delete_team(&mut *tx, self.decoder(), team).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn team(&self, team: i64) -> Result<Option<Team>> {
        Sql::team(&self.readers, self.decoder(), team).await
    }

    async fn teams(&self) -> Result<Vec<Team>> {
        Sql::teams(&self.readers, self.decoder()).await
    }

    async fn teams_of(&self, learner: LearnerId) -> Result<Vec<(Team, TeamMember)>> {
        Sql::teams_of(&self.readers, self.decoder(), learner).await
    }

    async fn team_members(&self, team: i64) -> Result<Vec<TeamMember>> {
        Sql::team_members(&self.readers, self.decoder(), team).await
    }

    async fn put_team_member(&self, member: &TeamMember) -> Result<()> {
        let mut tx = self.write().await?;
        Sql::put_team_member(&mut *tx, member).await.map_err(|e| {
            if is_foreign_key_violation(&e) {
                StorageError::Invalid(format!(
                    "there is no team {} or no account {}",
                    member.team, member.learner
                ))
            } else {
                self.error(e)
            }
        })?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn remove_team_member(&self, team: i64, learner: LearnerId) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::remove_team_member(&mut *tx, self.decoder(), team, learner).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn create_team_invite(&self, invite: &TeamInvite) -> Result<i64> {
        check_account_text("a token digest", &invite.token_hash)?;
        let mut tx = self.write().await?;
        let id = Sql::create_team_invite(&mut *tx, invite)
            .await
            .map_err(|e| {
                if is_foreign_key_violation(&e) {
                    StorageError::Invalid(format!("there is no team {}", invite.team))
                } else {
                    self.error(e)
                }
            })?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(id)
    }

    async fn team_invites(&self, team: i64) -> Result<Vec<TeamInvite>> {
        Sql::team_invites(&self.readers, self.decoder(), team).await
    }

    async fn team_invite(&self, token_hash: &str) -> Result<Option<TeamInvite>> {
        check_account_text("a token digest", token_hash)?;
        Sql::team_invite(&self.readers, self.decoder(), token_hash).await
    }

    async fn revoke_team_invite(&self, team: i64, invite: i64, at: Millis) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::revoke_team_invite(&mut *tx, self.decoder(), team, invite, at).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn join_team(
        &self,
        token_hash: &str,
        learner: LearnerId,
        sharing: bool,
        now: Millis,
    ) -> Result<Option<i64>> {
        check_account_text("a token digest", token_hash)?;
        let mut tx = self.write().await?;
        let team =
            Sql::join_team(&mut tx, self.decoder(), token_hash, learner, sharing, now).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(team)
    }

    async fn team_progress(&self, team: i64, since: Millis) -> Result<TeamProgress> {
        let mut tx = self.readers.begin().await.map_err(|e| self.error(e))?;
        let progress =
            Sql::team_progress(&mut tx, self.decoder(), (list, real), team, since).await?;
        tx.rollback().await.map_err(|e| self.error(e))?;
        Ok(progress)
    }

    async fn create_assignment(&self, assignment: &Assignment) -> Result<i64> {
        assignment.check()?;
        let mut tx = self.write().await?;
        let id = Sql::create_assignment(&mut *tx, assignment)
            .await
            .map_err(|e| {
                if is_foreign_key_violation(&e) {
                    StorageError::Invalid(format!("there is no team {}", assignment.team))
                } else {
                    self.error(e)
                }
            })?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(id)
    }

    async fn assignments(&self, team: i64) -> Result<Vec<Assignment>> {
        Sql::assignments(&self.readers, self.decoder(), team).await
    }

    async fn assignment(&self, id: i64) -> Result<Option<Assignment>> {
        Sql::assignment(&self.readers, self.decoder(), id).await
    }

    async fn delete_assignment(&self, team: i64, id: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::delete_assignment(&mut *tx, self.decoder(), team, id).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn link_assignment(
        &self,
        learner: LearnerId,
        interview: &str,
        assignment: i64,
    ) -> Result<()> {
        check_account_text("an interview id", interview)?;
        let mut tx = self.write().await?;
        Sql::link_assignment(&mut *tx, learner, interview, assignment)
            .await
            .map_err(|e| {
                if is_foreign_key_violation(&e) {
                    StorageError::Invalid(format!(
                        "there is no interview {interview} or no assignment {assignment}"
                    ))
                } else {
                    self.error(e)
                }
            })?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn assignments_taken(&self, team: i64) -> Result<Vec<AssignmentTaken>> {
        Sql::assignments_taken(&self.readers, self.decoder(), team).await
    }

    async fn my_assignments_taken(&self, learner: LearnerId) -> Result<Vec<AssignmentTaken>> {
        Sql::my_assignments_taken(&self.readers, self.decoder(), learner).await
    }

    async fn invite_team_member(&self, member: &TeamMember) -> Result<bool> {
        let mut tx = self.write().await?;
        let added = Sql::invite_team_member(&mut *tx, member)
            .await
            .map_err(|e| {
                if is_foreign_key_violation(&e) {
                    StorageError::Invalid(format!(
                        "there is no team {} or no account {}",
                        member.team, member.learner
                    ))
                } else {
                    self.error(e)
                }
            })?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(added)
    }

    async fn accept_team_invitation(
        &self,
        team: i64,
        learner: LearnerId,
        sharing: bool,
        now: Millis,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let found =
            Sql::accept_team_invitation(&mut *tx, self.decoder(), team, learner, sharing, now)
                .await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn set_team_sharing(&self, team: i64, learner: LearnerId, sharing: bool) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::set_team_sharing(&mut *tx, self.decoder(), team, learner, sharing).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn record_missed(
        &self,
        learner: LearnerId,
        interview: &str,
        revision: i64,
        missed: &[MissedKeyPoint],
    ) -> Result<bool> {
        check_account_text("an interview id", interview)?;
        for point in missed {
            mastery_storage::check_text("a key point", &point.text)?;
        }
        let mut tx = self.write().await?;
        let recorded = Sql::record_missed(
            &mut tx,
            self.decoder(),
            learner,
            interview,
            revision,
            missed,
        )
        .await?;
        if recorded {
            tx.commit().await.map_err(|e| self.error(e))?;
        }
        Ok(recorded)
    }
}

/// The aggregate of text rows into one, newline-separated (see `Queries::team_progress`).
fn list(expr: &str) -> String {
    format!("group_concat({expr}, char(10))")
}

/// The text of a floating-point column, `-` for NULL (see `Queries::team_progress`): 15
/// significant digits, more than the 9 that give back the `f32` FSRS works in (`printf`
/// with 17 would be exact as `f64` and a fifth slower on a large cohort).
fn real(col: &str) -> String {
    format!("COALESCE(CAST({col} AS TEXT), '-')")
}
