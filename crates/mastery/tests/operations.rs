//! Running `mastery serve` as a service: JSON logs, a shutdown that drains requests in
//! flight (within a bounded time), and settings in layers (defaults < mastery.toml <
//! MASTERY_* variables < flags).

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `mastery` with no settings from this machine: an empty working folder and config
/// folder, and none of the variables these tests set.
fn mastery(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mastery"));
    cmd.current_dir(home)
        .env("XDG_CONFIG_HOME", home.join("config"));
    for var in [
        "MASTERY_CONFIG",
        "MASTERY_BIND",
        "MASTERY_DATA_DIR",
        "MASTERY_DATABASE_URL",
        "MASTERY_LOG",
        "MASTERY_LOG_FORMAT",
        "MASTERY_SHUTDOWN_TIMEOUT",
        "MASTERY_METRICS",
        "MASTERY_WATCH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// A server started by a test, its standard error going to a file (read, never blocking).
struct Served {
    child: Child,
    addr: String,
    stderr: PathBuf,
    stdout: PathBuf,
}

impl Served {
    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
    fn wait(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {within:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `mastery serve` with `args` and waits for its "serving" message, on standard
/// output (text logs) or as a JSON log line on standard error.
fn serve(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Served {
    let stderr = home.join(format!("stderr-{}.log", unique()));
    let stdout = home.join(format!("stdout-{}.log", unique()));
    let child = mastery(home)
        .arg("serve")
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut served = Served {
        child,
        addr: String::new(),
        stderr,
        stdout,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = served.stdout() + &served.stderr();
        if let Some(url) = text.split_whitespace().find(|w| w.starts_with("http://")) {
            served.addr = url
                .trim_start_matches("http://")
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .to_owned();
            return served;
        }
        if let Some(status) = served.child.try_wait().unwrap() {
            panic!("mastery serve exited ({status}): {text}");
        }
        assert!(Instant::now() < deadline, "no serving message: {text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A response read to the end: status, headers (lower-case names), body.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_reply(raw: &str) -> Reply {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {raw:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// One request on its own connection.
fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    parse_reply(&raw)
}

/// The session cookie and CSRF token of a new session.
fn session(addr: &str) -> (String, String) {
    let r = request(addr, "GET", "/api/v1/session", &[], "");
    let cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    (cookie, json["csrf_token"].as_str().unwrap().to_owned())
}

fn review_body(id: &str) -> String {
    format!(r#"{{"guide": "python-django", "question": "gil", "rating": 3, "review_id": "{id}"}}"#)
}

/// Opens a review request and sends all but the last bytes of its body: the server is
/// handling it (waiting for the rest) until [`finish`] is called.
fn start_slow_review(addr: &str, cookie: &str, csrf: &str, id: &str) -> (TcpStream, String) {
    let body = review_body(id);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST /api/v1/study/reviews HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    s.flush().unwrap();
    (s, body[10..].to_owned())
}

/// Waits until the server reports `n` requests in flight (the scrape itself is one).
fn wait_in_flight(addr: &str, n: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let want = format!("\nmastery_http_requests_in_flight {n}\n");
    loop {
        let r = request(addr, "GET", "/metrics", &[], "");
        if r.body.contains(&want) {
            return;
        }
        assert!(Instant::now() < deadline, "never {n} in flight: {}", r.body);
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn json_logs_are_one_object_per_line_with_a_line_per_request_and_no_secrets() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut served = serve(
        home.path(),
        &[
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
            "--log-format",
            "json",
        ],
        &[],
    );
    let addr = served.addr.clone();
    let page = request(
        &addr,
        "GET",
        "/guides/python-django/gil?q=secret-query",
        &[],
        "",
    );
    assert_eq!(page.status, 200);
    let (cookie, csrf) = session(&addr);
    let note = request(
        &addr,
        "PUT",
        "/api/v1/guides/python-django/questions/gil/note",
        &[
            ("Cookie", &cookie),
            ("X-CSRF-Token", &csrf),
            ("Content-Type", "application/json"),
        ],
        r#"{"body": "my private note text"}"#,
    );
    assert_eq!(note.status, 200, "{}", note.body);
    served.terminate();
    assert!(served.wait(Duration::from_secs(15)).success());

    let stdout = served.stdout();
    let stderr = served.stderr();
    let mut requests = Vec::new();
    for line in stdout.lines().chain(stderr.lines()) {
        let event: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(
            event["level"].is_string() && event["timestamp"].is_string(),
            "{line}"
        );
        if event["target"] == "mastery::http" {
            requests.push(event);
        }
    }
    assert!(stderr.contains("Mastery is serving") && stderr.contains("Mastery stopped."));
    let page_line = requests
        .iter()
        .find(|e| e["route"] == "/guides/{guide}/{question}")
        .unwrap_or_else(|| panic!("no request line for the page: {stderr}"));
    assert_eq!(page_line["method"], "GET");
    assert_eq!(page_line["status"], 200);
    assert!(page_line["latency_ms"].as_f64().unwrap() >= 0.0);
    assert!(
        requests.iter().any(
            |e| e["route"] == "/api/v1/guides/{guide}/questions/{question}/note"
                && e["method"] == "PUT"
                && e["status"] == 200
        ),
        "{stderr}"
    );
    let session_id = cookie.split('=').nth(1).unwrap();
    for secret in [
        "secret-query",
        "my private note",
        session_id,
        csrf.as_str(),
        "python-django/gil",
    ] {
        assert!(!stderr.contains(secret), "{secret} logged: {stderr}");
    }
}

#[test]
fn shutdown_waits_for_requests_in_flight() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut served = serve(
        home.path(),
        &[
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    let addr = served.addr.clone();
    // What is running: the version and the commit `mastery --version` names.
    let metrics = request(&addr, "GET", "/metrics", &[], "").body;
    let build = metrics
        .lines()
        .find(|l| l.starts_with("mastery_build_info{"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        build.contains(&format!("version=\"{}\"", env!("CARGO_PKG_VERSION"))),
        "{build}"
    );
    assert!(
        build.contains("commit=\"") && build.ends_with(" 1"),
        "{build}"
    );
    let (cookie, csrf) = session(&addr);
    let (mut slow, rest) = start_slow_review(&addr, &cookie, &csrf, "drain-review-1");
    wait_in_flight(&addr, 2);
    served.terminate();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        served.child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    assert!(
        TcpStream::connect(&addr).is_err() || request_fails(&addr),
        "no new connections once shutting down"
    );
    slow.write_all(rest.as_bytes()).unwrap();
    let mut raw = String::new();
    slow.read_to_string(&mut raw).unwrap();
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 200, "{raw}");
    assert!(reply.body.contains("\"recorded\":true"), "{raw}");
    let status = served.wait(Duration::from_secs(15));
    assert!(status.success(), "{status:?}: {}", served.stderr());
    assert!(served.stdout().contains("Mastery stopped."));

    // The review is durable: a new server on the same data sees it.
    let mut again = serve(
        home.path(),
        &[
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    let rows = request(&again.addr, "GET", "/api/v1/study/reviews", &[], "");
    assert!(rows.body.contains("drain-review-1"), "{}", rows.body);
    again.terminate();
    assert!(again.wait(Duration::from_secs(15)).success());
}

/// Whether a request on a new connection gets no answer (the listener is closed, or the
/// connection is dropped unanswered).
fn request_fails(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return true;
    };
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let _ = write!(
        s,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    !raw.starts_with("HTTP/1.1 200")
}

#[test]
fn requests_still_running_at_the_shutdown_timeout_are_cut_off() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut served = serve(
        home.path(),
        &[
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[("MASTERY_SHUTDOWN_TIMEOUT", "0.5")],
    );
    let addr = served.addr.clone();
    let (cookie, csrf) = session(&addr);
    let (mut stuck, _never_sent) = start_slow_review(&addr, &cookie, &csrf, "stuck-review-1");
    wait_in_flight(&addr, 2);
    let signalled = Instant::now();
    served.terminate();
    let status = served.wait(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(
        signalled.elapsed() >= Duration::from_millis(400),
        "it waited for the timeout first"
    );
    assert!(served.stderr().contains("cut off"), "{}", served.stderr());
    let mut raw = String::new();
    let _ = stuck.read_to_string(&mut raw);
    assert!(!raw.contains("200 OK"), "{raw}");
}

fn output(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `key = value` lines of `mastery config show`, without the comments saying where from.
fn shown(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split("  #").next().unwrap().to_owned())
        .collect()
}

fn shown_value(out: &Output, key: &str) -> String {
    shown(out)
        .into_iter()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")).map(str::to_owned))
        .unwrap_or_else(|| panic!("no {key} in {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn the_example_settings_file_is_valid_and_holds_the_defaults() {
    let home = tempfile::tempdir().unwrap();
    let example = output(mastery(home.path()).args(["config", "default"]));
    let text = String::from_utf8(example.stdout).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(table["bind"].as_str(), Some("127.0.0.1:8080"));
    assert_eq!(table["shutdown_timeout"].as_integer(), Some(10));
    for key in [
        "bind",
        "data_dir",
        "database_url",
        "guides",
        "watch",
        "allowed_hosts",
        "secure_cookies",
        "log_format",
        "log",
        "metrics",
        "metrics_allow",
        "shutdown_timeout",
    ] {
        assert!(
            text.contains(&format!("\n{key} = ")) || text.contains(&format!("\n# {key} = ")),
            "{key} is in the example"
        );
    }
    let file = home.path().join("example.toml");
    std::fs::write(&file, &text).unwrap();
    let with_example = output(
        mastery(home.path())
            .args(["config", "show", "--config"])
            .arg(&file),
    );
    let with_nothing = output(mastery(home.path()).args(["config", "show"]));
    assert!(String::from_utf8_lossy(&with_nothing.stdout).contains("Settings file: none"));
    assert_eq!(shown(&with_example), shown(&with_nothing));
}

#[test]
fn flags_win_over_variables_which_win_over_the_file() {
    let home = tempfile::tempdir().unwrap();
    // Found in the working folder without --config.
    std::fs::write(
        home.path().join("mastery.toml"),
        "bind = \"127.0.0.1:1111\"\nlog_format = \"json\"\nshutdown_timeout = 3\n",
    )
    .unwrap();
    let show = |env: &[(&str, &str)], args: &[&str]| {
        output(
            mastery(home.path())
                .args(["config", "show"])
                .args(args)
                .envs(env.iter().copied()),
        )
    };
    let file_only = show(&[], &[]);
    assert_eq!(shown_value(&file_only, "bind"), "\"127.0.0.1:1111\"");
    assert_eq!(shown_value(&file_only, "shutdown_timeout"), "3");
    assert_eq!(shown_value(&file_only, "metrics"), "true", "a default");
    let env = [("MASTERY_BIND", "127.0.0.1:2222")];
    let with_env = show(&env, &[]);
    assert_eq!(shown_value(&with_env, "bind"), "\"127.0.0.1:2222\"");
    assert_eq!(
        shown_value(&with_env, "log_format"),
        "\"json\"",
        "from the file"
    );
    let with_flag = show(&env, &["--bind", "127.0.0.1:3333"]);
    assert_eq!(shown_value(&with_flag, "bind"), "\"127.0.0.1:3333\"");

    // The settings file in the user's config folder is read when there is none here.
    let elsewhere = tempfile::tempdir().unwrap();
    let config_dir = elsewhere.path().join("config").join("mastery");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("mastery.toml"),
        "bind = \"127.0.0.1:4444\"\n",
    )
    .unwrap();
    let from_home = output(mastery(elsewhere.path()).args(["config", "show"]));
    assert_eq!(shown_value(&from_home, "bind"), "\"127.0.0.1:4444\"");
}

#[test]
fn serve_uses_the_settings_file_under_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("etc").join("mastery.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "bind = \"127.0.0.1:0\"\ndata_dir = \"data\"\nlog_format = \"json\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    // JSON logs from the file: the serving message is a JSON line on standard error.
    let mut served = serve(home.path(), &["--config", config], &[]);
    assert!(served.stdout().is_empty());
    let first = served.stderr();
    let first = first
        .lines()
        .find(|l| l.contains("Mastery is serving"))
        .unwrap();
    serde_json::from_str::<serde_json::Value>(first).unwrap();
    served.terminate();
    assert!(served.wait(Duration::from_secs(15)).success());
    assert!(
        home.path().join("etc/data/mastery.db").is_file(),
        "data_dir is relative to the file"
    );
    // The environment wins over the file.
    let mut served = serve(
        home.path(),
        &["--config", config],
        &[("MASTERY_LOG_FORMAT", "text")],
    );
    assert!(served.stdout().contains("Mastery is serving"));
    served.terminate();
    assert!(served.wait(Duration::from_secs(15)).success());
}

#[test]
fn a_mistake_in_the_settings_file_names_the_file_line_and_keys() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("bad.toml");
    std::fs::write(&config, "bind = \"127.0.0.1:0\"\n\nbnd = \"127.0.0.1:9\"\n").unwrap();
    let out = mastery(home.path())
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:1: unknown field `bnd`", config.display())),
        "{err}"
    );
    assert!(
        err.contains("expected one of `bind`") && err.contains("`shutdown_timeout`"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}
