//! Mock interviews as a browser and an API client see them: the real server on a random
//! port with a fresh database and the real Python & Django guide.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{Client, Reply, Server, guide_dir};
use mastery_content::{Guide, GuideFiles, Level, load_guide};
use mastery_storage::StoredInterview;
use mastery_study::interview::{Custom, Interview, Lineup, Request};

/// A complete answer to `gil`: every key point, explained in sentences.
const GIL_COMPLETE: &str = "The GIL is a mutex inside CPython that lets only one \
thread at a time execute Python bytecode in an interpreter. It exists to protect the \
interpreter's internals, mainly reference counting, which is not atomic. Threads still help \
for I/O-bound work, because blocking calls release the GIL while they wait, but CPU-bound \
pure Python code does not scale across cores. The GIL does not make your own code \
thread-safe: x += 1 is not atomic, so you still need a lock to avoid a race. PEP 703 added \
an optional free-threaded build in Python 3.13, and PEP 779 made it officially supported in \
3.14, although it is not the default. The free-threaded build keeps reference counting but \
makes it biased and deferred, adds per-object locks, and costs some single-thread \
performance as overhead.";

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn guide() -> Guide {
    load_guide(&GuideFiles::from_dir(&guide_dir()).unwrap())
        .guide
        .unwrap()
}

/// Stores an interview asking `questions` in order, started at `started_at` with
/// `minutes` per question, straight through the storage API (as another instance would).
fn plant(server: &Server, id: &str, questions: &[&str], minutes: i64, started_at: i64) {
    let guide = guide();
    let lineup = Lineup {
        source: Request::Custom(Custom {
            levels: Vec::new(),
            sections: Vec::new(),
            questions: questions.len(),
            minutes_per_question: u32::try_from(minutes).unwrap(),
        }),
        title: "Custom interview".into(),
        levels: Level::ALL.to_vec(),
        sections: guide.sections.iter().map(|s| s.id.to_string()).collect(),
        seed: 1,
        questions: questions.iter().map(|q| (*q).to_owned()).collect(),
        per_question_ms: minutes * 60_000,
    };
    let interview = Interview::start(&guide, lineup, started_at).unwrap();
    let stored = StoredInterview {
        id: id.to_owned(),
        guide: "python-django".into(),
        revision: 1,
        started_at,
        finished_at: None,
        score: None,
        state: serde_json::to_string(&interview).unwrap(),
    };
    let store = server.store();
    server.block_on(async {
        let me = store.personal_learner().await.unwrap();
        store.save_interview(me, &stored).await.unwrap();
    });
}

fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, 303, "a redirect: {}", reply.body);
    reply.header("location").unwrap().to_owned()
}

/// A client with a session and its CSRF token (from the start page).
fn browser(server: &Server) -> (Client, String) {
    let mut c = server.client();
    let page = c.get("/interviews");
    assert_eq!(page.status, 200);
    let csrf = c.csrf.clone().unwrap();
    (c, csrf)
}

