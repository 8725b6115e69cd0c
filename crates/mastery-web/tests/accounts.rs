//! Multi-user mode through HTTP, as a browser uses it: the setup link, registration modes,
//! sign-up and sign-in rules, sessions (new id at sign-in, sign-out on the server, listing
//! and ending them, two instances sharing them), password changes, admin actions, the
//! private site, the data download and account deletion. Every test runs on SQLite, and on
//! PostgreSQL with `MASTERY_TEST_BACKEND=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, PASSWORD, Server, test_accounts};
use mastery_storage::Role;

/// The stored key of a username (case and look-alikes folded: "admin" is "adrnin").
fn key(name: &str) -> String {
    mastery_app::accounts::names::username_key(name)
}

fn location(reply: &common::Reply) -> String {
    reply.header("location").unwrap_or_default().to_owned()
}

fn setup_token(server: &Server) -> Option<String> {
    let store = server.store();
    server.block_on(async { test_accounts().setup_token(store.as_ref()).await.unwrap() })
}

/// A fresh browser that has loaded the sign-in page (so it holds a CSRF token).
fn visitor(server: &Server) -> Client {
    let mut c = server.client();
    assert_eq!(c.get("/sign-in").status, 200);
    c
}

#[test]
fn a_personal_server_has_no_account_pages() {
    let server = Server::start();
    let mut c = server.client();
    for path in [
        "/sign-in",
        "/sign-up",
        "/account",
        "/admin/users",
        "/api/v1/account",
    ] {
        assert_eq!(c.get(path).status, 404, "{path}");
    }
    let home = c.get("/");
    assert_eq!(home.status, 200);
    assert!(
        !home.body.contains("Sign in"),
        "no sign-in link in personal mode"
    );
}

