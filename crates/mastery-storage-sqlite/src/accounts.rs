//! Multi-user mode: the `accounts`, `sessions`, `invites` and `site_settings` tables of
//! migration 0004, behind [`AccountStorage`].
//!
//! The statements are the ones every backend shares (`mastery_storage::sql::Queries`).
//! What is SQLite's own is where they run: reads on the reader pool, every write in one
//! `BEGIN IMMEDIATE` transaction on the single writer, so the checks of
//! [`AccountStorage::create_account`] (the taken keys, the invitation, "no admin yet") and
//! its writes cannot interleave with another write, from this process or another one
//! sharing the file. A unique index broken anyway is mapped to [`StorageError::Taken`] in
//! `errors.rs`.

use mastery_storage::{
    Account, AccountStorage, FoundSession, Invite, LearnerId, Millis, NewAccount, Result, Role,
    StoredSession, check_account_text, check_setting, check_setting_name,
};

use crate::{Sql, SqliteStore};

#[async_trait::async_trait]
impl AccountStorage for SqliteStore {
    async fn create_account(&self, new: &NewAccount<'_>) -> Result<LearnerId> {
        new.check()?;
        let mut tx = self.write().await?;
        let learner = Sql::create_account(&mut tx, self.decoder(), new).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(learner)
    }

    async fn account(&self, learner: LearnerId) -> Result<Option<Account>> {
        Sql::account(&self.readers, self.decoder(), learner).await
    }

    async fn account_by_key(&self, key: &str) -> Result<Option<Account>> {
        Sql::account_by_key(&self.readers, self.decoder(), key).await
    }

    async fn accounts(&self) -> Result<Vec<Account>> {
        Sql::accounts(&self.readers, self.decoder()).await
    }

    async fn account_counts(&self) -> Result<(u64, u64)> {
        Sql::account_counts(&self.readers, self.decoder()).await
    }

    async fn admin_count(&self) -> Result<u64> {
        Sql::admin_count(&self.readers, self.decoder()).await
    }

    async fn set_password(&self, learner: LearnerId, hash: &str, at: Millis) -> Result<bool> {
        check_account_text("a password hash", hash)?;
        let mut tx = self.write().await?;
        let found = Sql::set_password(&mut *tx, learner, hash, at)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn set_email(&self, learner: LearnerId, email: Option<(&str, &str)>) -> Result<bool> {
        if let Some((typed, key)) = email {
            check_account_text("an e-mail address", typed)?;
            check_account_text("an e-mail key", key)?;
        }
        let mut tx = self.write().await?;
        let found = Sql::set_email(&mut *tx, learner, email)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn set_role(&self, learner: LearnerId, role: Role) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::set_role(&mut *tx, learner, role)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn set_disabled(&self, learner: LearnerId, at: Option<Millis>) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::set_disabled(&mut tx, learner, at)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn delete_account(&self, learner: LearnerId) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::delete_account(&mut *tx, learner)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn create_session(&self, session: &StoredSession, replacing: Option<&str>) -> Result<()> {
        session.check()?;
        if let Some(old) = replacing {
            check_account_text("a session id digest", old)?;
        }
        let mut tx = self.write().await?;
        Sql::create_session(&mut tx, session, replacing)
            .await
            .map_err(|e| self.learner_error(session.learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn session(&self, id_hash: &str) -> Result<Option<FoundSession>> {
        Sql::session(&self.readers, self.decoder(), id_hash).await
    }

    async fn touch_session(&self, id_hash: &str, at: Millis) -> Result<()> {
        check_account_text("a session id digest", id_hash)?;
        let mut tx = self.write().await?;
        Sql::touch_session(&mut *tx, id_hash, at)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn sessions(&self, learner: LearnerId) -> Result<Vec<StoredSession>> {
        Sql::sessions(&self.readers, self.decoder(), learner).await
    }

    async fn end_session(&self, learner: LearnerId, id_hash: &str) -> Result<bool> {
        check_account_text("a session id digest", id_hash)?;
        let mut tx = self.write().await?;
        let found = Sql::end_session(&mut *tx, learner, id_hash)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn end_sessions(&self, learner: LearnerId, keep: Option<&str>) -> Result<u64> {
        if let Some(keep) = keep {
            check_account_text("a session id digest", keep)?;
        }
        let mut tx = self.write().await?;
        let ended = Sql::end_sessions(&mut *tx, learner, keep)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(ended)
    }

    async fn end_expired_sessions(
        &self,
        idle_before: Millis,
        created_before: Millis,
    ) -> Result<u64> {
        let mut tx = self.write().await?;
        let ended = Sql::end_expired_sessions(&mut *tx, idle_before, created_before)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(ended)
    }

    async fn create_invite(&self, invite: &Invite) -> Result<i64> {
        invite.check()?;
        let mut tx = self.write().await?;
        let id = Sql::insert_invite(&mut *tx, self.decoder(), invite, false).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(id)
    }

    async fn invites(&self) -> Result<Vec<Invite>> {
        Sql::invites(&self.readers, self.decoder()).await
    }

    async fn invite_by_token(&self, token_hash: &str) -> Result<Option<Invite>> {
        Sql::invite_by_token(&self.readers, self.decoder(), token_hash).await
    }

    async fn revoke_invite(&self, id: i64, at: Millis) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::revoke_invite(&mut *tx, id, at)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn site_setting(&self, name: &str) -> Result<Option<String>> {
        check_setting_name(name)?;
        Sql::site_setting(&self.readers, self.decoder(), name).await
    }

    async fn site_settings_under(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        Sql::site_settings_under(&self.readers, self.decoder(), prefix).await
    }

    async fn set_site_setting(&self, name: &str, value: &str) -> Result<()> {
        check_setting(name, value)?;
        let mut tx = self.write().await?;
        Sql::set_site_setting(&mut *tx, name, value)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }
}
