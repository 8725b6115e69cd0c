//! Public profiles, the leaderboard, and what deleting an account does to one's posts and
//! suggestions, through HTTP: nothing is public until the member turns it on; a display name
//! is shown escaped; the leaderboard lists only members who joined it with a public profile;
//! deleting an account keeps or removes contributions as asked, and votes stay counted.
//! Runs on SQLite, and on PostgreSQL with `MASTERY_TEST_BACKEND=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, PASSWORD, Server};
use mastery_storage::Role;

#[test]
fn profiles_and_the_leaderboard_show_only_what_members_turned_on() {
    let server = Server::start_multi_user();
    server.add_user("ann", Role::Learner);
    server.add_user("bob", Role::Learner);
    let mut ann = server.signed_in("ann");
    let mut anonymous = server.client();
    assert_eq!(
        anonymous.get("/members/ann").status,
        404,
        "private by default"
    );
    assert_eq!(anonymous.get("/api/v1/members/ann").status, 404);
    assert_eq!(anonymous.get("/members/nobody").status, 404, "same answer");
    assert!(!anonymous.get("/leaderboard").body.contains("/members/ann"));

    // Ann studies, then makes her profile public with a display name and joins.
    ann.get("/guides/python-django/gil");
    ann.submit("/guides/python-django/gil/mark", &[("mastered", "true")]);
    ann.api();
    let review = r#"{"guide": "python-django", "question": "gil", "rating": 3, "review_id": "profile-review-1"}"#;
    assert_eq!(ann.post_json("/api/v1/study/reviews", review).status, 200);
    ann.get("/account");
    let long = "x".repeat(61);
    let refused = ann.submit(
        "/account/profile",
        &[("public", "1"), ("display_name", &long)],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    // Another member's username is no display name.
    let taken = ann.submit(
        "/account/profile",
        &[("public", "1"), ("display_name", "BOB")],
    );
    assert_eq!(taken.status, 422, "{}", taken.body);
    let saved = ann.submit(
        "/account/profile",
        &[
            ("public", "1"),
            ("display_name", "Ann <the GIL>"),
            ("leaderboard", "1"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = anonymous.get("/members/ann");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ann &#60;the GIL&#62;"), "escaped name");
    assert!(
        page.body.contains(": <strong>1</strong> of"),
        "one mastered"
    );
    let json = anonymous.get("/api/v1/members/ann").json();
    assert_eq!(json["name"], "Ann <the GIL>");
    assert_eq!(json["current_streak"], 1);
    assert_eq!(json["interviews"], 0);
    assert!(
        !page.body.contains("Ann's note") && !json.to_string().contains("@"),
        "no e-mail, no notes"
    );
    // Bob asks for the leaderboard without a public profile: he is not on it.
    let mut bob = server.signed_in("bob");
    bob.get("/account");
    bob.submit("/account/profile", &[("leaderboard", "1")]);
    let board = anonymous.get("/api/v1/leaderboard").json();
    assert_eq!(board.as_array().unwrap().len(), 1, "{board}");
    assert_eq!(board[0]["username"], "ann");
    assert_eq!(board[0]["place"], 1);
    assert_eq!(board[0]["current_streak"], 1);
    assert!(
        board[0].get("studied_today").is_none(),
        "when one studies is not shown"
    );
    assert!(anonymous.get("/leaderboard").body.contains("/members/ann"));
    // Ann leaves: private again, off the board, at once.
    ann.api();
    let private = ann.put_json(
        "/api/v1/account/profile",
        r#"{"public": false, "display_name": null, "leaderboard": true}"#,
    );
    assert_eq!(private.status, 200, "{}", private.body);
    assert_eq!(private.json()["leaderboard"], false);
    assert_eq!(anonymous.get("/members/ann").status, 404);
    assert_eq!(
        anonymous.get("/api/v1/leaderboard").json(),
        serde_json::json!([])
    );
}

#[test]
fn deleting_an_account_keeps_or_removes_contributions_as_asked() {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    for name in ["ann", "bob", "cyd"] {
        server.add_user(name, Role::Learner);
    }
    server.first_posts_need_no_approval();
    let start = |c: &mut Client, title: &str, body: &str| -> String {
        c.get("/guides/python-django/gil");
        let opened = c.submit(
            "/guides/python-django/gil/threads",
            &[("title", title), ("body", body)],
        );
        assert_eq!(opened.status, 303, "{}", opened.body);
        opened
            .header("location")
            .unwrap()
            .split('#')
            .next()
            .unwrap()
            .to_owned()
    };
    let mut ann = server.signed_in("ann");
    let anns = start(&mut ann, "Ann asks", "ANN-KEEPS-THIS");
    let mut bob = server.signed_in("bob");
    let bobs = start(&mut bob, "Bob asks", "BOB-REMOVES-THIS");
    // Cyd votes on both opening posts, then leaves keeping nothing.
    let mut cyd = server.signed_in("cyd");
    for thread in [&anns, &bobs] {
        let page = cyd.get(thread);
        let post = page
            .body
            .split(r#"action="/posts/"#)
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_owned();
        let voted = cyd.submit(&format!("/posts/{post}/vote"), &[("value", "1")]);
        assert_eq!(voted.status, 303, "{}", voted.body);
    }
    cyd.get("/account");
    let gone = cyd.submit(
        "/account/delete",
        &[("password", PASSWORD), ("contributions", "remove")],
    );
    assert_eq!(gone.status, 303, "{}", gone.body);
    // Ann leaves keeping her posts; Bob removing his.
    ann.get("/account");
    let gone = ann.submit(
        "/account/delete",
        &[("password", PASSWORD), ("contributions", "keep")],
    );
    assert_eq!(gone.status, 303, "{}", gone.body);
    bob.get("/account");
    let gone = bob.submit(
        "/account/delete",
        &[("password", PASSWORD), ("contributions", "remove")],
    );
    assert_eq!(gone.status, 303, "{}", gone.body);

    let mut reader = server.client();
    let kept = reader.get(&anns);
    assert!(kept.body.contains("ANN-KEEPS-THIS"), "{}", kept.body);
    assert!(kept.body.contains("deleted member"));
    assert!(
        kept.body
            .contains(r#"<span class="score" aria-label="score">1</span>"#),
        "cyd's vote stays counted"
    );
    let removed = reader.get(&bobs);
    assert!(!removed.body.contains("BOB-REMOVES-THIS"));
    assert!(!removed.body.contains("Bob asks"), "the title goes too");
    assert!(removed.body.contains("A deleted thread"));
}
