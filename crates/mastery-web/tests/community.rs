//! The community through HTTP, as members use it: threads and replies on a question,
//! approval of new members' first posts, inert scripts, votes, flags, moderation and its
//! public log, locks, suspensions, limits per action, edit history and bad input; and
//! every community route walked as every role. Runs on SQLite, and on PostgreSQL with
//! `MASTERY_TEST_BACKEND=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, Server};
use mastery_storage::Role;

const QUESTION: &str = "/guides/python-django/gil";

fn location(reply: &common::Reply) -> String {
    reply.header("location").unwrap_or_default().to_owned()
}

/// The thread and post numbers of a redirect to `/threads/T#post-P`.
fn posted(reply: &common::Reply) -> (i64, i64) {
    assert_eq!(reply.status, 303, "{}", reply.body);
    let loc = location(reply);
    let rest = loc.strip_prefix("/threads/").expect(&loc);
    let (thread, post) = rest.split_once("#post-").expect(&loc);
    (thread.parse().unwrap(), post.parse().unwrap())
}

/// A server with an admin, a moderator and two members; first posts need no approval
/// unless `approve_first` says so.
fn community(approve_first: &str) -> Server {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    server.add_user("mod", Role::Moderator);
    server.add_user("ann", Role::Learner);
    server.add_user("bob", Role::Learner);
    let mut admin = server.signed_in("admin");
    admin.get("/admin/community");
    let saved = admin.submit(
        "/admin/community",
        &[
            ("rules", "Be kind: no insults\nNo spam: no advertising"),
            ("approve_first", approve_first),
            ("new_member_days", "0"),
            ("show_moderators", "true"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    server
}

fn start(c: &mut Client, title: &str, body: &str) -> common::Reply {
    c.get(QUESTION);
    c.submit(
        &format!("{QUESTION}/threads"),
        &[("title", title), ("body", body)],
    )
}

#[test]
fn a_member_discusses_a_question_and_scripts_stay_inert() {
    let server = community("0");
    let mut ann = server.signed_in("ann");
    let (thread, first) = posted(&start(
        &mut ann,
        "Is the GIL per interpreter?",
        "Since **3.12** each subinterpreter can have its own.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
    ));
    let mut bob = server.signed_in("bob");
    bob.get(&format!("/threads/{thread}"));
    let (_, reply) = posted(&bob.submit(
        &format!("/threads/{thread}/posts"),
        &[("body", "Yes: PEP 684. ```\ncode\n```")],
    ));

    let mut anonymous = server.client();
    let page = anonymous.get(QUESTION);
    assert!(page.body.contains("Discussion"), "{}", page.body);
    assert!(page.body.contains("Is the GIL per interpreter?"));
    assert!(page.body.contains("1 thread"));
    let shown = anonymous.get(&format!("/threads/{thread}"));
    assert_eq!(shown.status, 200);
    assert!(
        shown.body.contains("<strong>3.12</strong>"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!shown.body.contains("<script>alert"), "a live script");
    assert!(
        !shown.body.contains("javascript:"),
        "a live javascript: link"
    );
    assert!(shown.body.contains(&format!("id=\"post-{first}\"")));
    assert!(shown.body.contains(&format!("id=\"post-{reply}\"")));
    assert!(shown.body.contains("Sign in</a> to reply"));
    assert!(
        !shown.body.contains("/vote"),
        "anonymous readers get no vote buttons"
    );
    // Sorting and pages answer; a wrong sort is a clear 400.
    assert_eq!(
        anonymous.get(&format!("{QUESTION}?sort=newest")).status,
        200
    );
    assert_eq!(anonymous.get(&format!("{QUESTION}?sort=worst")).status, 400);
    assert_eq!(anonymous.get("/threads/9999").status, 404);
}

#[test]
fn first_posts_of_new_members_wait_for_a_moderator() {
    let server = community("1");
    let mut ann = server.signed_in("ann");
    let (thread, first) = posted(&start(&mut ann, "Waiting", "my first post"));
    let mut bob = server.signed_in("bob");
    assert!(
        !bob.get(QUESTION).body.contains("Waiting"),
        "others see a pending thread"
    );
    assert_eq!(bob.get(&format!("/threads/{thread}")).status, 404);
    let own = ann.get(&format!("/threads/{thread}"));
    assert!(own.body.contains("Waiting for a moderator"), "{}", own.body);

    let mut moderator = server.signed_in("mod");
    let queue = moderator.get("/moderation");
    assert!(queue.body.contains("my first post"), "{}", queue.body);
    let approved = moderator.submit(
        &format!("/moderation/posts/{first}"),
        &[("action", "approve"), ("reason", "welcome")],
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    assert!(bob.get(QUESTION).body.contains("Waiting"));
    // Approved once: her next post is shown at once.
    ann.get(&format!("/threads/{thread}"));
    let (_, second) =
        posted(&ann.submit(&format!("/threads/{thread}/posts"), &[("body", "second")]));
    let page = bob.get(&format!("/threads/{thread}"));
    assert!(
        page.body.contains(&format!("id=\"post-{second}\"")),
        "{}",
        page.body
    );
    // Approving twice is a conflict, not a silent success.
    moderator.get("/moderation");
    let again = moderator.submit(
        &format!("/moderation/posts/{first}"),
        &[("action", "approve"), ("reason", "again")],
    );
    assert_eq!(again.status, 409);
}

#[test]
fn votes_flags_hiding_and_the_public_log() {
    let server = community("0");
    let mut ann = server.signed_in("ann");
    let (thread, post) = posted(&start(&mut ann, "Rude", "you are all wrong"));
    // No vote on one's own post.
    ann.get(&format!("/threads/{thread}"));
    let own = ann.submit(&format!("/posts/{post}/vote"), &[("value", "1")]);
    assert_eq!(own.status, 403);

    let mut bob = server.signed_in("bob");
    bob.get(&format!("/threads/{thread}"));
    for _ in 0..2 {
        let voted = bob.submit(&format!("/posts/{post}/vote"), &[("value", "-1")]);
        assert_eq!(voted.status, 303, "{}", voted.body);
    }
    assert_eq!(
        server
            .block_on(server.store().post(post))
            .unwrap()
            .unwrap()
            .score,
        -1
    );
    let bad = bob.submit(&format!("/posts/{post}/vote"), &[("value", "5")]);
    assert_eq!(bad.status, 400);
    let flagged = bob.submit(
        &format!("/posts/{post}/flag"),
        &[("reason", "Be kind"), ("detail", "insulting")],
    );
    assert_eq!(flagged.status, 303, "{}", flagged.body);
    let twice = bob.submit(&format!("/posts/{post}/flag"), &[("reason", "Be kind")]);
    assert_eq!(twice.status, 409);
    // A reason that is no rule: the flag form again, with the rules to pick from.
    let unknown_rule = bob.submit(
        &format!("/posts/{post}/flag"),
        &[("reason", "I dislike it")],
    );
    assert_eq!(unknown_rule.status, 422);
    assert!(unknown_rule.body.contains("pick one of the community"));
    assert_eq!(
        ann.get(&format!("/posts/{post}/flag")).status,
        403,
        "one's own post"
    );

    let mut moderator = server.signed_in("mod");
    let queue = moderator.get("/moderation");
    assert!(queue.body.contains("Be kind (1)"), "{}", queue.body);
    assert!(queue.body.contains("insulting"));
    let no_reason = moderator.submit(
        &format!("/moderation/posts/{post}"),
        &[("action", "hide"), ("reason", " ")],
    );
    assert_eq!(no_reason.status, 400, "a moderator action needs a reason");
    let hidden = moderator.submit(
        &format!("/moderation/posts/{post}"),
        &[("action", "hide"), ("reason", "insults members")],
    );
    assert_eq!(hidden.status, 303);

    let author_view = ann.get(&format!("/threads/{thread}"));
    assert!(
        author_view
            .body
            .contains("Hidden by a moderator: insults members")
    );
    assert!(author_view.body.contains("you are all wrong"));
    let other_view = bob.get(&format!("/threads/{thread}"));
    assert!(other_view.body.contains("Hidden by a moderator."));
    assert!(!other_view.body.contains("you are all wrong"));
    assert!(
        !bob.get(QUESTION).body.contains(">Rude<"),
        "the hidden title shows"
    );

    let log = bob.get("/moderation/log");
    assert_eq!(log.status, 200);
    assert!(log.body.contains("insults members"), "{}", log.body);
    assert!(log.body.contains(">mod<"), "{}", log.body);
    // The admin can keep moderators' names out of the log.
    let mut admin = server.signed_in("admin");
    admin.get("/admin/community");
    admin.submit(
        "/admin/community",
        &[
            ("rules", "Be kind: no insults"),
            ("approve_first", "0"),
            ("new_member_days", "0"),
        ],
    );
    let anonymous_log = bob.get("/moderation/log");
    assert!(anonymous_log.body.contains("a moderator"));
    assert!(!anonymous_log.body.contains(">mod<"));
    // The log is for members: anonymous readers are asked to sign in.
    assert_eq!(server.client().get("/moderation/log").status, 303);
    // Members have no queue.
    assert_eq!(bob.get("/moderation").status, 403);
}

#[test]
fn locks_suspensions_and_limits() {
    let server = community("0");
    let mut ann = server.signed_in("ann");
    let (thread, _) = posted(&start(&mut ann, "Locked soon", "text"));
    let mut moderator = server.signed_in("mod");
    moderator.get(&format!("/threads/{thread}"));
    let locked = moderator.submit(
        &format!("/moderation/threads/{thread}/lock"),
        &[("locked", "true"), ("reason", "answered")],
    );
    assert_eq!(locked.status, 303);
    let mut bob = server.signed_in("bob");
    let page = bob.get(&format!("/threads/{thread}"));
    assert!(page.body.contains("locked this thread"), "{}", page.body);
    let refused = bob.submit(&format!("/threads/{thread}/posts"), &[("body", "late")]);
    assert_eq!(refused.status, 409);

    moderator.get("/moderation/members/bob");
    let suspended = moderator.submit(
        "/moderation/members/bob",
        &[("days", "7"), ("reason", "spam links")],
    );
    assert_eq!(suspended.status, 303, "{}", suspended.body);
    let blocked = start(&mut bob, "Spam", "buy now");
    assert_eq!(blocked.status, 403);
    assert!(blocked.body.contains("spam links"), "{}", blocked.body);
    // A moderator cannot suspend an admin.
    moderator.get("/moderation/members/admin");
    let refused = moderator.submit(
        "/moderation/members/admin",
        &[("days", "7"), ("reason", "x")],
    );
    assert_eq!(refused.status, 403);

    // Posts per member are limited (the established limit: 10 at once), with Retry-After.
    let mut limited = None;
    for n in 0..12 {
        let reply = start(&mut ann, &format!("thread {n}"), "text");
        if reply.status == 429 {
            limited = Some(reply);
            break;
        }
        assert_eq!(reply.status, 303, "{}", reply.body);
    }
    let limited = limited.expect("the post limit never answered 429");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 120, "{retry}");
    assert!(limited.body.contains("try again in"), "{}", limited.body);
}

#[test]
fn edits_keep_history_and_bad_input_is_refused_clearly() {
    let server = community("0");
    let mut ann = server.signed_in("ann");
    let (thread, post) = posted(&start(&mut ann, "Edited", "first text"));
    ann.get(&format!("/posts/{post}/edit"));
    let edited = ann.submit(&format!("/posts/{post}/edit"), &[("body", "second text")]);
    assert_eq!(edited.status, 303);
    let history = server.client().get(&format!("/posts/{post}/history"));
    assert_eq!(history.status, 200);
    assert!(history.body.contains("first text") && history.body.contains("second text"));
    // Someone else cannot edit or delete it.
    let mut bob = server.signed_in("bob");
    assert_eq!(bob.get(&format!("/posts/{post}/edit")).status, 403);
    bob.get(&format!("/threads/{thread}"));
    assert_eq!(
        bob.submit(&format!("/posts/{post}/delete"), &[]).status,
        403
    );

    // Deep nesting: the form comes back with the text kept and the reason.
    let deep: String = (0..40)
        .map(|n| format!("{}- x\n", "  ".repeat(n)))
        .collect();
    ann.get(&format!("/threads/{thread}"));
    let refused = ann.submit(&format!("/threads/{thread}/posts"), &[("body", &deep)]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("nested"), "{}", refused.body);
    assert!(refused.body.contains("  - x"), "the text was lost");
    // Too long, empty, a huge body, invalid UTF-8, a title that is too long.
    let long = "x".repeat(20_001);
    for (body, status) in [(long.as_str(), 422), ("   ", 422)] {
        let reply = ann.submit(&format!("/threads/{thread}/posts"), &[("body", body)]);
        assert_eq!(reply.status, status, "{}", reply.body);
    }
    // Just over the 640 KiB form limit (a much larger body is cut off while it is sent).
    let huge = "x".repeat(700 * 1024);
    let reply = ann.submit(&format!("/threads/{thread}/posts"), &[("body", &huge)]);
    assert_eq!(reply.status, 413);
    let csrf = ann.csrf.clone().unwrap_or_default();
    let raw = format!("csrf={csrf}&body=%FF%FE");
    let reply = ann.send(
        "POST",
        &format!("/threads/{thread}/posts"),
        Some("application/x-www-form-urlencoded"),
        Some(&raw),
        &[],
    );
    // Form decoding replaces bytes that are not UTF-8 with U+FFFD: stored and shown inert.
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert!(
        ann.get(&format!("/threads/{thread}"))
            .body
            .contains("\u{FFFD}\u{FFFD}")
    );
    let title = "t".repeat(151);
    let reply = start(&mut ann, &title, "body");
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("at most 150"), "{}", reply.body);

    // Deleting keeps the place and removes the text and its history.
    ann.get(&format!("/threads/{thread}"));
    assert_eq!(
        ann.submit(&format!("/posts/{post}/delete"), &[]).status,
        303
    );
    let page = bob.get(&format!("/threads/{thread}"));
    assert!(page.body.contains("Deleted by its author"));
    assert!(!page.body.contains("second text"));
    assert_eq!(bob.get(&format!("/posts/{post}/history")).status, 404);
}

#[test]
fn a_personal_server_has_no_community() {
    let server = Server::start();
    let mut c = server.client();
    for path in [
        "/threads/1",
        "/moderation",
        "/moderation/log",
        "/posts/1/history",
    ] {
        assert_eq!(c.get(path).status, 404, "{path}");
    }
    assert!(!c.get(QUESTION).body.contains("Discussion"));
}

/// Every community page and form, as anonymous, the author, another member, a moderator
/// and an admin: what each may do, and nothing else changes.
#[test]
fn every_community_route_answers_each_role_as_it_should() {
    let server = community("0");
    let mut ann = server.signed_in("ann");
    let (thread, post) = posted(&start(&mut ann, "Walked", "walked text"));
    let store = server.store();
    let before = server.block_on(store.post(post)).unwrap().unwrap();

    let mut clients: Vec<(&str, Client)> = vec![
        ("anonymous", server.client()),
        ("bob", server.signed_in("bob")),
        ("mod", server.signed_in("mod")),
        ("admin", server.signed_in("admin")),
    ];
    for (role, c) in &mut clients {
        let signed_in = *role != "anonymous";
        let moderator = matches!(*role, "mod" | "admin");
        let flag_form = if signed_in { 200 } else { 303 };
        assert_eq!(
            c.get(&format!("/posts/{post}/flag")).status,
            flag_form,
            "{role} flag form"
        );
        let pages = [
            (format!("/threads/{thread}"), 200),
            (format!("/posts/{post}/history"), 200),
            (QUESTION.to_string(), 200),
        ];
        for (path, status) in pages {
            assert_eq!(c.get(&path).status, status, "{role} GET {path}");
        }
        let expect = |member: u16, mods: u16| -> u16 {
            if !signed_in {
                303
            } else if moderator {
                mods
            } else {
                member
            }
        };
        assert_eq!(
            c.get("/moderation").status,
            expect(403, 200),
            "{role} queue"
        );
        assert_eq!(
            c.get("/moderation/log").status,
            expect(200, 200),
            "{role} log"
        );
        assert_eq!(
            c.get("/moderation/members/ann").status,
            expect(403, 200),
            "{role} member page"
        );
        let admin_page = if !signed_in {
            303
        } else if *role == "admin" {
            200
        } else {
            403
        };
        assert_eq!(
            c.get("/admin/community").status,
            admin_page,
            "{role} settings"
        );
        // Nobody but its author edits or deletes a post.
        let edit = c.get(&format!("/posts/{post}/edit")).status;
        assert_eq!(edit, if signed_in { 403 } else { 303 }, "{role} edit form");
        c.get(&format!("/threads/{thread}"));
        for path in [
            format!("/posts/{post}/edit"),
            format!("/posts/{post}/delete"),
        ] {
            let reply = c.submit(&path, &[("body", "taken over")]);
            let expected = if signed_in { 403 } else { 303 };
            assert_eq!(reply.status, expected, "{role} POST {path}");
        }
        // Moderation forms: members are refused before anything changes.
        let act = c.submit(
            &format!("/moderation/posts/{post}"),
            &[("action", "dismiss"), ("reason", "walk")],
        );
        // A moderator dismissing flags that do not exist gets a conflict.
        assert_eq!(act.status, expect(403, 409), "{role} moderate");
        let lock = c.submit(
            &format!("/moderation/threads/{thread}/lock"),
            &[("locked", "false"), ("reason", "walk")],
        );
        assert_eq!(lock.status, expect(403, 409), "{role} lock");
        let settings = c.submit(
            "/admin/community",
            &[
                ("rules", "x"),
                ("approve_first", "0"),
                ("new_member_days", "0"),
            ],
        );
        // Anonymous: to the sign-in page; the admin: saved; others: refused.
        let expected = if !signed_in || *role == "admin" {
            303
        } else {
            403
        };
        assert_eq!(settings.status, expected, "{role} save settings");
        // Without a CSRF token, every form is refused.
        let forged = c.form(&format!("/threads/{thread}/posts"), &[("body", "forged")]);
        assert_eq!(forged.status, 403, "{role} forged reply");
    }
    let after = server.block_on(store.post(post)).unwrap().unwrap();
    assert_eq!(before, after, "the walk changed the author's post");
    let posts = server.block_on(store.posts(thread, 0, 50)).unwrap();
    assert_eq!(posts.len(), 1, "a forged or refused reply was stored");
}

/// A client holding its session's API token.
fn api_client(server: &Server, name: &str) -> Client {
    let mut c = server.signed_in(name);
    let token = c.get("/api/v1/session").json()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    c.csrf = Some(token);
    c
}

#[test]
fn the_api_does_what_the_pages_do() {
    let server = community("1");
    let mut ann = api_client(&server, "ann");
    let threads = "/api/v1/guides/python-django/questions/gil/threads";
    let created = ann.post_json(
        threads,
        r#"{"title": "Via the API", "body": "<b>hi</b> **there**"}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    assert_eq!(created["state"], "pending");
    let (thread, post) = (
        created["thread"].as_i64().unwrap(),
        created["post"].as_i64().unwrap(),
    );

    // Pending: nobody else sees it; the moderator approves it through the API.
    let mut bob = api_client(&server, "bob");
    assert_eq!(bob.get(threads).json()["total"], 0);
    assert_eq!(bob.get(&format!("/api/v1/threads/{thread}")).status, 404);
    let mut moderator = api_client(&server, "mod");
    let queue = moderator.get("/api/v1/moderation/queue");
    assert_eq!(queue.status, 200);
    assert_eq!(queue.json()[0]["post"], post);
    assert_eq!(bob.get("/api/v1/moderation/queue").status, 403);
    let approved = moderator.post_json(
        &format!("/api/v1/moderation/posts/{post}"),
        r#"{"action": "approve", "reason": "fine"}"#,
    );
    assert_eq!(approved.status, 204, "{}", approved.body);

    let list = bob.get(threads).json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["threads"][0]["title"], "Via the API");
    let view = bob.get(&format!("/api/v1/threads/{thread}")).json();
    let html = view["posts"][0]["html"].as_str().unwrap();
    assert!(
        html.contains("&lt;b&gt;hi&lt;/b&gt; <strong>there</strong>"),
        "{html}"
    );
    assert_eq!(view["posts"][0]["can_vote"], true);
    assert!(
        view["posts"][0]["body"].is_null(),
        "only the author gets the Markdown"
    );

    let reply = bob.post_json(
        &format!("/api/v1/threads/{thread}/posts"),
        r#"{"body": "a reply"}"#,
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let voted = bob.put_json(&format!("/api/v1/posts/{post}/vote"), r#"{"value": 1}"#);
    assert_eq!(voted.json()["score"], 1);
    let own = ann.put_json(&format!("/api/v1/posts/{post}/vote"), r#"{"value": 1}"#);
    assert_eq!(own.status, 403);
    let out_of_range = bob.put_json(&format!("/api/v1/posts/{post}/vote"), r#"{"value": 2}"#);
    assert_eq!(out_of_range.status, 400);
    let rules = bob.get("/api/v1/community/rules").json();
    assert_eq!(rules["flag_reasons"][0], "Be kind");
    let flagged = bob.post_json(
        &format!("/api/v1/posts/{post}/flags"),
        r#"{"reason": "No spam", "detail": "an ad"}"#,
    );
    assert_eq!(flagged.status, 204, "{}", flagged.body);

    let edited = ann.put_json(&format!("/api/v1/posts/{post}"), r#"{"body": "edited"}"#);
    assert_eq!(edited.status, 204, "{}", edited.body);
    let history = bob.get(&format!("/api/v1/posts/{post}/history")).json();
    assert_eq!(history["revisions"][0]["body"], "<b>hi</b> **there**");
    let taken = bob.put_json(&format!("/api/v1/posts/{post}"), r#"{"body": "mine now"}"#);
    assert_eq!(taken.status, 403);

    let hidden = moderator.post_json(
        &format!("/api/v1/moderation/posts/{post}"),
        r#"{"action": "hide", "reason": "advertising"}"#,
    );
    assert_eq!(hidden.status, 204);
    let locked = moderator.put_json(
        &format!("/api/v1/moderation/threads/{thread}/lock"),
        r#"{"locked": true, "reason": "done"}"#,
    );
    assert_eq!(locked.status, 204);
    let late = bob.post_json(
        &format!("/api/v1/threads/{thread}/posts"),
        r#"{"body": "late"}"#,
    );
    assert_eq!(late.status, 409);
    let suspended = moderator.put_json(
        "/api/v1/moderation/members/bob/suspension",
        r#"{"days": 3, "reason": "spam"}"#,
    );
    assert_eq!(suspended.status, 204, "{}", suspended.body);
    let log = bob.get("/api/v1/moderation/log").json();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["suspend", "lock", "hide", "approve"]);
    assert_eq!(log[0]["member"], "bob");
    // Anonymous readers read, but do not write or read the log.
    let mut anonymous = server.client();
    assert_eq!(anonymous.get(threads).status, 200);
    assert_eq!(anonymous.get("/api/v1/moderation/log").status, 401);
    // A post a moderator hid stays as they left it: its author cannot delete it.
    let deleted = ann.send(
        "DELETE",
        &format!("/api/v1/posts/{post}"),
        None,
        None,
        &[("x-csrf-token", &ann.csrf.clone().unwrap())],
    );
    assert_eq!(deleted.status, 409, "{}", deleted.body);
}

#[test]
fn limits_answer_429_with_retry_after_in_the_api() {
    let server = community("0");
    let mut admin = server.signed_in("admin");
    admin.get("/admin/community");
    // Members are new for 7 days: 3 posts at once.
    admin.submit(
        "/admin/community",
        &[
            ("rules", "Be kind"),
            ("approve_first", "0"),
            ("new_member_days", "7"),
        ],
    );
    let mut ann = api_client(&server, "ann");
    let threads = "/api/v1/guides/python-django/questions/gil/threads";
    for n in 0..3 {
        let reply = ann.post_json(threads, &format!(r#"{{"title": "t{n}", "body": "b"}}"#));
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let limited = ann.post_json(threads, r#"{"title": "t3", "body": "b"}"#);
    assert_eq!(limited.status, 429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=1200).contains(&retry), "{retry}");
    assert_eq!(limited.json()["error"]["code"], "too_many_requests");
    // New members may post two links at most.
    let mut bob = api_client(&server, "bob");
    let links = bob.post_json(
        threads,
        r#"{"title": "links", "body": "<https://a.example> <https://b.example> <https://c.example>"}"#,
    );
    assert_eq!(links.status, 400, "{}", links.body);
    assert!(links.body.contains("at most 2 links"), "{}", links.body);
    // The limit is the database's: another instance counts the same posts.
    let other = server.another_instance();
    let mut again = api_client(&other, "ann");
    let still = again.post_json(threads, r#"{"title": "t4", "body": "b"}"#);
    assert_eq!(still.status, 429, "a second instance has its own count");
}

/// What a security review found, each now refused: an HTML bomb in a table, a pending or
/// hidden thread brought out by deleting it, a suspended moderator, a moderator above
/// their role, unlimited edits, members found by e-mail address, votes in hidden threads.
#[test]
fn the_review_findings_stay_fixed() {
    let server = community("0");
    let mut ann = server.signed_in("ann");
    // A 3 KB table that would make a quarter of a million empty cells.
    let mut bomb = format!("{}\n{}\n", "|a".repeat(320), "|:-".repeat(320));
    bomb.push_str(&"a\n".repeat(800));
    let refused = start(&mut ann, "Table", &bomb);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("too much HTML"), "{}", refused.body);

    // A hidden post cannot be deleted to bring its thread's title back.
    let (thread, post) = posted(&start(&mut ann, "Rude title", "text"));
    let mut moderator = server.signed_in("mod");
    moderator.get("/moderation");
    let hidden = moderator.submit(
        &format!("/moderation/posts/{post}"),
        &[("action", "hide"), ("reason", "the title")],
    );
    assert_eq!(hidden.status, 303);
    ann.get(&format!("/threads/{thread}"));
    assert_eq!(
        ann.submit(&format!("/posts/{post}/delete"), &[]).status,
        409
    );
    let mut bob = server.signed_in("bob");
    assert!(
        !bob.get(&format!("/threads/{thread}"))
            .body
            .contains("Rude title")
    );

    // Moderators never decide on their own posts, nor on an admin's.
    let (_, own) = posted(&start(&mut moderator, "Mine", "text"));
    moderator.get("/moderation");
    let self_hide = moderator.submit(
        &format!("/moderation/posts/{own}"),
        &[("action", "hide"), ("reason", "x")],
    );
    assert_eq!(self_hide.status, 403);
    let mut admin = server.signed_in("admin");
    let (_, admins) = posted(&start(&mut admin, "Announcement", "text"));
    moderator.get("/moderation");
    let above = moderator.submit(
        &format!("/moderation/posts/{admins}"),
        &[("action", "hide"), ("reason", "x")],
    );
    assert_eq!(above.status, 403);

    // An admin's suspension stays as the admin set it.
    admin.get("/moderation/members/bob");
    let by_admin = admin.submit(
        "/moderation/members/bob",
        &[("days", "30"), ("reason", "spam")],
    );
    assert_eq!(by_admin.status, 303);
    moderator.get("/moderation/members/bob");
    let lifted = moderator.submit(
        "/moderation/members/bob",
        &[("days", "lift"), ("reason", "appeal")],
    );
    assert_eq!(lifted.status, 403);
    // A suspended moderator cannot moderate.
    admin.get("/moderation/members/mod");
    admin.submit(
        "/moderation/members/mod",
        &[("days", "1"), ("reason", "review")],
    );
    moderator.get("/moderation");
    let while_suspended = moderator.submit(
        &format!("/moderation/threads/{thread}/lock"),
        &[("locked", "true"), ("reason", "x")],
    );
    assert_eq!(while_suspended.status, 403);

    // Members are found by username only, never by e-mail address.
    let store = server.store();
    let ann_id = server
        .block_on(store.account_by_key(&mastery_app::accounts::names::username_key("ann")))
        .unwrap()
        .unwrap()
        .learner;
    server
        .block_on(store.set_email(ann_id, Some(("ann@example.org", "ann@example.org"))))
        .unwrap();
    assert_eq!(admin.get("/moderation/members/ann@example.org").status, 404);

    // Edits are limited too (a new member: 5 at once).
    let mut admin2 = server.signed_in("admin");
    admin2.get("/admin/community");
    admin2.submit(
        "/admin/community",
        &[
            ("rules", "Be kind"),
            ("approve_first", "0"),
            ("new_member_days", "7"),
        ],
    );
    let (_, editable) = posted(&start(&mut ann, "Edited often", "v0"));
    let mut statuses = Vec::new();
    for n in 1..=6 {
        ann.get(&format!("/posts/{editable}/edit"));
        statuses.push(
            ann.submit(
                &format!("/posts/{editable}/edit"),
                &[("body", &format!("v{n}"))],
            )
            .status,
        );
    }
    assert_eq!(statuses, [303, 303, 303, 303, 303, 429]);
}

/// The search page and the API find threads by their title and their visible posts, for
/// everyone who may read them; pending, hidden and deleted text never shows, and a
/// personal server has no discussion search.
#[test]
fn discussions_are_found_by_search() {
    let server = community("0");
    let mut ann = server.signed_in("ann");
    let (thread, opening) = posted(&start(
        &mut ann,
        "Subinterpreters and the GIL",
        "Since 3.12 each subinterpreter may own its lock.",
    ));
    let mut bob = server.signed_in("bob");
    bob.get(&format!("/threads/{thread}"));
    let (_, reply) = posted(&bob.submit(
        &format!("/threads/{thread}/posts"),
        &[(
            "body",
            "See `Py_NewInterpreterFromConfig` and <b>PEP 684</b>.",
        )],
    ));

    // The page, for someone signed out: the thread, the question it discusses, the
    // matched words marked, raw HTML escaped.
    let mut anonymous = server.client();
    let page = anonymous.get("/search?q=pep+684");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("In the discussions"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("/threads/{thread}#post-{reply}"))
    );
    assert!(
        page.body.contains("<mark>PEP</mark> <mark>684</mark>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("&lt;b&gt;"), "raw HTML is shown as text");
    assert!(
        page.body
            .contains("On “What is the Global Interpreter Lock"),
        "the question's title: {}",
        page.body
    );

    // The API: the title counts, a prefix finds while typing, every word is required.
    let found = anonymous
        .get("/api/v1/search/discussions?q=subinterp")
        .json();
    assert_eq!(found[0]["thread"], thread, "{found}");
    assert_eq!(found[0]["post"], opening);
    assert_eq!(found[0]["matches"], 2, "{found}");
    assert!(
        found[0]["title_html"]
            .as_str()
            .unwrap()
            .contains("Subinterpreters")
    );
    let none = anonymous.get("/api/v1/search/discussions?q=subinterpreter+asyncio");
    assert_eq!(none.json(), serde_json::json!([]));

    // A hidden reply is no longer found, by anyone.
    let mut moderator = server.signed_in("mod");
    moderator.get("/moderation");
    let hidden = moderator.submit(
        &format!("/moderation/posts/{reply}"),
        &[("action", "hide"), ("reason", "off topic")],
    );
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    for c in [&mut anonymous, &mut bob, &mut moderator] {
        let page = c.get("/search?q=pep+684");
        assert!(!page.body.contains("In the discussions"), "{}", page.body);
    }

    // A personal server: no discussion section, and the API route is 404.
    let personal = Server::start();
    let mut c = personal.client();
    assert!(!c.get("/search?q=gil").body.contains("In the discussions"));
    assert_eq!(c.get("/api/v1/search/discussions?q=gil").status, 404);
}
