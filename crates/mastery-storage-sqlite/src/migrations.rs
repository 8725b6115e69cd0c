//! The schema migrations, compiled into the binary.
//!
//! The SQL lives in `migrations/` beside `Cargo.toml` (see the README there: append-only,
//! expand/contract). Each file is listed in [`MIGRATIONS`] and embedded with
//! `include_str!`, then handed to sqlx's [`Migrator`] through a [`MigrationSource`], which
//! is exactly what `sqlx::migrate!` would generate; doing it by hand keeps sqlx's `macros`
//! feature (and its proc-macro and offline-query dependencies) out of the build. Versions,
//! descriptions and checksums follow sqlx's own conventions, so `sqlx migrate info` reads
//! our `_sqlx_migrations` table as usual.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use mastery_storage::StorageError;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

/// Every migration, oldest first: (file name, SQL). Append a line for each new file.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init.sql", include_str!("../migrations/0001_init.sql")),
    (
        "0002_study.sql",
        include_str!("../migrations/0002_study.sql"),
    ),
    (
        "0003_interviews.sql",
        include_str!("../migrations/0003_interviews.sql"),
    ),
];

/// Splits `0001_init.sql` into its version (1) and sqlx-style description (`init`).
pub(crate) fn parse_name(file: &str) -> Option<(i64, String)> {
    let stem = file.strip_suffix(".sql")?;
    let (number, description) = stem.split_once('_')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || description.is_empty() {
        return None;
    }
    let version = number.parse().ok()?;
    Some((version, description.replace('_', " ")))
}

/// The migrations as sqlx values, checked to be well named and strictly increasing.
fn embedded() -> Result<Vec<Migration>, StorageError> {
    let mut migrations: Vec<Migration> = Vec::with_capacity(MIGRATIONS.len());
    for (file, sql) in MIGRATIONS {
        let (version, description) = parse_name(file).ok_or_else(|| {
            StorageError::Database(format!("migration file name {file:?} is not NNNN_name.sql"))
        })?;
        if let Some(previous) = migrations.last()
            && previous.version >= version
        {
            return Err(StorageError::Database(format!(
                "migration {file:?} is not numbered after version {}",
                previous.version
            )));
        }
        migrations.push(Migration::new(
            version,
            Cow::Owned(description),
            MigrationType::Simple,
            Cow::Borrowed(sql),
            false,
        ));
    }
    Ok(migrations)
}

/// The highest schema version this build knows.
pub(crate) fn known_version() -> Result<i64, StorageError> {
    embedded()?
        .last()
        .map(|m| m.version)
        .ok_or_else(|| StorageError::Database("no migrations are compiled in".into()))
}

/// sqlx's migrator over the embedded files.
pub(crate) async fn migrator() -> Result<Migrator, StorageError> {
    Migrator::new(Embedded)
        .await
        .map_err(|e| StorageError::Database(format!("cannot load the migrations: {e}")))
}

/// A [`MigrationSource`] that yields the embedded migrations.
#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async { embedded().map_err(BoxDynError::from) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_like_sqlx() {
        assert_eq!(parse_name("0001_init.sql"), Some((1, "init".to_string())));
        assert_eq!(
            parse_name("0012_review_log.sql"),
            Some((12, "review log".to_string()))
        );
        assert_eq!(parse_name("init.sql"), None);
        assert_eq!(parse_name("0001_.sql"), None);
        assert_eq!(parse_name("_init.sql"), None);
        assert_eq!(parse_name("00a1_init.sql"), None);
        assert_eq!(parse_name("0001_init.txt"), None);
    }

    #[test]
    fn embedded_migrations_are_valid_and_increasing() {
        let migrations = embedded().unwrap();
        assert_eq!(migrations.len(), MIGRATIONS.len());
        assert_eq!(known_version().unwrap(), migrations.last().unwrap().version);
    }

    /// A file added to `migrations/` but not to [`MIGRATIONS`] would silently never run.
    #[test]
    fn every_file_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|(name, _)| name.to_string())
            .collect();
        assert_eq!(
            on_disk, listed,
            "migrations/ and MIGRATIONS in src/migrations.rs differ"
        );
    }

    /// Released migrations are never edited (databases in the field have run them, and sqlx
    /// refuses a changed checksum). If this fails, revert the edit and add a new migration;
    /// only a migration that was never released may have its checksum updated here.
    #[test]
    fn released_migrations_are_unchanged() {
        const RELEASED: &[(i64, &str)] = &[
            (
                1,
                "8cb2aa09ac2c83d64bdd1557b5a13df3cbc50643198adecc8726c1f00178f60e58c489a8631963974ed7b4e19cb0df2d",
            ),
            (
                2,
                "e438841a1466fe2ca3c9c095aaa7d4cecb5d6881db210a6d4e4e86d1a146ddcb70e7d9ab4083faf7d3e44e056196807e",
            ),
        ];
        let migrations = embedded().unwrap();
        for (version, expected) in RELEASED {
            let migration = migrations.iter().find(|m| m.version == *version).unwrap();
            let actual: String = migration
                .checksum
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(&actual, expected, "migration {version} changed");
        }
    }
}
