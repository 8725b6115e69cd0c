//! Account security as people meet it, on the real server (SQLite, or PostgreSQL with
//! `MASTERY_TEST_BACKEND=postgres`): two-factor sign-in with codes computed from the secret,
//! personal access tokens on the API, the limits that every instance shares, the security
//! activity page and its counters in `/metrics`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, PASSWORD, Reply, Server};
use mastery_app::accounts::two_factor::{code_at, step_of};
use mastery_storage::Role;

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    body.split(start)
        .nth(1)
        .and_then(|rest| rest.split(end).next())
        .unwrap_or_else(|| panic!("{start:?} not in: {body}"))
}

/// The secret shown on the enrolment page.
fn secret_of(page: &Reply) -> String {
    between(&page.body, r#"id="totp-secret">"#, "<").to_owned()
}

/// The recovery codes shown once.
fn recovery_codes(page: &Reply) -> Vec<String> {
    page.body
        .split(r#"<li><code class="secret">"#)
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_owned())
        .collect()
}

/// The code of the current step plus `ahead` steps (the server accepts one step either
/// side of its clock).
fn code(secret: &str, ahead: i64) -> String {
    code_at(secret, step_of(mastery_storage::now()) + ahead).unwrap()
}

/// Turns two-factor sign-in on for a signed-in client; the secret and recovery codes.
fn enrol(c: &mut Client) -> (String, Vec<String>) {
    let page = c.get("/account/two-factor");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<svg role=\"img\""),
        "a QR code is drawn"
    );
    let secret = secret_of(&page);
    let again = c.get("/account/two-factor");
    assert_eq!(
        secret_of(&again),
        secret,
        "a reload keeps the pending secret"
    );
    let no_password = c.submit(
        "/account/two-factor",
        &[("code", &code(&secret, 0)), ("current", "guess")],
    );
    assert_eq!(no_password.status, 422, "the password is asked too");
    assert!(no_password.body.contains("not your current password"));
    let wrong = c.submit(
        "/account/two-factor",
        &[("code", "000000"), ("current", PASSWORD)],
    );
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("This code is not right"));
    let on = c.submit(
        "/account/two-factor",
        &[("code", &code(&secret, 0)), ("current", PASSWORD)],
    );
    assert_eq!(on.status, 200, "{}", on.body);
    assert!(on.body.contains("Two-factor sign-in is on."));
    let codes = recovery_codes(&on);
    assert_eq!(codes.len(), 10);
    let later = c.get("/account/two-factor");
    assert!(
        !later.body.contains(&codes[0]),
        "recovery codes are shown once"
    );
    assert!(later.body.contains("10 unused recovery codes"));
    (secret, codes)
}

/// Sends the password; the page of the second step.
fn password_step(server: &Server, name: &str) -> (Client, Reply) {
    let mut c = server.client();
    c.get("/sign-in");
    let page = c.submit("/sign-in", &[("login", name), ("password", PASSWORD)]);
    (c, page)
}

fn code_step(c: &mut Client, page: &Reply, code: &str) -> Reply {
    let pending = between(&page.body, r#"name="pending" value=""#, "\"").to_owned();
    c.submit(
        "/sign-in/two-factor",
        &[("pending", &pending), ("code", code), ("next", "/")],
    )
}

#[test]
fn two_factor_sign_in_accepts_each_code_once_and_recovery_codes_once() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut ada = server.signed_in("ada");
    let (secret, codes) = enrol(&mut ada);

    // The password alone no longer signs in: the second step asks for a code.
    let (mut c, page) = password_step(&server, "ada");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("authenticator app"));
    assert_eq!(c.get("/account").status, 303, "not signed in yet");
    let wrong = code_step(&mut c, &page, "123456");
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("This code is not right"));
    // The enrolment used the current step: the next one signs in.
    let next = code(&secret, 1);
    let signed = code_step(&mut c, &page, &next);
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(c.get("/account").status, 200);

    // The same code again, in another browser: refused (replay).
    let (mut other, page) = password_step(&server, "ada");
    let replay = code_step(&mut other, &page, &next);
    assert_eq!(replay.status, 401);
    assert!(replay.body.contains("used already"), "{}", replay.body);
    // A recovery code works once, typed loosely.
    let loose = codes[0].to_uppercase().replace('-', " ");
    assert_eq!(code_step(&mut other, &page, &loose).status, 303);
    let (mut third, page) = password_step(&server, "ada");
    assert_eq!(code_step(&mut third, &page, &codes[0]).status, 401);

    // A pending proof is bound to its browser.
    let (_, page) = password_step(&server, "ada");
    let mut thief = server.client();
    thief.get("/sign-in");
    let stolen = code_step(&mut thief, &page, &codes[1]);
    assert_eq!(stolen.status, 401);
    assert!(stolen.body.contains("sign in again"));

    // The security page tells what happened.
    let events = ada.get("/account/security");
    assert_eq!(events.status, 200);
    for what in [
        "Two-factor sign-in turned on",
        "Signed in",
        "Wrong two-factor code",
        "Recovery code used",
    ] {
        assert!(events.body.contains(what), "{what}: {}", events.body);
    }
    assert!(!events.body.contains(&secret) && !events.body.contains(&codes[0]));
}

