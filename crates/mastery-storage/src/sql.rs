//! What the sqlx-based backends share (feature `sqlx`): embedded migrations handed to sqlx's
//! [`Migrator`], the mapping of migration errors, the schema check behind `ping`, and the
//! decoding of card, review, interview, account, session and invitation rows, whose columns
//! are named the same in every backend's schema.
//!
//! # Embedded migrations
//!
//! Each backend keeps its SQL in `migrations/` beside its `Cargo.toml`, lists each file in
//! an [`EmbeddedMigrations`] with `include_str!`, and hands it to sqlx's [`Migrator`]
//! through a [`MigrationSource`]: exactly what `sqlx::migrate!` would generate, without
//! sqlx's `macros` feature (and its proc-macro and offline-query dependencies). Versions,
//! descriptions and checksums follow sqlx's conventions, so `sqlx migrate info` reads the
//! `_sqlx_migrations` table as usual.

use std::borrow::Cow;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use sqlx::error::{BoxDynError, ErrorKind};
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{ColumnIndex, Decode, Row, Type};

mod community;
pub mod queries;
mod security;
mod single_sign_on;
mod suggestions;
mod teams;

pub use queries::Queries;

use crate::{
    CardPhase, QuestionKey, Result, ReviewRecord, StorageError, StoredCard, StoredInterview,
};

/// A backend's migrations, compiled in: (file name, SQL), oldest first.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigrations(pub &'static [(&'static str, &'static str)]);

impl EmbeddedMigrations {
    /// The migrations as sqlx values, checked to be well named and strictly increasing.
    ///
    /// # Errors
    ///
    /// [`StorageError::Database`] naming the file that breaks the rule.
    pub fn migrations(self) -> Result<Vec<Migration>> {
        let mut migrations: Vec<Migration> = Vec::with_capacity(self.0.len());
        for (file, sql) in self.0 {
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
    ///
    /// # Errors
    ///
    /// [`StorageError::Database`] when the list is broken or empty.
    pub fn known_version(self) -> Result<i64> {
        self.migrations()?
            .last()
            .map(|m| m.version)
            .ok_or_else(|| StorageError::Database("no migrations are compiled in".into()))
    }

    /// sqlx's migrator over these migrations.
    ///
    /// # Errors
    ///
    /// [`StorageError::Database`] when the list is broken.
    pub async fn migrator(self) -> Result<Migrator> {
        Migrator::new(self)
            .await
            .map_err(|e| StorageError::Database(format!("cannot load the migrations: {e}")))
    }

    /// For a test: the `.sql` files in `dir` are exactly the listed ones (a file added to
    /// the folder but not to the list would silently never run).
    ///
    /// # Errors
    ///
    /// A message listing both sides when they differ.
    pub fn check_listed(self, dir: &Path) -> std::result::Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut on_disk = Vec::new();
        for entry in entries {
            let name = entry
                .map_err(|e| format!("{}: {e}", dir.display()))?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".sql") {
                on_disk.push(name);
            }
        }
        on_disk.sort();
        let listed: Vec<String> = self.0.iter().map(|(name, _)| name.to_string()).collect();
        if on_disk == listed {
            Ok(())
        } else {
            Err(format!(
                "{} holds {on_disk:?} but the embedded list is {listed:?}",
                dir.display()
            ))
        }
    }

    /// For a test: the checksum (hex) of each migration, by version, to compare with the
    /// released ones (released migrations are never edited).
    ///
    /// # Errors
    ///
    /// As [`EmbeddedMigrations::migrations`].
    pub fn checksums(self) -> Result<Vec<(i64, String)>> {
        Ok(self
            .migrations()?
            .iter()
            .map(|m| {
                let hex = m.checksum.iter().map(|b| format!("{b:02x}")).collect();
                (m.version, hex)
            })
            .collect())
    }
}

impl<'s> MigrationSource<'s> for EmbeddedMigrations {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<Vec<Migration>, BoxDynError>> + Send + 's>>
    {
        Box::pin(async move { self.migrations().map_err(BoxDynError::from) })
    }
}

/// Splits `0001_init.sql` into its version (1) and sqlx-style description (`init`).
pub fn parse_name(file: &str) -> Option<(i64, String)> {
    let stem = file.strip_suffix(".sql")?;
    let (number, description) = stem.split_once('_')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || description.is_empty() {
        return None;
    }
    let version = number.parse().ok()?;
    Some((version, description.replace('_', " ")))
}

