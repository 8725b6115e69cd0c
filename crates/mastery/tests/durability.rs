//! An acknowledged review survives a crash: a burst of reviews from several clients, the
//! server killed with SIGKILL in the middle, restarted on the same data, and every review
//! that was answered 200 is there; retried ones are there once.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{between, request, start};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn acknowledged_reviews_survive_sigkill() {
    let data = tempfile::tempdir().unwrap();
    let (mut server, addr) = start(data.path(), &[]);
    let (_, session) = request(&addr, "GET", "/api/v1/session", &[], "").unwrap();
    let cookie = between(&session, "set-cookie: ", ";").unwrap().to_owned();
    let token = between(&session, "\"csrf_token\":\"", "\"")
        .unwrap()
        .to_owned();
    let (_, guide) = request(&addr, "GET", "/api/v1/guides/python-django", &[], "").unwrap();
    let questions: Vec<String> = guide
        .split("\"url\":\"/guides/python-django/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|q| *q != "cooperative-multitasking")
        .map(str::to_owned)
        .collect();
    assert!(questions.len() >= 48);

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for t in 0..8 {
        let (addr, cookie, token, acknowledged, stop) = (
            addr.clone(),
            cookie.clone(),
            token.clone(),
            Arc::clone(&acknowledged),
            Arc::clone(&stop),
        );
        let mine: Vec<String> = questions.iter().skip(t).step_by(8).cloned().collect();
        clients.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let question = &mine[n % mine.len()];
                let id = format!("kill-{t}-{n:05}");
                let body = format!(r#"{{"guide":"python-django","question":"{question}","rating":3,"review_id":"{id}"}}"#);
                let headers = [("cookie", cookie.as_str()), ("x-csrf-token", token.as_str()), ("content-type", "application/json")];
                match request(&addr, "POST", "/api/v1/study/reviews", &headers, &body) {
                    Some((200, _)) => acknowledged.lock().unwrap().push(id),
                    Some((status, text)) => panic!("unexpected {status}: {text}"),
                    None => break, // the server is gone
                }
                n += 1;
            }
        }));
    }
    // Let the burst run, then kill the server without any chance to flush.
    std::thread::sleep(Duration::from_millis(1500));
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 20,
        "the burst recorded only {} reviews",
        acknowledged.len()
    );

    let (mut server, addr) = start(data.path(), &[]);
    let (status, export) = request(
        &addr,
        "GET",
        "/api/v1/study/reviews?format=csv",
        &[("cookie", &cookie)],
        "",
    )
    .unwrap();
    assert_eq!(status, 200);
    let mut missing = Vec::new();
    for id in &acknowledged {
        match export.matches(&format!(",{id},")).count() {
            1 => {}
            0 => missing.push(id.clone()),
            n => panic!("review {id} recorded {n} times"),
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged reviews lost: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
