//! Teams through HTTP, as admins, coaches and members use them: creating a team, naming a
//! coach, links and invitations by username, consent (join sharing or not, stop sharing,
//! leave), the coach's view on the page, as CSV and as JSON, a member's standing, the team
//! date a member without one plans for, accounts created with a team link only when the
//! admin allows it, and who gets 403 or 404. Runs on SQLite, and on PostgreSQL with
//! `MASTERY_TEST_BACKEND=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Client, Server};
use mastery_storage::Role;

/// A date far enough ahead to stay upcoming whenever the test runs.
const DATE: &str = "2099-03-01";

fn location(reply: &common::Reply) -> String {
    reply.header("location").unwrap_or_default().to_owned()
}

/// An admin creates a team of the Python & Django guide and names `coach` its coach;
/// the team's number.
fn team(server: &Server, open_invites: bool) -> i64 {
    let mut admin = server.signed_in("admin");
    admin.get("/teams");
    let mut fields = vec![
        ("name", "Cohort <12>"),
        ("guides", "python-django"),
        ("interview_date", DATE),
    ];
    if open_invites {
        fields.push(("open_invites", "yes"));
    }
    let created = admin.submit("/teams", &fields);
    assert_eq!(created.status, 303, "{}", created.body);
    let id: i64 = location(&created)
        .strip_prefix("/teams/")
        .unwrap()
        .parse()
        .unwrap();
    admin.get(&format!("/teams/{id}"));
    let named = admin.submit(&format!("/teams/{id}/coaches"), &[("username", "coach")]);
    assert_eq!(named.status, 303, "{}", named.body);
    id
}

/// The coach makes a link; its token.
fn link(coach: &mut Client, team: i64) -> String {
    coach.get(&format!("/teams/{team}"));
    let page = coach.submit(&format!("/teams/{team}/links"), &[("days", "7")]);
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
        .split("/teams/join/")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned()
}

