//! The harness shared by the web integration tests: the real server on a random port with
//! a fresh database, and a browser-like client that keeps the session cookie and the
//! page's CSRF token.
//!
//! The database is SQLite by default; with `MASTERY_TEST_BACKEND=postgres` every test gets
//! a fresh PostgreSQL database instead (on `MASTERY_TEST_POSTGRES_URL`, see
//! `mastery_storage_postgres::testing`), so the same tests cover both backends
//! (`scripts/test` runs them twice).

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mastery_app::accounts::password::Hasher;
use mastery_app::accounts::{AccountPolicy, Accounts, SignUp};
use mastery_content::GuideFiles;
use mastery_storage::Storage;
use mastery_storage::{LearnerId, Role};
use mastery_storage_postgres::PostgresStore;
use mastery_storage_postgres::testing::TestDatabase;
use mastery_storage_sqlite::SqliteStore;
use mastery_web::{AppState, Library, Settings, Shelf};

pub struct Server {
    pub base: String,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The database's URL (`sqlite://…` or `postgres://…`).
    pub url: String,
    /// The SQLite file (empty on PostgreSQL): prefer [`Server::store`].
    pub db: PathBuf,
    store: Option<Arc<dyn Storage>>,
    _dir: Option<tempfile::TempDir>,
    _postgres: Option<Arc<TestDatabase>>,
    /// Multi-user mode (kept across restarts).
    multi_user: bool,
    /// Sign-in and sign-up attempts allowed per minute and hour.
    attempts: u32,
    /// Loopback is a trusted proxy: `X-Forwarded-For` names the client.
    proxied: bool,
    /// The SMTP server e-mail goes to, if any.
    smtp: Option<String>,
    /// Single sign-on, when set up (kept across restarts).
    sso: Option<mastery_web::SingleSignOn>,
}

thread_local! {
    /// The SMTP URL the next server started on this thread sends e-mail to.
    static NEXT_SMTP: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// The account service of test servers: the real rules, cheap hashing.
pub fn test_accounts() -> Accounts {
    Accounts::with_hasher(
        AccountPolicy::default(),
        Hasher::with_params(64, 1, 1).unwrap(),
    )
}

pub fn guide_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django")
}

/// `true` when the tests run on PostgreSQL (`MASTERY_TEST_BACKEND=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("MASTERY_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

async fn open(url: &str) -> Arc<dyn Storage> {
    if url.starts_with("postgres") {
        Arc::new(PostgresStore::connect(url).await.unwrap())
    } else {
        Arc::new(SqliteStore::open(url).await.unwrap())
    }
}

impl Server {
    pub fn start() -> Self {
        Self::start_mode(false, 10_000)
    }

    /// A multi-user server (cheap password hashing, generous attempt limits).
    pub fn start_multi_user() -> Self {
        Self::start_mode(true, 10_000)
    }

    /// A multi-user server allowing `attempts` sign-ins a minute and sign-ups an hour.
    pub fn start_multi_user_limited(attempts: u32) -> Self {
        Self::start_mode(true, attempts)
    }

    /// A multi-user server behind a proxy on loopback: requests name their client in
    /// `X-Forwarded-For` (as nginx would), so tests can come from many addresses.
    pub fn start_multi_user_behind_proxy(attempts: u32) -> Self {
        Self::start_full(true, attempts, true)
    }

    /// A multi-user server that sends e-mail to the SMTP server at `smtp_url`, with links
    /// to its own address.
    pub fn start_multi_user_with_mail(smtp_url: &str) -> Self {
        NEXT_SMTP.with(|n| *n.borrow_mut() = Some(smtp_url.to_owned()));
        Self::start_mode(true, 10_000)
    }

    fn start_mode(multi_user: bool, attempts: u32) -> Self {
        Self::start_full(multi_user, attempts, false)
    }

    /// A multi-user server with single sign-on set up.
    pub fn start_multi_user_with_sso(sso: mastery_web::SingleSignOn) -> Self {
        Self::start_with(true, 10_000, false, Some(sso))
    }