/// Maps an error of sqlx's migrator on the database at `location`; `map` maps the
/// backend's own database errors.
pub fn migrate_error(
    location: &str,
    error: MigrateError,
    map: impl Fn(sqlx::Error) -> StorageError,
) -> StorageError {
    match error {
        MigrateError::Execute(e) => map(e),
        MigrateError::ExecuteMigration(e, version) => match map(e) {
            StorageError::Database(message) => {
                StorageError::Database(format!("migration {version} failed: {message}"))
            }
            other => other,
        },
        MigrateError::VersionMismatch(version) => StorageError::Database(format!(
            "migration {version} applied to {location} differs from the one in this build (a \
             released migration was edited; migrations are append-only)"
        )),
        MigrateError::VersionMissing(version) => StorageError::Database(format!(
            "the database {location} has migration {version}, which this build does not know \
             (was it written by a development build?)"
        )),
        MigrateError::Dirty(version) => StorageError::Corrupt(format!(
            "migration {version} was only partly applied to {location}; Mastery left it \
             untouched: restore it from a backup"
        )),
        other => StorageError::Database(format!("cannot migrate {location}: {other}")),
    }
}

/// The SQL that reads what [`schema_status`] judges: the highest applied migration and
/// how many failed, from sqlx's table (the same in every backend).
pub const SCHEMA_STATUS_SQL: &str = "SELECT MAX(version), COALESCE(SUM(CASE WHEN success THEN 0 ELSE 1 END), 0) \
     FROM _sqlx_migrations";

/// Whether a database whose highest applied migration is `found` (with `failed` failed
/// ones) is current for a build that knows up to `known`: the check behind `ping`.
///
/// # Errors
///
/// [`StorageError::NewerSchema`] when a newer Mastery migrated it; [`StorageError::Database`]
/// when it is behind or a migration failed.
pub fn schema_status(location: &str, found: Option<i64>, failed: i64, known: i64) -> Result<()> {
    match found {
        Some(found) if found > known => Err(StorageError::NewerSchema { found, known }),
        Some(found) if found == known && failed == 0 => Ok(()),
        _ => Err(StorageError::Database(format!(
            "the schema of {location} is not current (at version {}, with {failed} failed \
             migrations; this build expects {known}): restart Mastery to migrate it",
            found.map_or_else(|| "none".to_string(), |v| v.to_string()),
        ))),
    }
}

/// Whether the error is a violated foreign key (in this schema: a learner that does not
/// exist).
pub fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.kind() == ErrorKind::ForeignKeyViolation)
}

/// Whether the error is a violated unique or primary key.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.kind() == ErrorKind::UniqueViolation)
}

/// Maps an error of a write on a learner's rows: a broken foreign key means the learner
/// does not exist ([`StorageError::Invalid`]); anything else goes through `map`.
pub fn learner_error(
    learner: crate::LearnerId,
    error: sqlx::Error,
    map: impl FnOnce(sqlx::Error) -> StorageError,
) -> StorageError {
    if is_foreign_key_violation(&error) {
        StorageError::Invalid(format!("there is no learner {learner}"))
    } else {
        map(error)
    }
}

/// The columns of a card as `cards` names them, in the order backends bind them.
pub const CARD_COLUMNS: &str = "phase, step, stability, difficulty, due, last_review, reps, lapses";

