//! The statements of account security (the `rate_limits` table of migration 0005 and the
//! tables of migration 0007), shared by the sqlx backends like the rest of [`Queries`].
//! Writes of several statements take the backend's open transaction (`conn`); `lock` is
//! what the backend appends to a `SELECT` that must keep a row for the transaction
//! (PostgreSQL's `FOR UPDATE`; nothing on SQLite, whose single writer serialises writes).

use std::sync::LazyLock;

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{Columns, Decoder, Queries, account_columns};
use crate::security::{GcraStep, gcra};
use crate::{
    Account, ApiToken, EmailLink, LearnerId, LinkPurpose, Millis, RateLimit, Result, SecurityEvent,
    StoredTotp, TokenScope,
};

/// The columns of `api_tokens` (aliased `t`), named apart from an account's.
const TOKEN_COLUMNS: &str = "t.id AS token_id, t.learner_id AS token_learner, \
     t.token_hash AS token_hash, t.label AS label, t.scope AS scope, \
     t.created_at AS token_created_at, t.expires_at AS expires_at, \
     t.last_used_at AS last_used_at, t.revoked_at AS revoked_at";

static TOKEN_WITH_ACCOUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {TOKEN_COLUMNS}, {} FROM api_tokens t \
         JOIN accounts a ON a.learner_id = t.learner_id WHERE t.token_hash = $1",
        account_columns()
    )
});

