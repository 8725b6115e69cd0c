//! Every route, as every role: anonymous, learner A, learner B, a moderator and an admin.
//!
//! The API part walks every operation of the OpenAPI document (so a new operation is walked
//! without anyone editing this test) and checks it against its `x-access`; the page part
//! walks every page and form route. Learner A owns a note, a mark, a review, settings and
//! an interview; the others must never see A's note, must get 404 for A's interview, and
//! must leave all of A's data exactly as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, Server};
use mastery_storage::{LearnerId, Role};
use serde_json::{Value, json};

const SECRET: &str = "A-SECRET-NOTE-7f3a";

struct World {
    server: Server,
    a: LearnerId,
    interview: String,
}

fn world() -> World {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    server.add_user("moderator", Role::Moderator);
    let a = server.add_user("learner-a", Role::Learner);
    server.add_user("learner-b", Role::Learner);
    let mut c = server.signed_in("learner-a");
    c.get("/guides/python-django/gil");
    assert_eq!(
        c.submit("/guides/python-django/gil/note", &[("body", SECRET)])
            .status,
        303
    );
    assert_eq!(
        c.submit("/guides/python-django/gil/mark", &[("mastered", "true")])
            .status,
        303
    );
    // A's access token is number 1.
    c.get("/account/tokens");
    let token = c.submit(
        "/account/tokens",
        &[
            ("label", "a's script"),
            ("scope", "read"),
            ("days", ""),
            ("current", common::PASSWORD),
        ],
    );
    assert!(token.body.contains("mastery_pat_"), "{}", token.body);
    c.get("/api/v1/session");
    let session = c.get("/api/v1/session").json();
    c.csrf = Some(session["csrf_token"].as_str().unwrap().to_owned());
    let started = c.post_json(
        "/api/v1/interviews",
        r#"{"guide": "python-django", "preset": "recruiter-screen"}"#,
    );
    assert!(started.status < 300, "{}", started.body);
    let interview = started.json()["id"].as_str().unwrap().to_owned();
    // A's suggestion, number 1: everyone reads it; only A changes or withdraws it.
    let preview = c.post_json(
        "/api/v1/suggestions/preview",
        r#"{"guide": "python-django", "question": "gil", "text": ""}"#,
    );
    let text = preview.json()["current_text"].as_str().unwrap().to_owned();
    let line = text
        .lines()
        .skip(1)
        .find(|l| l.len() > 40 && !l.contains(':') && !l.starts_with(['#', '-', '`', '|', ' ']))
        .unwrap()
        .to_owned();
    let better = text.replacen(&line, &format!("{line} (Said more clearly.)"), 1);
    let suggested = c.post_json(
        "/api/v1/suggestions",
        &serde_json::json!({"guide": "python-django", "question": "gil", "summary": "Clearer", "text": better})
            .to_string(),
    );
    assert_eq!(suggested.status, 201, "{}", suggested.body);
    assert_eq!(suggested.json()["id"], 1);
    // Team 1, which A joined sharing their progress (its coach is the admin, who manages
    // every team): the others must not see it.
    let mut admin = server.signed_in("admin");
    admin.get("/teams");
    let created = admin.submit(
        "/teams",
        &[("name", "A's cohort"), ("guides", "python-django")],
    );
    assert_eq!(
        created.header("location"),
        Some("/teams/1"),
        "{}",
        created.body
    );
    admin.get("/teams/1");
    let page = admin.submit("/teams/1/links", &[("days", "7")]);
    let token = page
        .body
        .split("/teams/join/")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    c.get(&format!("/teams/join/{token}"));
    let joined = c.submit(&format!("/teams/join/{token}"), &[("share", "yes")]);
    assert_eq!(joined.status, 303, "{}", joined.body);
    World {
        server,
        a,
        interview,
    }
}