    fn start_full(multi_user: bool, attempts: u32, proxied: bool) -> Self {
        Self::start_with(multi_user, attempts, proxied, None)
    }

    fn start_with(
        multi_user: bool,
        attempts: u32,
        proxied: bool,
        sso: Option<mastery_web::SingleSignOn>,
    ) -> Self {
        if on_postgres() {
            let database = std::thread::spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(TestDatabase::create())
            })
            .join()
            .unwrap()
            .expect("MASTERY_TEST_BACKEND=postgres needs a reachable PostgreSQL");
            let mut s = Self::start_url_with(&database.url, multi_user, attempts, proxied, sso);
            s._postgres = Some(Arc::new(database));
            return s;
        }
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("mastery.db");
        let mut s = Self::start_url_with(
            &format!("sqlite://{}", db.display()),
            multi_user,
            attempts,
            proxied,
            sso,
        );
        s._dir = Some(dir);
        s
    }

    /// A server on the SQLite file `db`.
    pub fn start_on(db: &Path) -> Self {
        Self::start_url(&format!("sqlite://{}", db.display()), false, 10_000, false)
    }

    /// A second server on this one's database (another instance of a scaled-out site).
    pub fn another_instance(&self) -> Self {
        NEXT_SMTP.with(|n| *n.borrow_mut() = self.smtp.clone());
        let mut s = self.start_alike();
        s._postgres = self._postgres.clone();
        s
    }

    /// Another server on this one's database with its settings.
    fn start_alike(&self) -> Self {
        Self::start_url_with(
            &self.url,
            self.multi_user,
            self.attempts,
            self.proxied,
            self.sso.clone(),
        )
    }

    fn start_url(url: &str, multi_user: bool, attempts: u32, proxied: bool) -> Self {
        Self::start_url_with(url, multi_user, attempts, proxied, None)
    }

    fn start_url_with(
        url: &str,
        multi_user: bool,
        attempts: u32,
        proxied: bool,
        sso: Option<mastery_web::SingleSignOn>,
    ) -> Self {
        let smtp = NEXT_SMTP.with(|n| n.borrow_mut().take());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let smtp_for_state = smtp.clone();
        let (base, store) = runtime.block_on(async {
            let store = open(url).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let mailer = smtp_for_state.map(|smtp| {
                mastery_app::accounts::email::Mailer::new(
                    &smtp,
                    "Mastery <noreply@example.org>",
                    &base,
                )
                .unwrap()
            });
            let library = Library::load(&[GuideFiles::from_dir(&guide_dir()).unwrap()]);
            assert!(library.problems.is_empty(), "{:?}", library.problems);
            let settings = Settings {
                database_label: url.to_owned(),
                sign_ins_per_minute: attempts,
                sign_ups_per_hour: attempts,
                trusted_proxies: if proxied {
                    mastery_web::AllowedNet::loopback()
                } else {
                    Vec::new()
                },
                mailer,
                single_sign_on: sso.clone(),
                ..Settings::default()
            };
            let shelf = Arc::new(Shelf::new(library));
            let state = if multi_user {
                AppState::with_accounts(shelf, Arc::clone(&store), settings, test_accounts())
                    .await
                    .unwrap()
            } else {
                AppState::new(shelf, Arc::clone(&store), settings)
                    .await
                    .unwrap()
            };
            tokio::spawn(mastery_web::serve(listener, state, async {
                let _ = stopped.await;
            }));
            (base, store)
        });
        Self {
            base,
            runtime: Some(runtime),
            stop: Some(stop),
            url: url.to_owned(),
            db: PathBuf::from(url.strip_prefix("sqlite://").unwrap_or_default()),
            store: Some(store),
            _dir: None,
            _postgres: None,
            multi_user,
            attempts,
            proxied,
            smtp,
            sso,
        }
    }

    /// Creates an account (password [`PASSWORD`]) behind the web layer's back.
    pub fn add_user(&self, name: &str, role: Role) -> LearnerId {
        let store = self.store();
        self.block_on(async {
            let form = SignUp {
                username: name,
                email: "",
                password: PASSWORD,
            };
            test_accounts()
                .add(store.as_ref(), &form, role, mastery_storage::now())
                .await
                .unwrap()
        })
    }

    /// Turns off the approval of new members' first posts (as the admin `admin`, who must
    /// exist), so that posts are seen (and their notifications sent) at once.
    pub fn first_posts_need_no_approval(&self) {
        let mut admin = self.signed_in("admin");
        admin.get("/admin/community");
        let saved = admin.submit(
            "/admin/community",
            &[
                ("rules", "Be kind: no insults"),
                ("approve_first", "0"),
                ("new_member_days", "0"),
                ("show_moderators", "true"),
            ],
        );
        assert_eq!(saved.status, 303, "{}", saved.body);
    }

    /// A client signed in as `name` (password [`PASSWORD`]).
    pub fn signed_in(&self, name: &str) -> Client {
        let mut client = self.client();
        client.get("/sign-in");
        let reply = client.submit(
            "/sign-in",
            &[("login", name), ("password", PASSWORD), ("next", "/")],
        );
        assert_eq!(reply.status, 303, "sign-in of {name}: {}", reply.body);
        client.get("/");
        client
    }

    /// The server's store, to set up or inspect state behind the web layer's back.
    pub fn store(&self) -> Arc<dyn Storage> {
        Arc::clone(self.store.as_ref().unwrap())
    }

    /// Runs `future` (typically using [`Server::store`]) on the server's runtime.
    pub fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime.as_ref().unwrap().block_on(future)
    }

    /// Stops the server and starts a new one on the same database.
    pub fn restart(mut self) -> Self {
        let dir = self._dir.take();
        let postgres = self._postgres.take();
        self.shutdown();
        NEXT_SMTP.with(|n| *n.borrow_mut() = self.smtp.clone());
        let mut s = self.start_alike();
        s._dir = dir;
        s._postgres = postgres;
        s
    }

    pub fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.store = None;
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }

    pub fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            cookie: None,
            csrf: None,
            from: None,
            bearer: None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A browser-like client: keeps the session cookie and the page's CSRF token.
