//! Mastery's web layer: HTML pages, the JSON API and their security, on axum.
//!
//! A request flows through: `metrics::track` (times and counts it) → the host check →
//! security headers → compression → the session and CSRF check → the error renderer (HTML
//! page or JSON, never a stack trace) → the handler of its feature, which parses the
//! request, calls one `mastery-app` operation and renders the result. Pages work without
//! JavaScript; `assets/app.js` only makes them smoother. The probes (`/healthz`,
//! `/readyz`) and `/metrics` skip the session layer: they never set a cookie.
//!
//! The crate is organised by feature: each folder (`guides`, `search`, `study`, `stats`,
//! `settings`, `interviews`) holds its pages, its API handlers and its view models, and
//! exposes `routes()` and `api()`; what every feature shares sits beside them (`state`,
//! `session`, `security`, `error`, `error_page`, `layout`, `charts`, `library`,
//! `download`, `multipart`). This file only assembles the router. `site` is the one
//! feature without routes: the static site `mastery build` writes.

mod access;
mod accounts;
mod assets;
mod charts;
mod community;
mod download;
mod error;
mod error_page;
mod guides;
mod interviews;
mod layout;
mod library;
pub mod metrics;
mod multipart;
mod notifications;
mod openapi;
mod probes;
mod profiles;
mod search;
mod security;
mod server;
mod session;
mod settings;
pub mod site;
mod state;
mod stats;
mod study;
mod suggestions;
mod teams;
pub mod watch;
mod whole;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware;
use axum::routing::get;
use tower_http::compression::CompressionLayer;

pub use accounts::single_sign_on::SingleSignOn;
pub use error::WebError;
pub use library::{Library, Problem, Shelf};
pub use metrics::{AllowedNet, Metrics, MetricsPolicy};
pub use security::{BODY_LIMIT, CSP};
pub use server::{ServeOptions, Stopped};
pub use state::{AppState, Mode, Settings};

/// The whole application: pages, API, assets and health checks, with every layer, and
/// `/metrics` for loopback peers ([`MetricsPolicy::default`]).
pub fn app(state: AppState) -> Router {
    app_with(state, &MetricsPolicy::default())
}

/// The whole application, with `/metrics` served as `metrics` says.
pub fn app_with(state: AppState, metrics: &MetricsPolicy) -> Router {
    let (api_router, openapi) = openapi::router().split_for_parts();
    let openapi = Arc::new(openapi);
    let pages = Router::new()
        .merge(accounts::routes())
        .merge(community::routes())
        .merge(guides::routes())
        .merge(search::routes())
        .merge(study::routes())
        .merge(stats::routes())
        .merge(settings::routes())
        .merge(interviews::routes())
        .merge(suggestions::routes())
        .merge(notifications::routes())
        .merge(profiles::routes())
        .merge(teams::routes())
        .route(
            "/assets/{name}",
            get(assets::serve).with_state(state.shared_assets()),
        )
        .merge(api_router)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = Arc::clone(&openapi);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(|| async { WebError::NotFound("there is no page at this address".into()) })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error_page::render_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::session_and_csrf,
        ));
    // Probes and metrics: no session, no cookie, no CSRF, plain text.
    let mut probes = Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz));
    if metrics.enabled {
        let policy = Arc::new(metrics.clone());
        probes = probes.route(
            "/metrics",
            get(move |State(state): State<AppState>, request: Request| {
                let policy = Arc::clone(&policy);
                async move {
                    metrics::serve(
                        state.metrics(),
                        state.store().pool_stats(),
                        &policy,
                        request,
                    )
                }
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
            state.shared_metrics(),
            metrics::track,
        ))
        .with_state(state)
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
    let metrics = state.shared_metrics();
    let app = app_with(state, &options.metrics);
    server::run(listener, app, metrics, options, shutdown).await
}
