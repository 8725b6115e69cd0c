//! The web app as a browser and an API client see it: the real server on a random port,
//! a fresh SQLite database per test, the real Python & Django guide.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, Server, guide_dir};
use mastery_content::GuideFiles;
use mastery_storage::{QuestionKey, Storage as _};

const GUIDE: &str = "/guides/python-django";

#[test]
fn pages_render_with_progress_and_security_headers() {
    let server = Server::start();
    let mut c = server.client();
    let home = c.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("Django Interview Guide"),
        "home lists the guide"
    );
    let csp = home.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    assert!(home.header("referrer-policy").is_some());

    let guide = c.get(GUIDE);
    assert_eq!(guide.status, 200);
    assert!(
        guide.body.contains("Core Python internals"),
        "section titles"
    );
    assert!(
        guide.body.contains("data-guide-count>0/"),
        "progress starts at zero"
    );
    assert!(
        guide.body.contains("Mark ‘"),
        "check buttons have accessible names"
    );
    assert!(!guide.body.contains("<script>"), "no inline script");
    assert!(
        guide.body.contains(&format!(
            "href=\"{GUIDE}/anki.apkg\" download>Download for Anki</a>"
        )),
        "the guide page offers the Anki package"
    );
    let package = c.get(&format!("{GUIDE}/anki.apkg"));
    assert_eq!(package.status, 200);
    assert_eq!(package.header("content-type"), Some("application/zip"));
    assert_eq!(
        package.header("content-disposition"),
        Some("attachment; filename=\"python-django.apkg\"")
    );
    assert_eq!(c.get("/guides/no-such-guide/anki.apkg").status, 404);

    let q = c.get(&format!("{GUIDE}/gil"));
    assert_eq!(q.status, 200);
    assert!(q.body.contains("Key points") && q.body.contains("References"));
    assert!(
        q.body.contains("peps.python.org/pep-0703"),
        "references are links"
    );
    assert!(q.body.contains("rel=\"next\""), "next question link");
    assert!(q.body.contains("<hl-k>"), "code is highlighted");
}

#[test]
fn health_and_readiness_probes_answer() {
    let server = Server::start();
    let mut c = server.client();
    let r = c.get("/healthz");
    assert_eq!((r.status, r.body.as_str()), (200, "ok"));
    let r = c.get("/readyz");
    assert_eq!(r.status, 200);
    let backend = if common::on_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert!(
        r.body
            .contains(&format!("{backend} database reachable, migrations current")),
        "{}",
        r.body
    );
}

#[test]
fn unknown_pages_are_friendly_404s_and_api_errors_are_json() {
    let server = Server::start();
    let mut c = server.client();
    for path in [
        "/nope",
        "/guides/nope",
        &format!("{GUIDE}/no-such-question"),
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("Page not found"), "{path}: {}", r.body);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
    }
    let r = c.get("/api/v1/guides/python-django/questions/nope");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
    let r = c.get("/api/v1/search?level=expert");
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown level")
    );
}