fn join(c: &mut Client, token: &str, share: bool) -> common::Reply {
    let page = c.get(&format!("/teams/join/{token}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("your notes"),
        "says what is never shared"
    );
    c.submit(
        &format!("/teams/join/{token}"),
        &[("share", if share { "yes" } else { "no" })],
    )
}

fn people(server: &Server) {
    server.add_user("admin", Role::Admin);
    for name in ["coach", "ann", "bob", "cyd", "eve", "fay", "gus"] {
        server.add_user(name, Role::Learner);
    }
}

#[test]
fn a_coach_sees_the_members_who_share_and_only_their_names_otherwise() {
    let server = Server::start_multi_user();
    people(&server);
    let id = team(&server, false);
    let mut coach = server.signed_in("coach");
    let token = link(&mut coach, id);

    let mut ann = server.signed_in("ann");
    assert_eq!(
        location(&join(&mut ann, &token, true)),
        format!("/teams/{id}")
    );
    ann.get("/guides/python-django/gil");
    ann.submit("/guides/python-django/gil/mark", &[("mastered", "true")]);
    ann.get("/guides/python-django/gil");
    ann.submit(
        "/guides/python-django/gil/note",
        &[("body", "ANN-PRIVATE-NOTE")],
    );
    ann.api();
    let review = r#"{"guide": "python-django", "question": "gil", "rating": 3, "review_id": "team-review-ann-1"}"#;
    assert_eq!(ann.post_json("/api/v1/study/reviews", review).status, 200);

    let mut bob = server.signed_in("bob");
    join(&mut bob, &token, true);
    bob.get("/guides/python-django/gil");
    bob.submit("/guides/python-django/gil/mark", &[("mastered", "true")]);
    // Bob changes his mind: the coach then sees only his name.
    bob.get(&format!("/teams/{id}"));
    let stopped = bob.submit(&format!("/teams/{id}/sharing"), &[("share", "no")]);
    assert_eq!(stopped.status, 303, "{}", stopped.body);
    assert!(
        bob.get(&format!("/teams/{id}"))
            .body
            .contains("You do not share")
    );

    let mut cyd = server.signed_in("cyd");
    join(&mut cyd, &token, false);

    // The coach's page.
    let page = coach.get(&format!("/teams/{id}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Cohort &") && !page.body.contains("Cohort <12>"),
        "escaped name"
    );
    assert!(page.body.contains("1 member shares"), "{}", page.body);
    assert!(page.body.contains("<summary>ann</summary>"));
    assert!(!page.body.contains("<summary>bob</summary>"));
    assert!(
        page.body.contains("Not shared:</strong> bob, cyd"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("on {DATE}")));
    assert!(page.body.contains("<svg"), "the readiness chart");
    assert!(
        !page.body.contains("ANN-PRIVATE-NOTE"),
        "notes are never shared"
    );
    assert!(!page.body.contains("@example"), "no e-mail address");
    // Sorting by a column (and a made-up one falls back to names).
    assert_eq!(
        coach
            .get(&format!("/teams/{id}?sort=readiness&dir=desc"))
            .status,
        200
    );
    assert_eq!(coach.get(&format!("/teams/{id}?sort=%27x")).status, 200);

    // The same as CSV and JSON.
    let csv = coach.get(&format!("/teams/{id}/members.csv"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.body.starts_with("\"member\",\"guide\""), "{}", csv.body);
    assert!(csv.body.contains("\"ann\""));
    assert!(!csv.body.contains("\"bob\""));
    coach.api();
    let cohort = coach.get(&format!("/api/v1/teams/{id}/cohort")).json();
    let members: Vec<&str> = cohort["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["ann"]);
    assert_eq!(cohort["members"][0]["mastered"], 1);
    assert_eq!(cohort["members"][0]["reviews_7_days"], 1);
    let per_section: Vec<u64> = cohort["members"][0]["section_reviews_7_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    assert_eq!(
        per_section.iter().sum::<u64>(),
        1,
        "in gil's section: {per_section:?}"
    );
    assert_eq!(per_section[0], 1, "gil is in the first section");
    assert_eq!(cohort["not_shared"], serde_json::json!(["bob", "cyd"]));
    assert_eq!(cohort["coaches"], serde_json::json!(["coach"]));
    assert_eq!(cohort["interview_date"], DATE);
    assert!(cohort["weakest"].as_array().unwrap().len() == 10);

    // A member sees no one else's figures: no coach's view, and no median below 5 sharers.
    let own = ann.get(&format!("/teams/{id}"));
    assert!(!own.body.contains("members.csv"));
    assert!(
        own.body.contains("at least 5 members share"),
        "{}",
        own.body
    );
    assert_eq!(ann.get(&format!("/api/v1/teams/{id}/cohort")).status, 403);
    assert_eq!(ann.get(&format!("/teams/{id}/members.csv")).status, 403);
    assert_eq!(
        ann.get(&format!("/api/v1/teams/{id}/standing")).json()["status"],
        "too_few"
    );
    ann.get(&format!("/teams/{id}"));
    assert_eq!(
        ann.submit(&format!("/teams/{id}/links"), &[("days", "3")])
            .status,
        403
    );
    assert_eq!(
        ann.submit(&format!("/teams/{id}/invite"), &[("username", "eve")])
            .status,
        403
    );

    // Someone outside the team is told it does not exist.
    let mut eve = server.signed_in("eve");
    for path in [
        format!("/teams/{id}"),
        format!("/teams/{id}/members.csv"),
        format!("/api/v1/teams/{id}/cohort"),
        format!("/api/v1/teams/{id}/standing"),
    ] {
        assert_eq!(eve.get(&path).status, 404, "{path}");
    }
    eve.get("/teams");
    assert_eq!(eve.submit(&format!("/teams/{id}/links"), &[]).status, 404);
    assert_eq!(
        eve.submit(&format!("/teams/{id}/sharing"), &[("share", "yes")])
            .status,
        404
    );

    // Invited by username: nothing is shared until eve accepts.
    coach.get(&format!("/teams/{id}"));
    let by_mail = coach.submit(
        &format!("/teams/{id}/invite"),
        &[("username", "eve@example.org")],
    );
    assert_eq!(by_mail.status, 422);
    assert!(
        by_mail.body.contains("not an e-mail address"),
        "{}",
        by_mail.body
    );
    coach.get(&format!("/teams/{id}"));
    assert_eq!(
        coach
            .submit(&format!("/teams/{id}/invite"), &[("username", "EVE")])
            .status,
        303
    );
    assert!(eve.get("/teams").body.contains("Invited: answer"));
    assert!(
        coach
            .get(&format!("/teams/{id}"))
            .body
            .contains("Invited, not joined yet:</strong> eve")
    );
    eve.get(&format!("/teams/{id}"));
    assert_eq!(
        eve.submit(&format!("/teams/{id}/accept"), &[("share", "yes")])
            .status,
        303
    );
    let cohort = coach.get(&format!("/api/v1/teams/{id}/cohort")).json();
    assert_eq!(
        cohort["members"].as_array().unwrap().len(),
        2,
        "ann and eve"
    );
    assert!(
        cohort["idle_this_week"]
            .as_array()
            .unwrap()
            .contains(&"eve".into())
    );

    // Five sharers: now each sees their standing against the median, rounded to 10%.
    bob.get(&format!("/teams/{id}"));
    bob.submit(&format!("/teams/{id}/sharing"), &[("share", "yes")]);
    bob.api();
    assert_eq!(
        bob.get(&format!("/api/v1/teams/{id}/standing")).json()["status"],
        "too_few"
    );
    for name in ["fay", "gus"] {
        join(&mut server.signed_in(name), &token, true);
    }
    let standing = bob.get(&format!("/api/v1/teams/{id}/standing")).json();
    assert_eq!(standing["status"], "standing", "{standing}");
    assert_eq!(standing["sharing"], 5);
    for section in standing["sections"].as_array().unwrap() {
        let median = section["median"].as_f64().unwrap();
        assert!(
            ((median * 10.0) - (median * 10.0).round()).abs() < 1e-4,
            "{median}"
        );
    }

    // Members without a date of their own plan for the team's date.
    assert!(ann.get("/study/readiness").body.contains(DATE));

    // Leaving: gone from the coach's view; the link, once revoked, admits nobody.
    ann.get(&format!("/teams/{id}"));
    assert_eq!(
        location(&ann.submit(&format!("/teams/{id}/leave"), &[])),
        "/teams"
    );
    assert_eq!(ann.get(&format!("/teams/{id}")).status, 404);
    let cohort = coach.get(&format!("/api/v1/teams/{id}/cohort")).json();
    assert!(!cohort.to_string().contains("\"ann\""));
    coach.get(&format!("/teams/{id}"));
    assert_eq!(
        coach
            .submit(&format!("/teams/{id}/links/1/revoke"), &[])
            .status,
        303
    );
    assert_eq!(ann.get(&format!("/teams/join/{token}")).status, 404);
    // The last coach cannot leave a team with members.
    coach.get(&format!("/teams/{id}"));
    let left = coach.submit(&format!("/teams/{id}/leave"), &[]);
    assert_eq!(left.status, 422, "{}", left.body);
    assert!(left.body.contains("only coach"));
}

#[test]
fn team_links_create_accounts_only_where_the_admin_allows() {
    let server = Server::start_multi_user();
    people(&server);
    let closed = team(&server, false);
    let open = team(&server, true);
    let mut coach = server.signed_in("coach");
    let closed_token = link(&mut coach, closed);
    let open_token = link(&mut coach, open);

    // Registration is by invitation: a team that does not allow it offers only signing in.
    let mut visitor = server.client();
    let page = visitor.get(&format!("/teams/join/{closed_token}"));
    assert!(page.body.contains("Sign in to join"));
    assert!(!page.body.contains("Create an account"));
    let form = visitor.get(&format!("/sign-up?team={closed_token}"));
    assert!(
        form.body.contains("does not create accounts"),
        "{}",
        form.body
    );
    let refused = visitor.submit(
        &format!("/sign-up?team={closed_token}"),
        &[
            ("username", "newbie"),
            ("email", ""),
            ("password", common::PASSWORD),
        ],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);

    // A team whose links may create accounts: sign up, then choose whether to share.
    let mut newcomer = server.client();
    let page = newcomer.get(&format!("/teams/join/{open_token}"));
    assert!(page.body.contains("Create an account"), "{}", page.body);
    newcomer.get(&format!("/sign-up?team={open_token}"));
    let created = newcomer.submit(
        &format!("/sign-up?team={open_token}"),
        &[
            ("username", "newbie"),
            ("email", ""),
            ("password", common::PASSWORD),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(location(&created), format!("/teams/join/{open_token}"));
    assert_eq!(
        location(&join(&mut newcomer, &open_token, true)),
        format!("/teams/{open}")
    );
    coach.api();
    let cohort = coach.get(&format!("/api/v1/teams/{open}/cohort")).json();
    assert_eq!(cohort["members"][0]["username"], "newbie");

    // A made-up or malformed token is the same "not valid" page.
    for bad in ["A".repeat(43), "x".to_owned()] {
        assert_eq!(visitor.get(&format!("/teams/join/{bad}")).status, 404);
    }
    // Only admins create and delete teams.
    let mut ann = server.signed_in("ann");
    ann.get("/teams");
    assert_eq!(
        ann.submit("/teams", &[("name", "Mine"), ("guides", "python-django")])
            .status,
        403
    );
    let mut admin = server.signed_in("admin");
    admin.get("/teams");
    let bad = admin.submit("/teams", &[("name", "X"), ("guides", "no-such-guide")]);
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("there is no guide"), "{}", bad.body);
    let bad = admin.submit(
        "/teams",
        &[
            ("name", "X"),
            ("guides", "python-django"),
            ("interview_date", "2099-02-30"),
        ],
    );
    assert_eq!(bad.status, 422);
    admin.get(&format!("/teams/{closed}"));
    assert_eq!(
        admin.submit(&format!("/teams/{closed}/delete"), &[]).status,
        303
    );
    assert_eq!(coach.get(&format!("/teams/{closed}")).status, 404);
}

#[test]
fn a_personal_server_has_no_teams() {
    let server = Server::start();
    let mut c = server.client();
    assert_eq!(c.get("/teams").status, 404);
    assert_eq!(
        c.get(&format!("/teams/join/{}", "A".repeat(43))).status,
        404
    );
    assert_eq!(c.get("/api/v1/teams").status, 404);
}

#[test]
fn coaches_assign_mock_interviews_and_see_who_took_them() {
    let server = Server::start_multi_user();
    people(&server);
    let id = team(&server, false);
    let mut coach = server.signed_in("coach");
    let token = link(&mut coach, id);
    let mut ann = server.signed_in("ann");
    join(&mut ann, &token, true);
    let mut bob = server.signed_in("bob");
    join(&mut bob, &token, false);

    coach.get(&format!("/teams/{id}"));
    let bad = coach.submit(
        &format!("/teams/{id}/assignments"),
        &[
            ("title", "Too long"),
            ("guide", "python-django"),
            ("preset", "custom"),
            ("questions", "500"),
            ("minutes", "3"),
        ],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    coach.get(&format!("/teams/{id}"));
    let assigned = coach.submit(
        &format!("/teams/{id}/assignments"),
        &[
            ("title", "Week 1 <screen>"),
            ("guide", "python-django"),
            ("preset", "recruiter-screen"),
        ],
    );
    assert_eq!(assigned.status, 303, "{}", assigned.body);
    coach.get(&format!("/teams/{id}"));
    let custom = coach.submit(
        &format!("/teams/{id}/assignments"),
        &[
            ("title", "Week 2"),
            ("guide", "python-django"),
            ("preset", "custom"),
            ("questions", "2"),
            ("minutes", "1"),
        ],
    );
    assert_eq!(custom.status, 303, "{}", custom.body);

    // Members find it on their interviews page and start it there.
    let page = ann.get("/interviews");
    assert!(
        page.body.contains("Assigned by your teams"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Week 1 &#60;screen&#62;")
            || page.body.contains("Week 1 &lt;screen&gt;")
    );
    assert!(page.body.contains("2 questions, 1 minute each"));
    ann.get("/interviews");
    let started = ann.submit(&format!("/teams/{id}/assignments/1/start"), &[]);
    assert_eq!(started.status, 303, "{}", started.body);
    assert!(location(&started).starts_with("/interviews/"));
    bob.get("/interviews");
    assert_eq!(
        bob.submit(&format!("/teams/{id}/assignments/1/start"), &[])
            .status,
        303
    );
    // Someone outside the team cannot start it.
    let mut eve = server.signed_in("eve");
    eve.get("/interviews");
    assert!(
        !eve.get("/interviews")
            .body
            .contains("Assigned by your teams")
    );
    assert_eq!(
        eve.submit(&format!("/teams/{id}/assignments/1/start"), &[])
            .status,
        404
    );

    // Ann answers the first question poorly and finishes: her missed key points are
    // recorded beside the interview, and the coach's view counts them.
    let interview = location(&started)
        .trim_start_matches("/interviews/")
        .to_owned();
    ann.api();
    let answered = ann.post_json(
        &format!("/api/v1/interviews/{interview}/answer"),
        r#"{"item": 0, "text": "I am not sure."}"#,
    );
    assert_eq!(answered.status, 200, "{}", answered.body);
    let finished = ann.post_json(&format!("/api/v1/interviews/{interview}/finish"), "");
    assert_eq!(finished.status, 200, "{}", finished.body);
    let reported = finished.json()["missed"].as_array().unwrap().len();
    assert!(reported > 0, "{}", finished.body);
    coach.api();
    let cohort = coach.get(&format!("/api/v1/teams/{id}/cohort")).json();
    let most_missed = cohort["most_missed"].as_array().unwrap();
    assert_eq!(most_missed.len(), reported.min(10), "{cohort}");
    assert_eq!(most_missed[0]["members"], 1);
    let own = cohort["members"][0]["most_missed"].as_array().unwrap();
    assert_eq!(own.len(), reported.min(3), "ann's own, at most 3");
    assert_eq!(cohort["members"][0]["interviews"], 1);
    let stored = server.store();
    let ann_id = server
        .block_on(stored.account_by_key("ann"))
        .unwrap()
        .unwrap()
        .learner;
    let dump = server.block_on(stored.export_all()).unwrap();
    let rows = dump
        .account_security
        .iter()
        .find(|t| t.table == "interview_missed")
        .map_or(0, |t| t.rows.len());
    assert_eq!(rows, reported, "one row per missed key point of {ann_id}");

    // The coach sees ann's attempt (she shares), not bob's.
    let page = coach.get(&format!("/teams/{id}"));
    let taken = page
        .body
        .split("Taken by members who share")
        .nth(1)
        .unwrap_or_default();
    assert!(
        taken.contains(">ann<") && taken.contains("%"),
        "{}",
        page.body
    );
    assert!(!taken.split("</table>").next().unwrap().contains(">bob<"));
    // A member cannot assign or withdraw; the coach withdraws.
    ann.get(&format!("/teams/{id}"));
    assert_eq!(
        ann.submit(&format!("/teams/{id}/assignments/1/withdraw"), &[])
            .status,
        403
    );
    coach.get(&format!("/teams/{id}"));
    assert_eq!(
        coach
            .submit(&format!("/teams/{id}/assignments/1/withdraw"), &[])
            .status,
        303
    );
    assert!(!ann.get("/interviews").body.contains("Week 1"));
    assert!(
        ann.get("/interviews")
            .body
            .contains(&format!("/interviews/{interview}/report")),
        "ann's interview stays"
    );
}

#[test]
fn a_wider_scope_asks_members_again_and_only_admins_remove_coaches() {
    let server = Server::start_multi_user();
    people(&server);
    let mut admin = server.signed_in("admin");
    admin.get("/teams");
    let created = admin.submit(
        "/teams",
        &[
            ("name", "Core only"),
            ("guides", "python-django"),
            ("sections", "python-django/core-python"),
            ("interview_date", "2099-3-1"),
        ],
    );
    let id: i64 = location(&created)
        .strip_prefix("/teams/")
        .unwrap()
        .parse()
        .unwrap();
    admin.get(&format!("/teams/{id}"));
    admin.submit(&format!("/teams/{id}/coaches"), &[("username", "coach")]);
    admin.get(&format!("/teams/{id}"));
    admin.submit(&format!("/teams/{id}/coaches"), &[("username", "cyd")]);
    let mut coach = server.signed_in("coach");
    let token = link(&mut coach, id);
    let mut ann = server.signed_in("ann");
    join(&mut ann, &token, true);
    coach.api();
    let cohort = coach.get(&format!("/api/v1/teams/{id}/cohort")).json();
    assert_eq!(
        cohort["interview_date"], "2099-03-01",
        "stored as YYYY-MM-DD"
    );
    assert_eq!(cohort["sections"].as_array().unwrap().len(), 1);
    assert_eq!(cohort["members"].as_array().unwrap().len(), 1);

    // Narrowing keeps sharing; widening to every section asks again.
    coach.get(&format!("/teams/{id}"));
    let saved = coach.submit(
        &format!("/teams/{id}/settings"),
        &[
            ("name", "Everything"),
            ("guides", "python-django"),
            ("interview_date", "2099-03-01"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let cohort = coach.get(&format!("/api/v1/teams/{id}/cohort")).json();
    assert!(cohort["members"].as_array().unwrap().is_empty(), "{cohort}");
    assert_eq!(cohort["not_shared"], serde_json::json!(["ann"]));
    assert!(
        ann.get(&format!("/teams/{id}"))
            .body
            .contains("You do not share")
    );

    // A coach may not remove another coach, nor act on another team.
    let cyd = server.store();
    let cyd_id = server
        .block_on(cyd.account_by_key("cyd"))
        .unwrap()
        .unwrap()
        .learner
        .0;
    coach.get(&format!("/teams/{id}"));
    assert_eq!(
        coach
            .submit(&format!("/teams/{id}/people/{cyd_id}/remove"), &[])
            .status,
        403
    );
    let other = team(&server, false);
    let mut bob = server.signed_in("bob");
    let mut admin = server.signed_in("admin");
    admin.get(&format!("/teams/{other}"));
    admin.submit(&format!("/teams/{other}/coaches"), &[("username", "bob")]);
    let other_link = link(&mut bob, other);
    assert!(!other_link.is_empty());
    // Bob coaches `other` only: the first team's link 1, people and pages are not his.
    bob.get(&format!("/teams/{other}"));
    assert_eq!(
        bob.submit(&format!("/teams/{other}/links/1/revoke"), &[])
            .status,
        404
    );
    assert_eq!(
        bob.submit(&format!("/teams/{id}/links/1/revoke"), &[])
            .status,
        404
    );
    let ann_id = server
        .block_on(cyd.account_by_key("ann"))
        .unwrap()
        .unwrap()
        .learner
        .0;
    assert_eq!(
        bob.submit(&format!("/teams/{other}/people/{ann_id}/remove"), &[])
            .status,
        404
    );
    assert_eq!(bob.get(&format!("/teams/{id}")).status, 404);
    assert_eq!(
        ann.get(&format!("/teams/join/{token}")).status,
        200,
        "link 1 still open"
    );
}
