//! Scale-out on PostgreSQL, end to end with the real binary:
//!
//! - two multi-user instances behind nginx: signed in on one, signed in on the other; signed
//!   out on the second, signed out on the first;
//! - two `mastery serve` instances behind nginx on loopback; a study session runs through
//!   nginx, one instance is killed with SIGKILL in the middle, and the session goes on
//!   through the other without losing or doubling an acknowledged review;
//! - an answer taken by an instance that dies before answering is passed to the other by
//!   nginx configured as docs/deploy.md says (any other POST gets 502);
//! - an instance on a throwaway PostgreSQL server (its own `initdb` cluster on its own
//!   port; the machine's shared server is never stopped): when the database goes away,
//!   requests fail fast with 503 and `/readyz` says why; when it comes back, the instance
//!   recovers without a restart.
//!
//! PostgreSQL comes from `MASTERY_TEST_POSTGRES_URL` (see
//! `mastery_storage_postgres::testing`); nginx and `initdb` from `PATH` or the usual Debian
//! folders. When one is missing the test says so and passes, unless `CI=true`,
//! where it fails.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{between, request, start};
use mastery_storage_postgres::testing::TestDatabase;

/// A tool the test needs is missing: a failure with `CI=true`, a skip (said) otherwise.
fn missing(what: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true and this test needs {what}, which is missing"
    );
    eprintln!("skipped: this test needs {what}");
}

/// A fresh database on the test server (see `mastery_storage_postgres::testing`).
fn fresh_database() -> Option<TestDatabase> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDatabase::create())
}

/// The session cookie and CSRF token of the personal learner, asked through `addr`.
fn session(addr: &str) -> (String, String) {
    let (status, text) = request(addr, "GET", "/api/v1/session", &[], "").unwrap();
    assert_eq!(status, 200, "{text}");
    let cookie = between(&text, "set-cookie: ", ";").unwrap().to_owned();
    let token = between(&text, "\"csrf_token\":\"", "\"")
        .unwrap()
        .to_owned();
    (cookie, token)
}

/// nginx and a fresh database, or `None` when either is missing (said by [`missing`]).
fn nginx_and_database() -> Option<(PathBuf, TestDatabase)> {
    let Some(nginx) = find_program("nginx", &["/usr/sbin"]) else {
        missing("nginx (apt-get install nginx)");
        return None;
    };
    Some((nginx, fresh_database()?))
}

