//! The settings page's backup: download the learner's data, restore it on another server
//! with a plain form upload (multipart, no JavaScript), idempotently, with CSRF, a size
//! limit and clear 4xx answers. Times in the data are fixed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, Server};
use mastery_storage::testkit::{first, key, next};

const BOUNDARY: &str = "----MasteryTestBoundary5c2e";

/// A form upload as a browser sends it.
fn multipart(fields: &[(&str, Option<&str>, &str)]) -> String {
    let mut body = String::new();
    for (name, filename, value) in fields {
        body.push_str(&format!("--{BOUNDARY}\r\n"));
        match filename {
            Some(f) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/json\r\n\r\n"
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body
}

fn upload(c: &mut Client, fields: &[(&str, Option<&str>, &str)]) -> common::Reply {
    let body = multipart(fields);
    c.send(
        "POST",
        "/settings/data",
        Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
        Some(&body),
        &[],
    )
}

fn restore(c: &mut Client, file: &str, overwrite: bool) -> common::Reply {
    c.get("/settings");
    let token = c.csrf.clone().unwrap();
    let mut fields = vec![
        ("csrf", None, token.as_str()),
        ("file", Some("mastery-backup.json"), file),
    ];
    if overwrite {
        fields.push(("overwrite", None, "on"));
    }
    upload(c, &fields)
}

/// Posts `body` over a raw connection, writing on a thread while reading the answer;
/// returns the status.
fn raw_post(c: &Client, path: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = c.base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        c.cookie.clone().unwrap_or_default(),
        body.len()
    );
    let mut writer = stream.try_clone().unwrap();
    let payload = [head.into_bytes(), body.as_bytes().to_vec()].concat();
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(&payload);
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sending.join();
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"))
}

#[test]
fn a_backup_downloads_and_restores_on_another_server_once() {
    let source = Server::start();
    let store = source.store();
    source.block_on(async {
        let me = store.personal_learner().await.unwrap();
        let gil = key("python-django", "gil");
        store.set_mark(me, &gil, true, 1_000).await.unwrap();
        store
            .save_note(me, &gil, "Mon résumé du GIL 🐍", 1_500)
            .await
            .unwrap();
        let r1 = first("web-review-1", &gil, 2_000);
        store.record_review(me, &r1).await.unwrap();
        store
            .record_review(me, &next("web-review-2", &r1, 90_000_000))
            .await
            .unwrap();
        store
            .set_learner_setting(me, "desired_retention", "0.93")
            .await
            .unwrap();
    });
    let mut c = source.client();
    let page = c.get("/settings");
    assert!(page.body.contains("Download a backup"), "{}", page.body);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let download = c.get("/settings/data.json");
    assert_eq!(download.status, 200);
    assert!(
        download
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment"),
        "{:?}",
        download.headers
    );
    let document = download.json();
    assert_eq!(document["schema"], "mastery.learner-data");
    assert_eq!(document["reviews"].as_array().unwrap().len(), 2);

    let target = Server::start();
    let mut t = target.client();
    let reply = restore(&mut t, &download.body, false);
    assert_eq!(reply.status, 303, "{}", reply.body);
    let location = reply.header("location").unwrap().to_owned();
    assert!(
        location.starts_with("/settings?restored=6&kept=0"),
        "{location}"
    );
    let page = t.get(&location.replace("#data-title", ""));
    assert!(
        page.body
            .contains("Backup restored: 6 items added or updated."),
        "{}",
        page.body
    );
    let again = t.get("/settings/data.json").json();
    for kind in ["marks", "notes", "cards", "reviews", "settings"] {
        assert_eq!(again[kind], document[kind], "{kind}");
    }

    // The same file again: nothing more.
    let reply = restore(&mut t, &download.body, false);
    assert_eq!(reply.status, 303);
    assert!(
        reply
            .header("location")
            .unwrap()
            .starts_with("/settings?restored=0&kept=0"),
        "{:?}",
        reply.header("location")
    );
    assert_eq!(
        t.get("/settings/data.json").json()["reviews"],
        document["reviews"]
    );

    // A newer retention on this server is kept, unless the box is ticked.
    let tstore = target.store();
    target.block_on(async {
        let me = tstore.personal_learner().await.unwrap();
        tstore
            .set_learner_setting(me, "desired_retention", "0.8")
            .await
            .unwrap();
    });
    let reply = restore(&mut t, &download.body, false);
    assert!(
        reply
            .header("location")
            .unwrap()
            .starts_with("/settings?restored=0&kept=1"),
        "{:?}",
        reply.header("location")
    );
    let page = t.get("/settings?restored=0&kept=1");
    assert!(page.body.contains("Replace newer data"), "{}", page.body);
    let reply = restore(&mut t, &download.body, true);
    assert!(
        reply
            .header("location")
            .unwrap()
            .starts_with("/settings?restored=1&kept=0"),
        "{:?}",
        reply.header("location")
    );
}

#[test]
fn bad_uploads_get_clear_4xx_answers_and_change_nothing() {
    let server = Server::start();
    let mut c = server.client();
    c.get("/settings");
    let token = c.csrf.clone().unwrap();

    // No CSRF token, or a wrong one.
    let reply = upload(&mut c, &[("file", Some("b.json"), "{}")]);
    assert_eq!(reply.status, 403, "{}", reply.body);
    let reply = upload(
        &mut c,
        &[("csrf", None, "0000"), ("file", Some("b.json"), "{}")],
    );
    assert_eq!(reply.status, 403, "{}", reply.body);

    // No file chosen.
    let reply = upload(&mut c, &[("csrf", None, &token), ("file", Some(""), "")]);
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        reply.body.contains("choose a backup file"),
        "{}",
        reply.body
    );

    // Not a backup: the line is named.
    let bad = "{\n  \"schema\": \"mastery.learner-data\",\n  \"version\": 1,\n  \"marks\": [{\"guide\": \"g\"}]\n}";
    let reply = upload(
        &mut c,
        &[("csrf", None, &token), ("file", Some("mine.json"), bad)],
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        reply
            .body
            .contains("mine.json is not a Mastery backup: line 4"),
        "{}",
        reply.body
    );
    let reply = upload(
        &mut c,
        &[
            ("csrf", None, &token),
            ("file", Some("photo.json"), "\u{1f600} not json"),
        ],
    );
    assert_eq!(reply.status, 400, "{}", reply.body);

    // A form that is not multipart.
    let reply = c.submit("/settings/data", &[("file", "{}")]);
    assert_eq!(reply.status, 415, "{}", reply.body);

    // Too large: the server answers 413 once it has read the limit (the client keeps
    // writing on another thread, and may find the connection closed under it).
    let huge = multipart(&[
        ("csrf", None, &token),
        ("file", Some("big.json"), &"x".repeat(17 * 1024 * 1024)),
    ]);
    assert_eq!(raw_post(&c, "/settings/data", &huge), 413);

    let store = server.store();
    server.block_on(async {
        let me = store.personal_learner().await.unwrap();
        assert!(store.marks(me).await.unwrap().is_empty());
    });
}
