//! Account security: the `rate_limits` of migration 0005 and the tables of migration 0007
//! (`totp`, `recovery_codes`, `api_tokens`, `security_events`), behind
//! [`SecurityStorage`].
//!
//! The statements are the ones every backend shares (`mastery_storage::sql::Queries`).
//! With several instances at READ COMMITTED, a limit's row is created first and then
//! locked (`FOR UPDATE`) while its arrival time is read and moved, in key order, so two
//! instances taking the same limit wait for each other and never both pass on one
//! token; a TOTP step or a recovery code is taken by one conditional `UPDATE`.

use mastery_storage::{
    Account, ApiToken, EmailLink, LearnerId, LinkPurpose, Millis, RateLimit, Result, SecurityEvent,
    SecurityStorage, StoredTotp, check_account_text, check_rate_key,
};

use crate::{PostgresStore, Sql};

/// What a `SELECT` that keeps its row for the transaction appends.
const LOCK: &str = " FOR UPDATE";

#[async_trait::async_trait]
impl SecurityStorage for PostgresStore {
    async fn take_rates(
        &self,
        limits: &[RateLimit<'_>],
        now: Millis,
    ) -> Result<Option<(usize, i64)>> {
        for limit in limits {
            check_rate_key(limit.key)?;
        }
        // Refused already? Then reads answer, without queueing for the writer or a lock.
        if let Some(wait) = Sql::peek_rates(&self.pool, self.decoder(), limits, now).await? {
            return Ok(Some(wait));
        }
        let mut tx = self.begin().await?;
        let wait = Sql::take_rates(&mut tx, self.decoder(), limits, now, LOCK).await?;
        if wait.is_some() {
            // Refused: nothing is taken, not even the rows of keys seen for the first time
            // (a flood of new names writes nothing).
            tx.rollback().await.map_err(|e| self.error(e))?;
        } else {
            tx.commit().await.map_err(|e| self.error(e))?;
        }
        Ok(wait)
    }

    async fn clear_rates(&self, keys: &[&str]) -> Result<()> {
        for key in keys {
            check_rate_key(key)?;
        }
        let mut tx = self.begin().await?;
        Sql::clear_rates(&mut tx, self.decoder(), keys).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn sweep_rates(&self, now: Millis) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = Sql::sweep_rates(&mut *tx, self.decoder(), now).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(n)
    }

    async fn totp(&self, learner: LearnerId) -> Result<Option<StoredTotp>> {
        Sql::totp(&self.pool, self.decoder(), learner).await
    }

    async fn begin_totp(&self, learner: LearnerId, secret: &str, at: Millis) -> Result<()> {
        check_account_text("a TOTP secret", secret)?;
        let mut tx = self.begin().await?;
        let begun = Sql::begin_totp(&mut tx, self.decoder(), learner, secret, at, LOCK).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        mastery_storage::security::enabled_already(begun)
    }

    async fn enable_totp(
        &self,
        learner: LearnerId,
        step: i64,
        recovery_hashes: &[String],
        at: Millis,
    ) -> Result<bool> {
        for hash in recovery_hashes {
            check_account_text("a recovery code digest", hash)?;
        }
        let mut tx = self.begin().await?;
        let done =
            Sql::enable_totp(&mut tx, self.decoder(), learner, step, recovery_hashes, at).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(done)
    }

    async fn use_totp_step(&self, learner: LearnerId, step: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let used = Sql::use_totp_step(&mut *tx, self.decoder(), learner, step).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(used)
    }

    async fn use_recovery_code(
        &self,
        learner: LearnerId,
        code_hash: &str,
        at: Millis,
    ) -> Result<bool> {
        check_account_text("a recovery code digest", code_hash)?;
        let mut tx = self.begin().await?;
        let used = Sql::use_recovery_code(&mut *tx, self.decoder(), learner, code_hash, at).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(used)
    }

    async fn recovery_codes_left(&self, learner: LearnerId) -> Result<i64> {
        Sql::recovery_codes_left(&self.pool, self.decoder(), learner).await
    }

    async fn disable_totp(&self, learner: LearnerId) -> Result<bool> {
        let mut tx = self.begin().await?;
        let found = Sql::disable_totp(&mut tx, self.decoder(), learner).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn create_api_token(&self, token: &ApiToken) -> Result<i64> {
        token.check()?;
        let mut tx = self.begin().await?;
        let id = Sql::create_api_token(&mut *tx, self.decoder(), token).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(id)
    }

    async fn api_tokens(&self, learner: LearnerId) -> Result<Vec<ApiToken>> {
        Sql::api_tokens(&self.pool, self.decoder(), learner).await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<(ApiToken, Account)>> {
        Sql::api_token(&self.pool, self.decoder(), token_hash).await
    }

    async fn touch_api_token(&self, id: i64, at: Millis) -> Result<()> {
        let mut tx = self.begin().await?;
        Sql::touch_api_token(&mut *tx, self.decoder(), id, at).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn revoke_api_token(&self, learner: LearnerId, id: i64, at: Millis) -> Result<bool> {
        let mut tx = self.begin().await?;
        let found = Sql::revoke_api_token(&mut *tx, self.decoder(), learner, id, at).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn record_security_event(&self, event: &SecurityEvent, keep: i64) -> Result<()> {
        event.check()?;
        let mut tx = self.begin().await?;
        Sql::record_security_event(&mut tx, self.decoder(), event, keep).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn security_events(&self, learner: LearnerId, limit: i64) -> Result<Vec<SecurityEvent>> {
        Sql::security_events(&self.pool, self.decoder(), learner, limit).await
    }

    async fn create_email_link(&self, link: &EmailLink) -> Result<()> {
        check_account_text("a link's address", &link.email_key)?;
        let mut tx = self.begin().await?;
        Sql::create_email_link(&mut tx, self.decoder(), link).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn email_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        at: Millis,
    ) -> Result<Option<EmailLink>> {
        Sql::email_link(&self.pool, self.decoder(), token_hash, purpose, at).await
    }

    async fn use_email_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        at: Millis,
    ) -> Result<Option<EmailLink>> {
        let mut tx = self.begin().await?;
        let link = Sql::use_email_link(&mut tx, self.decoder(), token_hash, purpose, at).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(link)
    }

    async fn set_email_verified(
        &self,
        learner: LearnerId,
        email_key: &str,
        at: Millis,
    ) -> Result<()> {
        check_account_text("a verified address", email_key)?;
        Sql::set_email_verified(&self.pool, self.decoder(), learner, email_key, at).await
    }

    async fn verified_email(&self, learner: LearnerId) -> Result<Option<String>> {
        Sql::verified_email(&self.pool, self.decoder(), learner).await
    }
}
