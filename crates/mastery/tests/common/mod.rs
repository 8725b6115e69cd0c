//! Shared by the binary's tests: start `mastery serve` on a free port.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use mastery_content::{Guide, GuideFiles, load_guide};

/// Runs the binary with `args` as a user would, without the environment's database, data
/// folder or account.
pub fn mastery(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(args)
        .env_remove("MASTERY_DATABASE_URL")
        .env_remove("MASTERY_DATA_DIR")
        .env_remove("MASTERY_USER")
        .output()
        .expect("the binary runs")
}

/// A run's standard output and standard error, together.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The Python & Django guide from the repository (the one embedded in the binary).
pub fn python_django() -> Arc<Guide> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
    let report = load_guide(&GuideFiles::from_dir(&dir).unwrap());
    Arc::new(report.guide.expect("the built-in guide loads"))
}

/// Starts `mastery serve` on a free port with `data` as its data folder and waits for its
/// "serving" line; returns the child and its `host:port`. Standard error is discarded so a
/// chatty server cannot block on a full pipe.
pub fn start(data: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A multi-user server may print its setup link first.
    let mut reader = BufReader::new(child.stdout.as_mut().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        let read = reader.read_line(&mut line).unwrap();
        assert!(read > 0, "mastery serve exited before serving");
        if line.starts_with("Mastery is serving") {
            break;
        }
    }
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    (child, url.trim_start_matches("http://").to_owned())
}

/// A minimal HTTP/1.1 request; returns (status, headers and body as text), or `None` when
/// the connection failed or broke (the server was killed).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, out))
}

/// The text between the first `start` and the next `end`.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    text.split(start).nth(1)?.split(end).next()
}
