//! Suggested improvements and notifications through HTTP, as members and moderators use
//! them: the form's preview step with the guide's checks, sending, votes, a moderator's
//! decision and the author told (header count, notifications page, JSON feed), replies and
//! moderation telling people too, a stale suggestion rebased before it is accepted, and the
//! patch of accepted suggestions. Runs on SQLite, and on PostgreSQL with
//! `MASTERY_TEST_BACKEND=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, Server};
use mastery_storage::Role;

/// The question's Markdown now, as the API's preview gives it.
fn current(c: &mut Client, question: &str) -> String {
    c.api();
    let body = serde_json::json!({"guide": "python-django", "question": question, "text": ""});
    let reply = c.post_json("/api/v1/suggestions/preview", &body.to_string());
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["current_text"].as_str().unwrap().to_owned()
}

/// Its first line of prose (not the heading, metadata or a list), to change.
fn a_sentence(text: &str) -> String {
    text.lines()
        .skip(1)
        .find(|l| {
            l.len() > 40
                && !l.contains(':')
                && !l.starts_with(['#', '-', '`', '|', '>', ' '])
                && !l.starts_with(char::is_numeric)
        })
        .unwrap()
        .to_owned()
}

/// A suggestion's `updated_at`, what a decision sends back as `seen`.
fn updated_at(c: &mut Client, id: i64) -> i64 {
    c.get(&format!("/api/v1/suggestions/{id}")).json()["updated_at"]
        .as_i64()
        .unwrap()
}

fn location(reply: &common::Reply) -> String {
    reply.header("location").unwrap_or_default().to_owned()
}

