//! What every request handler can reach: the guides, the store, this learner, the keys, the
//! assets, the settings and the metrics ([`AppState`]), and the clock ([`now`]).

use std::sync::Arc;

use mastery_app::accounts::limits::AttemptLimits;
use mastery_app::accounts::{AccountPolicy, Accounts, Site};
use mastery_storage::{LearnerId, Storage};
use tokio::sync::RwLock;

use crate::assets::Assets;
use crate::library::{Library, Shelf};
use crate::metrics::{AllowedNet, Metrics};

/// Who uses this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// One learner, no sign-in (the default; for a server on loopback).
    #[default]
    Personal,
    /// Accounts with roles and sessions, under these rules.
    MultiUser(AccountPolicy),
}

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
    /// Personal or multi-user.
    pub mode: Mode,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (a
    /// request from any other peer is taken at face value: its peer address, plain HTTP
    /// unless `secure_cookies`).
    pub trusted_proxies: Vec<AllowedNet>,
    /// Sign-in attempts allowed per client address and minute (multi-user mode).
    pub sign_ins_per_minute: u32,
    /// Sign-up attempts allowed per client address and hour (multi-user mode).
    pub sign_ups_per_hour: u32,
    /// The commit the binary was built from (`mastery_build_info` in `/metrics`).
    pub commit: &'static str,
    /// Multi-user mode's e-mail (address verification, password reset, notices), when an
    /// SMTP server is configured; without it those features are off and the pages say so.
    pub mailer: Option<mastery_app::accounts::email::Mailer>,
    /// Single sign-on with an OpenID provider (multi-user mode), when set up.
    pub single_sign_on: Option<crate::accounts::single_sign_on::SingleSignOn>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            author_mode: false,
            secure_cookies: false,
            database_label: String::new(),
            allowed_hosts: Vec::new(),
            mode: Mode::Personal,
            trusted_proxies: Vec::new(),
            sign_ins_per_minute: 6,
            sign_ups_per_hour: 10,
            commit: "unknown",
            mailer: None,
            single_sign_on: None,
        }
    }
}

/// How long the site rules (registration, private) are kept before being read again: a
/// change made on another instance shows within this time.
const SITE_RULES_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Everything a request handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shelf: Arc<Shelf>,
    store: Arc<dyn Storage>,
    /// Personal mode's learner; `None` in multi-user mode.
    learner: Option<LearnerId>,
    /// Multi-user mode's account service.
    accounts: Option<Accounts>,
    /// The site rules, with when they were read.
    site: RwLock<Option<(std::time::Instant, Site)>>,
    /// Sign-in and sign-up attempt limits (kept in the database, shared by every
    /// instance).
    limits: AttemptLimits,
    /// Held while personal parameters are fitted.
    optimizing: tokio::sync::Semaphore,
    /// The leaderboard as last computed, with when (see `profiles.rs`).
    leaderboard:
        tokio::sync::Mutex<Option<(std::time::Instant, Vec<mastery_app::profiles::Standing>)>>,
    csrf_key: Vec<u8>,
    assets: Arc<Assets>,
    settings: Settings,
    metrics: Arc<Metrics>,
}

impl AppState {
    /// Prepares the state: the personal learner (personal mode) and the CSRF key come
    /// from the database.
    pub async fn new(
        shelf: Arc<Shelf>,
        store: Arc<dyn Storage>,
        settings: Settings,
    ) -> Result<Self, mastery_storage::StorageError> {
        let (learner, accounts) = match settings.mode {
            Mode::Personal => (Some(store.personal_learner().await?), None),
            Mode::MultiUser(policy) => (None, Some(Accounts::new(policy))),
        };
        Self::assemble(shelf, store, settings, learner, accounts).await
    }

