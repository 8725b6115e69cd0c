//! `/metrics` as Prometheus scrapes it from the real server: route templates (never raw
//! paths), status codes, reviews recorded once per review id, the database pool, and no
//! cookie or learner data.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Server;

/// The value of the sample `series` (name and labels exactly as exposed).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn metrics_count_requests_by_route_template_and_reviews_once() {
    let server = Server::start();
    let mut c = server.client();
    for _ in 0..2 {
        assert_eq!(c.get("/guides/python-django/gil").status, 200);
    }
    assert_eq!(c.get("/guides/python-django/no-such-question").status, 404);
    assert_eq!(c.get("/no/such/page").status, 404);
    c.csrf = Some(
        c.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let review = r#"{"guide": "python-django", "question": "gil", "rating": 3, "review_id": "metrics-review-1"}"#;
    let first = c.post_json("/api/v1/study/reviews", review);
    assert_eq!(first.json()["recorded"], true, "{}", first.body);
    let retry = c.post_json("/api/v1/study/reviews", review);
    assert_eq!(retry.json()["recorded"], false, "a retry: {}", retry.body);

    let mut scraper = server.client();
    let r = scraper.get("/metrics");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(r.header("set-cookie").is_none(), "no session for scrapers");
    let text = &r.body;

    let requests = |route: &str, method: &str, status: u16| {
        sample(
            text,
            &format!(
                "mastery_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(
        requests("/guides/{guide}/{question}", "GET", 200),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        requests("/guides/{guide}/{question}", "GET", 404),
        Some(1.0)
    );
    assert_eq!(requests("unmatched", "GET", 404), Some(1.0));
    assert_eq!(requests("/api/v1/study/reviews", "POST", 200), Some(2.0));
    assert!(
        !text.contains("python-django") && !text.contains("no-such") && !text.contains("/no/such"),
        "raw paths never become labels: {text}"
    );
    assert!(
        text.contains("# TYPE mastery_http_request_duration_seconds histogram"),
        "{text}"
    );
    assert_eq!(
        sample(
            text,
            "mastery_http_request_duration_seconds_count{route=\"/guides/{guide}/{question}\",method=\"GET\"}"
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            text,
            "mastery_http_request_duration_seconds_bucket{le=\"+Inf\",route=\"/guides/{guide}/{question}\",method=\"GET\"}"
        ),
        Some(3.0)
    );
    assert!(text.contains("le=\"0.0005\"") && text.contains("le=\"5.0\""));
    assert_eq!(
        sample(text, "mastery_reviews_recorded_total"),
        Some(1.0),
        "the retried review id is not counted: {text}"
    );
    assert_eq!(
        sample(text, "mastery_http_requests_in_flight"),
        Some(1.0),
        "this scrape itself"
    );
    // SQLite: one writer and four readers; PostgreSQL: a pool of ten.
    let (backend, max) = if common::on_postgres() {
        ("postgres", 10.0)
    } else {
        ("sqlite", 5.0)
    };
    assert_eq!(sample(text, "mastery_db_pool_max"), Some(max), "{text}");
    let idle = sample(text, "mastery_db_pool_connections{state=\"idle\"}").unwrap();
    let in_use = sample(text, "mastery_db_pool_connections{state=\"in_use\"}").unwrap();
    assert!(idle + in_use >= 1.0 && idle + in_use <= max, "{text}");
    assert!(sample(text, "process_start_time_seconds").unwrap() > 1.7e9);
    assert!(
        text.contains("mastery_build_info{version=\"")
            && text.contains(&format!("backend=\"{backend}\""))
    );
    assert!(
        !text.contains("# EOF"),
        "OpenMetrics only when asked for: {text}"
    );

    // A scrape asking for OpenMetrics gets it; the scrape before was counted.
    let r = scraper.send(
        "GET",
        "/metrics",
        None,
        None,
        &[("accept", "application/openmetrics-text; version=1.0.0")],
    );
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    assert!(r.body.ends_with("# EOF\n"), "{}", r.body);
    assert_eq!(
        sample(
            &r.body,
            "mastery_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"200\"}"
        ),
        Some(1.0)
    );
}

#[test]
fn probes_and_metrics_set_no_cookie_and_metrics_refuse_proxied_requests() {
    let server = Server::start();
    let mut c = server.client();
    for path in ["/healthz", "/readyz", "/metrics"] {
        let r = c.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("set-cookie").is_none(), "{path} sets no cookie");
        assert!(
            r.header("content-security-policy").is_some(),
            "{path}: headers"
        );
    }
    let r = c.send(
        "GET",
        "/metrics",
        None,
        None,
        &[("x-forwarded-for", "203.0.113.7")],
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("not served through a proxy"), "{}", r.body);
    // Pages still get their session.
    assert!(c.get("/").header("set-cookie").is_some());
}
