//! Serving the app: until a shutdown signal, then a bounded drain of requests in flight.

use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use crate::metrics::{Metrics, MetricsPolicy};

/// How [`serve_with`] runs, besides the app itself.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Who may read `/metrics`.
    pub metrics: MetricsPolicy,
    /// How long requests in flight may take to finish once shutdown starts.
    pub shutdown_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            metrics: MetricsPolicy::default(),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// How the server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every request in flight finished.
    Drained,
    /// The shutdown timeout passed with this many requests still in flight; they were cut.
    TimedOut {
        /// Requests still in flight.
        in_flight: i64,
    },
}

/// Serves `app` on `listener` until `shutdown` completes: then it stops accepting
/// connections, closes idle ones, and waits for requests in flight, for at most
/// `options.shutdown_timeout`; whatever is still running then is cut off.
pub(crate) async fn run(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    metrics: Arc<Metrics>,
    options: &ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Stopped> {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = started_tx.send(());
    };
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .into_future();
    let timeout = options.shutdown_timeout;
    let deadline = async move {
        if started_rx.await.is_ok() {
            tokio::time::sleep(timeout).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result.map(|()| Stopped::Drained),
        () = deadline => Ok(Stopped::TimedOut { in_flight: metrics.in_flight() }),
    }
}
