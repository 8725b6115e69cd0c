//! The stats page and `GET /api/v1/study/stats` as a browser and an API client see them:
//! the real server on a random port, a fresh SQLite database per test, the real Python &
//! Django guide.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{SystemTime, UNIX_EPOCH};

use common::{Client, Server};
use mastery_study::scheduler::DayClock;

mod common;

/// What the stats tests do as an API client, on top of the shared client.
trait StudyClient {
    fn login(&mut self);
    fn review_next(
        &mut self,
        rating: u8,
        id: &str,
        time_spent_ms: u32,
    ) -> (String, serde_json::Value);
}

impl StudyClient for Client {
    /// Opens a session and keeps its CSRF token, as an API client does.
    fn login(&mut self) {
        self.get("/api/v1/session");
        let token = self.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned();
        self.csrf = Some(token);
    }

    /// Rates the card the queue shows now; returns its question id and the review's result.
    fn review_next(
        &mut self,
        rating: u8,
        id: &str,
        time_spent_ms: u32,
    ) -> (String, serde_json::Value) {
        let q = self.get("/api/v1/study/queue?guide=python-django").json();
        let question = q["current"]["question"].as_str().unwrap().to_owned();
        let body = format!(
            r#"{{"guide": "python-django", "question": "{question}", "rating": {rating}, "review_id": "{id}", "time_spent_ms": {time_spent_ms}}}"#
        );
        let r = self.post_json("/api/v1/study/reviews", &body);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["recorded"], true);
        (question, r.json())
    }
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// The number of `needle`s in `haystack`.
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn an_empty_learner_sees_what_to_do() {
    let server = Server::start();
    let mut c = server.client();
    let page = c.get("/stats");
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("<title>Statistics · Mastery</title>"));
    assert!(body.contains("<a href=\"/stats\">Stats</a>"), "in the nav");
    assert!(body.contains("No reviews yet — start studying"));
    assert!(body.contains("href=\"/study\""), "a way to start");
    assert!(
        body.contains("Nothing scheduled yet"),
        "forecast empty state"
    );
    assert!(
        body.contains("Not enough data yet"),
        "retention empty state"
    );
    assert!(
        body.contains("No study time recorded yet"),
        "time empty state"
    );
    assert!(!body.contains("heatmap-year-title"), "no empty heatmap");
    // Mastery per section is shown from the start: every section at zero.
    assert!(body.contains("mastery-title\">Mastery by section"));
    assert!(body.contains("Core Python internals"));
    assert_eq!(
        count(body, "class=\"seg seg-mastered\""),
        10,
        "one bar per section"
    );
    assert!(!body.contains("style="), "no inline style (strict CSP)");

    let api = c.get("/api/v1/study/stats");
    assert_eq!(api.status, 200, "{}", api.body);
    let s = api.json();
    assert_eq!(s["totals"]["reviews"], 0);
    assert_eq!(s["streak"]["current"], 0);
    assert_eq!(s["days"].as_array().unwrap().len(), 365);
    assert_eq!(s["forecast"].as_array().unwrap().len(), 30);
    assert_eq!(s["retention"].as_array().unwrap().len(), 12);
    assert_eq!(s["time"].as_array().unwrap().len(), 12);
    assert!(
        s["forecast"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["due"] == 0)
    );
    let sections = s["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 10);
    assert_eq!(sections[0]["title"], "Core Python internals");
    assert!(
        sections
            .iter()
            .all(|x| x["mastered"] == 0 && x["studied"] == 0)
    );
    assert!(s["retention"][11]["retention"].is_null());
    assert_eq!(
        s["desired_retention"].as_f64().map(|r| (r * 100.0).round()),
        Some(90.0)
    );
}