/// What A owns, to compare before and after the others walk.
fn a_state(w: &World) -> String {
    let store = w.server.store();
    let dump = w.server.block_on(store.export_all()).unwrap();
    let own = |l: LearnerId| l == w.a;
    let teams = w.server.block_on(store.teams_of(w.a)).unwrap();
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{teams:?}",
        dump.marks
            .iter()
            .filter(|m| own(m.learner))
            .collect::<Vec<_>>(),
        dump.notes
            .iter()
            .filter(|m| own(m.learner))
            .collect::<Vec<_>>(),
        dump.cards
            .iter()
            .filter(|m| own(m.learner))
            .collect::<Vec<_>>(),
        dump.reviews.iter().filter(|m| own(m.learner)).count(),
        dump.settings
            .iter()
            .filter(|m| own(m.learner))
            .collect::<Vec<_>>(),
        dump.interviews
            .iter()
            .filter(|m| own(m.learner))
            .collect::<Vec<_>>(),
    )
}

/// A client for each role but A (A walks last).
fn others(server: &Server) -> Vec<(&'static str, Client)> {
    let mut anonymous = server.client();
    anonymous.get("/sign-in");
    vec![
        ("anonymous", anonymous),
        ("b", server.signed_in("learner-b")),
        ("mod", server.signed_in("moderator")),
        ("admin", server.signed_in("admin")),
    ]
}

/// A body that matches `schema` as simply as possible: required fields only.
fn sample(schema: &Value, doc: &Value) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return sample(&doc["components"]["schemas"][name], doc);
    }
    if let Some(first) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return sample(&first[0], doc);
    }
    if let Some(all) = schema["allOf"].as_array() {
        return sample(&all[0], doc);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds[0].as_str().unwrap_or("null").to_owned(),
        Value::String(kind) => kind.clone(),
        _ => "object".to_owned(),
    };
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    match kind.as_str() {
        "string" => json!("python-django"),
        "integer" => json!(schema["minimum"].as_i64().unwrap_or(1).max(0)),
        "number" => json!(schema["minimum"].as_f64().unwrap_or(0.9)),
        "boolean" => json!(false),
        "array" => json!([]),
        _ => {
            let mut out = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                out.insert(name.to_owned(), sample(&schema["properties"][name], doc));
            }
            Value::Object(out)
        }
    }
}

fn concrete(path: &str, interview: &str) -> String {
    path.replace("{team}", "1")
        .replace("{assignment}", "1")
        .replace("{suggestion}", "1")
        .replace("{guide}", "python-django")
        .replace("{question}", "gil")
        .replace("{id}", interview)
}

fn call(c: &mut Client, method: &str, path: &str, body: Option<&Value>) -> common::Reply {
    let token = c.csrf.clone().unwrap_or_default();
    match body {
        Some(body) => c.send(
            &method.to_uppercase(),
            path,
            Some("application/json"),
            Some(&body.to_string()),
            &[("x-csrf-token", &token)],
        ),
        None => c.send(
            &method.to_uppercase(),
            path,
            None,
            None,
            &[("x-csrf-token", &token)],
        ),
    }
}