/// Question ids of the built-in guide that can be reviewed.
fn questions(addr: &str) -> Vec<String> {
    let (_, guide) = request(addr, "GET", "/api/v1/guides/python-django", &[], "").unwrap();
    guide
        .split("\"url\":\"/guides/python-django/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|q| *q != "cooperative-multitasking")
        .map(str::to_owned)
        .collect()
}

fn review(
    addr: &str,
    (cookie, token): &(String, String),
    question: &str,
    id: &str,
) -> Option<(u16, String)> {
    let body = format!(
        r#"{{"guide":"python-django","question":"{question}","rating":3,"review_id":"{id}"}}"#
    );
    let headers = [
        ("cookie", cookie.as_str()),
        ("x-csrf-token", token.as_str()),
        ("content-type", "application/json"),
    ];
    request(addr, "POST", "/api/v1/study/reviews", &headers, &body)
}

/// The review log as CSV, read through `addr`.
fn export(addr: &str, (cookie, _): &(String, String)) -> String {
    let (status, text) = request(
        addr,
        "GET",
        "/api/v1/study/reviews?format=csv",
        &[("cookie", cookie)],
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{text}");
    text
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A program from `PATH` or one of `folders`.
fn find_program(name: &str, folders: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .chain(folders.iter().map(|dir| Path::new(dir).join(name)))
        .find(|candidate| candidate.is_file())
}

/// nginx on `port`, balancing over `upstreams`; killed when dropped.
struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(binary: &Path, port: u16, upstreams: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let servers: String = upstreams
            .iter()
            .map(|u| format!("    server {u} max_fails=1 fail_timeout=30s;\n"))
            .collect();
        // As in docs/deploy.md: a failed connection is retried on the other instance, and
        // so are the answers' POSTs (they carry a review id); the client retries too.
        let proxy = "proxy_pass http://mastery;\n    proxy_http_version 1.1;\n\
             proxy_set_header Connection \"\";\n    proxy_set_header Host $http_host;\n\
             proxy_connect_timeout 1s;\n";
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log;\nevents {{ worker_connections 256; }}\nhttp {{\n\
             access_log off;\nclient_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
             upstream mastery {{\n{servers}    keepalive 8;\n}}\n\
             server {{\n  listen 127.0.0.1:{port};\n  location / {{\n    {proxy}\
             proxy_next_upstream error timeout http_502 http_503;\n  }}\n\
             location ~ ^/(api/v1/study/reviews|study/answer)$ {{\n    {proxy}\
             proxy_next_upstream error timeout http_502 http_503 non_idempotent;\n  }}\n}}\n}}\n"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(binary)
            .arg("-c")
            .arg(&conf_path)
            .arg("-p")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, _dir: dir }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reviews `question` with review id `id` through `addr`, retrying the same id (as the
/// study page does when a request fails) until it is acknowledged.
fn review_until_acknowledged(
    addr: &str,
    session: &(String, String),
    question: &str,
    id: &str,
) -> u32 {
    for attempt in 1..=50 {
        match review(addr, session, question, id) {
            Some((200, _)) => return attempt,
            Some((502..=504, _)) | None => std::thread::sleep(Duration::from_millis(100)),
            Some((status, text)) => panic!("review {id}: unexpected {status}: {text}"),
        }
    }
    panic!("review {id} was never acknowledged");
}

#[test]
fn a_study_session_survives_losing_one_of_two_instances() {
    let Some((nginx, database)) = nginx_and_database() else {
        return;
    };
    let data_a = tempfile::tempdir().unwrap();
    let data_b = tempfile::tempdir().unwrap();
    let (mut a, addr_a) = start(data_a.path(), &["--database", &database.url]);
    let (mut b, addr_b) = start(data_b.path(), &["--database", &database.url]);
    let port = free_port();
    let _nginx = Nginx::start(&nginx, port, &[&addr_a, &addr_b]);
    let front = format!("127.0.0.1:{port}");

    let session = session(&front);
    let questions = questions(&front);
    assert!(questions.len() >= 40, "only {} questions", questions.len());

    // The first half of the session with both instances up.
    let mut acknowledged = Vec::new();
    for (n, question) in questions.iter().take(20).enumerate() {
        let id = format!("scale-{n:03}");
        review_until_acknowledged(&front, &session, question, &id);
        acknowledged.push(id);
    }
    // Both instances served some of it: nginx balances round-robin.
    assert!(export(&addr_a, &session).contains(",scale-000,"));
    assert!(export(&addr_b, &session).contains(",scale-000,"));

    // Kill one instance with no chance to flush anything, then go on through nginx.
    a.kill().unwrap();
    a.wait().unwrap();
    let mut retried = 0;
    for (n, question) in questions.iter().enumerate().skip(20).take(20) {
        let id = format!("scale-{n:03}");
        retried += review_until_acknowledged(&front, &session, question, &id) - 1;
        acknowledged.push(id);
    }
    // The session goes on: undo works through the survivor too.
    let headers = [
        ("cookie", session.0.as_str()),
        ("x-csrf-token", session.1.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, text) = request(&front, "POST", "/api/v1/study/undo", &headers, "{}").unwrap();
    assert_eq!(status, 200, "{text}");
    let undone = acknowledged.pop().unwrap();

    // Every acknowledged review is there exactly once, the undone one is gone.
    let log = export(&front, &session);
    for id in &acknowledged {
        assert_eq!(
            log.matches(&format!(",{id},")).count(),
            1,
            "review {id} after losing an instance ({retried} retries)"
        );
    }
    assert!(!log.contains(&format!(",{undone},")));
    assert_eq!(
        log.lines().filter(|l| l.contains(",scale-")).count(),
        acknowledged.len()
    );
    b.kill().unwrap();
    b.wait().unwrap();
}

/// An upstream that reads each request and closes the connection without answering, as an
/// instance killed with the request in flight does; counts the requests it took.
fn dying_upstream() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::Read as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let taken = std::sync::Arc::new(AtomicUsize::new(0));
    let count = taken.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            stream
                .set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
            let mut request = [0u8; 8192];
            if stream.read(&mut request).is_ok_and(|n| n > 0) {
                count.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    (addr, taken)
}

#[test]
fn an_answer_in_flight_on_a_dying_instance_is_passed_to_the_other() {
    use std::sync::atomic::Ordering;
    let Some((nginx, database)) = nginx_and_database() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let (mut live, addr) = start(data.path(), &["--database", &database.url]);
    let session = session(&addr);
    let questions = questions(&addr);
    let headers = [
        ("cookie", session.0.as_str()),
        ("x-csrf-token", session.1.as_str()),
        ("content-type", "application/json"),
    ];

    // Answers: the one the dying instance took is passed to the live one, as docs/deploy.md
    // configures nginx; every answer is acknowledged and recorded once.
    let (dying, taken) = dying_upstream();
    let port = free_port();
    let front = Nginx::start(&nginx, port, &[&dying, &addr]);
    let through = format!("127.0.0.1:{port}");
    let mut sent = Vec::new();
    for (n, question) in questions.iter().enumerate().take(6) {
        let id = format!("in-flight-{n:03}");
        let (status, text) = review(&through, &session, question, &id).unwrap();
        assert_eq!(
            status,
            200,
            "answer {n} ({} taken by the dying instance): {text}",
            taken.load(Ordering::SeqCst)
        );
        sent.push(id);
    }
    assert_eq!(
        taken.load(Ordering::SeqCst),
        1,
        "the dying instance took one answer"
    );
    let log = export(&addr, &session);
    for id in &sent {
        assert_eq!(log.matches(&format!(",{id},")).count(), 1, "{id}");
    }
    drop(front);

    // Any other POST the dying instance took is not sent again: 502, as nginx does by
    // default (so the configuration above is what keeps answers).
    let (dying, taken) = dying_upstream();
    let port = free_port();
    let _front = Nginx::start(&nginx, port, &[&dying, &addr]);
    let through = format!("127.0.0.1:{port}");
    let mut statuses = Vec::new();
    while taken.load(Ordering::SeqCst) == 0 && statuses.len() < 6 {
        let (status, _) = request(&through, "POST", "/api/v1/study/undo", &headers, "{}").unwrap();
        statuses.push(status);
    }
    assert!(statuses.contains(&502), "{statuses:?}");
    live.kill().unwrap();
    live.wait().unwrap();
}

/// The value of the session cookie set by a response, if any.
fn set_cookie(text: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find(|c| c.contains("mastery_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

/// The CSRF token of a page.
fn page_token(text: &str) -> String {
    between(text, "name=\"csrf-token\" content=\"", "\"")
        .unwrap()
        .to_owned()
}

#[test]
fn sessions_are_shared_by_two_instances_behind_nginx() {
    let Some((nginx, database)) = nginx_and_database() else {
        return;
    };
    let data_a = tempfile::tempdir().unwrap();
    let data_b = tempfile::tempdir().unwrap();
    let add = Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args([
            "user",
            "add",
            "ada",
            "--password-stdin",
            "--database",
            &database.url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"correct horse battery staple\n")?;
            child.wait()
        })
        .unwrap();
    assert!(add.success());
    let multi = [
        "--database",
        &database.url,
        "--mode",
        "multi-user",
        "--trusted-proxy",
        "127.0.0.1",
    ];
    let (mut a, addr_a) = start(data_a.path(), &multi);
    let (mut b, addr_b) = start(data_b.path(), &multi);
    let port = free_port();
    let _nginx = Nginx::start(&nginx, port, &[&addr_a, &addr_b]);
    let front = format!("127.0.0.1:{port}");

    // Sign in through nginx (the form from one instance, the post to the other).
    let (status, form) = request(&front, "GET", "/sign-in", &[], "").unwrap();
    assert_eq!(status, 200);
    let anonymous = set_cookie(&form).unwrap();
    let token = page_token(&form);
    let body =
        format!("csrf={token}&login=ada&password=correct+horse+battery+staple&next=%2Faccount");
    let headers = [
        ("cookie", anonymous.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let (status, signed) = request(&front, "POST", "/sign-in", &headers, &body).unwrap();
    assert_eq!(status, 303, "{signed}");
    let cookie = set_cookie(&signed).unwrap();
    assert_ne!(cookie, anonymous);

    // Continue on either instance.
    for addr in [&addr_a, &addr_b] {
        let (status, page) =
            request(addr, "GET", "/account", &[("cookie", cookie.as_str())], "").unwrap();
        assert_eq!(status, 200, "{addr}: {page}");
        assert!(page.contains("signed in as ada"));
    }
    // Sign out on the second: signed out on the first at once.
    let (_, page) = request(
        &addr_b,
        "GET",
        "/account",
        &[("cookie", cookie.as_str())],
        "",
    )
    .unwrap();
    let out_headers = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let (status, _) = request(
        &addr_b,
        "POST",
        "/sign-out",
        &out_headers,
        &format!("csrf={}", page_token(&page)),
    )
    .unwrap();
    assert_eq!(status, 303);
    let (status, page) = request(
        &addr_a,
        "GET",
        "/account",
        &[("cookie", cookie.as_str())],
        "",
    )
    .unwrap();
    assert_eq!(status, 303, "{page}");
    assert!(page.contains("location: /sign-in?next=/account"), "{page}");

    // Behind a TLS proxy that says so, the cookie is Secure with the __Host- prefix.
    let (_, tls) = request(
        &front,
        "GET",
        "/sign-in",
        &[("x-forwarded-proto", "https")],
        "",
    )
    .unwrap();
    assert!(tls.contains("set-cookie: __Host-mastery_session="), "{tls}");
    assert!(tls.contains("; Secure"), "{tls}");
    // Without the header it is plain HTTP (the untrusted case is a unit test of the web
    // crate: on loopback, every peer is the proxy's address).
    let (_, plain) = request(&front, "GET", "/sign-in", &[], "").unwrap();
    assert!(plain.contains("set-cookie: mastery_session="), "{plain}");
    a.kill().unwrap();
    a.wait().unwrap();
    b.kill().unwrap();
    b.wait().unwrap();
}

/// A PostgreSQL cluster of its own in a temporary folder, on its own port.
struct Throwaway {
    dir: tempfile::TempDir,
    port: u16,
    pg_ctl: PathBuf,
}

/// Runs a PostgreSQL program; as root (which PostgreSQL refuses) it runs as `postgres`.
fn postgres_command(program: &Path) -> Command {
    if rustix::process::geteuid().is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

impl Throwaway {
    fn create() -> Option<Self> {
        let folders = [
            "/usr/lib/postgresql/17/bin",
            "/usr/lib/postgresql/16/bin",
            "/usr/lib/postgresql/15/bin",
        ];
        let (Some(initdb), Some(pg_ctl)) = (
            find_program("initdb", &folders),
            find_program("pg_ctl", &folders),
        ) else {
            missing("PostgreSQL's initdb and pg_ctl (apt-get install postgresql)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        if rustix::process::geteuid().is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let output = postgres_command(&initdb)
            .args(["--auth=trust", "--username=postgres", "--no-sync", "-D"])
            .arg(dir.path().join("data"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let cluster = Self {
            dir,
            port: free_port(),
            pg_ctl,
        };
        cluster.start();
        Some(cluster)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg_ctl(&self, args: &[&str]) {
        let dir = self.dir.path();
        let output = postgres_command(&self.pg_ctl)
            .arg("-D")
            .arg(dir.join("data"))
            .arg("-l")
            .arg(dir.join("log"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "pg_ctl {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.pg_ctl(&["-w", "-o", &options, "start"]);
    }

    fn stop(&self) {
        self.pg_ctl(&["-w", "-m", "fast", "stop"]);
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let dir = self.dir.path();
        let _ = postgres_command(&self.pg_ctl)
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

#[test]
fn requests_fail_fast_while_postgres_is_down_and_recover_when_it_is_back() {
    let Some(cluster) = Throwaway::create() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let url = cluster.url();
    let (mut server, addr) = start(data.path(), &["--database", &url]);
    let session = session(&addr);
    let (status, text) = review(&addr, &session, "gil", "down-0001").unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(request(&addr, "GET", "/readyz", &[], "").unwrap().0, 200);

    cluster.stop();

    // Writes and pages that need the database fail fast with 503, saying why.
    let started = Instant::now();
    let (status, text) = review(&addr, &session, "gil", "down-0002").unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(
        text.contains("unavailable") || text.contains("unreachable"),
        "{text}"
    );
    let (status, _) = request(&addr, "GET", "/guides/python-django", &[], "").unwrap();
    assert_eq!(status, 503);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "failing took {:?}",
        started.elapsed()
    );
    let (status, text) = request(&addr, "GET", "/readyz", &[], "").unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(
        text.contains("database"),
        "/readyz does not say why: {text}"
    );
    // The process itself is fine.
    assert_eq!(request(&addr, "GET", "/healthz", &[], "").unwrap().0, 200);

    cluster.start();

    // Back without a restart of Mastery.
    let deadline = Instant::now() + Duration::from_secs(30);
    while request(&addr, "GET", "/readyz", &[], "").map(|r| r.0) != Some(200) {
        assert!(Instant::now() < deadline, "Mastery did not recover");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, text) = review(&addr, &session, "gil", "down-0002").unwrap();
    assert_eq!(status, 200, "{text}");
    let log = export(&addr, &session);
    assert_eq!(log.matches(",down-0001,").count(), 1);
    assert_eq!(log.matches(",down-0002,").count(), 1);
    server.kill().unwrap();
    server.wait().unwrap();
}