#[test]
fn turning_two_factor_off_needs_the_password_and_a_code() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut ada = server.signed_in("ada");
    let (secret, _) = enrol(&mut ada);
    ada.get("/account/two-factor");
    let no_password = ada.submit(
        "/account/two-factor/disable",
        &[("current", "wrong"), ("code", &code(&secret, 1))],
    );
    assert_eq!(no_password.status, 422);
    assert!(no_password.body.contains("not your current password"));
    let no_code = ada.submit(
        "/account/two-factor/disable",
        &[("current", PASSWORD), ("code", "000000")],
    );
    assert_eq!(no_code.status, 422);
    let off = ada.submit(
        "/account/two-factor/disable",
        &[("current", PASSWORD), ("code", &code(&secret, 1))],
    );
    assert_eq!(off.status, 303, "{}", off.body);
    assert!(
        ada.get("/account")
            .body
            .contains("Two-factor sign-in</a>: off")
    );
    server.signed_in("ada");
    assert!(
        ada.get("/account/security")
            .body
            .contains("Two-factor sign-in turned off")
    );
}

#[test]
fn a_site_can_require_two_factors_of_moderators_and_admins() {
    let server = Server::start_multi_user();
    server.add_user("root", Role::Admin);
    server.add_user("mod", Role::Moderator);
    server.add_user("ada", Role::Learner);
    let mut root = server.signed_in("root");
    root.get("/admin/users");
    let saved = root.submit(
        "/admin/site",
        &[("registration", "invitation"), ("staff_two_factor", "yes")],
    );
    assert_eq!(saved.status, 303);
    // The admin is now a learner until they enrol.
    assert_eq!(root.get("/admin/users").status, 403);
    let page = root.get("/account/two-factor");
    assert!(page.body.contains("asks moderators and admins"));

    // A moderator signing in is sent to enrol first.
    let mut m = server.client();
    m.get("/sign-in");
    let signed = m.submit(
        "/sign-in",
        &[("login", "mod"), ("password", PASSWORD), ("next", "/")],
    );
    assert_eq!(signed.status, 303);
    assert_eq!(signed.header("location"), Some("/account/two-factor"));
    // A learner is not.
    let mut a = server.client();
    a.get("/sign-in");
    let signed = a.submit(
        "/sign-in",
        &[("login", "ada"), ("password", PASSWORD), ("next", "/")],
    );
    assert_eq!(signed.header("location"), Some("/"));

    // Once enrolled, the admin is an admin again.
    enrol(&mut root);
    assert_eq!(root.get("/admin/users").status, 200);
}