/// A client with a session and the API's CSRF token.
fn api(server: &Server) -> Client {
    let mut c = server.client();
    c.get("/api/v1/session");
    c.csrf = Some(
        c.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    c
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn the_start_page_offers_presets_a_custom_form_and_an_empty_history() {
    let server = Server::start();
    let mut c = server.client();
    let page = c.get("/interviews");
    assert_eq!(page.status, 200);
    for preset in [
        "Recruiter screen",
        "Senior Python internals",
        "Django architecture and scaling",
    ] {
        assert!(page.body.contains(preset), "preset {preset}");
    }
    assert_eq!(
        count(&page.body, "name=\"preset\""),
        3,
        "a Start form per preset"
    );
    assert!(page.body.contains("Your own interview"));
    assert!(page.body.contains("name=\"level\" value=\"senior\""));
    assert!(page.body.contains("name=\"section\" value=\"core-python\""));
    assert!(page.body.contains("No interviews yet"), "empty state");
    assert!(
        page.body.contains("<a href=\"/interviews\">Interview</a>"),
        "nav link"
    );
    assert!(!page.body.contains("style="), "no inline styles");
}

#[test]
fn presets_and_custom_interviews_start_through_forms() {
    let server = Server::start();
    let (mut c, csrf) = browser(&server);

    let started = c.form(
        "/interviews",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("preset", "recruiter-screen"),
        ],
    );
    let url = location(&started);
    assert!(url.starts_with("/interviews/"), "{url}");
    let page = c.get(&url);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Recruiter screen"));
    assert!(page.body.contains("Question 1 of 5"));
    assert!(
        page.body.contains("data-countdown") && page.body.contains("Time left"),
        "a visible countdown"
    );
    assert!(
        page.body.contains("of 3:00"),
        "15 minutes shared by 5 questions"
    );
    assert!(page.body.contains("name=\"text\""), "a textarea");
    assert!(page.body.contains("I answered aloud"));

    // A custom interview: one senior question on core Python, a minute for it.
    let custom = c.form(
        "/interviews",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("level", "senior"),
            ("section", "core-python"),
            ("questions", "1"),
            ("minutes", "1"),
        ],
    );
    let url = location(&custom);
    let page = c.get(&url);
    assert!(page.body.contains("Custom interview"));
    assert!(page.body.contains("Question 1 of 1"));
    assert!(page.body.contains("level-senior"));
    assert!(page.body.contains("Core Python internals"));
    assert!(page.body.contains("of 1:00"));

    // Mistakes come back on the form, every one explained, nothing started.
    let bad = c.form(
        "/interviews",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("level", "senior"),
            ("questions", "0"),
            ("minutes", "99"),
        ],
    );
    assert_eq!(bad.status, 422, "the form again, as unprocessable");
    assert_eq!(bad.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(bad.body.contains("This interview cannot start yet"));
    assert!(
        bad.body
            .contains("Number of questions: enter a whole number from 1 to 50.")
    );
    assert!(
        bad.body
            .contains("Minutes per question: enter a whole number from 1 to 30.")
    );
    assert!(bad.body.contains("value=\"99\""), "what was typed is kept");
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let bad = c.form(
        "/interviews",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("section", "no-such-section"),
            ("questions", "2"),
            ("minutes", "2"),
        ],
    );
    assert!(bad.body.contains("has no such section"), "{}", bad.body);
    assert_eq!(bad.status, 422);
    let bad = c.form(
        "/interviews",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("level", "expert"),
            ("questions", "2"),
            ("minutes", "2"),
        ],
    );
    assert!(
        bad.body
            .contains("Levels: choose junior, confirmed or senior.")
    );
    // An unknown preset or guide is refused.
    let r = c.form(
        "/interviews",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("preset", "nope"),
        ],
    );
    assert_eq!(r.status, 400);
    let r = c.form(
        "/interviews",
        &[
            ("csrf", &csrf),
            ("guide", "nope"),
            ("preset", "recruiter-screen"),
        ],
    );
    assert_eq!(r.status, 404);

    // Both show in the history, unfinished, with a link to resume.
    let history = c.get("/interviews");
    assert_eq!(count(&history.body, ">Resume</a>"), 2);
    assert_eq!(count(&history.body, "in progress"), 2);
}