#[test]
fn every_api_operation_answers_each_role_as_its_access_says() {
    let w = world();
    let doc: Value = w.server.client().get("/api/v1/openapi.json").json();
    let before = a_state(&w);
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let access = op["x-access"].as_str().unwrap_or_else(|| {
                panic!("{method} {path} does not say who may use it (x-access)")
            });
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .is_object()
                .then(|| {
                    sample(
                        &op["requestBody"]["content"]["application/json"]["schema"],
                        &doc,
                    )
                });
            operations.push((path.clone(), method.clone(), access.to_owned(), body));
        }
    }
    assert!(operations.len() >= 20, "the walk covers the whole API");
    // Learner B's script: a read-write access token, no cookie, no CSRF token.
    let mut b = w.server.signed_in("learner-b");
    b.get("/account/tokens");
    let page = b.submit(
        "/account/tokens",
        &[
            ("label", "b's script"),
            ("scope", "write"),
            ("days", ""),
            ("current", common::PASSWORD),
        ],
    );
    let token = page
        .body
        .split(r#"id="new-token">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    let mut script = w.server.client();
    script.bearer = Some(token);
    let mut roles = others(&w.server);
    roles.push(("b by token", script));
    for (role, mut c) in roles {
        if c.bearer.is_none() {
            // Each client holds its own session's token for the API.
            let token = c.get("/api/v1/session").json()["csrf_token"]
                .as_str()
                .unwrap()
                .to_owned();
            c.csrf = Some(token);
        }
        for (path, method, access, body) in &operations {
            let url = concrete(path, &w.interview);
            let reply = call(&mut c, method, &url, body.as_ref());
            let what = format!(
                "{role}: {method} {url} ({access}) -> {} {}",
                reply.status, reply.body
            );
            assert!(reply.status < 500, "{what}");
            assert!(!reply.body.contains(SECRET), "A's note leaked: {what}");
            if c.bearer.is_some() {
                assert!(
                    reply.header("set-cookie").is_none(),
                    "a token gets no cookie: {what}"
                );
                assert!(
                    !(reply.status == 403 && reply.body.contains("CSRF")),
                    "a token needs no CSRF token: {what}"
                );
            }
            match (role, access.as_str()) {
                ("anonymous", "public") => assert_ne!(reply.status, 401, "{what}"),
                ("anonymous", _) => assert_eq!(reply.status, 401, "{what}"),
                (_, _) => assert_ne!(reply.status, 401, "{what}"),
            }
            if path.contains("{team}") && role != "anonymous" {
                // A's team: only its coach (the admin) sees it; the admin is no member, so
                // has no sharing to change.
                let admin_sees = role == "admin" && method == "get";
                assert_eq!(reply.status, if admin_sees { 200 } else { 404 }, "{what}");
                assert!(
                    role == "admin" || !reply.body.contains("learner-a"),
                    "A's name leaked: {what}"
                );
            }
            if role != "anonymous" && path.contains("{id}") {
                // A's interview, named by someone else: as if it did not exist.
                assert!(
                    reply.status == 404 || (method != "get" && reply.status == 422),
                    "{what}"
                );
                if method == "get" {
                    assert_eq!(reply.status, 404, "{what}");
                }
            }
        }
    }
    assert_eq!(a_state(&w), before, "nobody else changed A's data");
    // A sees their own.
    let mut a = w.server.signed_in("learner-a");
    let note = a.get("/api/v1/guides/python-django/questions/gil");
    assert!(note.body.contains(SECRET), "{}", note.body);
    assert_eq!(
        a.get(&format!("/api/v1/interviews/{}", w.interview)).status,
        200
    );
}

