//! What every request handler can reach: the guides, the store, this learner, the keys, the
//! assets, the settings and the metrics ([`AppState`]), and the clock ([`now`]).

use std::sync::Arc;

use mastery_storage::{LearnerId, Storage};

use crate::assets::Assets;
use crate::library::{Library, Shelf};
use crate::metrics::Metrics;

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
    assets: Arc<Assets>,
    settings: Settings,
    metrics: Arc<Metrics>,
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
        let metrics = Arc::new(Metrics::new(store.backend()));
        Ok(Self {
            inner: Arc::new(Inner {
                metrics,
                shelf,
                store,
                learner,
                csrf_key,
                assets: Arc::new(Assets::build()),
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

    /// The assets, shared, for the route that serves them.
    pub(crate) fn shared_assets(&self) -> Arc<Assets> {
        Arc::clone(&self.inner.assets)
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// This server's metrics (`/metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// This server's metrics, shared, for the middleware that updates them.
    pub(crate) fn shared_metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.inner.metrics)
    }

    pub(crate) fn cookie_suffix(&self) -> &'static str {
        if self.inner.settings.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    }
}

/// The current time (the one clock of the workspace, `mastery_storage::now`).
pub(crate) use mastery_storage::now;