/// A link from its row.
fn link_of<R: Columns>(d: Decoder<'_>, row: &R, purpose: LinkPurpose) -> Result<EmailLink> {
    Ok(EmailLink {
        token_hash: d.text(row, "token_hash")?,
        learner: LearnerId(d.int(row, "learner_id")?),
        purpose,
        email_key: d.text(row, "email_key")?,
        created_at: d.int(row, "created_at")?,
        expires_at: d.int(row, "expires_at")?,
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
    // ------------------------------------------------------------------- rate limits

    /// As [`crate::SecurityStorage::take_rates`], in the caller's transaction.
    pub async fn take_rates(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        limits: &[RateLimit<'_>],
        now: Millis,
        lock: &str,
    ) -> Result<Option<(usize, i64)>> {
        let mut allowed = Vec::with_capacity(limits.len());
        let mut wait: Option<(usize, i64)> = None;
        // Keys in one order, so two transactions taking the same keys cannot deadlock.
        let mut sorted: Vec<(usize, &RateLimit<'_>)> = limits.iter().enumerate().collect();
        sorted.sort_by_key(|(_, l)| l.key);
        for (index, limit) in sorted {
            // The row exists before it is locked, so two first requests do not both pass.
            sqlx::query(
                "INSERT INTO rate_limits (key, tat) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(limit.key)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
            let row = sqlx::query(&format!("SELECT tat FROM rate_limits WHERE key = $1{lock}"))
                .bind(limit.key)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| d.error(e))?;
            match gcra(
                Some(d.int(&row, "tat")?),
                now,
                limit.interval_ms,
                limit.burst,
            ) {
                GcraStep::Wait(ms) => {
                    if wait.is_none_or(|(_, longest)| ms > longest) {
                        wait = Some((index, ms));
                    }
                }
                GcraStep::Allow(tat) => allowed.push((limit.key, tat)),
            }
        }
        if wait.is_some() {
            return Ok(wait);
        }
        for (key, tat) in allowed {
            sqlx::query("UPDATE rate_limits SET tat = $2 WHERE key = $1")
                .bind(key)
                .bind(tat)
                .execute(&mut *conn)
                .await
                .map_err(|e| d.error(e))?;
        }
        Ok(None)
    }

    /// What [`Self::take_rates`] would refuse, read without a transaction or a lock: a
    /// refusal seen here stands (an arrival time only moves forward, but for a clear), so
    /// a flood of refused requests is answered by reads alone and never queues on the
    /// row lock of its key. None means "maybe allowed": take them in a transaction.
    pub async fn peek_rates<'e, E>(
        e: E,
        d: Decoder<'_>,
        limits: &[RateLimit<'_>],
        now: Millis,
    ) -> Result<Option<(usize, i64)>>
    where
        E: Executor<'e, Database = DB> + Copy,
    {
        let mut wait: Option<(usize, i64)> = None;
        for (index, limit) in limits.iter().enumerate() {
            let row = sqlx::query("SELECT tat FROM rate_limits WHERE key = $1")
                .bind(limit.key)
                .fetch_optional(e)
                .await
                .map_err(|e| d.error(e))?;
            let Some(row) = row else { continue };
            if let GcraStep::Wait(ms) = gcra(
                Some(d.int(&row, "tat")?),
                now,
                limit.interval_ms,
                limit.burst,
            ) && wait.is_none_or(|(_, longest)| ms > longest)
            {
                wait = Some((index, ms));
            }
        }
        Ok(wait)
    }

    /// Forgets these limits.
    pub async fn clear_rates(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        keys: &[&str],
    ) -> Result<()> {
        for key in keys {
            sqlx::query("DELETE FROM rate_limits WHERE key = $1")
                .bind(*key)
                .execute(&mut *conn)
                .await
                .map_err(|e| d.error(e))?;
        }
        Ok(())
    }

    /// Forgets the limits that are full again.
    pub async fn sweep_rates<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        now: Millis,
    ) -> Result<u64> {
        let rows = sqlx::query("DELETE FROM rate_limits WHERE tat <= $1 RETURNING key")
            .bind(now)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
    }

    // --------------------------------------------------------------------------- TOTP

    /// An account's authenticator.
    pub async fn totp<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Option<StoredTotp>> {
        let row = sqlx::query(
            "SELECT learner_id, secret, created_at, enabled_at, last_step FROM totp \
             WHERE learner_id = $1",
        )
        .bind(learner.0)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        row.map(|row| {
            Ok(StoredTotp {
                learner: LearnerId(d.int(&row, "learner_id")?),
                secret: d.text(&row, "secret")?,
                created_at: d.int(&row, "created_at")?,
                enabled_at: d.sql(row.int_or_null("enabled_at"))?,
                last_step: d.int(&row, "last_step")?,
            })
        })
        .transpose()
    }

    /// As [`crate::SecurityStorage::begin_totp`], in the caller's transaction: false when
    /// one is enabled.
    pub async fn begin_totp(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        secret: &str,
        at: Millis,
        lock: &str,
    ) -> Result<bool> {
        let row = sqlx::query(&format!(
            "SELECT enabled_at FROM totp WHERE learner_id = $1{lock}"
        ))
        .bind(learner.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        if let Some(row) = row
            && d.sql(row.int_or_null("enabled_at"))?.is_some()
        {
            return Ok(false);
        }
        sqlx::query("DELETE FROM totp WHERE learner_id = $1")
            .bind(learner.0)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        sqlx::query(
            "INSERT INTO totp (learner_id, secret, created_at, enabled_at, last_step) \
             VALUES ($1, $2, $3, NULL, -1)",
        )
        .bind(learner.0)
        .bind(secret)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(true)
    }

    /// As [`crate::SecurityStorage::enable_totp`], in the caller's transaction.
    pub async fn enable_totp(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        step: i64,
        recovery_hashes: &[String],
        at: Millis,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE totp SET enabled_at = $2, last_step = $3 \
             WHERE learner_id = $1 AND enabled_at IS NULL RETURNING learner_id",
        )
        .bind(learner.0)
        .bind(at)
        .bind(step)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        if rows.is_empty() {
            return Ok(false);
        }
        Self::replace_recovery_codes(conn, d, learner, recovery_hashes).await?;
        Ok(true)
    }

    async fn replace_recovery_codes(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        hashes: &[String],
    ) -> Result<()> {
        sqlx::query("DELETE FROM recovery_codes WHERE learner_id = $1")
            .bind(learner.0)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        for hash in hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (learner_id, code_hash, used_at) VALUES ($1, $2, NULL) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(learner.0)
            .bind(hash.as_str())
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        }
        Ok(())
    }

    /// As [`crate::SecurityStorage::use_totp_step`]: one statement, so two instances
    /// checking the same code at once cannot both accept it.
    pub async fn use_totp_step<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        step: i64,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE totp SET last_step = $2 WHERE learner_id = $1 AND enabled_at IS NOT NULL \
             AND last_step < $2 RETURNING learner_id",
        )
        .bind(learner.0)
        .bind(step)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// As [`crate::SecurityStorage::use_recovery_code`]: one statement.
    pub async fn use_recovery_code<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        code_hash: &str,
        at: Millis,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE learner_id = $1 AND code_hash = $2 \
             AND used_at IS NULL RETURNING learner_id",
        )
        .bind(learner.0)
        .bind(code_hash)
        .bind(at)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    /// How many recovery codes are unused.
    pub async fn recovery_codes_left<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE learner_id = $1 AND used_at IS NULL",
        )
        .bind(learner.0)
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        d.int(&row, "n")
    }

    /// As [`crate::SecurityStorage::disable_totp`], in the caller's transaction.
    pub async fn disable_totp(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<bool> {
        Self::replace_recovery_codes(conn, d, learner, &[]).await?;
        let rows = sqlx::query("DELETE FROM totp WHERE learner_id = $1 RETURNING learner_id")
            .bind(learner.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    // --------------------------------------------------------------------- API tokens

    fn api_token_of(d: Decoder<'_>, row: &impl Columns) -> Result<ApiToken> {
        let scope = d.text(row, "scope")?;
        Ok(ApiToken {
            id: d.int(row, "token_id")?,
            learner: LearnerId(d.int(row, "token_learner")?),
            token_hash: d.text(row, "token_hash")?,
            label: d.text(row, "label")?,
            scope: TokenScope::parse(&scope)
                .map_err(|_| d.corrupt(&format!("a token with the scope {scope:?}")))?,
            created_at: d.int(row, "token_created_at")?,
            expires_at: d.sql(row.int_or_null("expires_at"))?,
            last_used_at: d.sql(row.int_or_null("last_used_at"))?,
            revoked_at: d.sql(row.int_or_null("revoked_at"))?,
        })
    }

    /// Stores a new access token; its number.
    pub async fn create_api_token<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        token: &ApiToken,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO api_tokens (learner_id, token_hash, label, scope, created_at, \
             expires_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL) \
             RETURNING id",
        )
        .bind(token.learner.0)
        .bind(token.token_hash.as_str())
        .bind(token.label.as_str())
        .bind(token.scope.as_str())
        .bind(token.created_at)
        .bind(token.expires_at)
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        d.int(&row, "id")
    }

    /// The account's tokens, newest first.
    pub async fn api_tokens<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.learner_id = $1 \
             ORDER BY t.created_at DESC, t.id DESC"
        ))
        .bind(learner.0)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| Self::api_token_of(d, row)).collect()
    }

    /// The token with this digest, with its account.
    pub async fn api_token<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Account)>> {
        if crate::check_text("a token digest", token_hash).is_err() {
            return Ok(None);
        }
        let row = sqlx::query(&TOKEN_WITH_ACCOUNT)
            .bind(token_hash)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| Ok((Self::api_token_of(d, &row)?, d.account(&row)?)))
            .transpose()
    }

    /// Records a token's use (never back in time).
    pub async fn touch_api_token<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id: i64,
        at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 \
             AND (last_used_at IS NULL OR last_used_at < $2)",
        )
        .bind(id)
        .bind(at)
        .execute(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// Revokes one of the account's tokens.
    pub async fn revoke_api_token<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        id: i64,
        at: Millis,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND learner_id = $2 \
             AND revoked_at IS NULL RETURNING id",
        )
        .bind(id)
        .bind(learner.0)
        .bind(at)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(!rows.is_empty())
    }

    // ---------------------------------------------------------------- security events

    /// As [`crate::SecurityStorage::record_security_event`], in the caller's transaction.
    pub async fn record_security_event(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        event: &SecurityEvent,
        keep: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO security_events (learner_id, at, kind, client, device) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(event.learner.0)
        .bind(event.at)
        .bind(event.kind.as_str())
        .bind(event.client.as_str())
        .bind(event.device.as_str())
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        sqlx::query(
            "DELETE FROM security_events WHERE learner_id = $1 AND id NOT IN \
             (SELECT id FROM security_events WHERE learner_id = $1 \
              ORDER BY at DESC, id DESC LIMIT $2)",
        )
        .bind(event.learner.0)
        .bind(keep)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// The account's most recent events.
    pub async fn security_events<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        limit: i64,
    ) -> Result<Vec<SecurityEvent>> {
        let rows = sqlx::query(
            "SELECT id, learner_id, at, kind, client, device FROM security_events \
             WHERE learner_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(learner.0)
        .bind(limit)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| {
                Ok(SecurityEvent {
                    id: d.int(row, "id")?,
                    learner: LearnerId(d.int(row, "learner_id")?),
                    at: d.int(row, "at")?,
                    kind: d.text(row, "kind")?,
                    client: d.text(row, "client")?,
                    device: d.text(row, "device")?,
                })
            })
            .collect()
    }

    // --------------------------------------------------------------------- e-mail links

    /// Stores a link sent by e-mail.
    pub async fn create_email_link(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        link: &EmailLink,
    ) -> Result<()> {
        // The account's links used or expired a day ago are of no more use to anyone: the
        // table holds at most a day of each account's old links.
        sqlx::query(
            "DELETE FROM email_links WHERE learner_id = $1 \
             AND (used_at < $2 OR expires_at < $2)",
        )
        .bind(link.learner.0)
        .bind(link.created_at.saturating_sub(24 * 3600 * 1000))
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        sqlx::query(
            "INSERT INTO email_links \
             (token_hash, learner_id, purpose, email_key, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(link.token_hash.as_str())
        .bind(link.learner.0)
        .bind(link.purpose.as_str())
        .bind(link.email_key.as_str())
        .bind(link.created_at)
        .bind(link.expires_at)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// As [`crate::SecurityStorage::email_link`].
    pub async fn email_link<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        token_hash: &str,
        purpose: LinkPurpose,
        at: Millis,
    ) -> Result<Option<EmailLink>> {
        let row = sqlx::query(
            "SELECT token_hash, learner_id, email_key, created_at, expires_at FROM email_links \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(at)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        row.map(|row| link_of(d, &row, purpose)).transpose()
    }

    /// As [`crate::SecurityStorage::use_email_link`], in the caller's transaction.
    pub async fn use_email_link(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        token_hash: &str,
        purpose: LinkPurpose,
        at: Millis,
    ) -> Result<Option<EmailLink>> {
        let row = sqlx::query(
            "UPDATE email_links SET used_at = $3 \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
             RETURNING token_hash, learner_id, email_key, created_at, expires_at",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(at)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let link = link_of(d, &row, purpose)?;
        sqlx::query(
            "UPDATE email_links SET used_at = $3 \
             WHERE learner_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(link.learner.0)
        .bind(purpose.as_str())
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        // Links used or expired a day ago are of no more use to anyone.
        sqlx::query(
            "DELETE FROM email_links WHERE learner_id = $1 \
             AND (used_at < $2 OR expires_at < $2)",
        )
        .bind(link.learner.0)
        .bind(at.saturating_sub(24 * 3600 * 1000))
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(Some(link))
    }

    /// Records the address the account verified.
    pub async fn set_email_verified<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        email_key: &str,
        at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO email_verifications (learner_id, email_key, verified_at) \
             VALUES ($1, $2, $3) ON CONFLICT (learner_id) \
             DO UPDATE SET email_key = excluded.email_key, verified_at = excluded.verified_at",
        )
        .bind(learner.0)
        .bind(email_key)
        .bind(at)
        .execute(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// The folded address the account verified last.
    pub async fn verified_email<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Option<String>> {
        let row = sqlx::query("SELECT email_key FROM email_verifications WHERE learner_id = $1")
            .bind(learner.0)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.text(&row, "email_key")).transpose()
    }
}
