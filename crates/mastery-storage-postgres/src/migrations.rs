//! The schema migrations, compiled into the binary: the SQL in `migrations/` beside
//! `Cargo.toml` (see the README there), listed in [`MIGRATIONS`], handed to sqlx's migrator
//! by `mastery_storage::sql::EmbeddedMigrations` as for SQLite.

use mastery_storage::sql::EmbeddedMigrations;

/// Every migration, oldest first: (file name, SQL). Append a line for each new file, under
/// the same number as the SQLite migration it mirrors.
pub(crate) const MIGRATIONS: EmbeddedMigrations = EmbeddedMigrations(&[
    ("0001_init.sql", include_str!("../migrations/0001_init.sql")),
    (
        "0002_study.sql",
        include_str!("../migrations/0002_study.sql"),
    ),
    (
        "0003_interviews.sql",
        include_str!("../migrations/0003_interviews.sql"),
    ),
    (
        "0004_accounts.sql",
        include_str!("../migrations/0004_accounts.sql"),
    ),
    (
        "0005_community.sql",
        include_str!("../migrations/0005_community.sql"),
    ),
    (
        "0006_discussion_search.sql",
        include_str!("../migrations/0006_discussion_search.sql"),
    ),
    (
        "0007_account_security.sql",
        include_str!("../migrations/0007_account_security.sql"),
    ),
    (
        "0008_email.sql",
        include_str!("../migrations/0008_email.sql"),
    ),
    (
        "0009_single_sign_on.sql",
        include_str!("../migrations/0009_single_sign_on.sql"),
    ),
    (
        "0010_teams.sql",
        include_str!("../migrations/0010_teams.sql"),
    ),
    (
        "0011_suggestions.sql",
        include_str!("../migrations/0011_suggestions.sql"),
    ),
    (
        "0012_data_revision.sql",
        include_str!("../migrations/0012_data_revision.sql"),
    ),
]);

#[cfg(test)]
mod tests {
    use super::*;

    /// A file added to `migrations/` but not to [`MIGRATIONS`] would silently never run.
    #[test]
    fn every_file_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        MIGRATIONS.check_listed(&dir).unwrap();
    }

    /// One schema version means the same tables on both backends: the same numbers and
    /// descriptions as SQLite's list.
    #[test]
    fn numbered_like_the_sqlite_migrations() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../mastery-storage-sqlite/migrations");
        let sqlite = std::fs::read_dir(dir).unwrap();
        let mut names: Vec<String> = sqlite
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        let ours: Vec<&str> = MIGRATIONS.0.iter().map(|(name, _)| *name).collect();
        assert_eq!(ours, names);
    }

    /// Nothing is released on PostgreSQL yet: when a migration ships, add its checksum
    /// here (printed by this test) and never edit the file again.
    #[test]
    fn released_migrations_are_unchanged() {
        const RELEASED: &[(i64, &str)] = &[];
        let checksums = MIGRATIONS.checksums().unwrap();
        for (version, expected) in RELEASED {
            let (_, actual) = checksums.iter().find(|(v, _)| v == version).unwrap();
            assert_eq!(actual, expected, "migration {version} changed");
        }
        for (version, checksum) in &checksums {
            println!("{version}: {checksum}");
        }
    }
}