/// The card columns with a prefix (`before_`, `after_`), as the review log names them.
pub fn card_columns(prefix: &str) -> String {
    CARD_COLUMNS
        .split(", ")
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every column of a review row, as [`Decoder::review`] reads them.
pub fn review_columns() -> String {
    format!(
        "seq, learner_id, review_id, guide_id, question_id, rating, reviewed_at, elapsed_days, \
         scheduled_days, time_spent_ms, {}, {}",
        card_columns("before_"),
        card_columns("after_")
    )
}

/// Every column of an interview row, as [`Decoder::interview`] reads them.
pub const INTERVIEW_COLUMNS: &str =
    "learner_id, interview_id, guide_id, revision, started_at, finished_at, score, state";

/// The unique index on `accounts (username_key)`: a violation of it means
/// [`Taken::Username`](crate::Taken::Username).
pub const USERNAME_KEY_INDEX: &str = "accounts_username_key";

/// The unique index on `accounts (email_key)`: a violation of it means
/// [`Taken::Email`](crate::Taken::Email).
pub const EMAIL_KEY_INDEX: &str = "accounts_email_key";

/// The columns of `accounts` as [`Decoder::account`] reads them.
pub const ACCOUNT_FIELDS: [&str; 10] = [
    "learner_id",
    "username",
    "username_key",
    "email",
    "email_key",
    "password_hash",
    "role",
    "created_at",
    "password_changed_at",
    "disabled_at",
];

/// The columns of `accounts` read from the table aliased `a`, each named as in the table
/// (`a.username AS username`): what [`Decoder::account`] reads, also beside other tables.
pub fn account_columns() -> String {
    ACCOUNT_FIELDS
        .iter()
        .map(|c| format!("a.{c} AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns of `sessions` (aliased `s`) but its learner, as [`Decoder::session`] reads
/// them: its `created_at` is named `session_created_at`, so that a join with `accounts`
/// has no two columns of one name.
pub const SESSION_COLUMNS: &str = "s.id_hash AS id_hash, s.created_at AS session_created_at, \
     s.last_seen_at AS last_seen_at, s.device AS device";

/// The columns of `invites`, as [`Decoder::invite`] reads them.
pub const INVITE_COLUMNS: &str =
    "id, token_hash, label, created_by, created_at, expires_at, max_uses, uses, revoked_at";

/// Reads columns by name from a row of any backend whose types cover BIGINT/INTEGER,
/// DOUBLE PRECISION/REAL and TEXT.
pub trait Columns {
    /// An integer column.
    fn int(&self, column: &str) -> std::result::Result<i64, sqlx::Error>;
    /// A nullable integer column.
    fn int_or_null(&self, column: &str) -> std::result::Result<Option<i64>, sqlx::Error>;
    /// A nullable floating-point column.
    fn float_or_null(&self, column: &str) -> std::result::Result<Option<f64>, sqlx::Error>;
    /// A text column.
    fn text(&self, column: &str) -> std::result::Result<String, sqlx::Error>;
    /// A nullable text column.
    fn text_or_null(&self, column: &str) -> std::result::Result<Option<String>, sqlx::Error>;
    /// A BLOB/BYTEA column.
    fn bytes(&self, column: &str) -> std::result::Result<Vec<u8>, sqlx::Error>;
}

impl<R> Columns for R
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn int(&self, column: &str) -> std::result::Result<i64, sqlx::Error> {
        self.try_get(column)
    }
    fn int_or_null(&self, column: &str) -> std::result::Result<Option<i64>, sqlx::Error> {
        self.try_get(column)
    }
    fn float_or_null(&self, column: &str) -> std::result::Result<Option<f64>, sqlx::Error> {
        self.try_get(column)
    }
    fn text(&self, column: &str) -> std::result::Result<String, sqlx::Error> {
        self.try_get(column)
    }
    fn text_or_null(&self, column: &str) -> std::result::Result<Option<String>, sqlx::Error> {
        self.try_get(column)
    }
    fn bytes(&self, column: &str) -> std::result::Result<Vec<u8>, sqlx::Error> {
        self.try_get(column)
    }
}

/// Decodes rows into the crate's values, naming the database in errors.
#[derive(Clone, Copy)]
pub struct Decoder<'a> {
    /// The database, for messages (a path, or a URL without its password).
    pub location: &'a str,
    /// The backend's mapping of its errors on the database at a location.
    pub map: fn(&str, sqlx::Error) -> StorageError,
}

impl std::fmt::Debug for Decoder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Decoder<'_> {
    /// A row of `cards`: `guide_id, question_id`, then [`CARD_COLUMNS`].
    ///
    /// # Errors
    ///
    /// [`StorageError::Corrupt`] for values outside the data model.
    pub fn card(&self, row: &impl Columns) -> Result<StoredCard> {
        let key = self.key(row)?;
        self.card_in(row, "", key)?
            .ok_or_else(|| self.corrupt("a card without a phase"))
    }

    /// A row of `reviews` ([`review_columns`]): its sequence number, learner and review.
    ///
    /// # Errors
    ///
    /// [`StorageError::Corrupt`] for values outside the data model.
    pub fn review(&self, row: &impl Columns) -> Result<(i64, crate::LearnerId, ReviewRecord)> {
        let key = self.key(row)?;
        let rating = self.int(row, "rating")?;
        let review = ReviewRecord {
            id: self.sql(row.text("review_id"))?,
            rating: u8::try_from(rating)
                .map_err(|_| self.corrupt(&format!("a review rated {rating}")))?,
            reviewed_at: self.int(row, "reviewed_at")?,
            elapsed_days: self.float(row, "elapsed_days")?,
            scheduled_days: self.float(row, "scheduled_days")?,
            time_spent_ms: self.int(row, "time_spent_ms")?,
            before: self.card_in(row, "before_", key.clone())?,
            after: self
                .card_in(row, "after_", key.clone())?
                .ok_or_else(|| self.corrupt("a review without the card after it"))?,
            key,
        };
        let learner = crate::LearnerId(self.int(row, "learner_id")?);
        Ok((self.int(row, "seq")?, learner, review))
    }

    /// A row of the review log summed per day ([`crate::ReviewDay`]).
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn review_day(&self, row: &impl Columns) -> Result<crate::ReviewDay> {
        Ok(crate::ReviewDay {
            day: self.int(row, "day")?,
            reviews: self.int(row, "reviews")?,
            time_ms: self.int(row, "time_ms")?,
            matured: self.int(row, "matured")?,
            passed: self.int(row, "passed")?,
        })
    }

    /// A row of `interviews` ([`INTERVIEW_COLUMNS`]).
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn interview(&self, row: &impl Columns) -> Result<StoredInterview> {
        Ok(StoredInterview {
            id: self.sql(row.text("interview_id"))?,
            guide: self.sql(row.text("guide_id"))?,
            revision: self.int(row, "revision")?,
            started_at: self.int(row, "started_at")?,
            finished_at: self.sql(row.int_or_null("finished_at"))?,
            score: self.sql(row.float_or_null("score"))?,
            state: self.sql(row.text("state"))?,
        })
    }

    /// A row of `accounts` ([`account_columns`]).
    ///
    /// # Errors
    ///
    /// [`StorageError::Corrupt`] for a role Mastery does not know.
    pub fn account(&self, row: &impl Columns) -> Result<crate::Account> {
        let role = self.text(row, "role")?;
        Ok(crate::Account {
            learner: crate::LearnerId(self.int(row, "learner_id")?),
            username: self.text(row, "username")?,
            username_key: self.text(row, "username_key")?,
            email: self.sql(row.text_or_null("email"))?,
            email_key: self.sql(row.text_or_null("email_key"))?,
            password_hash: self.text(row, "password_hash")?,
            role: crate::Role::parse(&role)
                .map_err(|_| self.corrupt(&format!("an account with the role {role:?}")))?,
            created_at: self.int(row, "created_at")?,
            password_changed_at: self.int(row, "password_changed_at")?,
            disabled_at: self.sql(row.int_or_null("disabled_at"))?,
        })
    }

    /// A row of `sessions` ([`SESSION_COLUMNS`] and a `learner_id` column: the session's
    /// own, or the account's it is joined with).
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn session(&self, row: &impl Columns) -> Result<crate::StoredSession> {
        Ok(crate::StoredSession {
            id_hash: self.text(row, "id_hash")?,
            learner: crate::LearnerId(self.int(row, "learner_id")?),
            created_at: self.int(row, "session_created_at")?,
            last_seen_at: self.int(row, "last_seen_at")?,
            device: self.text(row, "device")?,
        })
    }

    /// A row of `invites` ([`INVITE_COLUMNS`]).
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn invite(&self, row: &impl Columns) -> Result<crate::Invite> {
        Ok(crate::Invite {
            id: self.int(row, "id")?,
            token_hash: self.text(row, "token_hash")?,
            label: self.text(row, "label")?,
            created_by: self
                .sql(row.int_or_null("created_by"))?
                .map(crate::LearnerId),
            created_at: self.int(row, "created_at")?,
            expires_at: self.int(row, "expires_at")?,
            max_uses: self.int(row, "max_uses")?,
            uses: self.int(row, "uses")?,
            revoked_at: self.sql(row.int_or_null("revoked_at"))?,
        })
    }

    /// Stored data that breaks the data model (written by hand or damaged).
    pub fn corrupt(&self, what: &str) -> StorageError {
        StorageError::Corrupt(format!(
            "the database {} holds {what}, which Mastery does not understand",
            self.location
        ))
    }

    /// A row of `notes`: `guide_id, question_id, body, updated_at`.
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn note(&self, row: &impl Columns) -> Result<crate::Note> {
        Ok(crate::Note {
            key: self.key(row)?,
            body: self.text(row, "body")?,
            updated_at: self.int(row, "updated_at")?,
        })
    }

    /// The `guide_id` and `question_id` columns.
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn key(&self, row: &impl Columns) -> Result<QuestionKey> {
        Ok(QuestionKey {
            guide: self.sql(row.text("guide_id"))?,
            question: self.sql(row.text("question_id"))?,
        })
    }

    /// The card in the columns named `{prefix}phase`, ...; `None` when the phase is NULL.
    fn card_in(
        &self,
        row: &impl Columns,
        prefix: &str,
        key: QuestionKey,
    ) -> Result<Option<StoredCard>> {
        let column = |name: &str| format!("{prefix}{name}");
        let Some(phase) = self.sql(row.text_or_null(&column("phase")))? else {
            return Ok(None);
        };
        let phase: CardPhase = phase.parse().map_err(|e| self.corrupt(&format!("{e}")))?;
        let count = |name: &str| -> Result<u32> {
            let value = self.int(row, &column(name))?;
            u32::try_from(value).map_err(|_| self.corrupt(&format!("a card with {name} {value}")))
        };
        Ok(Some(StoredCard {
            key,
            phase,
            step: count("step")?,
            stability: self.sql(row.float_or_null(&column("stability")))?,
            difficulty: self.sql(row.float_or_null(&column("difficulty")))?,
            due: self.int(row, &column("due"))?,
            last_review: self.sql(row.int_or_null(&column("last_review")))?,
            reps: count("reps")?,
            lapses: count("lapses")?,
        }))
    }

    /// An integer column.
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn int(&self, row: &impl Columns, column: &str) -> Result<i64> {
        self.sql(row.int(column))
    }

    /// A text column.
    ///
    /// # Errors
    ///
    /// As the backend maps decoding errors.
    pub fn text(&self, row: &impl Columns, column: &str) -> Result<String> {
        self.sql(row.text(column))
    }

    /// Maps an error of this database.
    pub fn error(&self, error: sqlx::Error) -> StorageError {
        (self.map)(self.location, error)
    }

    fn float(&self, row: &impl Columns, column: &str) -> Result<f64> {
        self.sql(row.float_or_null(column))?
            .ok_or_else(|| self.corrupt(&format!("a NULL {column}")))
    }

    /// A result of this database, its error mapped.
    ///
    /// # Errors
    ///
    /// The mapped error.
    pub fn sql<T>(&self, result: std::result::Result<T, sqlx::Error>) -> Result<T> {
        result.map_err(|e| self.error(e))
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
        for bad in [
            "init.sql",
            "0001_.sql",
            "_init.sql",
            "00a1_init.sql",
            "0001_init.txt",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists_are_checked() {
        let good = EmbeddedMigrations(&[("0001_a.sql", "SELECT 1"), ("0002_b.sql", "SELECT 2")]);
        assert_eq!(good.known_version().ok(), Some(2));
        let unordered = EmbeddedMigrations(&[("0002_b.sql", ""), ("0001_a.sql", "")]);
        assert!(unordered.migrations().is_err());
        assert!(EmbeddedMigrations(&[("bad.sql", "")]).migrations().is_err());
        assert!(EmbeddedMigrations(&[]).known_version().is_err());
    }

    #[test]
    fn column_lists() {
        assert!(card_columns("after_").starts_with("after_phase, after_step, "));
        assert!(review_columns().ends_with("after_reps, after_lapses"));
    }

    #[test]
    fn schema_status_judges_versions() {
        assert!(schema_status("db", Some(3), 0, 3).is_ok());
        assert!(matches!(
            schema_status("db", Some(4), 0, 3),
            Err(StorageError::NewerSchema { found: 4, known: 3 })
        ));
        assert!(matches!(
            schema_status("db", Some(2), 0, 3),
            Err(StorageError::Database(_))
        ));
        assert!(matches!(
            schema_status("db", Some(3), 1, 3),
            Err(StorageError::Database(_))
        ));
        assert!(matches!(
            schema_status("db", None, 0, 3),
            Err(StorageError::Database(_))
        ));
    }
}