#[test]
fn ticking_persists_updates_progress_and_survives_a_restart() {
    let server = Server::start();
    let mut c = server.client();
    c.get(GUIDE);
    let csrf = c.csrf.clone().unwrap();
    let r = c.form(
        &format!("{GUIDE}/gil/mark"),
        &[
            ("csrf", &csrf),
            ("mastered", "true"),
            ("back", "/guides/python-django#gil"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/guides/python-django#gil"));
    // The guide page's forms leave `back` out: the answer goes back to the card.
    let page = c.get(GUIDE);
    assert!(
        !page
            .body
            .contains("name=\"back\" value=\"/guides/python-django#")
    );
    let r = c.form(
        &format!("{GUIDE}/gil/mark"),
        &[("csrf", &csrf), ("mastered", "true")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/guides/python-django#gil"));
    let page = c.get(GUIDE);
    assert!(
        page.body.contains("data-guide-count>1/"),
        "guide progress updated"
    );
    assert!(page.body.contains("class=\"card mastered\" id=\"gil\""));

    let server = server.restart();
    let mut c = server.client();
    let page = c.get(GUIDE);
    assert!(
        page.body.contains("data-guide-count>1/"),
        "the mark survived a restart"
    );

    // The API shows the same and can untick.
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/gil/mark",
        r#"{"mastered": false}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["guide_progress"]["mastered"], 0);
    assert_eq!(r.json()["section"], "core-python");
}

#[test]
fn state_changes_without_a_valid_csrf_token_are_refused() {
    let server = Server::start();
    let mut c = server.client();
    c.get(GUIDE);
    let csrf = c.csrf.clone().unwrap();
    let path = format!("{GUIDE}/gil/mark");
    assert_eq!(
        c.form(&path, &[("mastered", "true")]).status,
        403,
        "no token"
    );
    assert_eq!(
        c.form(&path, &[("csrf", "0000"), ("mastered", "true")])
            .status,
        403,
        "wrong token"
    );
    let cross = c.send(
        "POST",
        &path,
        Some("application/x-www-form-urlencoded"),
        Some(&format!("csrf={csrf}&mastered=true")),
        &[("origin", "https://evil.example")],
    );
    assert_eq!(cross.status, 403, "cross-origin");
    let mut stranger = server.client();
    assert_eq!(
        stranger
            .form(&path, &[("csrf", &csrf), ("mastered", "true")])
            .status,
        403,
        "token of another session"
    );
    let api = c.send(
        "PUT",
        "/api/v1/guides/python-django/questions/gil/mark",
        Some("application/json"),
        Some(r#"{"mastered":true}"#),
        &[],
    );
    assert_eq!(api.status, 403);
    assert_eq!(api.json()["error"]["code"], "forbidden");
    // Nothing changed.
    assert!(c.get(GUIDE).body.contains("data-guide-count>0/"));
}

#[test]
fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let server = Server::start();
    let mut c = server.client();
    c.get(GUIDE);
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/gil/mark",
        r#"{"mastered": "yes"}"#,
    );
    assert!((400..500).contains(&r.status), "{}", r.status);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mastered")
    );
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/gil/mark",
        "{not json",
    );
    assert!((400..500).contains(&r.status));
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/nope/mark",
        r#"{"mastered": true}"#,
    );
    assert_eq!(r.status, 404);
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/cooperative-multitasking/mark",
        r#"{"mastered": true}"#,
    );
    assert_eq!(r.status, 409, "an insight cannot be marked");
    let big = format!(r#"{{"body": "{}"}}"#, "x".repeat(200 * 1024));
    let r = c.put_json("/api/v1/guides/python-django/questions/gil/note", &big);
    assert_eq!(r.status, 413);
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/gil/note",
        &format!(r#"{{"body": "{}"}}"#, "x".repeat(70 * 1024)),
    );
    assert_eq!(r.status, 413, "over the note limit");
    assert!(c.get(GUIDE).body.contains("data-guide-count>0/"));
    assert_eq!(
        c.get("/api/v1/guides/python-django/questions/gil/note")
            .json()["body"],
        ""
    );
}

#[test]
fn refused_json_bodies_get_the_code_of_their_status() {
    let server = Server::start();
    let mut c = server.client();
    c.get(GUIDE);
    let token = c.csrf.clone().unwrap();
    let mark = "/api/v1/guides/python-django/questions/gil/mark";
    let code = |r: &common::Reply| {
        (
            r.status,
            r.json()["error"]["code"].as_str().map(str::to_owned),
        )
    };
    let r = c.send(
        "PUT",
        mark,
        Some("text/plain"),
        Some(r#"{"mastered": true}"#),
        &[("x-csrf-token", &token)],
    );
    assert_eq!(code(&r), (415, Some("unsupported_media_type".into())));
    let r = c.put_json(mark, r#"{"mastered": "yes"}"#);
    assert_eq!(code(&r), (422, Some("unprocessable_entity".into())));
    let r = c.put_json(mark, "{not json");
    assert_eq!(code(&r), (400, Some("bad_request".into())));
}

#[test]
fn notes_are_private_markdown_sanitised_and_deletable() {
    let server = Server::start();
    let mut c = server.client();
    c.get(&format!("{GUIDE}/gil"));
    let csrf = c.csrf.clone().unwrap();
    let r = c.form(
        &format!("{GUIDE}/gil/note"),
        &[
            ("csrf", &csrf),
            (
                "body",
                "**Mutex** per interpreter <script>alert(1)</script>",
            ),
        ],
    );
    assert_eq!(r.status, 303);
    let page = c.get(&format!("{GUIDE}/gil"));
    assert!(
        page.body.contains("<strong>Mutex</strong> per interpreter"),
        "rendered Markdown"
    );
    assert!(!page.body.contains("<script>alert"), "sanitised");
    let textarea = page
        .body
        .split("<textarea")
        .nth(1)
        .unwrap()
        .split("</textarea>")
        .next()
        .unwrap();
    assert!(
        textarea.contains("**Mutex** per interpreter") && textarea.contains("alert(1)"),
        "the source stays editable"
    );
    assert!(
        !textarea.contains("<script"),
        "escaped in the textarea: {textarea}"
    );
    let api = c
        .get("/api/v1/guides/python-django/questions/gil/note")
        .json();
    assert!(api["body"].as_str().unwrap().starts_with("**Mutex**"));
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/gil/note",
        r#"{"body": "  "}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["updated_at"],
        serde_json::Value::Null,
        "an empty note is deleted"
    );
}

#[test]
fn search_finds_answers_code_and_tags_with_filters() {
    let server = Server::start();
    let mut c = server.client();
    // A word from an answer body, not from any title.
    let hits = c.get("/api/v1/search?q=CaptureQueriesContext").json();
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["question"] == "n-plus-one"),
        "{hits}"
    );
    let page = c.get("/search?q=prefetch_related&level=senior");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<mark>prefetch_related</mark>"),
        "matches are highlighted"
    );
    assert!(
        !page.body.contains("pill level-junior\">junior</span></p>"),
        "level filter applied"
    );
    let junior = c.get("/api/v1/search?q=&level=junior").json();
    assert!(
        junior
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["level"] == "junior")
    );
    // The mastered filter uses the learner's marks.
    c.get(GUIDE);
    c.put_json(
        "/api/v1/guides/python-django/questions/gil/mark",
        r#"{"mastered": true}"#,
    );
    let mastered = c.get("/api/v1/search?status=mastered").json();
    let ids: Vec<&str> = mastered
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["question"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gil"]);
    // Without a filter, each result still says whether the learner mastered it.
    let hits = c.get("/api/v1/search?q=gil").json();
    let hits = hits.as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["question"] == "gil" && h["mastered"] == true),
        "{hits:?}"
    );
    assert!(
        hits.len() > 1
            && hits
                .iter()
                .filter(|h| h["question"] != "gil")
                .all(|h| h["mastered"] == false),
        "{hits:?}"
    );
}

