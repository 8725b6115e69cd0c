//! How sqlx and SQLite errors become [`StorageError`]s.
//!
//! The rule: what an operator can fix outside Mastery (a missing folder, a full disk, a file
//! locked by another program) is [`StorageError::Unavailable`]; a damaged file is
//! [`StorageError::Corrupt`]; a broken data-model rule is [`StorageError::Invalid`];
//! a username or e-mail key taken by another account (a broken unique index of
//! `accounts`) is [`StorageError::Taken`]; anything else is [`StorageError::Database`].
//! Messages name the database file, never the data. ([`StorageError::Conflict`], a write
//! based on a stale read, never comes from SQLite: the review code returns it after
//! comparing what it read.)

pub(crate) use mastery_storage::sql::is_unique_violation;
use mastery_storage::{StorageError, Taken};

// SQLite's primary result codes (the low byte of an extended code).
const SQLITE_PERM: i64 = 3;
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_NOTADB: i64 = 26;

/// The primary SQLite result code of a database error, if it is one.
fn primary_code(error: &sqlx::Error) -> Option<i64> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    db.code()?.parse::<i64>().ok().map(|code| code & 0xff)
}

/// Which account value a broken unique index says is taken. SQLite names the table and
/// column in its message (`UNIQUE constraint failed: accounts.username_key`), not the index.
fn taken(error: &sqlx::Error) -> Option<Taken> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    if !is_unique_violation(error) {
        return None;
    }
    let message = db.message();
    if message.contains("accounts.username_key") {
        Some(Taken::Username)
    } else if message.contains("accounts.email_key") {
        Some(Taken::Email)
    } else {
        None
    }
}

/// Maps an error met while using the database at `location` (a path or `:memory:`).
pub(crate) fn map(location: &str, error: sqlx::Error) -> StorageError {
    if let Some(taken) = taken(&error) {
        return StorageError::Taken(taken);
    }
    match primary_code(&error) {
        Some(SQLITE_CORRUPT | SQLITE_NOTADB) => StorageError::Corrupt(format!(
            "the database {location} is damaged ({error}); Mastery left it untouched: restore \
             it from a backup, or pass --database to use another file"
        )),
        Some(SQLITE_BUSY | SQLITE_LOCKED) => StorageError::Unavailable(format!(
            "{location} stayed locked by another program for too long ({error})"
        )),
        Some(SQLITE_PERM | SQLITE_READONLY | SQLITE_CANTOPEN) => {
            StorageError::Unavailable(format!(
                "cannot write {location}; check the file, its folder and their permissions ({error})"
            ))
        }
        Some(SQLITE_IOERR | SQLITE_FULL) => StorageError::Unavailable(format!(
            "cannot read or write {location}; is the disk full or gone? ({error})"
        )),
        _ => match error {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => {
                StorageError::Unavailable(format!("{location}: {error}"))
            }
            other => StorageError::Database(format!("{location}: {other}")),
        },
    }
}
