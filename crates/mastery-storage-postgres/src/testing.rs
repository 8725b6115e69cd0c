//! Test helpers (feature `testkit`, for dev-dependencies): a fresh database per test on the
//! PostgreSQL server named by [`URL_VARIABLE`], the one policy for a server that cannot be
//! reached, and the fixture of the contract suite (`mastery_storage::testkit`).
//!
//! The policy ([`unreachable()`]): with `CI=true` an unreachable server fails the test with a
//! message that says what to start; otherwise the test prints `skipped: PostgreSQL not
//! reachable at …` to stderr and passes, so the README's test command passes on a machine
//! without PostgreSQL while saying what it did not test.

// Test helpers state their expectations with unwrap/expect/panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use mastery_storage::testkit::Fixture;
use mastery_storage::{LearnerId, Millis, Storage};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::PostgresStore;

/// The environment variable naming the test server: a URL whose user may create databases.
pub const URL_VARIABLE: &str = "MASTERY_TEST_POSTGRES_URL";

/// The test server when [`URL_VARIABLE`] is not set: the development and CI machines'.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The URL of the test server.
pub fn server_url() -> String {
    std::env::var(URL_VARIABLE)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// The policy for a test server that cannot be reached: panics when `CI=true`, otherwise
/// prints why the test is skipped and returns `None` (the caller returns, and passes).
pub fn unreachable<T>(url: &str, why: &dyn std::fmt::Display) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "PostgreSQL not reachable at {url} ({why}), and CI=true does not allow skipping: \
             start the server, or set {URL_VARIABLE} to one whose user may create databases"
        );
    }
    eprintln!(
        "skipped: PostgreSQL not reachable at {url} ({why}); set {URL_VARIABLE} or start a \
         server to run this test"
    );
    None
}

/// A database created for one test (`mastery_test_<pid>_<time>_<n>`), dropped when this
/// is dropped (best effort: `DROP DATABASE ... WITH (FORCE)`, which also ends connections
/// still open to it).
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL of the new database, for `PostgresStore::connect` or the command line.
    pub url: String,
    /// Its name.
    pub name: String,
    admin: PgConnectOptions,
}

impl TestDatabase {
    /// Creates a fresh, empty database on the test server; `None` when the server cannot be
    /// reached and skipping is allowed (see [`unreachable()`]).
    pub async fn create() -> Option<TestDatabase> {
        let server = server_url();
        let admin = match PgConnectOptions::from_str(&server) {
            Ok(options) => options,
            Err(e) => panic!("{URL_VARIABLE}={server:?} is not a PostgreSQL URL: {e}"),
        };
        let connected =
            tokio::time::timeout(Duration::from_secs(5), PgConnection::connect_with(&admin)).await;
        let mut conn = match connected {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => return unreachable(&server, &e),
            Err(_) => return unreachable(&server, &"no answer within 5 s"),
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "mastery_test_{}_{nanos:x}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name} on {server}: {e}"));
        conn.close().await.unwrap();
        Some(TestDatabase {
            url: with_database(&server, &name),
            name,
            admin,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // On a thread and runtime of its own: drop may run inside or outside a runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect_with(&admin).await.ok()?;
                sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop the test database {}", self.name);
        }
    }
}

/// `url` with its database replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

/// A fresh database and a store on it, for the contract suite. Fields drop in order: the
/// store's pool first, then the database.
#[derive(Debug)]
pub struct PgFixture {
    /// The store under test.
    pub store: Arc<PostgresStore>,
    /// Its database.
    pub db: TestDatabase,
}

/// A fresh fixture; `None` when the server cannot be reached and skipping is allowed.
pub async fn fixture() -> Option<PgFixture> {
    let db = TestDatabase::create().await?;
    let store = PostgresStore::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("cannot open the test database {}: {e}", db.name));
    Some(PgFixture {
        store: Arc::new(store),
        db,
    })
}

#[async_trait::async_trait]
impl Fixture for PgFixture {
    fn store(&self) -> Arc<dyn Storage> {
        self.store.clone()
    }

    async fn create_learner(&self, kind: &str, at: Millis) -> mastery_storage::Result<LearnerId> {
        self.store.create_learner(kind, at).await
    }

    async fn execute(&self, sql: &str) {
        let (url, sql) = (self.db.url.clone(), sql.to_owned());
        mastery_storage::testkit::on_own_runtime(move || async move {
            let mut conn = PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://h", "x"), "postgresql://h/x");
    }
}
