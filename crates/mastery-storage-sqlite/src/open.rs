//! Opening a database: reading the location, the checks before and after SQLite is let
//! near the file, the migrations, and the two connection pools (see the crate docs).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use mastery_storage::{Result, StorageError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

use crate::migrations::MIGRATIONS;
use crate::{SqliteStore, errors};

/// How long a write waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections of the reader pool (reads are short; the machine has few cores).
const READERS: u32 = 4;

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Where the database lives, from the string given to [`SqliteStore::open`].
#[derive(Debug, PartialEq, Eq)]
enum Location {
    Memory,
    File(PathBuf),
}

/// What is at the database path before SQLite is let near it.
#[derive(Debug, PartialEq, Eq)]
enum Existing {
    /// Nothing: a new database will be created.
    Nothing,
    /// An empty file, which SQLite treats as an empty database.
    EmptyFile,
    /// A file starting with the SQLite header.
    Database,
}

/// Opens the database named by `url_or_path`; see [`SqliteStore::open`].
pub(crate) async fn open(url_or_path: &str) -> Result<SqliteStore> {
    let known_version = MIGRATIONS.known_version()?;
    match parse_location(url_or_path)? {
        Location::Memory => open_memory(known_version).await,
        Location::File(path) => open_file(&path, known_version).await,
    }
}

async fn open_memory(known_version: i64) -> Result<SqliteStore> {
    let location = ":memory:".to_string();
    let map = |e| errors::map(&location, e);
    let options = SqliteConnectOptions::from_str("sqlite::memory:")
        .map_err(map)?
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    // The data lives exactly as long as this one connection: never let the pool close it.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .map_err(map)?;
    let mut conn = pool.acquire().await.map_err(map)?;
    prepare(&mut conn, &location, known_version, false).await?;
    drop(conn);
    Ok(SqliteStore {
        writer: pool.clone(),
        readers: pool,
        location,
        known_version,
        group: std::sync::Arc::default(),
        generation: std::sync::Arc::default(),
    })
}

async fn open_file(path: &Path, known_version: i64) -> Result<SqliteStore> {
    // These checks are a few microseconds of blocking file-system calls, once at start-up.
    check_folder(path)?;
    let existing = inspect(path)?;
    let location = path.display().to_string();
    let map = |e| errors::map(&location, e);
    let options = SqliteConnectOptions::new()
        .filename(sqlite_filename(path))
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .pragma("fullfsync", "ON");

    // Checks and migrations run on a connection of their own. It alone may create the
    // file: the pools below never do, so a database deleted while Mastery runs is
    // reported instead of silently replaced by an empty one.
    let mut setup = options
        .clone()
        .create_if_missing(existing == Existing::Nothing)
        .connect()
        .await
        .map_err(map)?;
    prepare(
        &mut setup,
        &location,
        known_version,
        existing == Existing::Database,
    )
    .await?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
        .fetch_one(&mut setup)
        .await
        .map_err(map)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StorageError::Unavailable(format!(
            "cannot switch the database {location} to write-ahead logging (it stays in \
             {mode} mode); is its folder on a network drive?"
        )));
    }
    setup.close().await.map_err(map)?;
    if existing == Existing::Nothing {
        tracing::info!(database = %location, "created a new database");
    }

    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .map_err(map)?;
    let readers = SqlitePoolOptions::new()
        .max_connections(READERS)
        .connect_with(options.pragma("query_only", "ON"))
        .await
        .map_err(map)?;
    Ok(SqliteStore {
        writer,
        readers,
        location,
        known_version,
        group: std::sync::Arc::default(),
        generation: std::sync::Arc::default(),
    })
}

/// Checks, in one `BEGIN IMMEDIATE` transaction, that an existing database is sound and not
/// newer than this build, then applies the missing migrations.
async fn prepare(
    conn: &mut SqliteConnection,
    location: &str,
    known: i64,
    check_integrity: bool,
) -> Result<()> {
    let map = |e| errors::map(location, e);
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(map)?;
    if check_integrity {
        let problems: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&mut *tx)
            .await
            .map_err(map)?;
        if problems.len() != 1 || problems.first().map(String::as_str) != Some("ok") {
            let shown: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
            return Err(StorageError::Corrupt(format!(
                "the database {location} failed SQLite's integrity check ({}); Mastery left it \
                 untouched: restore it from a backup, or pass --database to use another file",
                shown.join("; ")
            )));
        }
    }

    let has_table: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(map)?;
    let found: Option<i64> = match has_table {
        Some(_) => sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&mut *tx)
            .await
            .map_err(map)?,
        None => None,
    };
    if let Some(found) = found
        && found > known
    {
        return Err(StorageError::NewerSchema { found, known });
    }

    let migrator = MIGRATIONS.migrator().await?;
    migrator
        .run(&mut *tx)
        .await
        .map_err(|e| mastery_storage::sql::migrate_error(location, e, map))?;
    tx.commit().await.map_err(map)?;
    if found.is_some_and(|found| found < known) {
        tracing::info!(database = %location, from = found, to = known, "migrated the database");
    }
    Ok(())
}

