//! Multi-user mode: the `accounts`, `sessions`, `invites` and `site_settings` tables of
//! migration 0004, behind [`AccountStorage`].
//!
//! The statements are the ones every backend shares (`mastery_storage::sql::Queries`).
//! What is PostgreSQL's own is how the writes stay correct with several instances, at READ
//! COMMITTED:
//!
//! - **Unique keys.** [`AccountStorage::create_account`] asks whether the username or
//!   e-mail key is taken, but two instances can both find it free; the unique indexes
//!   decide, and `errors.rs` maps the broken one, by its name, to [`StorageError::Taken`].
//! - **Invitations.** One use is taken by a single `UPDATE ... WHERE uses < max_uses`: of
//!   two sign-ups racing for the last use, the second waits for the first's row lock, sees
//!   its update, and matches nothing.
//! - **The first admin.** "No admin exists yet" is a read that a concurrent insert would
//!   not see, so an [`Admission::FirstAdmin`] creation first locks `accounts` in SHARE ROW
//!   EXCLUSIVE mode: it waits for writes of `accounts` in flight and keeps new ones out
//!   until it commits (reads go on). Other creations do not take it.
//! - **The personal learner** is claimed by one `UPDATE learners ... WHERE kind =
//!   'personal'`: a second admin created at once re-checks the row after the first commits
//!   and finds it taken.
//!
//! The other writes are single statements, or (disabling, replacing a session) two in one
//! transaction.
//!
//! [`StorageError::Taken`]: mastery_storage::StorageError::Taken

use mastery_storage::{
    Account, AccountStorage, Admission, FoundSession, Invite, LearnerId, Millis, NewAccount,
    Result, Role, StoredSession, check_account_text, check_setting, check_setting_name,
};

use crate::{PostgresStore, Sql};

#[async_trait::async_trait]
impl AccountStorage for PostgresStore {
    async fn create_account(&self, new: &NewAccount<'_>) -> Result<LearnerId> {
        new.check()?;
        let mut tx = self.begin().await?;
        if new.admission == Admission::FirstAdmin {
            sqlx::query("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(|e| self.error(e))?;
        }
        let learner = Sql::create_account(&mut tx, self.decoder(), new).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(learner)
    }

    async fn account(&self, learner: LearnerId) -> Result<Option<Account>> {
        Sql::account(&self.pool, self.decoder(), learner).await
    }

    async fn account_by_key(&self, key: &str) -> Result<Option<Account>> {
        Sql::account_by_key(&self.pool, self.decoder(), key).await
    }

    async fn accounts(&self) -> Result<Vec<Account>> {
        Sql::accounts(&self.pool, self.decoder()).await
    }

    async fn account_counts(&self) -> Result<(u64, u64)> {
        Sql::account_counts(&self.pool, self.decoder()).await
    }

    async fn admin_count(&self) -> Result<u64> {
        Sql::admin_count(&self.pool, self.decoder()).await
    }

    async fn set_password(&self, learner: LearnerId, hash: &str, at: Millis) -> Result<bool> {
        check_account_text("a password hash", hash)?;
        Sql::set_password(&self.pool, learner, hash, at)
            .await
            .map_err(|e| self.error(e))
    }

    async fn set_email(&self, learner: LearnerId, email: Option<(&str, &str)>) -> Result<bool> {
        if let Some((typed, key)) = email {
            check_account_text("an e-mail address", typed)?;
            check_account_text("an e-mail key", key)?;
        }
        Sql::set_email(&self.pool, learner, email)
            .await
            .map_err(|e| self.error(e))
    }

    async fn set_role(&self, learner: LearnerId, role: Role) -> Result<bool> {
        Sql::set_role(&self.pool, learner, role)
            .await
            .map_err(|e| self.error(e))
    }

    async fn set_disabled(&self, learner: LearnerId, at: Option<Millis>) -> Result<bool> {
        let mut tx = self.begin().await?;
        let found = Sql::set_disabled(&mut tx, learner, at)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn delete_account(&self, learner: LearnerId) -> Result<bool> {
        Sql::delete_account(&self.pool, learner)
            .await
            .map_err(|e| self.error(e))
    }

    async fn create_session(&self, session: &StoredSession, replacing: Option<&str>) -> Result<()> {
        session.check()?;
        if let Some(old) = replacing {
            check_account_text("a session id digest", old)?;
        }
        let mut tx = self.begin().await?;
        Sql::create_session(&mut tx, session, replacing)
            .await
            .map_err(|e| self.learner_error(session.learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn session(&self, id_hash: &str) -> Result<Option<FoundSession>> {
        Sql::session(&self.pool, self.decoder(), id_hash).await
    }

    async fn touch_session(&self, id_hash: &str, at: Millis) -> Result<()> {
        check_account_text("a session id digest", id_hash)?;
        Sql::touch_session(&self.pool, id_hash, at)
            .await
            .map_err(|e| self.error(e))
    }

    async fn sessions(&self, learner: LearnerId) -> Result<Vec<StoredSession>> {
        Sql::sessions(&self.pool, self.decoder(), learner).await
    }

    async fn end_session(&self, learner: LearnerId, id_hash: &str) -> Result<bool> {
        check_account_text("a session id digest", id_hash)?;
        Sql::end_session(&self.pool, learner, id_hash)
            .await
            .map_err(|e| self.error(e))
    }

    async fn end_sessions(&self, learner: LearnerId, keep: Option<&str>) -> Result<u64> {
        if let Some(keep) = keep {
            check_account_text("a session id digest", keep)?;
        }
        Sql::end_sessions(&self.pool, learner, keep)
            .await
            .map_err(|e| self.error(e))
    }

    async fn end_expired_sessions(
        &self,
        idle_before: Millis,
        created_before: Millis,
    ) -> Result<u64> {
        Sql::end_expired_sessions(&self.pool, idle_before, created_before)
            .await
            .map_err(|e| self.error(e))
    }

    async fn create_invite(&self, invite: &Invite) -> Result<i64> {
        invite.check()?;
        Sql::insert_invite(&self.pool, self.decoder(), invite, false).await
    }

    async fn invites(&self) -> Result<Vec<Invite>> {
        Sql::invites(&self.pool, self.decoder()).await
    }

    async fn invite_by_token(&self, token_hash: &str) -> Result<Option<Invite>> {
        Sql::invite_by_token(&self.pool, self.decoder(), token_hash).await
    }

    async fn revoke_invite(&self, id: i64, at: Millis) -> Result<bool> {
        Sql::revoke_invite(&self.pool, id, at)
            .await
            .map_err(|e| self.error(e))
    }

    async fn site_setting(&self, name: &str) -> Result<Option<String>> {
        check_setting_name(name)?;
        Sql::site_setting(&self.pool, self.decoder(), name).await
    }

    async fn site_settings_under(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        Sql::site_settings_under(&self.pool, self.decoder(), prefix).await
    }

    async fn set_site_setting(&self, name: &str, value: &str) -> Result<()> {
        check_setting(name, value)?;
        Sql::set_site_setting(&self.pool, name, value)
            .await
            .map_err(|e| self.error(e))
    }
}
