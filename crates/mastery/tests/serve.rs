//! `mastery serve` as a user starts it: it prints its URL and serves, stops cleanly on
//! Ctrl-C, and refuses to start, with one clear message, when something is wrong.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::start;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn mastery() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mastery"))
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn run(args: &[&str], data: &Path) -> Output {
    let mut cmd = mastery();
    cmd.args(["serve", "--data-dir"]).arg(data).args(args);
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn serves_then_stops_gracefully_on_ctrl_c() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, addr) = start(data.path(), &[]);
    let home = get(&addr, "/");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(home.contains("Django Interview Guide"));
    assert!(get(&addr, "/healthz").contains("ok"));
    kill_with(child.id(), "INT");
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status after Ctrl-C: {status:?}");
    assert!(
        data.path().join("mastery.db").is_file(),
        "the database lives in the data dir"
    );
}

fn kill_with(pid: u32, signal: &str) {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = run(&["--bind", &addr], data.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("already in use"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_data_dir_that_cannot_be_created_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = run(&["--bind", "127.0.0.1:0"], &file.join("data"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot create the data folder"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_that_is_not_a_database_is_left_untouched() {
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("mastery.db");
    std::fs::write(&db, "my precious notes, not a database").unwrap();
    let out = run(&["--bind", "127.0.0.1:0"], data.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("mastery.db"), "names the file: {err}");
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        "my precious notes, not a database"
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, _) = start(data.path(), &[]);
    kill_with(child.id(), "INT");
    child.wait().unwrap();
    let db = data.path().join("mastery.db");
    let status = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"insert into _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) values (99999, 'future', '2030-01-01', 1, x'00', 0)\"); c.commit()")
        .arg(&db)
        .status()
        .unwrap();
    assert!(status.success());
    let out = run(&["--bind", "127.0.0.1:0"], data.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("newer version of Mastery"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_guide_with_errors_stops_start_up_unless_watching() {
    let data = tempfile::tempdir().unwrap();
    let guide = tempfile::tempdir().unwrap();
    std::fs::write(
        guide.path().join("guide.toml"),
        "id = \"mine\"\ntitle = \"Mine\"\ndescription = \"d\"\nversion = \"1\"\n",
    )
    .unwrap();
    std::fs::write(
        guide.path().join("01.md"),
        "---\nid: s\ntitle: S\n---\n\n## Q?\n\nid: q\nlevel: senor\n\nA.\n",
    )
    .unwrap();
    let dir = guide.path().to_str().unwrap();
    let out = run(&["--bind", "127.0.0.1:0", "--guides", dir], data.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("unknown level `senor`") && err.contains("01.md:9:8"),
        "{err}"
    );

    // Author mode starts anyway and shows the error in the browser, then reloads on change.
    let (mut child, addr) = start(data.path(), &["--guides", dir, "--watch"]);
    let page = get(&addr, "/");
    assert!(
        page.contains("unknown level `senor`"),
        "errors shown in the browser"
    );
    std::fs::write(
        guide.path().join("01.md"),
        "---\nid: s\ntitle: S\n---\n\n## Q?\n\nid: q\nlevel: senior\n\nA.\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = get(&addr, "/");
        if page.contains("/guides/mine") && !page.contains("senor") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the fixed guide was not reloaded: {page}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    kill_with(child.id(), "INT");
    child.wait().unwrap();
}
