//! What only the PostgreSQL backend has: several instances (separate pools) on one
//! database, instances starting at once, a newer schema, exact doubles, and a server that
//! goes away and comes back (through a TCP proxy this test owns, never by stopping the
//! shared server).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mastery_storage::testkit::{self, first, key};
use mastery_storage::{Storage, StorageError, StoredCard};
use mastery_storage_postgres::testing::{self, TestDatabase};
use mastery_storage_postgres::{PostgresOptions, PostgresStore};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Two instances, each with its own pool of a few connections, race on the same cards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_across_two_instances() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let options = PostgresOptions {
        max_connections: 4,
        ..PostgresOptions::default()
    };
    let mut stores: Vec<Arc<dyn Storage>> = Vec::new();
    for _ in 0..2 {
        let store = PostgresStore::connect_with(&db.url, &options)
            .await
            .unwrap();
        stores.push(Arc::new(store));
    }
    testkit::exactly_once_across_instances(&stores).await;
}

/// Instances starting together on a new database migrate it once and all start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_migrate_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let starts: Vec<JoinHandle<_>> = (0..6)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { PostgresStore::connect(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for start in starts {
        stores.push(start.await.unwrap().unwrap());
    }
    for store in &stores {
        store.ping().await.unwrap();
    }
    let me = stores[0].personal_learner().await.unwrap();
    assert_eq!(stores[5].personal_learner().await.unwrap(), me);
    let applied: Vec<(i64, bool)> = raw_rows(
        &db.url,
        "SELECT version, success FROM _sqlx_migrations ORDER BY version",
    )
    .await;
    assert_eq!(
        applied,
        [
            (1, true),
            (2, true),
            (3, true),
            (4, true),
            (5, true),
            (6, true),
            (7, true),
            (8, true),
            (9, true),
            (10, true),
            (11, true),
            (12, true)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_a_newer_mastery_is_refused_before_migrating() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = PostgresStore::connect(&db.url).await.unwrap();
    let me = store.personal_learner().await.unwrap();
    store.set_mark(me, &key("g", "q"), true, 1).await.unwrap();
    // A newer Mastery migrated the database while this one runs: ping (`/readyz`) notices.
    raw_execute(
        &db.url,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, '\\x00', 0)",
    )
    .await;
    let err = store.ping().await.unwrap_err();
    assert!(
        matches!(err, StorageError::NewerSchema { found: 9999, .. }),
        "{err:?}"
    );
    store.close().await;

    let err = PostgresStore::connect(&db.url).await.unwrap_err();
    assert!(
        matches!(
            err,
            StorageError::NewerSchema {
                found: 9999,
                known: 12
            }
        ),
        "{err:?}"
    );
    raw_execute(&db.url, "DELETE FROM _sqlx_migrations WHERE version = 9999").await;
    let store = PostgresStore::connect(&db.url).await.unwrap();
    assert_eq!(store.marks(me).await.unwrap().len(), 1);
}

/// DOUBLE PRECISION keeps every bit, the sign of zero included (SQLite does not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doubles_keep_every_bit() {
    let Some(fx) = testing::fixture().await else {
        return;
    };
    let me = fx.store.personal_learner().await.unwrap();
    let k = key("g", "q");
    let mut review = first("bits-0001", &k, 1);
    review.after = StoredCard {
        difficulty: Some(-0.0),
        stability: Some(5e-324),
        ..review.after
    };
    fx.store.record_review(me, &review).await.unwrap();
    let card = fx.store.card(me, &k).await.unwrap().unwrap();
    assert_eq!(card.difficulty.unwrap().to_bits(), (-0.0f64).to_bits());
    assert_eq!(card.stability.unwrap().to_bits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_cannot_be_reached_is_unavailable_at_once() {
    let started = Instant::now();
    let err = PostgresStore::connect("postgres://postgres@127.0.0.1:1/mastery")
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let err = PostgresStore::connect("mysql://x@h/db").await.unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
}

/// The server goes away under a running store (the proxy in front of it stops and cuts
/// every connection): requests fail fast with `Unavailable`; when it is back, the same
/// store works again without being reopened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_fail_fast_while_the_server_is_away_and_recover_after() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let (server_host, server_port) = host_and_port(&db.url);
    let proxy = Proxy::start(&format!("{server_host}:{server_port}")).await;
    let via_proxy = db
        .url
        .replacen(&format!("{server_host}:{server_port}"), &proxy.address, 1);
    let options = PostgresOptions {
        acquire_timeout: Duration::from_millis(1_500),
        ..PostgresOptions::default()
    };
    let store = PostgresStore::connect_with(&via_proxy, &options)
        .await
        .unwrap();
    let me = store.personal_learner().await.unwrap();
    store
        .set_mark(me, &key("g", "before"), true, 1)
        .await
        .unwrap();

    proxy.stop().await;
    for attempt in 0..3 {
        let started = Instant::now();
        let err = store
            .set_mark(me, &key("g", "during"), true, 2)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StorageError::Unavailable(_)),
            "{attempt}: {err:?}"
        );
        // Refused connections are retried until the acquire timeout (1.5 s), no longer.
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "attempt {attempt} took {:?}",
            started.elapsed()
        );
        assert!(matches!(
            store.ping().await,
            Err(StorageError::Unavailable(_))
        ));
    }

    proxy.resume().await;
    store.ping().await.unwrap();
    assert!(
        store
            .set_mark(me, &key("g", "after"), true, 3)
            .await
            .unwrap()
    );
    assert_eq!(store.marks(me).await.unwrap().len(), 2);
}

/// A TCP proxy to the test server that can stop (closing its listening socket, so new
/// connections are refused, and every open connection) and resume on the same address, as
/// a server that is stopped and started again.
struct Proxy {
    address: String,
    target: String,
    up: Arc<AtomicBool>,
    accept: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Proxy {
    async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            address: listener.local_addr().unwrap().to_string(),
            target: target.to_string(),
            up: Arc::new(AtomicBool::new(true)),
            accept: std::sync::Mutex::new(None),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (up, target) = (Arc::clone(&self.up), self.target.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (up, target) = (Arc::clone(&up), target.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&target).await {
                        pipe(client, server, up).await;
                    }
                });
            }
        });
        *self.accept.lock().unwrap() = Some(accept);
    }

    async fn stop(&self) {
        self.up.store(false, Ordering::SeqCst);
        let accept = self.accept.lock().unwrap().take();
        if let Some(accept) = accept {
            accept.abort();
            let _ = accept.await;
        }
        // The pipes notice within 20 ms and close the pool's connections.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    async fn resume(&self) {
        self.up.store(true, Ordering::SeqCst);
        self.serve(TcpListener::bind(&self.address).await.unwrap());
    }
}

/// Copies both ways until either side closes or the proxy stops.
async fn pipe(mut client: TcpStream, mut server: TcpStream, up: Arc<AtomicBool>) {
    let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
    let watch = async {
        while up.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        _ = copy => {}
        () = watch => {}
    }
}

fn host_and_port(url: &str) -> (String, u16) {
    let rest = url.split_once("://").unwrap().1;
    let authority = rest.split(['/', '?']).next().unwrap();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host.to_string(), port.parse().unwrap()),
        None => (host_port.to_string(), 5432),
    }
}

async fn raw_execute(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

async fn raw_rows(url: &str, sql: &str) -> Vec<(i64, bool)> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    rows
}
