//! What the commands that work on a learner's data share: the data folder and database
//! options, opening the store, and loading the embedded guides plus `--guides` folders.
//!
//! `serve`, `study` and `stats` all go through here, so they open the same database the same
//! way (SQLite in WAL mode: `mastery study` can run while `mastery serve` does) and see the
//! same guides.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use mastery_content::{Guide, GuideFiles};
use mastery_storage::Storage;
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
    /// The database [default: sqlite://DATA_DIR/mastery.db].
    #[arg(long, env = "MASTERY_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
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
/// folder. Every failure is one clear message that says which option to pass.
pub async fn open_store(
    data_dir: Option<&Path>,
    database: Option<&str>,
) -> anyhow::Result<Database> {
    let data_dir = prepare_data_dir(data_dir)?;
    let url = database
        .map(str::to_owned)
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("mastery.db").display()));
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!(
            "PostgreSQL is not supported by this version yet; use a sqlite:// URL or leave --database out"
        );
    }
    let store = SqliteStore::open(&url)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    Ok(Database {
        data_dir,
        url,
        store: Arc::new(store),
    })
}

/// The data folder, created if missing and checked writable.
fn prepare_data_dir(dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => dirs::data_dir()
            .context("cannot find the platform data directory; pass --data-dir DIR")?
            .join("mastery"),
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

/// Now, in milliseconds since the Unix epoch, from the system clock.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Hides a password in a database URL before it is shown anywhere.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite:///tmp/m.db"), "sqlite:///tmp/m.db");
    }
}
