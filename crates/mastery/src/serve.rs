//! `mastery serve`: the web app on the embedded guide and a local SQLite database.
//!
//! Start-up either succeeds or ends with one clear message and a non-zero exit: a data
//! folder that cannot be written, a database file that is not a Mastery database or was
//! written by a newer version (never replaced by a fresh one), an address in use, a guide
//! with errors, a settings file with a mistake. Ctrl-C (or SIGTERM) stops accepting
//! connections, lets requests in flight finish (for at most `shutdown_timeout`), and closes
//! the database.
//!
//! Settings come in layers (defaults, `mastery.toml`, `MASTERY_*` variables, flags): its
//! flags ([`ServeArgs`]) and their layering are in `config.rs`.

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use mastery_app::accounts::AccountPolicy;
use mastery_app::accounts::password::PasswordRules;
use mastery_web::{AppState, Mode, ServeOptions, Settings, Shelf, Stopped};

use crate::config::{self, LogFormat, ServeArgs, ServeConfig, ServerMode};
use crate::context::{self, Database, Loaded};
use crate::runtime;

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let config = config::resolve(args)?;
    init_logging(&config);
    if let Some(file) = &config.file {
        tracing::info!(file = %file.display(), "settings read");
    }
    let runtime = runtime::multi_thread()?;
    let result = runtime.block_on(serve(&config));
    // Requests cut off at the shutdown timeout may leave work behind: do not wait for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Logging for `serve`: the format and filter of the settings, on standard error.
fn init_logging(config: &ServeConfig) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(config.log_filter())
        .unwrap_or_else(|_| EnvFilter::new(config.log_format.default_filter()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        // Colours only on a terminal, not in a journal or a file.
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}

/// A message for the person or program that started the server: a line on standard output
/// with text logs, a log event (so every line is JSON) with JSON logs.
fn say(config: &ServeConfig, message: &str) {
    match config.log_format {
        LogFormat::Text => println!("{message}"),
        LogFormat::Json => tracing::info!(target: "mastery::serve", "{message}"),
    }
}

async fn serve(config: &ServeConfig) -> anyhow::Result<ExitCode> {
    let Loaded { library, embedded } = context::load_library(&config.guides, config.watch)?;
    let Database {
        data_dir,
        url,
        store,
    } = context::open_store(config.data_dir.as_deref(), config.database_url.as_deref()).await?;
    let shelf = Arc::new(Shelf::new(library));
    let _watch = if config.watch && !config.guides.is_empty() {
        Some(
            mastery_web::watch::watch(Arc::clone(&shelf), embedded, config.guides.clone())
                .context("cannot watch the guide folders")?,
        )
    } else {
        None
    };
    let (accounts, _) = store
        .account_counts()
        .await
        .context("cannot read the accounts")?;
    let mode = match config.mode {
        ServerMode::Personal if accounts > 0 => anyhow::bail!(
            "this database has {accounts} account(s): it was used by a multi-user server; start it with --mode multi-user (or mode = \"multi-user\" in mastery.toml)"
        ),
        ServerMode::Personal => Mode::Personal,
        ServerMode::MultiUser => Mode::MultiUser(account_policy(config)?),
    };
    let mailer = match (&config.smtp_url, &config.mail_from, &config.public_url) {
        (Some(url), Some(from), Some(public)) if matches!(mode, Mode::MultiUser(_)) => Some(
            mastery_app::accounts::email::Mailer::new(url, from, public)
                .context("cannot set up e-mail")?,
        ),
        (Some(_), _, _) if !matches!(mode, Mode::MultiUser(_)) => {
            tracing::warn!("smtp_url is set, but a personal server sends no e-mail");
            None
        }
        _ => None,
    };
    let settings = Settings {
        mailer,
        author_mode: config.watch,
        secure_cookies: config.secure_cookies,
        database_label: context::redact(&url),
        allowed_hosts: config.allowed_hosts.clone(),
        mode,
        trusted_proxies: config.trusted_proxies.clone(),
        commit: env!("MASTERY_COMMIT"),
        single_sign_on: config.single_sign_on.clone(),
        ..Settings::default()
    };
    let state = AppState::new(shelf, Arc::clone(&store), settings)
        .await
        .context("cannot prepare the database")?;
    let bind = config.bind;
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "cannot listen on {bind}: the address is already in use (is Mastery already running?); pass --bind 127.0.0.1:PORT"
        ),
        _ => anyhow::anyhow!("cannot listen on {bind}: {e}"),
    })?;
    let local = listener
        .local_addr()
        .context("cannot read the listening address")?;
    // Listen for Ctrl-C and SIGTERM before saying we serve: a signal sent as soon as the
    // message appears must stop the server gracefully, not kill the process.
    let shutdown = shutdown_signal(config.log_format)?;
    if let Mode::MultiUser(policy) = mode {
        let accounts = mastery_app::accounts::Accounts::new(policy);
        if let Some(token) = accounts
            .setup_token(store.as_ref())
            .await
            .context("cannot prepare the setup link")?
        {
            say(
                config,
                &format!(
                    "No admin yet: open http://{local}/setup/{token} to create the first admin (the link works until it is used), or run `mastery user add NAME --admin`."
                ),
            );
        }
        tokio::spawn(end_expired_sessions(Arc::clone(&store), accounts));
    } else if !local.ip().is_loopback() {
        tracing::warn!(
            "listening on {local}: personal mode has no login, so anyone who can reach it can read and change your data"
        );
    }
    say(
        config,
        &format!(
            "Mastery is serving http://{local}  (data: {}; press Ctrl-C to stop)",
            data_dir.display()
        ),
    );
    let options = ServeOptions {
        metrics: config.metrics_policy(),
        shutdown_timeout: config.shutdown_timeout,
    };
    let stopped = mastery_web::serve_with(listener, state, &options, shutdown)
        .await
        .context("the server stopped with an error")?;
    if let Stopped::TimedOut { in_flight } = stopped {
        tracing::warn!(
            in_flight,
            "requests still in flight after the shutdown timeout of {:?} were cut off",
            config.shutdown_timeout
        );
    }
    say(config, "Mastery stopped.");
    Ok(ExitCode::SUCCESS)
}