#[test]
fn every_page_and_form_answers_each_role_as_it_should() {
    let w = world();
    let id = w.interview.clone();
    let admin_only = ["/admin/users", "/admin/invites"];
    let personal = [
        "/study",
        "/study/readiness",
        "/stats",
        "/settings",
        "/interviews",
        "/account",
        "/account/data.json",
        "/account/two-factor",
        "/account/tokens",
        "/account/security",
        "/settings/data.json",
        "/teams",
        "/notifications",
        "/guides/python-django/gil/suggest",
    ];
    // A's team: its coach (the admin) sees it, anyone else is told it does not exist.
    let team_pages = ["/teams/1", "/teams/1/members.csv"];
    let team_forms = [
        "/teams/1/settings".to_owned(),
        "/teams/1/coaches".to_owned(),
        "/teams/1/invite".to_owned(),
        format!("/teams/1/people/{}/remove", w.a.0),
        "/teams/1/links".to_owned(),
        "/teams/1/links/1/revoke".to_owned(),
        "/teams/1/accept".to_owned(),
        "/teams/1/sharing".to_owned(),
        "/teams/1/leave".to_owned(),
    ];
    let public = [
        "/",
        "/guides/python-django",
        "/guides/python-django/gil",
        "/guides/python-django/anki.apkg",
        "/search?q=gil",
        "/sign-up",
        "/forgot-password",
        "/suggestions",
        "/suggestions?state=all",
        "/suggestions/1",
        "/leaderboard",
    ];
    let as_owner = [
        format!("/interviews/{id}"),
        format!("/interviews/{id}/report"),
        format!("/interviews/{id}/report.md"),
    ];
    let forms: Vec<String> = [
        "/guides/python-django/gil/mark",
        "/guides/python-django/gil/note",
        "/settings/study",
        "/settings/optimize",
        "/settings/forget",
        "/settings/data",
        "/study/answer",
        "/study/undo",
        "/study/predict",
        "/interviews",
        "/account/email",
        "/account/email/verify",
        "/account/password",
        "/account/sessions/end",
        "/account/sessions/end-others",
        "/account/delete",
        "/account/two-factor",
        "/account/two-factor/disable",
        "/account/tokens",
        "/notifications/read",
        "/account/profile",
        "/sign-out",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let owner_forms = [
        format!("/interviews/{id}/answer"),
        format!("/interviews/{id}/correct"),
        format!("/interviews/{id}/next"),
        format!("/interviews/{id}/finish"),
    ];
    let admin_forms = [
        "/admin/site".to_owned(),
        "/admin/invites".to_owned(),
        format!("/admin/users/{}/role", w.a.0),
        format!("/admin/users/{}/disable", w.a.0),
        "/admin/invites/1/revoke".to_owned(),
    ];
    let before = a_state(&w);
    for (role, mut c) in others(&w.server) {
        let signed_in = role != "anonymous";
        for path in public {
            let reply = c.get(path);
            assert_eq!(reply.status, 200, "{role} GET {path}");
            assert!(
                !reply.body.contains(SECRET),
                "{role} GET {path} shows A's note"
            );
        }
        // The sign-in page, or home for who is signed in already.
        let expected = if signed_in { 303 } else { 200 };
        assert_eq!(c.get("/sign-in").status, expected, "{role} GET /sign-in");
        for path in personal {
            let reply = c.get(path);
            let expected = if signed_in { 200 } else { 303 };
            assert_eq!(reply.status, expected, "{role} GET {path}: {}", reply.body);
            assert!(
                !reply.body.contains(SECRET),
                "{role} GET {path} shows A's note"
            );
        }
        for path in admin_only {
            let expected = match role {
                "anonymous" => 303,
                "admin" => 200,
                _ => 403,
            };
            assert_eq!(c.get(path).status, expected, "{role} GET {path}");
        }
        for path in team_pages {
            let expected = match role {
                "anonymous" => 303,
                "admin" => 200,
                _ => 404,
            };
            let reply = c.get(path);
            assert_eq!(reply.status, expected, "{role} GET {path}");
            assert!(
                !reply.body.contains(SECRET),
                "{role} GET {path} shows A's note"
            );
        }
        if role != "admin" {
            for path in &team_forms {
                let reply = c.submit(path, &[("username", "learner-b"), ("share", "no")]);
                let expected = if signed_in { 404 } else { 303 };
                assert_eq!(reply.status, expected, "{role} POST {path}: {}", reply.body);
            }
            let delete = c.submit("/teams/1/delete", &[]);
            assert_eq!(
                delete.status,
                if signed_in { 403 } else { 303 },
                "{role} delete"
            );
        }
        // A's profile is private: nobody sees it, as if there were no such member.
        assert_eq!(
            c.get("/members/learner-a").status,
            404,
            "{role} GET /members/learner-a"
        );
        // A's suggestion: moderators may change and decide it; nobody else but A.
        let edit = c.get("/suggestions/1/edit");
        let expected = match role {
            "anonymous" => 303,
            "mod" | "admin" => 200,
            _ => 403,
        };
        assert_eq!(edit.status, expected, "{role} GET /suggestions/1/edit");
        let decided = c.submit("/suggestions/1/decide", &[("verdict", "reject")]);
        let expected = match role {
            "anonymous" => 303,
            "mod" | "admin" => 422,
            _ => 403,
        };
        assert_eq!(
            decided.status, expected,
            "{role} POST /suggestions/1/decide"
        );
        let withdrawn = c.submit("/suggestions/1/withdraw", &[]);
        assert_eq!(
            withdrawn.status,
            if signed_in { 403 } else { 303 },
            "{role} POST /suggestions/1/withdraw"
        );
        let voted = c.submit("/suggestions/1/vote", &[("value", "0")]);
        assert_eq!(voted.status, 303, "{role} POST /suggestions/1/vote");
        if role == "b" {
            let changed = c.submit(
                "/suggestions/1/edit",
                &[("summary", "mine now"), ("text", "## x"), ("step", "send")],
            );
            assert_eq!(changed.status, 403, "b POST /suggestions/1/edit");
        }
        for path in &as_owner {
            let expected = if signed_in { 404 } else { 303 };
            assert_eq!(c.get(path).status, expected, "{role} GET {path}");
        }
        for path in &owner_forms {
            // Well-formed posts, so that only ownership decides.
            let fields: &[(&str, &str)] = if path.ends_with("/correct") {
                &[("item", "0"), ("key_point", "0"), ("ticked", "true")]
            } else {
                &[("item", "0"), ("text", "an answer")]
            };
            let reply = c.submit(path, fields);
            let expected = if signed_in { 404 } else { 303 };
            assert_eq!(reply.status, expected, "{role} POST {path}: {}", reply.body);
        }
        // Someone else's token (or none) is not found; a forged second-step proof signs
        // nobody in.
        let revoke = c.submit("/account/tokens/1/revoke", &[]);
        assert_eq!(
            revoke.status,
            if signed_in { 404 } else { 303 },
            "{role} POST /account/tokens/1/revoke"
        );
        let forged = c.submit(
            "/sign-in/two-factor",
            &[
                ("pending", &format!("{}.9999999999999.00", w.a.0)),
                ("code", "123456"),
            ],
        );
        assert_eq!(forged.status, 401, "{role} POST /sign-in/two-factor");
        // Forged e-mail links find nothing (and change nothing of A's).
        let link = format!("/reset-password/{}", "A".repeat(43));
        assert_eq!(c.get(&link).status, 410, "{role} GET {link}");
        assert_eq!(
            c.submit(&link, &[("password", "a new password for someone")])
                .status,
            410,
            "{role} POST {link}"
        );
        let verify = format!("/account/email/verify/{}", "A".repeat(43));
        assert_eq!(c.get(&verify).status, 410, "{role} GET {verify}");
        // Single sign-on is not set up on this server: its routes are not found, for
        // everyone (tests/single_sign_on.rs walks them on a server where it is).
        for (method, path) in [
            ("POST", "/sign-in/sso"),
            ("GET", "/sign-in/sso/callback?code=x&state=y"),
            ("POST", "/sign-in/sso/link"),
        ] {
            let reply = if method == "GET" {
                c.get(path)
            } else {
                c.submit(path, &[("pending", "1.2.3.4"), ("password", "x")])
            };
            assert_eq!(reply.status, 404, "{role} {method} {path}");
        }
        if !signed_in {
            for path in forms.iter().chain(&admin_forms) {
                let reply = c.submit(path, &[]);
                assert_eq!(reply.status, 303, "anonymous POST {path}");
                assert!(reply.header("location").unwrap().starts_with("/sign-in"));
            }
        } else if role != "admin" {
            for path in &admin_forms {
                assert_eq!(c.submit(path, &[]).status, 403, "{role} POST {path}");
            }
        }
    }
    assert_eq!(a_state(&w), before, "nobody else changed A's data");
}