#[test]
fn a_suggestion_goes_from_preview_to_an_accepted_patch_and_its_author_is_told() {
    let server = Server::start_multi_user();
    server.add_user("mod", Role::Moderator);
    for name in ["ann", "bob"] {
        server.add_user(name, Role::Learner);
    }
    let mut ann = server.signed_in("ann");
    let text = current(&mut ann, "gil");
    assert!(
        text.starts_with("## ") && text.contains("id: gil"),
        "{text}"
    );
    let sentence = a_sentence(&text);
    let better = text.replacen(&sentence, &format!("{sentence} (A clearer sentence.)"), 1);

    // The form, filled with the question's Markdown; its preview step runs the checks.
    let form = ann.get("/guides/python-django/gil/suggest");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("id: gil"), "the form holds the Markdown");
    let broken = text.replacen("level: senior", "level: expert", 1);
    assert_ne!(broken, text, "the question is senior");
    let refused = ann.submit(
        "/guides/python-django/gil/suggest",
        &[("summary", "x"), ("text", &broken), ("step", "preview")],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("line 4:"), "{}", refused.body);
    assert!(refused.body.contains("expert"), "names the mistake");
    let previewed = ann.submit(
        "/guides/python-django/gil/suggest",
        &[("summary", "x"), ("text", &better), ("step", "preview")],
    );
    assert_eq!(previewed.status, 200, "{}", previewed.body);
    assert!(
        previewed.body.contains("checks pass with this text"),
        "{}",
        previewed.body
    );
    assert!(previewed.body.contains("diff-added"), "the change is shown");
    // Sending without a summary keeps the text; a broken text is refused on send too.
    let no_summary = ann.submit(
        "/guides/python-django/gil/suggest",
        &[("summary", " "), ("text", &better), ("step", "send")],
    );
    assert_eq!(no_summary.status, 422);
    assert!(no_summary.body.contains("A clearer sentence."));
    ann.api();
    let refused = ann.post_json(
        "/api/v1/suggestions",
        &serde_json::json!({"guide": "python-django", "question": "gil", "summary": "s", "text": broken}).to_string(),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("line 4: unknown level"),
        "{}",
        refused.body
    );
    let unchanged = ann.post_json(
        "/api/v1/suggestions",
        &serde_json::json!({"guide": "python-django", "question": "gil", "summary": "s", "text": text}).to_string(),
    );
    assert_eq!(unchanged.status, 400, "the same text is no suggestion");
    let nowhere = ann.post_json(
        "/api/v1/suggestions",
        &serde_json::json!({"guide": "python-django", "question": "no-such-question", "summary": "s", "text": better}).to_string(),
    );
    assert_eq!(nowhere.status, 404);
    ann.get("/guides/python-django/gil/suggest");
    let sent = ann.submit(
        "/guides/python-django/gil/suggest",
        &[
            ("summary", "Make the first paragraph <clearer>"),
            ("text", &better),
            ("step", "send"),
        ],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let url = location(&sent);
    let id: i64 = url.strip_prefix("/suggestions/").unwrap().parse().unwrap();

    // Everyone reads it, with the change; bob votes; ann cannot vote on her own.
    let page = server.client().get(&url);
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Make the first paragraph &lt;clearer&gt;")
            || page
                .body
                .contains("Make the first paragraph &#60;clearer&#62;"),
        "{}",
        page.body
            .split("<h1>")
            .nth(1)
            .unwrap_or_default()
            .split("</h1>")
            .next()
            .unwrap_or_default()
    );
    assert!(page.body.contains("A clearer sentence."));
    let mut bob = server.signed_in("bob");
    bob.get(&url);
    assert_eq!(
        bob.submit(&format!("{url}/vote"), &[("value", "1")]).status,
        303
    );
    ann.api();
    let own = ann.put_json(&format!("/api/v1/suggestions/{id}/vote"), r#"{"value": 1}"#);
    assert_eq!(own.status, 403, "{}", own.body);
    let listed = bob.get("/api/v1/suggestions?guide=python-django&question=gil");
    assert_eq!(listed.json()[0]["score"], 1);
    assert_eq!(listed.json()[0]["stale"], false);
    assert!(bob.get("/suggestions").body.contains(&url));
    let question = bob.get("/guides/python-django/gil");
    assert!(
        question.body.contains("1 open suggestion"),
        "the question links to it"
    );

    // Members do not decide; a moderator rejects only with a comment, accepts with one.
    bob.get(&url);
    let bob_decides = bob.submit(&format!("{url}/decide"), &[("verdict", "accept")]);
    assert_eq!(bob_decides.status, 403);
    let mut moderator = server.signed_in("mod");
    moderator.get(&url);
    let bare = moderator.submit(&format!("{url}/decide"), &[("verdict", "reject")]);
    assert_eq!(bare.status, 422, "{}", bare.body);
    // The decision is on the text the moderator read: an older `seen` is refused.
    let seen = updated_at(&mut moderator, id).to_string();
    let stale_read = moderator.submit(
        &format!("{url}/decide"),
        &[("verdict", "accept"), ("comment", "ok"), ("seen", "1")],
    );
    assert_eq!(stale_read.status, 409, "{}", stale_read.body);
    let accepted = moderator.submit(
        &format!("{url}/decide"),
        &[
            ("verdict", "accept"),
            ("comment", "Thanks, much clearer"),
            ("seen", &seen),
        ],
    );
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let again = moderator.submit(
        &format!("{url}/decide"),
        &[("verdict", "reject"), ("comment", "no")],
    );
    assert_eq!(again.status, 409, "decided once");

    // Ann is told: a count in the header, the notifications page (which marks it read),
    // the JSON feed.
    let home = ann.get("/");
    assert!(
        home.body
            .contains(r#"Notifications <span class="count">1</span>"#),
        "{}",
        home.body
    );
    let feed = ann.get("/api/v1/notifications").json();
    assert_eq!(feed["unread"], 1);
    assert_eq!(feed["notifications"][0]["kind"], "suggestion");
    assert_eq!(feed["notifications"][0]["link"], url.as_str());
    let seen = ann.get("/notifications");
    assert!(
        seen.body.contains("mod accepted your suggestion"),
        "{}",
        seen.body
    );
    assert!(seen.body.contains("Thanks, much clearer"));
    assert_eq!(
        ann.get("/api/v1/notifications").json()["unread"],
        1,
        "reading the page marks nothing"
    );
    let up_to = feed["notifications"][0]["id"].as_i64().unwrap().to_string();
    ann.get("/notifications");
    let marked = ann.submit("/notifications/read", &[("up_to", &up_to)]);
    assert_eq!(marked.status, 303, "{}", marked.body);
    assert_eq!(ann.get("/api/v1/notifications").json()["unread"], 0);
    assert!(!ann.get("/").body.contains(r#"<span class="count">"#));
    // Bob has nothing, and cannot read ann's.
    assert_eq!(
        bob.get("/api/v1/notifications").json()["notifications"],
        serde_json::json!([])
    );

    // The patch: the accepted change against the guide's file, once.
    let store = server.store();
    let files = mastery_content::GuideFiles::from_dir(&common::guide_dir()).unwrap();
    let export = server
        .block_on(mastery_app::community::suggestions::export(
            store.as_ref(),
            &files,
            "guides/python-django",
        ))
        .unwrap();
    assert_eq!(
        export.exported.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [id]
    );
    assert!(
        export.patch.starts_with("--- a/guides/python-django/"),
        "{}",
        export.patch
    );
    assert!(export.patch.contains("+") && export.patch.contains("(A clearer sentence.)"));
    server
        .block_on(mastery_app::community::suggestions::mark_exported(
            store.as_ref(),
            &export.exported,
            mastery_storage::now(),
        ))
        .unwrap();
    let after = server
        .block_on(mastery_app::community::suggestions::export(
            store.as_ref(),
            &files,
            "guides/python-django",
        ))
        .unwrap();
    assert!(after.exported.is_empty() && after.patch.is_empty());
}

#[test]
fn a_stale_suggestion_is_rebased_before_it_is_accepted_and_replies_and_moderation_tell_people() {
    let server = Server::start_multi_user();
    server.add_user("admin", Role::Admin);
    server.add_user("mod", Role::Moderator);
    server.add_user("mod2", Role::Moderator);
    let ann_id = server.add_user("ann", Role::Learner);
    server.add_user("bob", Role::Learner);
    // First posts need no approval here: replies are seen (and told) at once.
    server.first_posts_need_no_approval();
    let mut ann = server.signed_in("ann");
    let text = current(&mut ann, "gil");
    let sentence = a_sentence(&text);
    // Written against an older text of the question: its last line was different then.
    let last = text.lines().last().unwrap().to_owned();
    let older = text.replacen(&last, "An older last line.", 1);
    let proposed = older.replacen(&sentence, "A rewritten first sentence.", 1);
    let store = server.store();
    let id = server
        .block_on(store.create_suggestion(&mastery_storage::NewSuggestion {
            guide: "python-django",
            question: "gil",
            author: ann_id,
            summary: "Rewrite the first sentence",
            base_text: &older,
            proposed_text: &proposed,
            at: mastery_storage::now(),
        }))
        .unwrap();
    let url = format!("/suggestions/{id}");
    let mut moderator = server.signed_in("mod");
    let page = moderator.get(&url);
    assert!(page.body.contains("badge-stale"), "{}", page.body);
    assert!(page.body.contains("Rebase onto the new text"));
    assert!(
        !page.body.contains(r#"value="accept""#),
        "no accepting a stale one"
    );
    moderator.api();
    let seen = updated_at(&mut moderator, id);
    let accept = moderator.post_json(
        &format!("/api/v1/suggestions/{id}/decision"),
        &format!(r#"{{"verdict": "accept", "seen": {seen}}}"#),
    );
    assert_eq!(accept.status, 409, "stale: {}", accept.body);
    // The rebase form carries the change over to the new text (other lines changed).
    let form = moderator.get(&format!("{url}/edit"));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("A rewritten first sentence."));
    let word = last
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| w.len() > 4)
        .unwrap();
    assert!(form.body.contains(word), "the new last line is kept");
    assert!(!form.body.contains("An older last line."));
    let seen = moderator.get(&format!("/api/v1/suggestions/{id}")).json()["updated_at"]
        .as_i64()
        .unwrap();
    let rebased = text.replacen(&sentence, "A rewritten first sentence.", 1);
    moderator.get(&format!("{url}/edit"));
    let saved = moderator.submit(
        &format!("{url}/edit"),
        &[
            ("summary", "Rewrite the first sentence"),
            ("text", &rebased),
            ("seen", &seen.to_string()),
            ("step", "send"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    // A second save from the same form is refused: the suggestion moved on.
    let twice = moderator.submit(
        &format!("{url}/edit"),
        &[
            ("summary", "Rewrite the first sentence"),
            ("text", &rebased),
            ("seen", &seen.to_string()),
            ("step", "send"),
        ],
    );
    assert_eq!(twice.status, 409, "{}", twice.body);
    let page = moderator.get(&url);
    assert!(!page.body.contains("badge-stale"));
    // Ann is told her suggestion changed; the moderator who changed it does not decide.
    let feed = ann.get("/api/v1/notifications").json();
    assert!(
        feed["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("mod changed the text of your suggestion"),
        "{feed}"
    );
    moderator.api();
    let seen = updated_at(&mut moderator, id);
    let own = moderator.post_json(
        &format!("/api/v1/suggestions/{id}/decision"),
        &format!(r#"{{"verdict": "accept", "seen": {seen}}}"#),
    );
    assert_eq!(own.status, 403, "{}", own.body);
    let mut other = server.signed_in("mod2");
    other.api();
    let accept = other.post_json(
        &format!("/api/v1/suggestions/{id}/decision"),
        &format!(r#"{{"verdict": "accept", "comment": "Rebased and in", "seen": {seen}}}"#),
    );
    assert_eq!(accept.status, 204, "{}", accept.body);

    // Replies and moderation tell people.
    ann.get("/guides/python-django/gil");
    let opened = ann.submit(
        "/guides/python-django/gil/threads",
        &[
            ("title", "Is the GIL gone in 3.13?"),
            ("body", "Asking for a friend."),
        ],
    );
    assert_eq!(opened.status, 303, "{}", opened.body);
    let thread = location(&opened);
    let thread = thread.split('#').next().unwrap().to_owned();
    let mut bob = server.signed_in("bob");
    bob.get(&thread);
    let replied = bob.submit(
        &format!("{thread}/posts"),
        &[("body", "Only in the free-threaded build.")],
    );
    assert_eq!(replied.status, 303, "{}", replied.body);
    let reply_post = location(&replied);
    let post: i64 = reply_post.rsplit("post-").next().unwrap().parse().unwrap();
    let feed = ann.get("/api/v1/notifications").json();
    let texts: Vec<&str> = feed["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("bob replied to your thread")),
        "{texts:?}"
    );
    // Ann flags bob's reply; the moderator hides it: bob hears why, ann what became of her flag.
    ann.get(&format!("/posts/{post}/flag"));
    let flagged = ann.submit(
        &format!("/posts/{post}/flag"),
        &[("reason", "Something else"), ("detail", "Off topic")],
    );
    assert!(flagged.status < 400, "{}", flagged.body);
    moderator.get(&thread);
    let hidden = moderator.submit(
        &format!("/moderation/posts/{post}"),
        &[("action", "hide"), ("reason", "Off topic here")],
    );
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    let bobs = bob.get("/api/v1/notifications").json();
    assert!(
        bobs["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .contains("hid your post: Off topic here"),
        "{bobs}"
    );
    let anns = ann.get("/api/v1/notifications").json();
    assert!(
        anns["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .contains("the post you flagged and hid it"),
        "{anns}"
    );
    // Marking read through the API, up to a number.
    ann.api();
    let newest = anns["notifications"][0]["id"].as_i64().unwrap();
    let read = ann.post_json(
        "/api/v1/notifications/read",
        &format!(r#"{{"up_to": {newest}}}"#),
    );
    assert_eq!(read.json()["unread"], 0, "{}", read.body);
}