pub struct Client {
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// The client address a proxy in front would name (`X-Forwarded-For`), if any.
    pub from: Option<String>,
    /// A personal access token sent as `Authorization: Bearer`, if any.
    pub bearer: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

impl Client {
    /// Takes this session's CSRF token for the JSON API (`GET /api/v1/session`), as a
    /// script in the page does.
    pub fn api(&mut self) {
        self.csrf = Some(
            self.get("/api/v1/session").json()["csrf_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let url = format!("{}{path}", self.base);
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(from) = &self.from {
            req = req.header("x-forwarded-for", from.as_str());
        }
        if let Some(token) = &self.bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let response = match body {
            Some(b) => agent().run(req.body(b.to_owned()).unwrap()),
            None => agent().run(req.body(()).unwrap()),
        }
        .unwrap();
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        for (k, v) in &headers {
            if k == "set-cookie" && v.starts_with("mastery_session=") {
                let pair = v.split(';').next().unwrap();
                self.cookie = (pair != "mastery_session=").then(|| pair.to_owned());
            }
        }
        let body = response.into_body().read_to_string().unwrap_or_default();
        if let Some(token) = body
            .split("name=\"csrf-token\" content=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            && !token.is_empty()
        {
            self.csrf = Some(token.to_owned());
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None, None, &[])
    }

    /// Posts a form as a browser does: with the CSRF token of the last page loaded.
    pub fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.form(path, &all)
    }

    /// Posts exactly these fields (a test of the CSRF check sends none, or a wrong one).
    pub fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut body = String::new();
        for (k, v) in fields {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(&format!("{k}={}", encode(v)));
        }
        self.send(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            Some(&body),
            &[],
        )
    }

    pub fn post_json(&mut self, path: &str, json: &str) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        self.send(
            "POST",
            path,
            Some("application/json"),
            Some(json),
            &[("x-csrf-token", &token)],
        )
    }

    pub fn put_json(&mut self, path: &str, json: &str) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        self.send(
            "PUT",
            path,
            Some("application/json"),
            Some(json),
            &[("x-csrf-token", &token)],
        )
    }
}

pub fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
