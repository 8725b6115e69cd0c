//! How sqlx and PostgreSQL errors become [`StorageError`]s.
//!
//! The rule, as for SQLite: what an operator fixes outside Mastery (the server down or
//! restarting, the network, a full disk, too many connections, a wrong password or database
//! name) is [`StorageError::Unavailable`], which the web layer answers with 503 so clients
//! retry; damaged data is [`StorageError::Corrupt`]; a broken data-model rule is
//! [`StorageError::Invalid`] (mapped where the statement is known, see
//! `mastery_storage::sql::learner_error`); a username or e-mail key taken by another
//! account (a broken unique index of `accounts`, named in the error) is
//! [`StorageError::Taken`]; anything else is [`StorageError::Database`].
//! Messages name the database without its password, never the data.

use mastery_storage::sql::{EMAIL_KEY_INDEX, USERNAME_KEY_INDEX};
use mastery_storage::{StorageError, Taken};

/// Maps an error met while using the database at `location` (a URL without password).
pub(crate) fn map(location: &str, error: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &error {
        let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
        return match code.as_str() {
            // A unique violation names the index it broke: the account keys' mean taken.
            "23505" if db.constraint() == Some(USERNAME_KEY_INDEX) => {
                StorageError::Taken(Taken::Username)
            }
            "23505" if db.constraint() == Some(EMAIL_KEY_INDEX) => {
                StorageError::Taken(Taken::Email)
            }
            // Connection exceptions; the server shutting down, crashed or starting; too
            // many connections, disk full, out of memory; a lock or statement timeout.
            c if c.starts_with("08") || c.starts_with("53") || c.starts_with("57") => {
                StorageError::Unavailable(format!("{location}: {error}"))
            }
            // A read-only transaction: connected to a standby (during a failover, say).
            "25006" => StorageError::Unavailable(format!(
                "{location} is read-only now (a standby?); writes resume when it is the \
                 primary again ({error})"
            )),
            "55P03" => StorageError::Unavailable(format!(
                "{location}: a row stayed locked for too long; retry ({error})"
            )),
            // Serialization failure or deadlock: nothing was written; the request can be
            // retried as it is (review ids make retries safe).
            "40001" | "40P01" => StorageError::Unavailable(format!(
                "{location}: the transaction was rolled back by the server; retry ({error})"
            )),
            // Wrong user or password; the database does not exist.
            c if c.starts_with("28") || c == "3D000" => StorageError::Unavailable(format!(
                "cannot use {location} ({error}); check the URL given to --database"
            )),
            "XX001" | "XX002" => StorageError::Corrupt(format!(
                "the database {location} reports damaged data ({error}); restore it from a \
                 backup"
            )),
            _ => StorageError::Database(format!("{location}: {error}")),
        };
    }
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StorageError::Unavailable(format!(
            "the PostgreSQL server at {location} cannot be reached ({error})"
        )),
        sqlx::Error::Configuration(e) => {
            StorageError::Unavailable(format!("{location}: the URL is not usable ({e})"))
        }
        other => StorageError::Database(format!("{location}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_are_unavailable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for error in [
            sqlx::Error::Io(refused),
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
        ] {
            assert!(matches!(
                map("postgres://u@h/db", error),
                StorageError::Unavailable(_)
            ));
        }
        assert!(matches!(
            map("x", sqlx::Error::RowNotFound),
            StorageError::Database(_)
        ));
    }
}
