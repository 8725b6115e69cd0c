//! Connecting: reading the URL, migrating under an advisory lock, refusing a newer schema,
//! and the connection pool (see the crate docs).

use std::str::FromStr;
use std::time::Duration;

use mastery_storage::{Result, StorageError};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{Connection, Row};

use crate::migrations::MIGRATIONS;
use crate::{PostgresStore, errors};

/// The advisory-lock key every Mastery instance takes before it reads the schema version
/// and migrates ("MASTERY\0" as a big-endian integer). Advisory locks are per database.
pub(crate) const MIGRATION_LOCK: i64 = 0x4d41_5354_4552_5900;

/// How the store reaches PostgreSQL. The defaults suit one `mastery serve` instance on a
/// machine of a few cores; every field can be changed before [`PostgresStore::connect_with`].
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// The most connections the pool opens (default 10). Each instance has its own pool:
    /// instances times this must stay below the server's `max_connections`.
    pub max_connections: u32,
    /// How long a request waits for a connection before failing with
    /// [`StorageError::Unavailable`] (default 2 s). While the server is down, this is how
    /// long each request takes to fail: keep it short, so that the web layer answers 503 at
    /// once instead of piling up requests.
    pub acquire_timeout: Duration,
    /// How long `connect` waits for the first connection (default 5 s).
    pub connect_timeout: Duration,
    /// How long a statement waits for a row lock held by another transaction before it
    /// fails with [`StorageError::Unavailable`] (default 5 s; PostgreSQL's `lock_timeout`).
    pub lock_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(5),
        }
    }
}

/// Connects; see [`PostgresStore::connect_with`].
pub(crate) async fn connect(url: &str, options: &PostgresOptions) -> Result<PostgresStore> {
    let known_version = MIGRATIONS.known_version()?;
    let connect_options = PgConnectOptions::from_str(url).map_err(|e| {
        StorageError::Unavailable(format!(
            "{:?} is not a PostgreSQL URL Mastery can use ({e}); give \
             postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
            mastery_storage::redact_url(url)
        ))
    })?;
    let connect_options = connect_options.application_name("mastery");
    let location = location(&connect_options);

    migrate(&connect_options, &location, known_version, options).await?;

    let lock_timeout = format!("{}ms", options.lock_timeout.as_millis());
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections)
        .min_connections(0)
        .acquire_timeout(options.acquire_timeout)
        // A connection that died with the server (a restart, a failover) is noticed and
        // replaced before a request gets it: the pool recovers by itself.
        .test_before_acquire(true)
        .idle_timeout(Some(Duration::from_secs(600)))
        .max_lifetime(Some(Duration::from_secs(1800)))
        .connect_lazy_with(connect_options.options([("lock_timeout", lock_timeout.as_str())]));
    Ok(PostgresStore {
        pool,
        location,
        known_version,
    })
}

/// On a connection of its own, under [`MIGRATION_LOCK`]: refuses a database migrated by a
/// newer Mastery, then applies the missing migrations. Closing the connection (also by
/// dropping it on an error) releases the lock.
async fn migrate(
    connect_options: &PgConnectOptions,
    location: &str,
    known: i64,
    options: &PostgresOptions,
) -> Result<()> {
    let map = |e| errors::map(location, e);
    let mut conn = tokio::time::timeout(
        options.connect_timeout,
        PgConnection::connect_with(connect_options),
    )
    .await
    .map_err(|_| {
        StorageError::Unavailable(format!(
            "the PostgreSQL server at {location} did not answer within {} s",
            options.connect_timeout.as_secs()
        ))
    })?
    .map_err(map)?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut conn)
        .await
        .map_err(map)?;
    let found = applied_version(&mut conn, location).await?;
    if let Some(found) = found
        && found > known
    {
        return Err(StorageError::NewerSchema { found, known });
    }
    let migrator = MIGRATIONS.migrator().await?;
    // `run_direct` (public, hidden from sqlx's docs) rather than `run`: the future of `run`
    // over a borrowed connection cannot be proven `Send`, and `connect` must be spawnable.
    migrator
        .run_direct(&mut conn)
        .await
        .map_err(|e| mastery_storage::sql::migrate_error(location, e, map))?;
    if found.is_some_and(|found| found < known) {
        tracing::info!(database = %location, from = found, to = known, "migrated the database");
    } else if found.is_none() {
        tracing::info!(database = %location, "created the schema");
    }
    conn.close().await.map_err(map)
}

/// The highest migration applied to the database, if sqlx's table exists.
async fn applied_version(conn: &mut PgConnection, location: &str) -> Result<Option<i64>> {
    let map = |e| errors::map(location, e);
    let row = sqlx::query("SELECT to_regclass('_sqlx_migrations') IS NOT NULL AS present")
        .fetch_one(&mut *conn)
        .await
        .map_err(map)?;
    let present: bool = row.try_get("present").map_err(map)?;
    if !present {
        return Ok(None);
    }
    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut *conn)
        .await
        .map_err(map)
}

/// How the database is named in messages: the URL without its password.
fn location(options: &PgConnectOptions) -> String {
    format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_never_show_the_password() {
        let options =
            PgConnectOptions::from_str("postgres://me:s3cret@db.example:6543/mastery").unwrap();
        assert_eq!(location(&options), "postgres://me@db.example:6543/mastery");
    }

    #[tokio::test]
    async fn a_bad_url_is_refused_without_its_password() {
        let err = connect(
            "postgres://me:s3cret@host:notaport/db",
            &PostgresOptions::default(),
        )
        .await
        .unwrap_err();
        let StorageError::Unavailable(message) = err else {
            panic!("{err:?}")
        };
        assert!(!message.contains("s3cret"), "{message}");
        assert!(message.contains("postgres://USER"), "{message}");
    }
}
