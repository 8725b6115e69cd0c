//! The statements of single sign-on (the tables of migration 0009), shared by the sqlx
//! backends like the rest of [`Queries`]. Writes of several statements take the backend's
//! open transaction (`conn`).

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{Columns, Decoder, Queries};
use crate::{LearnerId, Millis, Result, SsoIdentity, SsoPending};

const IDENTITY_COLUMNS: &str = "issuer, subject, learner_id, created_at, last_used_at";

fn identity(d: Decoder<'_>, row: &impl Columns) -> Result<SsoIdentity> {
    Ok(SsoIdentity {
        issuer: d.text(row, "issuer")?,
        subject: d.text(row, "subject")?,
        learner: LearnerId(d.int(row, "learner_id")?),
        created_at: d.int(row, "created_at")?,
        last_used_at: d.int(row, "last_used_at")?,
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
{
    /// As [`crate::SingleSignOnStorage::save_sso_pending`], in the caller's transaction.
    pub async fn save_sso_pending(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        pending: &SsoPending,
        now: Millis,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sso_pending WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        sqlx::query(
            "INSERT INTO sso_pending (state_hash, browser_hash, nonce, verifier, redirect_url, \
             next, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(pending.state_hash.as_str())
        .bind(pending.browser_hash.as_str())
        .bind(pending.nonce.as_str())
        .bind(pending.verifier.as_str())
        .bind(pending.redirect_url.as_str())
        .bind(pending.next.as_str())
        .bind(pending.expires_at)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// As [`crate::SingleSignOnStorage::take_sso_pending`]: one statement deletes the row
    /// and returns it, so two requests with the same state cannot both have it.
    pub async fn take_sso_pending<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        state_hash: &str,
        now: Millis,
    ) -> Result<Option<SsoPending>> {
        let row = sqlx::query(
            "DELETE FROM sso_pending WHERE state_hash = $1 RETURNING state_hash, browser_hash, \
             nonce, verifier, redirect_url, next, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let pending = SsoPending {
            state_hash: d.text(&row, "state_hash")?,
            browser_hash: d.text(&row, "browser_hash")?,
            nonce: d.text(&row, "nonce")?,
            verifier: d.text(&row, "verifier")?,
            redirect_url: d.text(&row, "redirect_url")?,
            next: d.text(&row, "next")?,
            expires_at: d.int(&row, "expires_at")?,
        };
        Ok((pending.expires_at > now).then_some(pending))
    }

    /// As [`crate::SingleSignOnStorage::sso_identity`].
    pub async fn sso_identity<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<SsoIdentity>> {
        let row = sqlx::query(&format!(
            "SELECT {IDENTITY_COLUMNS} FROM sso_identities WHERE issuer = $1 AND subject = $2"
        ))
        .bind(issuer)
        .bind(subject)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        row.map(|row| identity(d, &row)).transpose()
    }

    /// As [`crate::SingleSignOnStorage::link_sso_identity`]: `false` when the identity is
    /// linked already.
    pub async fn link_sso_identity<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        identity: &SsoIdentity,
    ) -> Result<bool> {
        let row = sqlx::query(
            "INSERT INTO sso_identities (issuer, subject, learner_id, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (issuer, subject) DO NOTHING \
             RETURNING learner_id",
        )
        .bind(identity.issuer.as_str())
        .bind(identity.subject.as_str())
        .bind(identity.learner.0)
        .bind(identity.created_at)
        .bind(identity.last_used_at)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(row.is_some())
    }

    /// As [`crate::SingleSignOnStorage::touch_sso_identity`].
    pub async fn touch_sso_identity<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        issuer: &str,
        subject: &str,
        at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE sso_identities SET last_used_at = $3 WHERE issuer = $1 AND subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .bind(at)
        .execute(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// As [`crate::SingleSignOnStorage::sso_identities`].
    pub async fn sso_identities<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<SsoIdentity>> {
        let rows = sqlx::query(&format!(
            "SELECT {IDENTITY_COLUMNS} FROM sso_identities WHERE learner_id = $1 \
             ORDER BY created_at, issuer, subject"
        ))
        .bind(learner.0)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| identity(d, row)).collect()
    }
}
