//! Mastery's web layer: HTML pages, the JSON API and their security, on axum.
//!
//! A request flows through: security headers → compression → session and CSRF check →
//! the handler (which reads the immutable [`Library`] and the learner's own state from
//! [`Storage`]) → the error renderer (HTML page or JSON, never a stack trace). Pages work
//! without JavaScript; `assets/app.js` only makes them smoother. Outside all of these,
//! `metrics::track` times and counts every request, and the host check refuses names this
//! server does not answer to. The probes (`/healthz`, `/readyz`) and `/metrics` skip the
//! session layer: they never set a cookie.

mod api;
mod assets;
mod charts;
mod error;
mod library;
pub mod metrics;
mod mock;
mod mock_api;
mod notes;
mod page_cache;
mod pages;
mod plan;
mod prerender;
mod security;
mod stats;
mod study;
mod views;
pub mod watch;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mastery_storage::{LearnerId, Millis, Storage};
use tower_http::compression::CompressionLayer;

pub use error::WebError;
pub use library::{Library, Problem, Shelf};
pub use metrics::{AllowedNet, Metrics, MetricsPolicy};
pub use security::{BODY_LIMIT, CSP};

use crate::assets::Assets;
use crate::error::ErrorInfo;
use crate::security::Session;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Author mode: guide errors are shown in the browser.
    pub author_mode: bool,
    /// Cookies get the `Secure` attribute (when served over HTTPS).
    pub secure_cookies: bool,
    /// Shown on the settings page: where the data lives.
    pub database_label: String,
    /// Host names (besides IP addresses and `localhost`) this server answers to.
    pub allowed_hosts: Vec<String>,
}

/// Everything a request handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shelf: Arc<Shelf>,
    store: Arc<dyn Storage>,
    learner: LearnerId,
    csrf_key: Vec<u8>,
    assets: Assets,
    settings: Settings,
    metrics: Metrics,
}

impl AppState {
    /// Prepares the state: the personal learner and the CSRF key come from the database.
    pub async fn new(
        shelf: Arc<Shelf>,
        store: Arc<dyn Storage>,
        settings: Settings,
    ) -> Result<Self, mastery_storage::StorageError> {
        let learner = store.personal_learner().await?;
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh)
            .map_err(|e| mastery_storage::StorageError::Database(format!("no randomness: {e}")))?;
        let csrf_key = store.secret("csrf-key", &fresh).await?;
        let metrics = Metrics::new(store.backend());
        Ok(Self {
            inner: Arc::new(Inner {
                metrics,
                shelf,
                store,
                learner,
                csrf_key,
                assets: Assets::build(),
                settings,
            }),
        })
    }

    pub(crate) fn library(&self) -> Arc<Library> {
        self.inner.shelf.get()
    }

    pub(crate) fn store(&self) -> &dyn Storage {
        self.inner.store.as_ref()
    }

    /// The store, shared, for work moved off the async workers.
    pub(crate) fn shared_store(&self) -> Arc<dyn Storage> {
        Arc::clone(&self.inner.store)
    }

    /// The learner of this request (personal mode: always the one learner).
    pub(crate) fn learner(&self) -> LearnerId {
        self.inner.learner
    }

    pub(crate) fn csrf_key(&self) -> &[u8] {
        &self.inner.csrf_key
    }

    pub(crate) fn assets(&self) -> &Assets {
        &self.inner.assets
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// This server's metrics (`/metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn cookie_suffix(&self) -> &'static str {
        if self.inner.settings.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    }
}

/// The current time in milliseconds since the Unix epoch.
pub(crate) fn now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The whole application: pages, API, assets and health checks, with every layer, and
/// `/metrics` for loopback peers ([`MetricsPolicy::default`]).
pub fn app(state: AppState) -> Router {
    app_with(state, &MetricsPolicy::default())
}