#[test]
fn a_good_answer_ticks_its_points_and_opens_a_follow_up() {
    let server = Server::start();
    plant(&server, "ladder", &["gil", "decorators"], 5, now_ms());
    let (mut c, csrf) = browser(&server);
    let page = c.get("/interviews/ladder");
    assert!(
        page.body.contains("Global Interpreter Lock"),
        "gil is asked"
    );
    let r = c.form(
        "/interviews/ladder/answer",
        &[("csrf", &csrf), ("text", GIL_COMPLETE)],
    );
    assert_eq!(location(&r), "/interviews/ladder");
    let page = c.get("/interviews/ladder");
    assert!(page.body.contains("Model answer") && page.body.contains("Your answer"));
    assert!(
        page.body.contains("<mark class=\"hit\">"),
        "matched words highlighted"
    );
    assert_eq!(
        count(&page.body, " checked aria-describedby"),
        6,
        "every key point ticked"
    );
    assert!(page.body.contains("6</strong> of 6 covered"));
    assert!(page.body.contains("found in your answer"));
    assert!(
        page.body
            .contains("data-next=\"follow_up\">Follow-up question</button>"),
        "a follow-up is offered"
    );
    assert!(!page.body.contains("list of keywords: explain each"));

    // Untick one by hand (one tick), then save the whole list (the no-script button).
    let r = c.form(
        "/interviews/ladder/correct",
        &[
            ("csrf", &csrf),
            ("item", "0"),
            ("key_point", "5"),
            ("ticked", "false"),
        ],
    );
    assert_eq!(location(&r), "/interviews/ladder#checklist");
    let page = c.get("/interviews/ladder");
    assert_eq!(count(&page.body, " checked aria-describedby"), 5);
    assert!(page.body.contains("unticked by you") && page.body.contains(">corrected<"));
    let ticks: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("item", "0"),
        ("tick", "0"),
        ("tick", "1"),
        ("tick", "2"),
    ];
    c.form("/interviews/ladder/correct", &ticks);
    let state = api(&server).get("/api/v1/interviews/ladder").json();
    let points = state["items"][0]["key_points"].as_array().unwrap();
    let ticked: Vec<bool> = points
        .iter()
        .map(|p| p["ticked"].as_bool().unwrap())
        .collect();
    assert_eq!(ticked, [true, true, true, false, false, false]);
    assert_eq!(points[3]["corrected"], false);
    assert_eq!(
        points[0]["corrected"],
        serde_json::Value::Null,
        "auto tick kept"
    );
    // 3 of 6 no longer covers the basics: the next question is the next main one.
    assert_eq!(state["next"], "next");
    // Ticking back through the API brings the follow-up back.
    let mut a = api(&server);
    for k in 3..6 {
        let r = a.post_json(
            "/api/v1/interviews/ladder/corrections",
            &format!(r#"{{"item": 0, "key_point": {k}, "ticked": true}}"#),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        if k == 5 {
            assert_eq!(r.json()["next"], "follow_up");
            assert_eq!(r.json()["items"][0]["score"], 1.0);
        }
    }
    let r = c.form("/interviews/ladder/next", &[("csrf", &csrf)]);
    assert_eq!(location(&r), "/interviews/ladder");
    let page = c.get("/interviews/ladder");
    assert!(
        page.body.contains("Follow-up (depth 1)"),
        "the follow-up is asked"
    );
    assert!(
        page.body.contains("release the GIL"),
        "gil-release comes first"
    );
    assert!(page.body.contains("Follow-up on question 1"));
}