#[test]
fn search_returns_the_best_few_it_is_asked_for_and_counts_them_all() {
    let server = Server::start();
    let mut c = server.client();
    let all = c.get("/api/v1/search?q=the");
    let total = all.header("x-total-count").unwrap().to_owned();
    let all = all.json();
    let all = all.as_array().unwrap();
    assert!(all.len() > 3, "{}", all.len());
    let few = c.get("/api/v1/search?q=the&limit=3");
    assert_eq!(
        few.header("x-total-count").unwrap(),
        total,
        "the same count"
    );
    let few = few.json();
    assert_eq!(
        few.as_array().unwrap()[..],
        all[..3],
        "the same best three, in order"
    );
    for bad in ["0", "101"] {
        let r = c.get(&format!("/api/v1/search?q=the&limit={bad}"));
        assert_eq!(r.status, 400, "limit={bad}");
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("1 to 100"), "{message}");
    }
    let doc = c.get("/api/v1/openapi.json").json();
    let limit = doc["paths"]["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .cloned()
        .unwrap();
    assert_eq!(limit["schema"]["maximum"], 100, "{limit}");
}

#[test]
fn questions_that_left_the_guide_are_listed_not_dropped() {
    let server = Server::start();
    let store = server.store();
    server.block_on(async {
        let me = store.personal_learner().await.unwrap();
        store
            .set_mark(
                me,
                &QuestionKey::new("python-django", "renamed-question"),
                true,
                1,
            )
            .await
            .unwrap();
    });
    let mut c = server.client();
    let page = c.get("/settings");
    assert!(
        page.body.contains("python-django/renamed-question"),
        "listed on settings"
    );
    let csrf = c.csrf.clone().unwrap();
    let r = c.form(
        "/settings/forget",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("question", "renamed-question"),
        ],
    );
    assert_eq!(r.status, 303);
    assert!(!c.get("/settings").body.contains("renamed-question"));
}

#[test]
fn assets_are_hashed_cached_and_compressed() {
    let server = Server::start();
    let mut c = server.client();
    let home = c.get("/");
    let css = home
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        css.starts_with("/assets/app.") && css.ends_with(".css"),
        "{css}"
    );
    let r = c.send("GET", &css, None, None, &[("accept-encoding", "gzip")]);
    assert_eq!(r.status, 200);
    assert!(r.header("cache-control").unwrap().contains("immutable"));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(c.get("/assets/app.0000000000.css").status, 404);
}

