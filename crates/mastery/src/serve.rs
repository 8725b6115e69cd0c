//! `mastery serve`: the web app on the embedded guide and a local SQLite database.
//!
//! Start-up either succeeds or ends with one clear message and a non-zero exit: a data
//! folder that cannot be written, a database file that is not a Mastery database or was
//! written by a newer version (never replaced by a fresh one), an address in use, a guide
//! with errors. Ctrl-C (or SIGTERM) stops accepting connections, lets requests in flight
//! finish, and closes the database.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use mastery_web::{AppState, Settings, Shelf};

use crate::context::{self, DataArgs, Database, GuidesArgs, Loaded};

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
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    guides: GuidesArgs,
    /// A host name this server may be reached by, besides IP addresses and `localhost`
    /// (repeatable), e.g. when it runs behind a reverse proxy under a domain name. Requests
    /// for any other name are refused, which stops DNS-rebinding attacks.
    #[arg(
        long = "allowed-host",
        env = "MASTERY_ALLOWED_HOSTS",
        value_name = "NAME",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
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

async fn serve(args: &Args) -> anyhow::Result<ExitCode> {
    let Loaded { library, embedded } = context::load_library(&args.guides.guides, args.watch)?;
    let Database {
        data_dir,
        url,
        store,
    } = context::open_store(args.data.data_dir.as_deref(), args.data.database.as_deref()).await?;
    let shelf = Arc::new(Shelf::new(library));
    let _watch = if args.watch && !args.guides.guides.is_empty() {
        Some(
            mastery_web::watch::watch(Arc::clone(&shelf), embedded, args.guides.guides.clone())
                .context("cannot watch the guide folders")?,
        )
    } else {
        None
    };
    let settings = Settings {
        author_mode: args.watch,
        secure_cookies: false,
        database_label: context::redact(&url),
        allowed_hosts: args.allowed_hosts.clone(),
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