#[test]
fn the_setup_link_creates_the_first_admin_once() {
    let server = Server::start_multi_user();
    let token = setup_token(&server).expect("a new server has a setup link");
    let mut c = server.client();
    assert_eq!(c.get("/setup/not-the-token").status, 404);
    assert_eq!(c.get(&format!("/setup/{token}")).status, 200);
    let created = c.submit(
        &format!("/setup/{token}"),
        &[("username", "Ada"), ("email", ""), ("password", PASSWORD)],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let home = c.get("/");
    assert!(
        home.body.contains("signed in as Ada"),
        "the header names the admin"
    );
    assert!(home.body.contains(r#"href="/admin/users""#));
    // Used: the link is dead for everyone, and the token is gone.
    assert!(setup_token(&server).is_none());
    let mut other = server.client();
    let again = other.get(&format!("/setup/{token}"));
    assert_eq!(again.status, 404);
    other.get("/sign-in");
    let second = other.submit(
        &format!("/setup/{token}"),
        &[
            ("username", "mallory"),
            ("email", ""),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(second.status, 403);
    assert!(second.body.contains("first admin exists already"));
}

#[test]
fn registration_is_by_invitation_by_default_and_invitations_expire_and_run_out() {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    let mut admin = server.signed_in("admin");

    // Without an invitation: refused, with the reason.
    let mut v = visitor(&server);
    let page = v.get("/sign-up");
    assert!(page.body.contains("by invitation"), "{}", page.body);
    let refused = v.submit(
        "/sign-up",
        &[("username", "bob"), ("email", ""), ("password", PASSWORD)],
    );
    assert_eq!(refused.status, 403);

    // An invitation for one account.
    admin.get("/admin/invites");
    let made = admin.submit(
        "/admin/invites",
        &[("label", "cohort 1"), ("days", "7"), ("uses", "1")],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let link = made
        .body
        .split("/sign-up?invite=")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_owned();
    let path = format!("/sign-up?invite={link}");
    let mut v = visitor(&server);
    assert!(v.get(&path).body.contains("You were invited"));
    let joined = v.submit(
        &path,
        &[
            ("username", "bob"),
            ("email", "bob@example.org"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(joined.status, 303, "{}", joined.body);
    assert!(v.get("/").body.contains("signed in as bob"));

    // Used up.
    let mut late = visitor(&server);
    let refused = late.submit(
        &path,
        &[("username", "carol"), ("email", ""), ("password", PASSWORD)],
    );
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("used up"), "{}", refused.body);

    // Revoked.
    let made = admin.submit(
        "/admin/invites",
        &[("label", ""), ("days", "1"), ("uses", "5")],
    );
    let token = made
        .body
        .split("/sign-up?invite=")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let id = server.block_on(server.store().invites()).unwrap()[0].id;
    assert_eq!(
        admin
            .submit(&format!("/admin/invites/{id}/revoke"), &[])
            .status,
        303
    );
    let mut v = visitor(&server);
    let refused = v.submit(
        &format!("/sign-up?invite={token}"),
        &[("username", "dave"), ("email", ""), ("password", PASSWORD)],
    );
    assert_eq!(refused.status, 403);

    // Open registration, then closed.
    assert_eq!(
        admin
            .submit("/admin/site", &[("registration", "open")])
            .status,
        303
    );
    let mut v = visitor(&server);
    let open = v.submit(
        "/sign-up",
        &[("username", "erin"), ("email", ""), ("password", PASSWORD)],
    );
    assert_eq!(open.status, 303, "{}", open.body);
    assert_eq!(
        admin
            .submit("/admin/site", &[("registration", "closed")])
            .status,
        303
    );
    let mut v = visitor(&server);
    assert!(v.get("/sign-up").body.contains("Registration is closed"));
    let closed = v.submit(
        "/sign-up",
        &[("username", "frank"), ("email", ""), ("password", PASSWORD)],
    );
    assert_eq!(closed.status, 403);
}

#[test]
fn sign_up_explains_each_refused_field() {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    let mut admin = server.signed_in("admin");
    admin.get("/admin/users");
    admin.submit("/admin/site", &[("registration", "open")]);
    server.add_user("Alice", Role::Learner);

    let mut v = visitor(&server);
    let mut try_sign_up = |username: &str, email: &str, password: &str| {
        v.submit(
            "/sign-up",
            &[
                ("username", username),
                ("email", email),
                ("password", password),
            ],
        )
    };
    let short = try_sign_up("zoe", "", "too short");
    assert_eq!(short.status, 422);
    assert!(
        short
            .body
            .contains("Use at least 15 characters (this one has 9)"),
        "{}",
        short.body
    );
    assert!(
        short.body.contains(r#"id="password-error""#),
        "the message sits by its field"
    );
    let pattern = try_sign_up("zoe", "", "abcabcabcabcabcabc");
    assert!(pattern.body.contains("repeats a short pattern"));
    let same = try_sign_up("zoe.the.long.name", "", "zoe.the.long.name");
    assert!(same.body.contains("username or e-mail"));
    // Taken, ignoring case and look-alike letters (Cyrillic а).
    for taken in ["alice", "ALICE", "\u{430}lice"] {
        let reply = try_sign_up(taken, "", PASSWORD);
        assert_eq!(reply.status, 422);
        assert!(
            reply.body.contains("This username is taken"),
            "{taken}: {}",
            reply.body
        );
    }
    let bad_email = try_sign_up("zoe", "not-an-address", PASSWORD);
    assert!(bad_email.body.contains(r#"id="email-error""#));
    // The form keeps what was typed (never the password).
    assert!(bad_email.body.contains(r#"value="zoe""#));
    assert!(!bad_email.body.contains(PASSWORD));
    // A 64-character passphrase with spaces and accents is welcome.
    let long = "un été très long à lire des livres sous les arbres du jardin vert";
    assert!(long.chars().count() >= 64);
    assert_eq!(try_sign_up("zoe", "zoe@example.org", long).status, 303);
}

#[test]
fn sign_in_says_the_same_for_a_wrong_password_and_an_unknown_account() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut c = visitor(&server);
    let anonymous = c.cookie.clone().unwrap();
    let wrong = c.submit(
        "/sign-in",
        &[("login", "ada"), ("password", "not her password")],
    );
    let unknown = c.submit(
        "/sign-in",
        &[("login", "nobody"), ("password", "not her password")],
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    for reply in [&wrong, &unknown] {
        assert!(reply.body.contains("Wrong username or password."));
        assert!(reply.body.contains(r#"aria-invalid="true""#));
    }
    // The e-mail address works too, and signing in gives a new session id.
    let store = server.store();
    let learner = server
        .block_on(store.account_by_key(&key("ada")))
        .unwrap()
        .unwrap()
        .learner;
    server
        .block_on(store.set_email(learner, Some(("Ada@Example.org", "ada@example.org"))))
        .unwrap();
    let ok = c.submit(
        "/sign-in",
        &[
            ("login", "ADA@example.org"),
            ("password", PASSWORD),
            ("next", "/stats"),
        ],
    );
    assert_eq!(ok.status, 303);
    assert_eq!(location(&ok), "/stats", "back where the sign-in began");
    let signed_in = c.cookie.clone().unwrap();
    assert_ne!(signed_in, anonymous, "a new session id at sign-in");
    assert!(ok.header("set-cookie").unwrap().contains("SameSite=Lax"));
    assert!(ok.header("set-cookie").unwrap().contains("HttpOnly"));
    // An open redirect is not followed.
    let mut c2 = visitor(&server);
    let ok = c2.submit(
        "/sign-in",
        &[
            ("login", "ada"),
            ("password", PASSWORD),
            ("next", "//evil.example"),
        ],
    );
    assert_eq!(location(&ok), "/");
}

#[test]
fn personal_pages_send_visitors_to_sign_in_and_public_pages_stay_open() {
    let server = Server::start_multi_user();
    let mut c = server.client();
    let home = c.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains(r#"href="/sign-in""#));
    assert_eq!(c.get("/guides/python-django").status, 200);
    assert_eq!(c.get("/guides/python-django/gil").status, 200);
    assert_eq!(c.get("/search?q=gil").status, 200);
    assert_eq!(c.get("/api/v1/openapi.json").status, 200);
    assert_eq!(
        c.get("/api/v1/guides/python-django/questions/gil").status,
        200
    );
    for path in ["/study", "/stats", "/settings", "/interviews", "/account"] {
        let reply = c.get(path);
        assert_eq!(reply.status, 303, "{path}");
        assert_eq!(location(&reply), format!("/sign-in?next={path}"), "{path}");
    }
    // A form posted without JavaScript comes back to the page it was posted from.
    c.get("/guides/python-django");
    let token = c.csrf.clone().unwrap();
    let referer = format!("{}/guides/python-django", c.base);
    let body = format!("csrf={token}&mastered=true");
    let posted = c.send(
        "POST",
        "/guides/python-django/gil/mark",
        Some("application/x-www-form-urlencoded"),
        Some(&body),
        &[("referer", &referer)],
    );
    assert_eq!(posted.status, 303);
    assert_eq!(location(&posted), "/sign-in?next=/guides/python-django");
    let api = c.get("/api/v1/study/queue");
    assert_eq!(api.status, 401);
    assert_eq!(api.json()["error"]["code"], "unauthorized");
}

#[test]
fn a_private_site_shows_nothing_but_sign_in_to_visitors() {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    let mut admin = server.signed_in("admin");
    admin.get("/admin/users");
    assert_eq!(
        admin
            .submit(
                "/admin/site",
                &[("registration", "invitation"), ("private", "yes")]
            )
            .status,
        303
    );
    let mut c = server.client();
    let guide = c.get("/guides/python-django");
    assert_eq!(guide.status, 303);
    assert_eq!(location(&guide), "/sign-in?next=/guides/python-django");
    assert_eq!(c.get("/api/v1/guides").status, 401);
    assert_eq!(c.get("/sign-in").status, 200);
    assert_eq!(admin.get("/guides/python-django").status, 200);
}

#[test]
fn sign_out_ends_the_session_on_the_server() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut c = server.signed_in("ada");
    let stolen = c.cookie.clone();
    assert_eq!(c.get("/account").status, 200);
    assert_eq!(c.submit("/sign-out", &[]).status, 303);
    assert!(c.cookie.is_none(), "the browser forgets the cookie");
    let mut thief = server.client();
    thief.cookie = stolen;
    assert_eq!(
        thief.get("/account").status,
        303,
        "a copied cookie is dead too"
    );
}

#[test]
fn the_sessions_page_lists_sessions_and_ends_the_others() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut laptop = server.signed_in("ada");
    let mut phone = server.signed_in("ada");
    let page = laptop.get("/account");
    assert_eq!(
        page.body.matches("<tr>").count(),
        1 + 2,
        "header row and two sessions"
    );
    assert!(page.body.contains("(this browser)"));
    let ended = laptop.submit("/account/sessions/end-others", &[]);
    assert_eq!(ended.status, 200);
    assert!(ended.body.contains("1 other session was ended"));
    assert_eq!(phone.get("/account").status, 303, "the phone is signed out");
    assert_eq!(
        laptop.get("/account").status,
        200,
        "this browser stays signed in"
    );
    // Someone else's session id ends nothing.
    server.add_user("bob", Role::Learner);
    let mut bob = server.signed_in("bob");
    let bobs = server
        .block_on(
            server.store().sessions(
                server
                    .block_on(server.store().account_by_key(&key("bob")))
                    .unwrap()
                    .unwrap()
                    .learner,
            ),
        )
        .unwrap();
    let reply = laptop.submit("/account/sessions/end", &[("session", &bobs[0].id_hash)]);
    assert_eq!(reply.status, 404);
    assert_eq!(bob.get("/account").status, 200);
}

#[test]
fn changing_the_password_needs_the_current_one_and_can_end_other_sessions() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut a = server.signed_in("ada");
    let mut b = server.signed_in("ada");
    a.get("/account");
    let new = "a brand new passphrase for ada";
    let wrong = a.submit(
        "/account/password",
        &[
            ("current", "nope"),
            ("password", new),
            ("end_others", "yes"),
        ],
    );
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("not your current password"));
    let weak = a.submit(
        "/account/password",
        &[("current", PASSWORD), ("password", "short")],
    );
    assert!(weak.body.contains("at least 15"));
    let ok = a.submit(
        "/account/password",
        &[
            ("current", PASSWORD),
            ("password", new),
            ("end_others", "yes"),
        ],
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("other session was ended"));
    assert_eq!(b.get("/account").status, 303);
    let mut c = visitor(&server);
    assert_eq!(
        c.submit("/sign-in", &[("login", "ada"), ("password", PASSWORD)])
            .status,
        401
    );
    assert_eq!(
        c.submit("/sign-in", &[("login", "ada"), ("password", new)])
            .status,
        303
    );
}

#[test]
fn admins_disable_enable_reset_and_delete_accounts_and_that_ends_their_sessions() {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    let bob = server.add_user("bob", Role::Learner);
    let mut admin = server.signed_in("admin");
    let mut b = server.signed_in("bob");
    // A learner is no admin.
    assert_eq!(b.get("/admin/users").status, 403);
    assert_eq!(
        b.submit(&format!("/admin/users/{bob}/role"), &[("role", "admin")])
            .status,
        403
    );

    admin.get("/admin/users");
    assert_eq!(
        admin
            .submit(&format!("/admin/users/{bob}/disable"), &[])
            .status,
        303
    );
    assert_eq!(
        b.get("/account").status,
        303,
        "disabled: signed out at once"
    );
    let mut again = visitor(&server);
    let refused = again.submit("/sign-in", &[("login", "bob"), ("password", PASSWORD)]);
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("disabled"));
    assert_eq!(
        admin
            .submit(&format!("/admin/users/{bob}/enable"), &[])
            .status,
        303
    );

    let mut b = server.signed_in("bob");
    let reset = admin.submit(&format!("/admin/users/{bob}/reset-password"), &[]);
    assert_eq!(reset.status, 200);
    let temporary = reset
        .body
        .split(r#"<code class="secret">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(b.get("/account").status, 303, "a reset ends the sessions");
    let mut c = visitor(&server);
    assert_eq!(
        c.submit("/sign-in", &[("login", "bob"), ("password", &temporary)])
            .status,
        303
    );

    assert_eq!(
        admin
            .submit(
                &format!("/admin/users/{bob}/role"),
                &[("role", "moderator")]
            )
            .status,
        303
    );
    assert_eq!(
        server
            .block_on(server.store().account(bob))
            .unwrap()
            .unwrap()
            .role,
        Role::Moderator
    );
    // The last admin cannot remove themselves.
    let admin_id = server
        .block_on(server.store().account_by_key(&key("admin")))
        .unwrap()
        .unwrap()
        .learner;
    let last = admin.submit(
        &format!("/admin/users/{admin_id}/role"),
        &[("role", "learner")],
    );
    assert_eq!(last.status, 403);
    assert!(last.body.contains("last admin"));

    assert_eq!(
        admin
            .submit(&format!("/admin/users/{bob}/delete"), &[])
            .status,
        400,
        "needs the box ticked"
    );
    assert_eq!(
        admin
            .submit(&format!("/admin/users/{bob}/delete"), &[("confirm", "yes")])
            .status,
        303
    );
    assert_eq!(c.get("/account").status, 303);
    assert!(
        server
            .block_on(server.store().account(bob))
            .unwrap()
            .is_none()
    );
    assert_eq!(admin.submit("/admin/users/999999/disable", &[]).status, 404);
}

#[test]
fn changing_the_e_mail_address_needs_the_password() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut a = server.signed_in("ada");
    a.get("/account");
    let refused = a.submit(
        "/account/email",
        &[("email", "ada@example.org"), ("current", "nope")],
    );
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains(r#"id="email-current-error""#));
    let saved = a.submit(
        "/account/email",
        &[("email", "Ada@Example.org"), ("current", PASSWORD)],
    );
    assert_eq!(saved.status, 303);
    assert!(a.get("/account").body.contains("Ada@Example.org"));
    let mut c = visitor(&server);
    assert_eq!(
        c.submit(
            "/sign-in",
            &[("login", "ada@example.org"), ("password", PASSWORD)]
        )
        .status,
        303
    );
}

#[test]
fn my_data_downloads_as_json_and_deleting_my_account_removes_it() {
    let server = Server::start_multi_user();
    server.add_user("ada", Role::Learner);
    let mut a = server.signed_in("ada");
    let question = a.get("/guides/python-django/gil");
    assert_eq!(question.status, 200);
    assert_eq!(
        a.submit("/guides/python-django/gil/note", &[("body", "my GIL note")])
            .status,
        303
    );
    assert_eq!(
        a.submit("/guides/python-django/gil/mark", &[("mastered", "true")])
            .status,
        303
    );
    let data = a.get("/account/data.json");
    assert_eq!(data.status, 200);
    assert!(
        data.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    let json = data.json();
    assert_eq!(json["schema"], "mastery.learner-data");
    assert_eq!(json["version"], 1);
    assert_eq!(json["account"]["username"], "ada");
    assert_eq!(json["notes"][0]["body"], "my GIL note");
    assert_eq!(json["marks"][0]["question"], "gil");
    assert!(!data.body.contains("argon2"), "no password hash");
    assert_eq!(
        a.get("/api/v1/account/data").json()["notes"][0]["body"],
        "my GIL note"
    );

    a.get("/account");
    let wrong = a.submit("/account/delete", &[("password", "nope")]);
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains(r#"id="delete-error""#));
    let gone = a.submit("/account/delete", &[("password", PASSWORD)]);
    assert_eq!(gone.status, 303);
    let store = server.store();
    assert!(
        server
            .block_on(store.account_by_key(&key("ada")))
            .unwrap()
            .is_none()
    );
    assert_eq!(server.block_on(store.export_all()).unwrap().notes.len(), 0);
    let mut c = visitor(&server);
    assert_eq!(
        c.submit("/sign-in", &[("login", "ada"), ("password", PASSWORD)])
            .status,
        401
    );
}

#[test]
fn two_instances_share_sign_in_and_sign_out() {
    let one = Server::start_multi_user();
    one.add_user("ada", Role::Learner);
    let two = one.another_instance();
    let mut c = one.signed_in("ada");
    let cookie = c.cookie.clone();
    let mut on_two = two.client();
    on_two.cookie = cookie;
    let page = on_two.get("/account");
    assert_eq!(page.status, 200, "signed in on the other instance too");
    assert!(page.body.contains("ada"));
    assert_eq!(on_two.submit("/sign-out", &[]).status, 303);
    assert_eq!(
        c.get("/account").status,
        303,
        "signed out on the first instance as well"
    );
}

#[test]
fn attempts_beyond_the_limit_are_refused_with_429_on_the_form() {
    let server = Server::start_multi_user_limited(3);
    server.add_user("ada", Role::Learner);
    let mut c = visitor(&server);
    for _ in 0..3 {
        let reply = c.submit("/sign-in", &[("login", "ada"), ("password", "guess")]);
        assert_eq!(reply.status, 401);
    }
    let limited = c.submit("/sign-in", &[("login", "ada"), ("password", PASSWORD)]);
    assert_eq!(limited.status, 429, "even the right password waits");
    assert!(limited.body.contains("Too many sign-in attempts"));
    assert!(
        limited.body.contains(r#"name="login""#),
        "the form stays on the page"
    );
}