fn create_token(c: &mut Client, label: &str, scope: &str) -> String {
    c.get("/account/tokens");
    let page = c.submit(
        "/account/tokens",
        &[
            ("label", label),
            ("scope", scope),
            ("days", "30"),
            ("current", PASSWORD),
        ],
    );
    assert_eq!(page.status, 200, "{}", page.body);
    between(&page.body, r#"id="new-token">"#, "<").to_owned()
}

fn bearer(server: &Server, method: &str, path: &str, token: &str, json: Option<&str>) -> Reply {
    let mut c = server.client();
    let auth = format!("Bearer {token}");
    c.send(
        method,
        path,
        json.map(|_| "application/json"),
        json,
        &[("authorization", &auth)],
    )
}

#[test]
fn access_tokens_open_the_api_without_csrf_or_cookies_and_never_manage_the_account() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut ada = server.signed_in("ada");
    let read = create_token(&mut ada, "reader", "read");
    let write = create_token(&mut ada, "writer", "write");
    assert!(read.starts_with("mastery_pat_"));
    let listed = ada.get("/account/tokens");
    assert!(listed.body.contains("reader") && listed.body.contains("writer"));
    assert!(!listed.body.contains(&read), "a token is shown once");

    let me = bearer(&server, "GET", "/api/v1/account", &read, None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["username"], "ada");
    assert!(me.header("set-cookie").is_none(), "no cookie for a token");

    let mark = r#"{"mastered": true}"#;
    let path = "/api/v1/guides/python-django/questions/gil/mark";
    let refused = bearer(&server, "PUT", path, &read, Some(mark));
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("may only read"));
    let done = bearer(&server, "PUT", path, &write, Some(mark));
    assert_eq!(done.status, 200, "no CSRF token needed: {}", done.body);
    assert!(done.header("set-cookie").is_none());

    // A token never reaches the account's pages (password, two factors, tokens).
    for (method, page) in [
        ("GET", "/account/tokens"),
        ("POST", "/account/tokens"),
        ("POST", "/account/password"),
        ("GET", "/account/two-factor"),
    ] {
        let r = bearer(&server, method, page, &write, None);
        match method {
            "GET" => {
                assert_eq!(r.status, 303, "{method} {page}");
                assert!(r.header("location").unwrap().starts_with("/sign-in"));
            }
            _ => assert_eq!(r.status, 403, "{method} {page}: no CSRF token, no session"),
        }
    }
    assert_eq!(ada.get("/account/tokens").body.matches("active").count(), 2);

    // Unknown and revoked tokens are refused; the last use is shown.
    let junk = bearer(&server, "GET", "/api/v1/account", "mastery_pat_nope", None);
    assert_eq!(junk.status, 401);
    let page = ada.get("/account/tokens");
    let id = between(&page.body, "/account/tokens/", "/revoke").to_owned();
    assert_eq!(
        ada.submit(&format!("/account/tokens/{id}/revoke"), &[])
            .status,
        303
    );
    let after = ada.get("/account/tokens");
    assert!(after.body.contains("revoked"));
    // The newest token is listed first: the writer was revoked, the reader still works.
    assert_eq!(
        bearer(&server, "GET", "/api/v1/account", &write, None).status,
        401
    );
    assert_eq!(
        bearer(&server, "GET", "/api/v1/account", &read, None).status,
        200
    );
    let events = ada.get("/account/security").body;
    assert!(events.contains("Access token created") && events.contains("Access token revoked"));
    assert!(events.contains("Access token used"));
}

#[test]
fn sign_in_limits_are_shared_by_every_instance_and_per_network() {
    let a = Server::start_multi_user_behind_proxy(3);
    let b = a.another_instance();
    a.add_user("ada", Role::Learner);
    let mut on_a = a.client();
    on_a.from = Some("203.0.113.7".into());
    let mut on_b = b.client();
    on_b.from = Some("203.0.113.7".into());
    on_a.get("/sign-in");
    on_b.get("/sign-in");
    for on_b_now in [false, true, false] {
        let c = if on_b_now { &mut on_b } else { &mut on_a };
        let r = c.submit("/sign-in", &[("login", "nobody"), ("password", "guess")]);
        assert_eq!(r.status, 401);
    }
    let limited = on_b.submit("/sign-in", &[("login", "ada"), ("password", PASSWORD)]);
    assert_eq!(limited.status, 429, "the other instance counted too");
    assert!(
        limited
            .body
            .contains("Too many sign-in attempts from your network")
    );
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");

    // The same /64 is one network; another address signs in at once.
    let mut v6 = a.client();
    v6.from = Some("2001:db8:1:2::1".into());
    v6.get("/sign-in");
    for i in 0..3 {
        v6.from = Some(format!("2001:db8:1:2::{i:x}"));
        let r = v6.submit(
            "/sign-in",
            &[("login", &format!("v6-{i}")), ("password", "x")],
        );
        assert_eq!(r.status, 401);
    }
    v6.from = Some("2001:db8:1:2:ffff::9".into());
    let r = v6.submit("/sign-in", &[("login", "v6-last"), ("password", "x")]);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("from your network"));
    let mut elsewhere = b.client();
    elsewhere.from = Some("198.51.100.4".into());
    elsewhere.get("/sign-in");
    let ok = elsewhere.submit("/sign-in", &[("login", "ada"), ("password", PASSWORD)]);
    assert_eq!(ok.status, 303, "{}", ok.body);
}

