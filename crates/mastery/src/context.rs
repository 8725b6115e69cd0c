//! What the commands that work on a learner's data share: the data folder and database
//! options, opening the store, and loading the embedded guides plus `--guides` folders.
//!
//! `serve`, `study` and `stats` all go through here, so they open the same database the same
//! way (SQLite in WAL mode: `mastery study` can run while `mastery serve` does) and see the
//! same guides. The backend follows from the database URL ([`open_url`]): `sqlite://PATH`,
//! `sqlite:PATH` or a plain path is SQLite; `postgres://` or `postgresql://` is PostgreSQL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use mastery_content::{Guide, GuideFiles};
use mastery_storage::Storage;
use mastery_storage_postgres::PostgresStore;
use mastery_storage_sqlite::SqliteStore;
use mastery_web::Library;

use crate::embedded;
use crate::guides::print_diagnostics;

/// Where the learner's data lives: `--data-dir` and `--database`.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Where Mastery keeps its data [default: the platform data directory, e.g.
    /// ~/.local/share/mastery].
    #[arg(long, env = "MASTERY_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The database: sqlite://PATH (or a path) or postgres://USER[:PASSWORD]@HOST[:PORT]/DB
    /// [default: sqlite://DATA_DIR/mastery.db].
    #[arg(
        long,
        env = "MASTERY_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
}

/// Whose data a terminal command works on: `--user` on a multi-user database.
#[derive(Debug, Clone, clap::Args)]
pub struct UserArgs {
    /// On a multi-user database: the account whose data to use (username or e-mail). A
    /// database with accounts needs it; a personal one refuses it.
    #[arg(long, env = "MASTERY_USER", value_name = "NAME")]
    pub user: Option<String>,
}

/// The learner a terminal command works on: the account `--user` names on a multi-user
/// database (which needs one: there is no guessing), the one learner of a personal one.
///
/// # Errors
///
/// No `--user` on a database with accounts, a `--user` that names no account, or one
/// given on a personal database.
pub async fn learner(
    store: &dyn Storage,
    user: Option<&str>,
) -> anyhow::Result<mastery_storage::LearnerId> {
    let (accounts, _) = store
        .account_counts()
        .await
        .context("cannot read the accounts")?;
    match (user, accounts) {
        (None, 0) => store
            .personal_learner()
            .await
            .context("cannot read the learner from the database"),
        (None, n) => bail!(
            "this database belongs to a multi-user server with {n} account(s): pass --user NAME (or set MASTERY_USER) to say whose data to use"
        ),
        (Some(name), 0) => bail!(
            "--user {name:?}: this is a personal database, it has no accounts; leave --user out"
        ),
        (Some(name), _) => {
            let key = mastery_app::accounts::names::login_key(name);
            let account = store
                .account_by_key(&key)
                .await
                .context("cannot read the accounts")?
                .with_context(|| {
                    format!("there is no account {name:?}; `mastery user list` shows them")
                })?;
            Ok(account.learner)
        }
    }
}

/// Guide folders to load next to the built-in guides: `--guides`.
#[derive(Debug, Clone, clap::Args)]
pub struct GuidesArgs {
    /// A guide folder to load next to the built-in guides (repeatable).
    #[arg(
        long = "guides",
        env = "MASTERY_GUIDES",
        value_name = "DIR",
        value_delimiter = ','
    )]
    pub guides: Vec<PathBuf>,
}

/// An open database and where it is.
#[derive(Debug)]
pub struct Database {
    /// The data folder (created if it was missing, checked writable).
    pub data_dir: PathBuf,
    /// The database URL.
    pub url: String,
    /// The store.
    pub store: Arc<dyn Storage>,
}

/// Opens (creating it if needed) the database named by `--database`, or the one in the data
/// folder. Every failure is one clear message that says which option to pass. The data
/// folder is created and checked only for SQLite: a PostgreSQL deployment may have none.
pub async fn open_store(
    data_dir: Option<&Path>,
    database: Option<&str>,
) -> anyhow::Result<Database> {
    let (url, data_dir) = match database {
        Some(url) => {
            let dir = match backend_of(url)? {
                Backend::Sqlite => prepare_data_dir(data_dir)?,
                Backend::Postgres => {
                    data_dir.map_or_else(default_data_dir, |d| Ok(d.to_path_buf()))?
                }
            };
            (url.to_owned(), dir)
        }
        None => {
            let dir = prepare_data_dir(data_dir)?;
            (
                format!("sqlite://{}", dir.join("mastery.db").display()),
                dir,
            )
        }
    };
    let store = open_url(&url).await?.storage();
    Ok(Database {
        data_dir,
        url,
        store,
    })
}

/// The storage backends a database URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://PATH`, `sqlite:PATH`, `sqlite::memory:` or a plain path.
    Sqlite,
    /// `postgres://...` or `postgresql://...`.
    Postgres,
}

/// Which backend `url` names.
///
/// # Errors
///
/// A URL with any other scheme (`mysql://...`), with the accepted forms.
pub fn backend_of(url: &str) -> anyhow::Result<Backend> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Backend::Postgres);
    }
    if url.starts_with("sqlite:") {
        return Ok(Backend::Sqlite);
    }
    if let Some((scheme, _)) = url.split_once("://") {
        bail!(
            "{scheme}:// databases are not supported; give sqlite://PATH (or a path) or \
             postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        );
    }
    Ok(Backend::Sqlite)
}