/// Reads the string given to [`SqliteStore::open`].
fn parse_location(url_or_path: &str) -> Result<Location> {
    if matches!(
        url_or_path,
        "sqlite::memory:" | "sqlite://:memory:" | ":memory:"
    ) {
        return Ok(Location::Memory);
    }
    let (path, is_url) = match url_or_path
        .strip_prefix("sqlite://")
        .or_else(|| url_or_path.strip_prefix("sqlite:"))
    {
        Some(rest) => (rest, true),
        None => (url_or_path, false),
    };
    if path.is_empty() {
        return Err(StorageError::Unavailable(format!(
            "no database path in {url_or_path:?}; give sqlite://PATH or a path"
        )));
    }
    if is_url && path.contains('?') {
        return Err(StorageError::Unavailable(format!(
            "{url_or_path:?} has URL parameters, which Mastery does not accept: its SQLite \
             settings are fixed; give sqlite://PATH"
        )));
    }
    Ok(Location::File(PathBuf::from(path)))
}

/// The name to give SQLite: a relative path that looks like a `file:` URI is made explicit.
fn sqlite_filename(path: &Path) -> PathBuf {
    if path.to_string_lossy().starts_with("file:") {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    }
}

/// The database's folder must exist and be a folder.
fn check_folder(path: &Path) -> Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match std::fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(StorageError::Unavailable(format!(
            "{}: {} is a file, not a folder; pass --database to use \
             another path",
            path.display(),
            folder.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StorageError::Unavailable(format!(
            "{}: the folder {} does not exist; create it, or pass \
             --database to use another path",
            path.display(),
            folder.display()
        ))),
        Err(e) => Err(StorageError::Unavailable(format!(
            "{}: cannot reach the folder {} ({e})",
            path.display(),
            folder.display()
        ))),
    }
}

/// Looks at the path before SQLite does, so that a file which is not a SQLite database is
/// refused without a byte of it being changed.
fn inspect(path: &Path) -> Result<Existing> {
    let unreadable =
        |e: io::Error| StorageError::Unavailable(format!("cannot read {} ({e})", path.display()));
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(unreadable(e)),
    };
    if meta.is_dir() {
        return Err(StorageError::Unavailable(format!(
            "{}: it is a folder, not a file",
            path.display()
        )));
    }
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    File::open(path)
        .and_then(|file| {
            file.take(SQLITE_HEADER.len() as u64)
                .read_to_end(&mut header)
        })
        .map_err(unreadable)?;
    if header.is_empty() {
        Ok(Existing::EmptyFile)
    } else if header == SQLITE_HEADER {
        Ok(Existing::Database)
    } else {
        Err(StorageError::Corrupt(format!(
            "{} is not a SQLite database (it does not start with the SQLite header); Mastery \
             left it untouched: move it away, or pass --database to use another file",
            path.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        let file = |p: &str| Some(Location::File(PathBuf::from(p)));
        assert_eq!(
            parse_location("sqlite::memory:").ok(),
            Some(Location::Memory)
        );
        assert_eq!(parse_location("sqlite:///abs/m.db").ok(), file("/abs/m.db"));
        assert_eq!(parse_location("sqlite://rel/m.db").ok(), file("rel/m.db"));
        assert_eq!(parse_location("sqlite:m.db").ok(), file("m.db"));
        assert_eq!(parse_location("/abs/m.db").ok(), file("/abs/m.db"));
        assert_eq!(parse_location("m.db").ok(), file("m.db"));
        assert!(matches!(
            parse_location("sqlite://"),
            Err(StorageError::Unavailable(_))
        ));
        assert!(matches!(
            parse_location(""),
            Err(StorageError::Unavailable(_))
        ));
        assert!(matches!(
            parse_location("sqlite://m.db?mode=ro"),
            Err(StorageError::Unavailable(_))
        ));
        assert_eq!(
            sqlite_filename(Path::new("file:x.db")),
            PathBuf::from("./file:x.db")
        );
        assert_eq!(
            sqlite_filename(Path::new("/a/file:x.db")),
            PathBuf::from("/a/file:x.db")
        );
    }
}
