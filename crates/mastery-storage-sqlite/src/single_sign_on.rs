//! Single sign-on: the tables of migration 0009 (`sso_identities`, `sso_pending`), behind
//! [`SingleSignOnStorage`]. The statements are the ones every backend shares
//! (`mastery_storage::sql::Queries`).

use mastery_storage::{
    LearnerId, Millis, NewAccount, Result, SingleSignOnStorage, SsoIdentity, SsoPending,
    StorageError, check_account_text,
};

use crate::{Sql, SqliteStore};

#[async_trait::async_trait]
impl SingleSignOnStorage for SqliteStore {
    async fn save_sso_pending(&self, pending: &SsoPending, now: Millis) -> Result<()> {
        pending.check()?;
        let mut tx = self.write().await?;
        Sql::save_sso_pending(&mut tx, self.decoder(), pending, now).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn take_sso_pending(&self, state_hash: &str, now: Millis) -> Result<Option<SsoPending>> {
        check_account_text("a state digest", state_hash)?;
        let mut tx = self.write().await?;
        let taken = Sql::take_sso_pending(&mut *tx, self.decoder(), state_hash, now).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(taken)
    }

    async fn sso_identity(&self, issuer: &str, subject: &str) -> Result<Option<SsoIdentity>> {
        check_account_text("an issuer", issuer)?;
        check_account_text("a subject", subject)?;
        Sql::sso_identity(&self.readers, self.decoder(), issuer, subject).await
    }

    async fn link_sso_identity(&self, identity: &SsoIdentity) -> Result<bool> {
        identity.check()?;
        let mut tx = self.write().await?;
        let linked = Sql::link_sso_identity(&mut *tx, self.decoder(), identity).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(linked)
    }

    async fn create_sso_account(
        &self,
        new: &NewAccount<'_>,
        identity: &SsoIdentity,
    ) -> Result<LearnerId> {
        new.check()?;
        identity.check()?;
        let mut tx = self.write().await?;
        let learner = Sql::create_account(&mut tx, self.decoder(), new).await?;
        let identity = SsoIdentity {
            learner,
            ..identity.clone()
        };
        if !Sql::link_sso_identity(&mut *tx, self.decoder(), &identity).await? {
            // Dropping the transaction rolls the account back too.
            return Err(StorageError::Invalid(
                "this identity is linked to an account already".into(),
            ));
        }
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(learner)
    }

    async fn touch_sso_identity(&self, issuer: &str, subject: &str, at: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        Sql::touch_sso_identity(&mut *tx, self.decoder(), issuer, subject, at).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn sso_identities(&self, learner: LearnerId) -> Result<Vec<SsoIdentity>> {
        Sql::sso_identities(&self.readers, self.decoder(), learner).await
    }
}