/// The whole application, with `/metrics` served as `metrics` says.
pub fn app_with(state: AppState, metrics: &MetricsPolicy) -> Router {
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi);
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/guides/{guide}", get(pages::guide))
        .route("/guides/{guide}/{question}", get(pages::question))
        .route("/guides/{guide}/{question}/mark", post(pages::mark))
        .route("/guides/{guide}/{question}/note", post(pages::note))
        .route("/search", get(pages::search))
        .route("/study", get(study::page))
        .route("/stats", get(stats::page))
        .route("/study/answer", post(study::answer))
        .route("/study/undo", post(study::undo))
        .route("/study/predict", post(study::predict))
        .route("/study/readiness", get(plan::readiness))
        .route("/settings/study", post(plan::save))
        .route("/settings/optimize", post(plan::optimize))
        .route("/settings", get(pages::settings))
        .route("/settings/theme", post(pages::theme))
        .route("/settings/forget", post(pages::forget))
        .route("/assets/{name}", get(assets::serve))
        .merge(mock::routes())
        .merge(api_router)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = Arc::clone(&openapi);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(|| async { WebError::NotFound("there is no page at this address".into()) })
        .layer(middleware::from_fn_with_state(state.clone(), render_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::session_and_csrf,
        ));
    // Probes and metrics: no session, no cookie, no CSRF, plain text.
    let mut probes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz));
    if metrics.enabled {
        let policy = Arc::new(metrics.clone());
        probes = probes.route(
            "/metrics",
            get(move |State(state): State<AppState>, request: Request| {
                let policy = Arc::clone(&policy);
                async move { metrics::serve(state, &policy, request).await }
            }),
        );
    }
    pages
        .merge(probes)
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(security::headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::check_host,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// `GET /readyz`: 200 when the database answers and its migrations are current, else 503
/// with the reason (for load balancers and orchestrators; the reason names no secret).
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => (
            axum::http::StatusCode::OK,
            format!(
                "ready: {} database reachable, migrations current\n",
                state.store().backend()
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            let reason = match e {
                mastery_storage::StorageError::NewerSchema { .. } => {
                    "the database schema is newer than this version"
                }
                mastery_storage::StorageError::Unavailable(_) => "the database is unreachable",
                _ => "the database does not answer as expected",
            };
            let mut response = (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {reason} (details in the server log)\n"),
            )
                .into_response();
            // Not an error page: orchestrators read the plain text.
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        }
    }
}

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

/// Serves the app on `listener` until `shutdown` completes, then lets requests in flight
/// finish (for at most 10 seconds).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, &ServeOptions::default(), shutdown)
        .await
        .map(|_| ())
}

/// Serves the app on `listener` until `shutdown` completes: then it stops accepting
/// connections, closes idle ones, and waits for requests in flight, for at most
/// `options.shutdown_timeout`; whatever is still running then is cut off.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    options: &ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Stopped> {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = started_tx.send(());
    };
    let app = app_with(state.clone(), &options.metrics);
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
        () = deadline => Ok(Stopped::TimedOut { in_flight: state.metrics().in_flight() }),
    }
}

/// Marks a page that shows a form again with its mistakes explained: sent with its 4xx
/// status (422) as it is, not replaced by the error page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormWithErrors;

/// A form page with mistakes: `page` with status 422, kept as it is by `render_errors`.
pub(crate) fn form_with_errors(mut page: Response) -> Response {
    *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    page.extensions_mut().insert(FormWithErrors);
    page
}

/// Middleware: turns every error response into the HTML error page or a JSON error,
/// depending on whether the request was for the API. Extractor rejections (a malformed
/// form or query) arrive here as plain text and leave as the same clear message.
async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz");
    let session = request.extensions().get::<Session>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if probe
        || !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<FormWithErrors>().is_some()
    {
        return response;
    }
    let info = match response.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None => {
            let is_text = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/plain"));
            let message = if is_text && status.is_client_error() {
                let bytes = axum::body::to_bytes(response.into_body(), 4096)
                    .await
                    .unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                status.canonical_reason().unwrap_or("error").to_owned()
            };
            ErrorInfo {
                status,
                code: if status.is_client_error() {
                    "bad_request"
                } else {
                    "internal"
                },
                message,
            }
        }
    };
    error_response(&state, api, session.as_ref(), &info)
}

/// The HTML error page or the JSON error body for `info`.
pub(crate) fn error_response(
    state: &AppState,
    api: bool,
    session: Option<&Session>,
    info: &ErrorInfo,
) -> Response {
    if api {
        let body = serde_json::json!({ "error": { "status": info.status.as_u16(), "code": info.code, "message": info.message } });
        return (info.status, axum::Json(body)).into_response();
    }
    let mut page = views::error_page(state, session, info).into_response();
    *page.status_mut() = info.status;
    page.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    page
}