/// The account rules of the settings.
fn account_policy(config: &ServeConfig) -> anyhow::Result<AccountPolicy> {
    const HOUR: i64 = 60 * 60 * 1000;
    Ok(AccountPolicy {
        passwords: PasswordRules::with_min(config.min_password_length)
            .map_err(|e| anyhow::anyhow!("min_password_length: {e}"))?,
        session_idle: i64::from(config.session_idle_hours) * HOUR,
        session_lifetime: i64::from(config.session_lifetime_days) * 24 * HOUR,
    })
}

/// Deletes expired sessions and the community's refilled limits every hour (they are
/// refused or full when used anyway; this keeps the tables small).
async fn end_expired_sessions(
    store: Arc<dyn mastery_storage::Storage>,
    accounts: mastery_app::accounts::Accounts,
) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        match accounts
            .end_expired_sessions(store.as_ref(), mastery_storage::now())
            .await
        {
            Ok(0) => {}
            Ok(ended) => tracing::info!(ended, "expired sessions ended"),
            Err(e) => tracing::warn!(error = %e, "cannot end expired sessions"),
        }
        // The limits (community, sign-in, tokens) that are full again: forgetting them
        // changes nothing.
        if let Err(e) = store.sweep_rates(mastery_storage::now()).await {
            tracing::warn!(error = %e, "cannot sweep the limits");
        }
    }
}

/// Completes on Ctrl-C or SIGTERM; the handlers are installed when this is called.
fn shutdown_signal(format: LogFormat) -> anyhow::Result<impl Future<Output = ()> + Send> {
    #[cfg(unix)]
    let signalled = {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
    };
    #[cfg(not(unix))]
    let signalled = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(async move {
        signalled.await;
        let message = "Shutting down: finishing requests in flight…";
        match format {
            LogFormat::Text => println!("{message}"),
            LogFormat::Json => tracing::info!(target: "mastery::serve", "{message}"),
        }
    })
}
