//! `mastery serve`: the web app on the embedded guide and a local SQLite database.
//!
//! Start-up either succeeds or ends with one clear message and a non-zero exit: a data
//! folder that cannot be written, a database file that is not a Mastery database or was
//! written by a newer version (never replaced by a fresh one), an address in use, a guide
//! with errors. Ctrl-C (or SIGTERM) stops accepting connections, lets requests in flight
//! finish, and closes the database.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use mastery_storage::Storage;
use mastery_storage_sqlite::SqliteStore;
use mastery_web::{AppState, Library, Settings, Shelf};

use crate::embedded;
use crate::guides::print_diagnostics;

/// Arguments of `mastery serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on. Personal mode has no login: keep it on 127.0.0.1
    /// unless you trust everyone who can reach the address.
    #[arg(
        long,
        env = "MASTERY_BIND",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR:PORT"
    )]
    bind: SocketAddr,
    /// Where Mastery keeps its data [default: the platform data directory, e.g.
    /// ~/.local/share/mastery].
    #[arg(long, env = "MASTERY_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A guide folder to serve next to the built-in guide (repeatable).
    #[arg(
        long = "guides",
        env = "MASTERY_GUIDES",
        value_name = "DIR",
        value_delimiter = ','
    )]
    guides: Vec<PathBuf>,
    /// The database [default: sqlite://DATA_DIR/mastery.db].
    #[arg(long, env = "MASTERY_DATABASE_URL", value_name = "URL")]
    database: Option<String>,
    /// Author mode: reload the --guides folders when their files change and show content
    /// errors in the browser instead of refusing to start.
    #[arg(long)]
    watch: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args))
}

fn data_dir(args: &Args) -> anyhow::Result<PathBuf> {
    let dir = match &args.data_dir {
        Some(dir) => dir.clone(),
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

fn database_url(args: &Args, data_dir: &Path) -> String {
    args.database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("mastery.db").display()))
}

async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Storage>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!(
            "PostgreSQL is not supported by this version yet; use a sqlite:// URL or leave --database out"
        );
    }
    let store = SqliteStore::open(url)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    Ok(Arc::new(store))
}

fn load_library(args: &Args) -> anyhow::Result<(Library, Vec<mastery_content::GuideFiles>)> {
    let embedded = embedded::guides();
    let mut sources = embedded.clone();
    for dir in &args.guides {
        sources.push(
            mastery_content::GuideFiles::from_dir(dir)
                .with_context(|| format!("cannot load the guide in {}", dir.display()))?,
        );
    }
    let library = Library::load(&sources);
    if !library.problems.is_empty() && !args.watch {
        for p in &library.problems {
            print_diagnostics(&p.diagnostics);
        }
        let roots: Vec<&str> = library.problems.iter().map(|p| p.root.as_str()).collect();
        bail!(
            "{} has errors (listed above); fix them, or start with --watch to see them in the browser while you edit",
            roots.join(", ")
        );
    }
    Ok((library, embedded))
}

async fn serve(args: &Args) -> anyhow::Result<ExitCode> {
    let data_dir = data_dir(args)?;
    let url = database_url(args, &data_dir);
    let (library, embedded) = load_library(args)?;
    let store = open_store(&url).await?;
    let shelf = Arc::new(Shelf::new(library));
    let _watch = if args.watch && !args.guides.is_empty() {
        Some(
            mastery_web::watch::watch(Arc::clone(&shelf), embedded, args.guides.clone())
                .context("cannot watch the guide folders")?,
        )
    } else {
        None
    };
    let settings = Settings {
        author_mode: args.watch,
        secure_cookies: false,
        database_label: redact(&url),
    };
    let state = AppState::new(shelf, Arc::clone(&store), settings)
        .await
        .context("cannot prepare the database")?;
    let listener = tokio::net::TcpListener::bind(args.bind).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "cannot listen on {}: the address is already in use (is Mastery already running?); pass --bind 127.0.0.1:PORT",
            args.bind
        ),
        _ => anyhow::anyhow!("cannot listen on {}: {e}", args.bind),
    })?;
    let local = listener
        .local_addr()
        .context("cannot read the listening address")?;
    if !local.ip().is_loopback() {
        tracing::warn!(
            "listening on {local}: personal mode has no login, so anyone who can reach it can read and change your data"
        );
    }
    println!(
        "Mastery is serving http://{local}  (data: {}; press Ctrl-C to stop)",
        data_dir.display()
    );
    mastery_web::serve(listener, state, shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    println!("Mastery stopped.");
    Ok(ExitCode::SUCCESS)
}

/// Hides a password in a database URL before it is shown anywhere.
fn redact(url: &str) -> String {
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

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    println!("Shutting down: finishing requests in flight…");
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