#[test]
fn reviews_show_on_the_heatmap_the_forecast_and_the_api() {
    let server = Server::start();
    let mut c = server.client();
    c.login();
    // "Today" must hold these reviews and the learning step after them, whatever the time:
    // the study day starts twelve hours away from now (UTC, offset 0).
    let day_start = u8::try_from((now_ms() / 3_600_000 + 12) % 24).unwrap();
    let mut settings = c.get("/api/v1/study/settings").json();
    settings["day_start_hour"] = day_start.into();
    let r = c.put_json("/api/v1/study/settings", &settings.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    // Good on a new card: a learning step, due again today. Easy: graduates, due in days.
    let (learning, _) = c.review_next(3, "stats-review-01", 20_000);
    let (graduated, easy) = c.review_next(4, "stats-review-02", 40_000);
    assert_ne!(learning, graduated);
    let due = easy["due"].as_i64().unwrap();
    let clock = DayClock::new(0, day_start).unwrap();
    let now = now_ms();
    let offset = usize::try_from(clock.day_index(due) - clock.day_index(now)).unwrap();
    assert!(
        (1..30).contains(&offset),
        "the easy card comes back in {offset} days"
    );

    let s = c.get("/api/v1/study/stats").json();
    let days = s["days"].as_array().unwrap();
    let today = &days[364];
    assert_eq!(today["reviews"], 2);
    assert_eq!(today["time_ms"], 60_000);
    assert_eq!(today["level"], 4, "the busiest day is the darkest");
    assert!(
        days[..364]
            .iter()
            .all(|d| d["reviews"] == 0 && d["level"] == 0)
    );
    assert_eq!(s["totals"]["reviews"], 2);
    assert_eq!(s["totals"]["reviews_today"], 2);
    assert_eq!(s["totals"]["days_studied"], 1);
    assert_eq!(s["streak"]["current"], 1);
    assert_eq!(s["streak"]["reviewed_today"], true);
    let forecast = s["forecast"].as_array().unwrap();
    assert_eq!(forecast[0]["due"], 1, "the learning card, today");
    assert_eq!(forecast[offset]["due"], 1, "the easy card, on its day");
    assert_eq!(
        forecast
            .iter()
            .map(|d| d["due"].as_u64().unwrap())
            .sum::<u64>(),
        2
    );
    assert_eq!(s["time"][11]["time_ms"], 60_000);
    assert_eq!(s["time"][11]["reviews"], 2);
    // Reviews of new cards are not retention data.
    assert_eq!(s["retention"][11]["reviews"], 0);
    let studied: u64 = s["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["studied"].as_u64().unwrap())
        .sum();
    assert_eq!(studied, 2);

    let page = c.get("/stats");
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(!body.contains("No reviews yet"), "no empty state any more");
    // Today's heatmap cell is at the top level, in both the year and the phone heatmap.
    assert_eq!(count(body, "class=\"heat heat-4 heat-today\""), 2);
    assert_eq!(
        count(body, "class=\"heat heat-"),
        365 + 7 * 16 + 1 + usize::from(today_weekday(&s, day_start))
    );
    let today_title = format!("<title>2 reviews, {}", weekday_name_of(&s, day_start));
    assert!(
        body.contains(&today_title),
        "today's tooltip: {today_title}"
    );
    // The forecast shows both cards: one bar a day, today's and the easy card's.
    assert_eq!(count(body, "class=\"bar bar-due\""), 30);
    assert!(body.contains("<title>1 card due today</title>"));
    assert!(body.contains("2 cards due over the next 30 days"));
    // The tables say the same as the API.
    assert!(body.contains("<summary>Table</summary>"));
    assert_eq!(
        count(body, "<details class=\"chart-table\">"),
        4,
        "retention has no data yet"
    );
    let iso = s["today"].as_str().unwrap();
    assert!(
        body.contains(&format!(
            "<time datetime=\"{iso}\">{} ",
            weekday_name_of(&s, day_start)
        )),
        "today in the activity table"
    );
    assert!(
        body.contains("<strong>2 reviews</strong>"),
        "today's figure"
    );
    assert!(body.contains("<strong>1 day</strong>"), "the streak");
    assert!(!body.contains("style="), "no inline style (strict CSP)");

    // The document lists the endpoint.
    let doc = c.get("/api/v1/openapi.json").json();
    assert!(doc["paths"]["/api/v1/study/stats"]["get"].is_object());
    assert!(doc["components"]["schemas"]["StatsDto"].is_object());
}

/// Today's weekday, 0 for Monday, for study days starting at `day_start` (UTC).
fn today_weekday(stats: &serde_json::Value, day_start: u8) -> u8 {
    let iso = stats["today"].as_str().unwrap();
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days[364]["date"], iso);
    let index = DayClock::new(0, day_start).unwrap().day_index(now_ms());
    mastery_study::stats::weekday(index)
}

fn weekday_name_of(stats: &serde_json::Value, day_start: u8) -> &'static str {
    mastery_study::stats::weekday_name(today_weekday(stats, day_start))
}