#[test]
fn the_api_runs_a_whole_interview() {
    let server = Server::start();
    let mut c = api(&server);
    let presets = c.get("/api/v1/interviews/presets").json();
    assert_eq!(presets.as_array().unwrap().len(), 3);
    assert_eq!(presets[0]["id"], "recruiter-screen");

    // Bad requests are explained.
    for (body, status, words) in [
        (r#"{"guide": "python-django"}"#, 400, "either `preset`"),
        (
            r#"{"guide": "python-django", "preset": "nope"}"#,
            400,
            "no interview preset",
        ),
        (
            r#"{"guide": "nope", "preset": "recruiter-screen"}"#,
            404,
            "no guide",
        ),
        (
            r#"{"guide": "python-django", "custom": {"questions": 0, "minutes_per_question": 2}}"#,
            400,
            "at least one question",
        ),
        (
            r#"{"guide": "python-django", "custom": {"levels": ["expert"], "questions": 2, "minutes_per_question": 2}}"#,
            400,
            "unknown level",
        ),
        (
            r#"{"guide": "python-django", "custom": {"questions": 2, "minutes_per_question": 60}}"#,
            400,
            "minutes per question",
        ),
    ] {
        let r = c.post_json("/api/v1/interviews", body);
        assert_eq!(r.status, status, "{body}: {}", r.body);
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(words), "{body}: {message}");
    }

    let preset = c.post_json(
        "/api/v1/interviews",
        r#"{"guide": "python-django", "preset": "django-architecture-scaling"}"#,
    );
    assert_eq!(preset.status, 201, "{}", preset.body);
    assert!(
        preset
            .header("location")
            .unwrap()
            .starts_with("/api/v1/interviews/")
    );
    assert_eq!(preset.json()["title"], "Django architecture and scaling");

    let r = c.post_json(
        "/api/v1/interviews",
        r#"{"guide": "python-django", "custom": {"levels": ["confirmed"], "sections": ["core-python"], "questions": 2, "minutes_per_question": 2}}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let state = r.json();
    let id = state["id"].as_str().unwrap().to_owned();
    assert_eq!(state["planned_questions"], 2);
    assert_eq!(state["current"]["item"], 0);
    assert_eq!(state["current"]["level"], "confirmed");
    assert_eq!(state["current"]["section"], "core-python");
    let remaining = state["current"]["remaining_ms"].as_i64().unwrap();
    assert!(remaining > 110_000 && remaining <= 120_000, "{remaining}");
    assert_eq!(state["next"], serde_json::Value::Null, "not answered yet");

    // Answer with text: graded, with the spans of what matched.
    let r = c.post_json(
        &format!("/api/v1/interviews/{id}/answer"),
        r#"{"text": "I would explain it with an example, in a sentence or two, and mention the trade-offs."}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let answered = r.json();
    assert_eq!(answered["timed_out"], false);
    assert!(answered["grading"]["points"].is_array());
    assert!(answered["grading"]["words"].as_u64().unwrap() > 10);
    assert_eq!(answered["interview"]["current"]["answered"], true);
    // Answering twice (a conflict with the interview's state), or with nothing, is refused.
    let again = c.post_json(
        &format!("/api/v1/interviews/{id}/answer"),
        r#"{"aloud": true}"#,
    );
    assert_eq!(again.status, 409);
    assert!(
        again.body.contains("already been answered"),
        "{}",
        again.body
    );
    let neither = c.post_json(&format!("/api/v1/interviews/{id}/answer"), r#"{}"#);
    assert_eq!(neither.status, 400);

    // A correction of a key point the question does not have is refused; a real one is kept.
    let r = c.post_json(
        &format!("/api/v1/interviews/{id}/corrections"),
        r#"{"item": 0, "key_point": 99, "ticked": true}"#,
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let r = c.post_json(
        &format!("/api/v1/interviews/{id}/corrections"),
        r#"{"item": 0, "key_point": 0, "ticked": true}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["items"][0]["key_points"][0]["corrected"], true);

    // Next: the second main question (or a follow-up).
    let r = c.post_json(&format!("/api/v1/interviews/{id}/next"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["step"], "asked");
    assert_eq!(r.json()["item"], 1);
    // A client still showing the first question (another tab) cannot answer the second
    // one or move on from it: 409, nothing changes.
    let stale = c.post_json(
        &format!("/api/v1/interviews/{id}/answer"),
        r#"{"item": 0, "text": "An answer typed for the first question, in a stale tab."}"#,
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("another tab"), "{}", stale.body);
    let stale = c.post_json(&format!("/api/v1/interviews/{id}/next?item=0"), "");
    assert_eq!(stale.status, 409, "{}", stale.body);
    let r = c.post_json(
        &format!("/api/v1/interviews/{id}/answer"),
        r#"{"item": 1, "aloud": true}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["grading"], serde_json::Value::Null);

    // Finish: the report, with the ratings fed to the scheduler.
    let r = c.post_json(&format!("/api/v1/interviews/{id}/finish"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    assert!(report["finished_at"].is_i64());
    assert_eq!(report["questions"].as_array().unwrap().len(), 2);
    assert_eq!(report["sections"][0]["section"], "core-python");
    assert_eq!(report["ratings"].as_array().unwrap().len(), 2);
    assert!(!report["missed"].as_array().unwrap().is_empty());
    assert!(
        report["missed"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/guides/python-django/")
    );
    let reviews = c.get("/api/v1/study/reviews").json();
    assert_eq!(reviews.as_array().unwrap().len(), 2, "fed to the scheduler");
    // Counted in /metrics like any review, once: finishing again feeds nothing new.
    let recorded = |c: &mut Client| {
        c.get("/metrics")
            .body
            .lines()
            .find_map(|l| l.strip_prefix("mastery_reviews_recorded_total "))
            .map(|v| v.trim().to_owned())
    };
    assert_eq!(recorded(&mut c).as_deref(), Some("2"));
    let r = c.post_json(&format!("/api/v1/interviews/{id}/finish"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(recorded(&mut c).as_deref(), Some("2"));

    let again = c.get(&format!("/api/v1/interviews/{id}/report")).json();
    assert_eq!(again["score"], report["score"]);
    let md = c.get(&format!("/api/v1/interviews/{id}/report?format=markdown"));
    assert_eq!(md.status, 200);
    assert_eq!(
        md.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert!(md.body.starts_with("# Mock interview: Custom interview"));
    let bad = c.get(&format!("/api/v1/interviews/{id}/report?format=pdf"));
    assert_eq!(bad.status, 400);

    let history = c.get("/api/v1/interviews").json();
    assert_eq!(history["interviews"].as_array().unwrap().len(), 2);
    assert_eq!(history["trend"]["points"].as_array().unwrap().len(), 1);
    assert!(
        history["interviews"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["url"].as_str().unwrap().ends_with("/report"))
    );
}

#[test]
fn a_question_whose_time_ran_out_is_recorded_as_timed_out() {
    let server = Server::start();
    let long_ago = now_ms() - 10 * 60_000;
    // Answered after the deadline through the API: kept, graded, flagged.
    plant(&server, "late-answer", &["gil"], 1, long_ago);
    let mut c = api(&server);
    let r = c.post_json(
        "/api/v1/interviews/late-answer/answer",
        &serde_json::json!({ "text": GIL_COMPLETE }).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["timed_out"], true);
    assert_eq!(r.json()["interview"]["items"][0]["timed_out"], true);
    assert_eq!(
        r.json()["interview"]["next"],
        "finish",
        "no ladder after a time-out"
    );

    // Nobody answered: showing the page records the time-out, with an empty answer.
    plant(&server, "expired", &["gil", "decorators"], 1, long_ago);
    let (mut b, csrf) = browser(&server);
    let page = b.get("/interviews/expired");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Time ran out"), "{}", page.body);
    assert!(
        page.body
            .contains("Nothing was typed before the time ran out.")
    );
    assert!(
        !page.body.contains("name=\"text\""),
        "no answer form any more"
    );
    assert!(
        page.body
            .contains("data-next=\"next\">Next question</button>")
    );
    let r = b.form("/interviews/expired/finish", &[("csrf", &csrf)]);
    assert_eq!(location(&r), "/interviews/expired/report");
    let report = b.get("/interviews/expired/report");
    assert!(report.body.contains("Timed out</h2>"));
    assert!(report.body.contains("timed out</span>"));
    let json = c.get("/api/v1/interviews/expired/report").json();
    assert_eq!(json["timed_out"], serde_json::json!([0]));
    assert_eq!(json["ratings"][0]["name"], "again");
}

#[test]
fn the_report_shows_scores_per_question_and_section_and_exports_markdown() {
    let server = Server::start();
    plant(&server, "report", &["gil", "decorators"], 5, now_ms());
    let (mut c, csrf) = browser(&server);
    c.form(
        "/interviews/report/answer",
        &[("csrf", &csrf), ("text", GIL_COMPLETE)],
    );
    c.form("/interviews/report/next", &[("csrf", &csrf)]);
    c.form(
        "/interviews/report/answer",
        &[("csrf", &csrf), ("text", "No idea, sorry.")],
    );
    let r = c.form("/interviews/report/finish", &[("csrf", &csrf)]);
    assert_eq!(location(&r), "/interviews/report/report");
    // A finished interview's page goes to its report.
    assert_eq!(
        location(&c.get("/interviews/report")),
        "/interviews/report/report"
    );

    let page = c.get("/interviews/report/report");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mock interview report"));
    assert!(page.body.contains("By section") && page.body.contains("Core Python internals"));
    assert!(page.body.contains(">100%</strong>"), "the full answer");
    assert!(page.body.contains(">0%</strong>"), "the empty one");
    assert!(
        page.body.contains("Follow-up (depth 1)"),
        "the follow-up was asked"
    );
    assert!(
        page.body.contains("depth 1 of"),
        "ladder depth against what is available"
    );
    assert!(page.body.contains("Key points to study"));
    assert!(
        page.body
            .contains("href=\"/guides/python-django/gil-release\""),
        "missed points link to their question"
    );
    assert!(page.body.contains("In your study schedule"));
    assert!(page.body.contains("Again: comes back in study soon"));
    assert!(page.body.contains("data-print"), "a print button");
    assert!(page.body.contains("href=\"/interviews/report/report.md\""));

    let md = c.get("/interviews/report/report.md");
    assert_eq!(md.status, 200);
    assert_eq!(
        md.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    let disposition = md.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"mastery-interview-"),
        "{disposition}"
    );
    assert!(md.body.starts_with("# Mock interview: Custom interview"));
    assert!(md.body.contains("## Sections"));
    assert!(md.body.contains("- [x] "));

    // The history shows it with its score and the trend chart with a table.
    let history = c.get("/interviews");
    assert!(history.body.contains(">Report</a>"));
    assert!(history.body.contains("class=\"chart chart-trend\""));
    assert!(
        history
            .body
            .contains("Finished interviews, most recent first")
    );
}

#[test]
fn unknown_interviews_are_not_found() {
    let server = Server::start();
    let mut c = server.client();
    for path in [
        "/interviews/0123456789abcdef",
        "/interviews/not%20an%20id",
        "/interviews/0123456789abcdef/report",
        "/interviews/0123456789abcdef/report.md",
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(
            r.body.contains("Page not found"),
            "{path}: the HTML error page"
        );
    }
    for path in [
        "/api/v1/interviews/0123456789abcdef",
        "/api/v1/interviews/0123456789abcdef/report",
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
    let mut a = api(&server);
    let r = a.post_json(
        "/api/v1/interviews/0123456789abcdef/answer",
        r#"{"text": "hello"}"#,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn every_post_needs_the_csrf_token() {
    let server = Server::start();
    plant(&server, "guarded", &["gil"], 5, now_ms());
    let mut c = server.client();
    c.get("/interviews");
    for path in [
        "/interviews",
        "/interviews/guarded/answer",
        "/interviews/guarded/correct",
        "/interviews/guarded/next",
        "/interviews/guarded/finish",
    ] {
        let r = c.form(
            path,
            &[
                ("guide", "python-django"),
                ("preset", "recruiter-screen"),
                ("text", "x"),
            ],
        );
        assert_eq!(r.status, 403, "{path}");
        let r = c.form(path, &[("csrf", "wrong"), ("text", "x")]);
        assert_eq!(r.status, 403, "{path}");
    }
    for path in [
        "/api/v1/interviews",
        "/api/v1/interviews/guarded/answer",
        "/api/v1/interviews/guarded/corrections",
        "/api/v1/interviews/guarded/next",
        "/api/v1/interviews/guarded/finish",
    ] {
        let r = c.send("POST", path, Some("application/json"), Some("{}"), &[]);
        assert_eq!(r.status, 403, "{path}");
        assert_eq!(r.json()["error"]["code"], "forbidden");
    }
    // Nothing changed.
    let state = api(&server).get("/api/v1/interviews/guarded").json();
    assert_eq!(state["current"]["answered"], false);
    assert_eq!(state["revision"], 1);
}

#[test]
fn a_typed_answer_is_shown_as_text() {
    let server = Server::start();
    plant(&server, "escape", &["gil"], 5, now_ms());
    let (mut c, csrf) = browser(&server);
    let text = "<script>alert('x')</script> The GIL lets only one thread run bytecode at a \
                time & <b>nothing</b> else.";
    c.form(
        "/interviews/escape/answer",
        &[("csrf", &csrf), ("text", text)],
    );
    let page = c.get("/interviews/escape");
    assert!(!page.body.contains("<script>alert"), "never markup");
    assert!(!page.body.contains("<b>nothing"));
    assert!(
        page.body
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
    );
    assert!(page.body.contains("&amp; &lt;b&gt;nothing&lt;/b&gt; else."));
    let md = c.get("/interviews/escape/report.md");
    assert!(
        md.body.contains("> <script>alert('x')</script>"),
        "Markdown keeps it as typed"
    );
}