    /// The state of a multi-user server with another account service (tests use cheap
    /// password hashing).
    pub async fn with_accounts(
        shelf: Arc<Shelf>,
        store: Arc<dyn Storage>,
        mut settings: Settings,
        accounts: Accounts,
    ) -> Result<Self, mastery_storage::StorageError> {
        settings.mode = Mode::MultiUser(*accounts.policy());
        Self::assemble(shelf, store, settings, None, Some(accounts)).await
    }

    async fn assemble(
        shelf: Arc<Shelf>,
        store: Arc<dyn Storage>,
        settings: Settings,
        learner: Option<LearnerId>,
        accounts: Option<Accounts>,
    ) -> Result<Self, mastery_storage::StorageError> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh)
            .map_err(|e| mastery_storage::StorageError::Database(format!("no randomness: {e}")))?;
        let csrf_key = store.secret("csrf-key", &fresh).await?;
        let metrics = Arc::new(Metrics::with_commit(store.backend(), settings.commit));
        let inner = Arc::new(Inner {
            metrics,
            shelf,
            store,
            learner,
            accounts,
            site: RwLock::new(None),
            limits: AttemptLimits {
                sign_ins_per_minute: settings.sign_ins_per_minute,
                sign_ups_per_hour: settings.sign_ups_per_hour,
            },
            optimizing: tokio::sync::Semaphore::new(1),
            leaderboard: tokio::sync::Mutex::new(None),
            csrf_key,
            assets: Arc::new(Assets::build()),
            settings,
        });
        Ok(Self { inner })
    }

    /// The one fit of scheduler parameters allowed at a time (fitting uses every core).
    pub(crate) fn optimizing(&self) -> &tokio::sync::Semaphore {
        &self.inner.optimizing
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

    /// Personal mode's one learner; `None` in multi-user mode, where the learner of a
    /// request is its signed-in account's (see `access`).
    pub(crate) fn personal_learner(&self) -> Option<LearnerId> {
        self.inner.learner
    }

    /// The attempt limits of accounts.
    pub(crate) fn limits(&self) -> &AttemptLimits {
        &self.inner.limits
    }

    /// The account service, in multi-user mode.
    pub(crate) fn accounts(&self) -> Option<&Accounts> {
        self.inner.accounts.as_ref()
    }

    /// The site rules (registration, private site), read at most every few seconds.
    pub(crate) async fn site(&self) -> Result<Site, mastery_app::AppError> {
        if let Some((read, site)) = *self.inner.site.read().await
            && read.elapsed() < SITE_RULES_TTL
        {
            return Ok(site);
        }
        let site = Site::load(self.store()).await?;
        *self.inner.site.write().await = Some((std::time::Instant::now(), site));
        Ok(site)
    }

    /// Saves new site rules and uses them at once on this instance.
    pub(crate) async fn save_site(&self, site: Site) -> Result<(), mastery_app::AppError> {
        site.save(self.store()).await?;
        *self.inner.site.write().await = Some((std::time::Instant::now(), site));
        Ok(())
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

    /// The site's e-mail, when an SMTP server is configured (multi-user mode).
    pub(crate) fn mailer(&self) -> Option<&mastery_app::accounts::email::Mailer> {
        self.inner.settings.mailer.as_ref()
    }

    /// This server's metrics (`/metrics`).
    /// The leaderboard as last computed (held while it is computed again, so concurrent
    /// requests wait for one computation).
    pub(crate) fn leaderboard_cache(
        &self,
    ) -> &tokio::sync::Mutex<Option<(std::time::Instant, Vec<mastery_app::profiles::Standing>)>>
    {
        &self.inner.leaderboard
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// This server's metrics, shared, for the middleware that updates them.
    pub(crate) fn shared_metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.inner.metrics)
    }

    /// Whether this is a multi-user server.
    pub(crate) fn multi_user(&self) -> bool {
        self.inner.accounts.is_some()
    }
}

/// The current time (the one clock of the workspace, `mastery_storage::now`).
pub(crate) use mastery_storage::now;