/// An open store of either backend, for the commands that need more than the trait
/// (closing it cleanly, a SQLite backup).
#[derive(Debug, Clone)]
pub enum OpenStore {
    /// A SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PostgresStore),
}

impl OpenStore {
    /// The store behind the storage trait.
    pub fn storage(&self) -> Arc<dyn Storage> {
        match self {
            OpenStore::Sqlite(store) => Arc::new(store.clone()),
            OpenStore::Postgres(store) => Arc::new(store.clone()),
        }
    }

    /// Closes its connections (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        match self {
            OpenStore::Sqlite(store) => store.close().await,
            OpenStore::Postgres(store) => store.close().await,
        }
    }
}

/// Opens the database at `url` with the backend its scheme names ([`backend_of`]), bringing
/// its schema up to date.
///
/// # Errors
///
/// An unsupported scheme, or the store's error, naming the database without its password.
pub async fn open_url(url: &str) -> anyhow::Result<OpenStore> {
    let shown = redact(url);
    Ok(match backend_of(url)? {
        Backend::Sqlite => OpenStore::Sqlite(
            SqliteStore::open(url)
                .await
                .with_context(|| format!("cannot open the database {shown}"))?,
        ),
        Backend::Postgres => OpenStore::Postgres(
            PostgresStore::connect(url)
                .await
                .with_context(|| format!("cannot open the database {shown}"))?,
        ),
    })
}

/// The data folder, created if missing and checked writable.
fn prepare_data_dir(dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => default_data_dir()?,
    };
    std::fs::create_dir_all(&dir).with_context(|| {
        format!(
            "cannot create the data folder {}; pass --data-dir DIR",
            dir.display()
        )
    })?;
    let probe = dir.join(".mastery-write-test");
    std::fs::write(&probe, b"ok").with_context(|| {
        format!(
            "the data folder {} is not writable; pass --data-dir DIR",
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir)
}

/// The platform data directory's `mastery` folder (not created).
fn default_data_dir() -> anyhow::Result<PathBuf> {
    Ok(dirs::data_dir()
        .context("cannot find the platform data directory; pass --data-dir DIR")?
        .join("mastery"))
}

/// The guides to work on: the embedded ones, then each of `dirs`.
#[derive(Debug)]
pub struct Loaded {
    /// Every guide that loaded, with the search index and the problems of those that did not.
    pub library: Library,
    /// The embedded guides' files (author mode reloads the others next to them).
    pub embedded: Vec<GuideFiles>,
}

/// Loads the embedded guides and the guide folders `dirs`. A guide with errors prints its
/// diagnostics and fails, unless `keep_problems` (author mode shows them in the browser).
pub fn load_library(dirs: &[PathBuf], keep_problems: bool) -> anyhow::Result<Loaded> {
    let embedded = embedded::guides();
    let mut sources = embedded.clone();
    for dir in dirs {
        sources.push(
            GuideFiles::from_dir(dir)
                .with_context(|| format!("cannot load the guide in {}", dir.display()))?,
        );
    }
    let library = Library::load(&sources);
    if !library.problems.is_empty() && !keep_problems {
        for p in &library.problems {
            print_diagnostics(&p.diagnostics);
        }
        let roots: Vec<&str> = library.problems.iter().map(|p| p.root.as_str()).collect();
        bail!(
            "{} has errors (listed above); fix them, or start `mastery serve` with --watch to see them in the browser while you edit",
            roots.join(", ")
        );
    }
    Ok(Loaded { library, embedded })
}

/// The embedded guides and the guide folders `dirs`; a guide with errors fails.
pub fn load_guides(dirs: &[PathBuf]) -> anyhow::Result<Vec<Arc<Guide>>> {
    Ok(load_library(dirs, false)?.library.guides)
}

/// Hides a password in a database URL before it is shown anywhere.
pub fn redact(url: &str) -> String {
    mastery_storage::redact_url(url)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn backends_follow_the_scheme() {
        use super::{Backend, backend_of};
        for (url, backend) in [
            ("sqlite:///tmp/m.db", Backend::Sqlite),
            ("sqlite:m.db", Backend::Sqlite),
            ("sqlite::memory:", Backend::Sqlite),
            ("/var/lib/mastery/m.db", Backend::Sqlite),
            ("m.db", Backend::Sqlite),
            ("postgres://u@h/db", Backend::Postgres),
            (
                "postgresql://u:p@h:5433/db?sslmode=disable",
                Backend::Postgres,
            ),
        ] {
            assert_eq!(backend_of(url).unwrap(), backend, "{url}");
        }
        let err = backend_of("mysql://u@h/db").unwrap_err().to_string();
        assert!(
            err.contains("mysql:// databases are not supported"),
            "{err}"
        );
        assert!(err.contains("postgres://"), "{err}");
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite:///tmp/m.db"), "sqlite:///tmp/m.db");
    }
}