#[test]
fn theme_choice_is_remembered_in_a_cookie() {
    let server = Server::start();
    let mut c = server.client();
    c.get("/settings");
    let csrf = c.csrf.clone().unwrap();
    let r = c.form(
        "/settings/theme",
        &[("csrf", &csrf), ("theme", "dark"), ("back", "/settings")],
    );
    assert_eq!(r.status, 303);
    let set = r
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("mastery_theme="))
        .unwrap();
    assert!(set.1.contains("mastery_theme=dark"));
    let cookie = format!("{}; mastery_theme=dark", c.cookie.clone().unwrap());
    c.cookie = Some(cookie);
    assert!(c.get("/").body.contains("data-theme=\"dark\""));
    assert_eq!(
        c.form("/settings/theme", &[("csrf", &csrf), ("theme", "neon")])
            .status,
        400
    );
}

#[test]
fn the_openapi_document_matches_the_real_routes() {
    let server = Server::start();
    let mut c = server.client();
    let doc = c.get("/api/v1/openapi.json").json();
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/session",
        "/api/v1/guides",
        "/api/v1/guides/{guide}",
        "/api/v1/guides/{guide}/questions/{question}",
        "/api/v1/guides/{guide}/questions/{question}/mark",
        "/api/v1/guides/{guide}/questions/{question}/note",
        "/api/v1/search",
        "/api/v1/study/queue",
        "/api/v1/study/reviews",
        "/api/v1/study/undo",
        "/api/v1/study/settings",
        "/api/v1/interviews",
        "/api/v1/interviews/presets",
        "/api/v1/interviews/{id}",
        "/api/v1/interviews/{id}/answer",
        "/api/v1/interviews/{id}/corrections",
        "/api/v1/interviews/{id}/next",
        "/api/v1/interviews/{id}/finish",
        "/api/v1/interviews/{id}/report",
    ] {
        assert!(paths.contains_key(expected), "documented: {expected}");
    }
    c.get("/api/v1/session");
    c.csrf = Some(
        c.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            if item[method]["x-access"] == "account" || item[method]["tags"][0] == "community" {
                // Accounts and the community exist only in multi-user mode
                // (tests/accounts.rs and tests/community.rs serve them).
                let real = path
                    .replace("{guide}", "python-django")
                    .replace("{question}", "gil")
                    .replace("{thread}", "1")
                    .replace("{post}", "1")
                    .replace("{suggestion}", "1")
                    .replace("{username}", "ann");
                let token = c.csrf.clone().unwrap_or_default();
                let r = c.send(
                    &method.to_uppercase(),
                    &real,
                    Some("application/json"),
                    Some("{}"),
                    &[("x-csrf-token", &token)],
                );
                assert_eq!(r.status, 404, "{method} {path} on a personal server");
                continue;
            }
            // Each interview route gets an interview of its own, answered when it needs one.
            let interview = if path.contains("{id}") {
                let started = c.post_json(
                    "/api/v1/interviews",
                    r#"{"guide": "python-django", "preset": "recruiter-screen"}"#,
                );
                assert_eq!(started.status, 201, "{}", started.body);
                let id = started.json()["id"].as_str().unwrap().to_owned();
                if real_needs_answer(path) {
                    let r = c.post_json(
                        &format!("/api/v1/interviews/{id}/answer"),
                        r#"{"aloud": true}"#,
                    );
                    assert_eq!(r.status, 200, "{}", r.body);
                }
                id
            } else {
                String::new()
            };
            let real = path
                .replace("{guide}", "python-django")
                .replace("{question}", "gil")
                .replace("{id}", &interview);
            let r = match method.as_str() {
                "get" => c.get(&real),
                "put" if real.ends_with("/mark") => c.put_json(&real, r#"{"mastered": true}"#),
                "put" if real.ends_with("/settings") => c.put_json(
                    &real,
                    r#"{"desired_retention": 0.9, "new_per_day": 20, "reviews_per_day": 200, "day_start_hour": 4, "utc_offset_minutes": 0, "interview_date": ""}"#,
                ),
                "put" => c.put_json(&real, r#"{"body": "note"}"#),
                "post" if real.ends_with("/reviews") => c.post_json(
                    &real,
                    r#"{"guide": "python-django", "question": "gil", "rating": 3, "review_id": "openapi-check-1"}"#,
                ),
                "post" if path == "/api/v1/interviews" => c.post_json(
                    &real,
                    r#"{"guide": "python-django", "preset": "recruiter-screen"}"#,
                ),
                "post" if real.ends_with("/answer") => {
                    c.post_json(&real, r#"{"text": "An answer in a sentence."}"#)
                }
                "post" if real.ends_with("/corrections") => c.post_json(
                    &real,
                    r#"{"item": 0, "key_point": 0, "ticked": true}"#,
                ),
                "post" => c.post_json(&real, "{}"),
                other => panic!("undocumented method {other}"),
            };
            let expected = if method == "post" && path == "/api/v1/interviews" {
                201
            } else {
                200
            };
            assert_eq!(r.status, expected, "{method} {path} is served: {}", r.body);
        }
    }
}

/// Interview routes that need the current question answered first.
fn real_needs_answer(path: &str) -> bool {
    path.ends_with("/corrections") || path.ends_with("/next")
}

#[test]
fn studying_records_reviews_once_and_undo_brings_the_card_back() {
    let server = Server::start();
    let mut c = server.client();
    let page = c.get("/study?guide=python-django");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Show answer"), "a card is shown");
    let q = c.get("/api/v1/study/queue?guide=python-django").json();
    let first = q["current"]["question"].as_str().unwrap().to_owned();
    assert_eq!(q["current"]["kind"], "new");
    let labels: Vec<&str> = q["current"]["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["interval"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 4, "four buttons with intervals: {labels:?}");
    c.get("/api/v1/session");
    c.csrf = Some(
        c.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let body = format!(
        r#"{{"guide": "python-django", "question": "{first}", "rating": 3, "review_id": "review-0001", "time_spent_ms": 4200}}"#
    );
    let r = c.post_json("/api/v1/study/reviews", &body);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["recorded"], true);
    // A retry of the same request changes nothing.
    let retry = c.post_json("/api/v1/study/reviews", &body);
    assert_eq!(retry.json()["recorded"], false);
    let rows = c.get("/api/v1/study/reviews").json();
    assert_eq!(rows.as_array().unwrap().len(), 1, "recorded once: {rows}");
    assert_eq!(rows[0]["review_rating"], 3);
    assert_eq!(rows[0]["review_state"], 0);
    let csv = c.get("/api/v1/study/reviews?format=csv");
    assert!(
        csv.body
            .starts_with("card_id,review_id,review_time,review_rating"),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains(&format!("python-django/{first},review-0001,"))
    );
    // The next card is another question; undo brings the first back.
    let next = c.get("/api/v1/study/queue?guide=python-django").json();
    assert_ne!(next["current"]["question"], first.as_str());
    let u = c.post_json("/api/v1/study/undo", "{}");
    assert_eq!(u.json()["question"], first.as_str());
    assert_eq!(
        c.get("/api/v1/study/queue?guide=python-django").json()["current"]["question"],
        first.as_str()
    );
    assert_eq!(
        c.get("/api/v1/study/reviews")
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn bad_reviews_get_a_clear_4xx_and_change_nothing() {
    let server = Server::start();
    let mut c = server.client();
    c.csrf = Some(
        c.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let cases = [
        (
            r#"{"guide": "python-django", "question": "gil", "rating": 5, "review_id": "review-0002"}"#,
            400,
        ),
        (
            r#"{"guide": "python-django", "question": "gil", "rating": 0, "review_id": "review-0003"}"#,
            400,
        ),
        (
            r#"{"guide": "python-django", "question": "no-such", "rating": 3, "review_id": "review-0004"}"#,
            404,
        ),
        (
            r#"{"guide": "python-django", "question": "cooperative-multitasking", "rating": 3, "review_id": "review-0005"}"#,
            409,
        ),
        (
            r#"{"guide": "python-django", "question": "gil", "rating": 3, "review_id": "no"}"#,
            400,
        ),
        (
            r#"{"guide": "python-django", "question": "gil", "rating": "good", "review_id": "review-0006"}"#,
            422,
        ),
        ("not json", 400),
    ];
    for (body, status) in cases {
        let r = c.post_json("/api/v1/study/reviews", body);
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert!(r.json()["error"]["message"].as_str().is_some());
    }
    let no_token = c.send(
        "POST",
        "/api/v1/study/reviews",
        Some("application/json"),
        Some(cases[0].0),
        &[],
    );
    assert_eq!(no_token.status, 403);
    assert_eq!(
        c.get("/api/v1/study/reviews")
            .json()
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing recorded"
    );
}

#[test]
fn the_study_page_works_without_javascript() {
    let server = Server::start();
    let mut c = server.client();
    let page = c.get("/study");
    let csrf = c.csrf.clone().unwrap();
    let field = |name: &str| {
        page.body
            .split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    let (guide, question, review_id) = (field("guide"), field("question"), field("review_id"));
    let r = c.form(
        "/study/answer",
        &[
            ("csrf", &csrf),
            ("guide", &guide),
            ("question", &question),
            ("rating", "1"),
            ("review_id", &review_id),
            ("back", "/study"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/study"));
    let rows = c.get("/api/v1/study/reviews").json();
    assert_eq!(rows[0]["card_id"], format!("{guide}/{question}"));
    assert_eq!(
        c.form("/study/undo", &[("csrf", &csrf), ("back", "/study")])
            .status,
        303
    );
    assert_eq!(
        c.get("/api/v1/study/reviews")
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn study_settings_interview_date_and_readiness() {
    let server = Server::start();
    let mut c = server.client();
    assert!(
        c.get("/study/readiness")
            .body
            .contains("Set the date of your interview")
    );
    c.get("/settings");
    let csrf = c.csrf.clone().unwrap();
    let form = |retention: &str, date: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("desired_retention", retention.to_owned()),
            ("new_per_day", "10".to_owned()),
            ("reviews_per_day", "100".to_owned()),
            ("day_start_hour", "4".to_owned()),
            ("utc_offset_minutes", "60".to_owned()),
            ("interview_date", date.to_owned()),
        ]
    };
    let send = |c: &mut Client, fields: Vec<(&str, String)>| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.form("/settings/study", &pairs)
    };
    assert_eq!(
        send(&mut c, form("1.5", "")).status,
        400,
        "retention out of range"
    );
    assert_eq!(
        send(&mut c, form("0.9", "2026-02-30")).status,
        400,
        "not a date"
    );
    assert_eq!(send(&mut c, form("0.85", "2099-06-01")).status, 303);
    let page = c.get("/settings");
    assert!(
        page.body.contains("value=\"0.85\"") && page.body.contains("value=\"2099-06-01\""),
        "saved"
    );
    // The new-per-day limit applies to the queue.
    assert_eq!(c.get("/api/v1/study/queue").json()["new"], 10);
    let r = c.get("/study/readiness");
    assert!(
        r.body.contains("2099-06-01") && r.body.contains("Core Python internals"),
        "per-section readiness"
    );
    assert!(r.body.contains("0%"), "nothing studied yet predicts 0%");
    // Too few reviews to fit parameters: a clear sentence, nothing saved.
    assert_eq!(c.form("/settings/optimize", &[("csrf", &csrf)]).status, 303);
    assert!(
        c.get("/settings")
            .body
            .contains("Not fitted: personal parameters need at least 64 reviews")
    );
}

#[test]
fn study_settings_over_the_api() {
    let server = Server::start();
    let mut c = server.client();
    let s = c.get("/api/v1/study/settings").json();
    assert_eq!(
        (s["new_per_day"].as_u64(), s["interview_date"].as_str()),
        (Some(20), Some(""))
    );
    c.csrf = Some(
        c.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let good = r#"{"desired_retention": 0.8, "new_per_day": 5, "reviews_per_day": 50, "day_start_hour": 3, "utc_offset_minutes": -300, "interview_date": "2099-01-31"}"#;
    let r = c.put_json("/api/v1/study/settings", good);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["utc_offset_minutes"], -300);
    assert_eq!(c.get("/api/v1/study/queue").json()["new"], 5);
    let bad = good.replace("0.8", "1.2");
    assert_eq!(c.put_json("/api/v1/study/settings", &bad).status, 400);
    let unknown = good.replace("\"new_per_day\"", "\"new_a_day\"");
    assert!((400..500).contains(&c.put_json("/api/v1/study/settings", &unknown).status));
    assert_eq!(
        c.get("/api/v1/study/settings").json()["desired_retention"]
            .as_f64()
            .map(|v| (v * 100.0).round()),
        Some(80.0)
    );
}

#[test]
fn predict_the_output_is_graded_exactly() {
    let guide = mastery_content::load_guide(&GuideFiles::from_dir(&guide_dir()).unwrap())
        .guide
        .unwrap();
    let (entry, index, expected) = guide
        .questions()
        .find_map(|e| {
            e.examples
                .iter()
                .enumerate()
                .find(|(_, x)| {
                    x.predict && !x.expected_output.as_deref().unwrap_or("").contains("[..]")
                })
                .map(|(i, x)| (e.id.to_string(), i, x.expected_output.clone().unwrap()))
        })
        .unwrap();
    let server = Server::start();
    let mut c = server.client();
    c.get("/study");
    let csrf = c.csrf.clone().unwrap();
    let index = index.to_string();
    let post = |c: &mut Client, output: &str| {
        c.form(
            "/study/predict",
            &[
                ("csrf", &csrf),
                ("guide", "python-django"),
                ("question", &entry),
                ("example", &index),
                ("output", output),
            ],
        )
    };
    // Trailing spaces and a final blank line do not matter.
    let right = post(&mut c, &format!("{}  \n\n", expected.trim_end()));
    assert_eq!(right.status, 200);
    assert!(
        right
            .body
            .contains("Correct: that is exactly what it prints."),
        "graded right"
    );
    let wrong = post(&mut c, "definitely not the output");
    assert!(
        wrong.body.contains("Not quite. It prints:")
            && wrong.body.contains("definitely not the output")
    );
    let bad = c.form(
        "/study/predict",
        &[
            ("csrf", &csrf),
            ("guide", "python-django"),
            ("question", &entry),
            ("example", "99"),
            ("output", "x"),
        ],
    );
    assert_eq!(bad.status, 400);
    assert_eq!(
        c.get("/api/v1/study/reviews")
            .json()
            .as_array()
            .unwrap()
            .len(),
        0,
        "grading records nothing"
    );
}

#[test]
fn requests_for_other_host_names_are_refused() {
    // A page on a domain the attacker rebinds to 127.0.0.1 sends its own name as Host.
    let server = Server::start();
    let mut c = server.client();
    let r = c.send(
        "GET",
        "/api/v1/session",
        None,
        None,
        &[("host", "evil.example:8080")],
    );
    assert_eq!(r.status, 421, "{}", r.body);
    assert!(
        r.header("set-cookie").is_none(),
        "no session for a foreign host"
    );
    let r = c.send("GET", "/", None, None, &[("host", "localhost:8080")]);
    assert_eq!(r.status, 200);
    // Probes and assets carry no session cookie.
    let r = c.get("/healthz");
    assert!(r.header("set-cookie").is_none());
}

#[test]
fn review_fixes_note_limit_and_atomic_settings() {
    let server = Server::start();
    let mut c = server.client();
    c.get(&format!("{GUIDE}/gil"));
    let csrf = c.csrf.clone().unwrap();
    let long = "é".repeat(40 * 1024); // 80 KiB of UTF-8, 240 KiB URL-encoded
    let r = c.form(
        &format!("{GUIDE}/gil/note"),
        &[("csrf", &csrf), ("body", &long)],
    );
    assert_eq!(
        r.status, 413,
        "over the note limit, with a clear status: {}",
        r.body
    );
    let ok = "é".repeat(20 * 1024); // 40 KiB: allowed even URL-encoded
    assert_eq!(
        c.form(
            &format!("{GUIDE}/gil/note"),
            &[("csrf", &csrf), ("body", &ok)]
        )
        .status,
        303
    );
    c.csrf = Some(
        c.get("/api/v1/session").json()["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let bad_date = r#"{"desired_retention": 0.8, "new_per_day": 3, "reviews_per_day": 50, "day_start_hour": 3, "utc_offset_minutes": 0, "interview_date": "2026-02-30"}"#;
    assert_eq!(c.put_json("/api/v1/study/settings", bad_date).status, 400);
    assert_eq!(
        c.get("/api/v1/study/settings").json()["new_per_day"],
        20,
        "nothing saved"
    );
    let huge_offset = bad_date.replace("2026-02-30", "").replace(
        "\"utc_offset_minutes\": 0",
        "\"utc_offset_minutes\": -2147483648",
    );
    assert_eq!(
        c.put_json("/api/v1/study/settings", &huge_offset).status,
        400
    );
}

/// The guide page as served to a browser, body as bytes (for compressed bodies).
fn raw_guide_page(server: &Server, c: &Client, encoding: &str) -> (Option<String>, Vec<u8>) {
    let request = ureq::http::Request::builder()
        .uri(format!("{}{GUIDE}", server.base))
        .header("cookie", c.cookie.clone().unwrap())
        .header("accept-encoding", encoding)
        .body(())
        .unwrap();
    let response = common::agent().run(request).unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let coding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    (coding, response.into_body().read_to_vec().unwrap())
}

/// Signed in, the kept guide page follows the learner's data whoever writes it: a tick
/// written through another instance's store shows on the very next load (the data
/// revision comes with the session: no waiting, no extra query), and one member's kept
/// page never goes to another.
#[test]
fn signed_in_guide_pages_follow_writes_from_every_instance() {
    let a = Server::start_multi_user();
    let b = a.another_instance();
    let ada = a.add_user("ada", mastery_storage::Role::Learner);
    a.add_user("bob", mastery_storage::Role::Learner);
    let mut ada_browser = a.signed_in("ada");
    let mut bob_browser = a.signed_in("bob");
    let ticked = r#"class="card mastered" id="gil""#;
    let first = ada_browser.get(GUIDE);
    assert_eq!(first.status, 200);
    assert!(!first.body.contains(ticked));
    assert_eq!(
        ada_browser.get(GUIDE).body,
        first.body,
        "kept: nothing changed"
    );

    let store = b.store();
    b.block_on(async {
        store
            .set_mark(ada, &QuestionKey::new("python-django", "gil"), true, 1)
            .await
            .unwrap();
    });
    let page = ada_browser.get(GUIDE);
    assert!(
        page.body.contains(ticked),
        "the other instance's tick shows at once"
    );
    assert!(page.body.contains("data-guide-count>1/"));

    let bobs = bob_browser.get(GUIDE);
    assert!(!bobs.body.contains(ticked), "Ada's ticks are hers");
    assert!(bobs.body.contains("signed in as bob"));
    assert!(!bobs.body.contains("signed in as ada"));
}

/// The finished guide page is kept until the learner's data changes: it is sent
/// `no-store` (Back never shows old marks), gzip and brotli copies decode to the very same
/// HTML, and a tick (through this server, or on the same SQLite file from another process
/// such as `mastery study`) shows on the next load.
#[test]
fn guide_pages_compress_and_follow_every_change() {
    use std::io::Read as _;
    let server = Server::start();
    let mut c = server.client();
    let first = c.get(GUIDE);
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("cache-control"),
        Some("no-store"),
        "Back must not show old marks"
    );
    assert!(first.header("vary").unwrap().contains("cookie"));
    assert!(first.header("content-encoding").is_none());
    assert!(
        first.header("etag").is_none(),
        "no-store: nothing to revalidate"
    );
    assert_eq!(c.get(GUIDE).body, first.body, "nothing changed");

    let (coding, gz) = raw_guide_page(&server, &c, "gzip, deflate");
    assert_eq!(coding.as_deref(), Some("gzip"));
    let mut html = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut html)
        .unwrap();
    assert_eq!(html, first.body);
    // Spliced from segments compressed alone (see prerender): less than a whole-page
    // gzip would reach, made in a fraction of the time.
    assert!(gz.len() * 2 < html.len(), "{} of {}", gz.len(), html.len());
    // A browser that takes both gets the gzip copy made with the page (no brotli made on
    // the request's path); a client that takes only brotli gets brotli.
    let (coding, both) = raw_guide_page(&server, &c, "gzip, deflate, br, zstd");
    assert_eq!(coding.as_deref(), Some("gzip"));
    assert_eq!(both, gz);
    let (coding, br) = raw_guide_page(&server, &c, "br");
    assert_eq!(coding.as_deref(), Some("br"));
    assert!(br.len() < gz.len());
    let mut html = Vec::new();
    brotli::BrotliDecompress(&mut &br[..], &mut html).unwrap();
    assert_eq!(html, first.body.as_bytes());

    // A tick through the API: the next load shows it.
    let r = c.put_json(
        "/api/v1/guides/python-django/questions/gil/mark",
        r#"{"mastered": true}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let after = c.get(GUIDE);
    assert_eq!(after.status, 200);
    assert!(after.body.contains("class=\"card mastered\" id=\"gil\""));
    assert!(after.body.contains("data-guide-count>1/"));
    // A second browser session gets its own page (its own CSRF token).
    let mut other_browser = server.client();
    let page = other_browser.get(GUIDE);
    assert_ne!(other_browser.csrf, c.csrf);
    assert!(page.body.contains(other_browser.csrf.as_deref().unwrap()));
    assert!(!page.body.contains(c.csrf.as_deref().unwrap()));

    // A write behind the server's back: on SQLite, from another store on the same file
    // (as another process would); it shows within a second (the pages' keeping time).
    let key = QuestionKey::new("python-django", "decorators");
    if common::on_postgres() {
        server.block_on(async {
            let store = server.store();
            let learner = store.personal_learner().await.unwrap();
            store.set_mark(learner, &key, true, 1).await.unwrap();
        });
    } else {
        let db = server.db.clone();
        server.block_on(async move {
            let other = mastery_storage_sqlite::SqliteStore::open(db.to_str().unwrap())
                .await
                .unwrap();
            let learner = other.personal_learner().await.unwrap();
            other.set_mark(learner, &key, true, 1).await.unwrap();
            other.close().await;
        });
        std::thread::sleep(std::time::Duration::from_millis(1_100));
    }
    let page = c.get(GUIDE);
    assert!(
        page.body
            .contains("class=\"card mastered\" id=\"decorators\"")
    );
    assert!(page.body.contains("data-guide-count>2/"));
}
