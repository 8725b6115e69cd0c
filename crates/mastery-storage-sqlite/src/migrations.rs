//! The schema migrations, compiled into the binary.
//!
//! The SQL lives in `migrations/` beside `Cargo.toml` (see the README there: append-only,
//! expand/contract). Each file is listed in [`MIGRATIONS`] and embedded with
//! `include_str!`; `mastery_storage::sql::EmbeddedMigrations` hands them to sqlx's
//! migrator exactly as `sqlx::migrate!` would, without sqlx's `macros` feature.

use mastery_storage::sql::EmbeddedMigrations;

/// Every migration, oldest first: (file name, SQL). Append a line for each new file.
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
        assert_eq!(MIGRATIONS.known_version().unwrap(), 12);
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
        let checksums = MIGRATIONS.checksums().unwrap();
        for (version, expected) in RELEASED {
            let (_, actual) = checksums.iter().find(|(v, _)| v == version).unwrap();
            assert_eq!(actual, expected, "migration {version} changed");
        }
    }
}