#[test]
fn guessing_one_accounts_password_backs_off_whatever_the_address() {
    let a = Server::start_multi_user_behind_proxy(1000);
    let b = a.another_instance();
    a.add_user("ada", Role::Learner);
    a.add_user("bob", Role::Learner);
    for i in 0..5 {
        let server = if i % 2 == 0 { &a } else { &b };
        let mut c = server.client();
        c.from = Some(format!("192.0.2.{i}"));
        c.get("/sign-in");
        let r = c.submit("/sign-in", &[("login", "ADA"), ("password", "guess")]);
        assert_eq!(r.status, 401, "attempt {i}");
    }
    let mut c = b.client();
    c.from = Some("192.0.2.99".into());
    c.get("/sign-in");
    let locked = c.submit("/sign-in", &[("login", "ada"), ("password", PASSWORD)]);
    assert_eq!(locked.status, 429);
    assert!(
        locked
            .body
            .contains("Too many failed sign-ins to this account")
    );
    let wait: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((30..=60).contains(&wait), "{wait}");
    // Another account is untouched, and a name nobody has backs off the same way.
    let ok = c.submit("/sign-in", &[("login", "bob"), ("password", PASSWORD)]);
    assert_eq!(ok.status, 303);
    let mut d = a.client();
    d.from = Some("192.0.2.100".into());
    d.get("/sign-in");
    for _ in 0..5 {
        d.submit("/sign-in", &[("login", "ghost"), ("password", "x")]);
    }
    let ghost = d.submit("/sign-in", &[("login", "ghost"), ("password", "x")]);
    assert_eq!(ghost.status, 429);
    assert!(
        ghost
            .body
            .contains("Too many failed sign-ins to this account")
    );

    // Ada sees the failures and the pause; /metrics counts them.
    let store = a.store();
    let events = a.block_on(async {
        let ada = store.account_by_key("ada").await.unwrap().unwrap();
        store.security_events(ada.learner, 50).await.unwrap()
    });
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "sign-in-failed").count(), 5);
    assert_eq!(kinds.iter().filter(|k| **k == "locked-out").count(), 1);
    assert!(events.iter().any(|e| e.client == "192.0.2.3"));
    let metrics = a.client().get("/metrics").body;
    assert!(
        metrics.contains(r#"mastery_security_events_total{kind="sign-in-failed"}"#),
        "{metrics}"
    );
}

#[test]
fn sign_up_and_invitation_links_are_limited_per_network() {
    let a = Server::start_multi_user_behind_proxy(2);
    let b = a.another_instance();
    let mut c = a.client();
    c.from = Some("203.0.113.9".into());
    for _ in 0..20 {
        assert_eq!(
            c.get(&format!("/sign-up?invite={}", "a".repeat(64))).status,
            200
        );
    }
    let mut d = b.client();
    d.from = Some("203.0.113.9".into());
    let limited = d.get(&format!("/sign-up?invite={}", "b".repeat(64)));
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    assert!(limited.body.contains("invitation links"));

    let mut e = a.client();
    e.from = Some("198.51.100.1".into());
    e.get("/sign-up");
    for _ in 0..2 {
        let r = e.submit(
            "/sign-up",
            &[("username", "x"), ("email", ""), ("password", "")],
        );
        assert_ne!(r.status, 429);
    }
    let r = e.submit(
        "/sign-up",
        &[("username", "x"), ("email", ""), ("password", "")],
    );
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
}

/// On a private site (nothing but sign-in open to visitors), the second step of sign-in
/// is open too: an admin with two factors still gets in.
#[test]
fn two_factor_sign_in_works_on_a_private_site() {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    let mut admin = server.signed_in("admin");
    let (secret, _) = enrol(&mut admin);
    admin.get("/admin/users");
    let private = admin.submit(
        "/admin/site",
        &[("registration", "invitation"), ("private", "yes")],
    );
    assert_eq!(private.status, 303, "{}", private.body);

    let (mut c, page) = password_step(&server, "admin");
    assert_eq!(page.status, 200, "{}", page.body);
    let signed = code_step(&mut c, &page, &code(&secret, 1));
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(c.get("/admin/users").status, 200);
}
