//! Teams' part of the contract suite: teams and memberships round-trip; a link joins until
//! it is revoked or expires and counts its uses; the coach's view reads only the members
//! who joined, are members and share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use super::{Fixture, first, interview, key, new_account};
use crate::{
    Assignment, LearnerId, MissedKeyPoint, StorageError, Team, TeamInvite, TeamMember, TeamRole,
};

fn team(name: &str) -> Team {
    Team {
        id: 0,
        name: name.to_owned(),
        guides: vec!["python-django".to_owned()],
        sections: vec!["python-django/core".to_owned()],
        interview_date: Some("2027-03-01".to_owned()),
        open_invites: false,
        created_at: 5,
    }
}

fn member(team: i64, learner: LearnerId, role: TeamRole, joined: bool) -> TeamMember {
    TeamMember {
        team,
        learner,
        username: String::new(),
        role,
        sharing: true,
        invited_at: 10,
        joined_at: joined.then_some(11),
    }
}

fn link(team: i64, token: &str, expires_at: i64) -> TeamInvite {
    TeamInvite {
        id: 0,
        team,
        token_hash: token.to_owned(),
        created_by: None,
        created_at: 20,
        expires_at,
        max_uses: 2,
        uses: 0,
        revoked_at: None,
    }
}

/// Teams, memberships and links are created, listed, changed and deleted; deleting a team
/// takes its memberships and links with it.
pub async fn teams_and_memberships_round_trip(fx: &dyn Fixture) {
    let store = fx.store();
    let ada = store
        .create_account(&new_account("ada", None, 1))
        .await
        .unwrap();
    let bob = store
        .create_account(&new_account("bob", None, 1))
        .await
        .unwrap();
    let b = store.create_team(&team("B cohort")).await.unwrap();
    let a = store.create_team(&team("A cohort")).await.unwrap();
    let mut stored = store.team(a).await.unwrap().unwrap();
    assert_eq!(
        stored,
        Team {
            id: a,
            ..team("A cohort")
        }
    );
    assert_eq!(
        store
            .teams()
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["A cohort", "B cohort"]
    );
    stored.name = "A cohort, spring".to_owned();
    stored.sections.clear();
    stored.interview_date = None;
    stored.open_invites = true;
    assert!(store.update_team(&stored).await.unwrap());
    assert_eq!(store.team(a).await.unwrap().unwrap(), stored);
    assert!(
        !store
            .update_team(&Team {
                id: 999,
                ..stored.clone()
            })
            .await
            .unwrap()
    );

    store
        .put_team_member(&member(a, bob, TeamRole::Member, true))
        .await
        .unwrap();
    store
        .put_team_member(&member(a, ada, TeamRole::Coach, true))
        .await
        .unwrap();
    store
        .put_team_member(&member(b, bob, TeamRole::Member, false))
        .await
        .unwrap();
    let members = store.team_members(a).await.unwrap();
    assert_eq!(
        members
            .iter()
            .map(|m| (m.username.as_str(), m.role))
            .collect::<Vec<_>>(),
        [("ada", TeamRole::Coach), ("bob", TeamRole::Member)],
        "coaches first"
    );
    let mine = store.teams_of(bob).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].0.id, a);
    assert_eq!(mine[1].1.joined_at, None, "invited by name to B");
    // Replacing: bob stops sharing.
    store
        .put_team_member(&TeamMember {
            sharing: false,
            ..member(a, bob, TeamRole::Member, true)
        })
        .await
        .unwrap();
    assert!(!store.team_members(a).await.unwrap()[1].sharing);
    assert!(matches!(
        store
            .put_team_member(&member(999, bob, TeamRole::Member, true))
            .await,
        Err(StorageError::Invalid(_))
    ));
    assert!(store.remove_team_member(b, bob).await.unwrap());
    assert!(!store.remove_team_member(b, bob).await.unwrap());

    let id = store
        .create_team_invite(&link(a, "t1", 1_000))
        .await
        .unwrap();
    assert!(store.delete_team(a).await.unwrap());
    assert!(!store.delete_team(a).await.unwrap());
    assert_eq!(store.team(a).await.unwrap(), None);
    assert!(store.teams_of(bob).await.unwrap().is_empty());
    assert_eq!(store.team_invite("t1").await.unwrap(), None);
    assert!(!store.revoke_team_invite(a, id, 30).await.unwrap());
    assert!(matches!(
        store
            .create_team(&Team {
                name: "x\0".to_owned(),
                ..team("x")
            })
            .await,
        Err(StorageError::Invalid(_))
    ));
    assert!(matches!(
        store
            .create_team(&Team {
                guides: vec!["two words".to_owned()],
                ..team("x")
            })
            .await,
        Err(StorageError::Invalid(_))
    ));
}

/// A link joins until it is revoked or expires, counts each use, never demotes a coach, and
/// turns an invitation by name into a membership.
pub async fn team_links_join_until_revoked_or_expired(fx: &dyn Fixture) {
    let store = fx.store();
    let ada = store
        .create_account(&new_account("ada", None, 1))
        .await
        .unwrap();
    let bob = store
        .create_account(&new_account("bob", None, 1))
        .await
        .unwrap();
    let cy = store
        .create_account(&new_account("cy", None, 1))
        .await
        .unwrap();
    let a = store.create_team(&team("A")).await.unwrap();
    let other = store.create_team(&team("B")).await.unwrap();
    store
        .put_team_member(&member(a, ada, TeamRole::Coach, true))
        .await
        .unwrap();
    store
        .put_team_member(&member(a, cy, TeamRole::Member, false))
        .await
        .unwrap();
    let id = store
        .create_team_invite(&link(a, "t1", 1_000))
        .await
        .unwrap();
    assert_eq!(
        store.join_team("t1", bob, false, 100).await.unwrap(),
        Some(a)
    );
    assert_eq!(
        store.join_team("t1", ada, true, 110).await.unwrap(),
        Some(a)
    );
    assert_eq!(store.join_team("t1", cy, true, 120).await.unwrap(), Some(a));
    let members = store.team_members(a).await.unwrap();
    let find = |l: LearnerId| members.iter().find(|m| m.learner == l).unwrap().clone();
    assert_eq!(find(ada).role, TeamRole::Coach, "a coach stays a coach");
    assert_eq!(
        find(ada).joined_at,
        Some(11),
        "and keeps the time they joined"
    );
    assert_eq!((find(bob).sharing, find(bob).joined_at), (false, Some(100)));
    assert_eq!((find(cy).sharing, find(cy).joined_at), (true, Some(120)));
    assert_eq!(
        store.team_invite("t1").await.unwrap().unwrap().uses,
        2,
        "cy, invited by name already, took no use"
    );
    assert_eq!(
        store.team_invite("t1").await.unwrap().unwrap().state(130),
        "used up"
    );
    assert_eq!(
        store.join_team("t1", bob, true, 130).await.unwrap(),
        None,
        "used up"
    );
    // Invited by name: accepting sets the time once; sharing changes only for a member.
    let dee = store
        .create_account(&new_account("dee", None, 1))
        .await
        .unwrap();
    assert!(
        store
            .invite_team_member(&member(a, dee, TeamRole::Member, false))
            .await
            .unwrap()
    );
    assert!(
        !store
            .invite_team_member(&member(a, bob, TeamRole::Member, false))
            .await
            .unwrap(),
        "a joined member is never reset to invited"
    );
    assert!(
        !store.set_team_sharing(a, dee, true).await.unwrap(),
        "not joined yet"
    );
    assert!(
        store
            .accept_team_invitation(a, dee, false, 140)
            .await
            .unwrap()
    );
    assert!(
        !store
            .accept_team_invitation(a, dee, true, 150)
            .await
            .unwrap(),
        "once"
    );
    assert!(store.set_team_sharing(a, dee, true).await.unwrap());
    assert!(
        !store.set_team_sharing(a, ada, true).await.unwrap(),
        "a coach shares nothing"
    );
    assert!(store.remove_team_member(a, dee).await.unwrap());
    assert!(
        !store.set_team_sharing(a, dee, false).await.unwrap(),
        "removed: not put back"
    );
    assert!(
        !store
            .accept_team_invitation(a, dee, true, 160)
            .await
            .unwrap()
    );
    assert_eq!(
        store.join_team("t1", bob, true, 1_000).await.unwrap(),
        None,
        "expired"
    );
    assert!(
        !store.revoke_team_invite(other, id, 200).await.unwrap(),
        "another team's"
    );
    assert!(store.revoke_team_invite(a, id, 200).await.unwrap());
    assert!(!store.revoke_team_invite(a, id, 300).await.unwrap(), "once");
    assert_eq!(
        store.join_team("t1", bob, true, 500).await.unwrap(),
        None,
        "revoked"
    );
    assert_eq!(store.join_team("nope", bob, true, 500).await.unwrap(), None);
    let links = store.team_invites(a).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].revoked_at, Some(200));
    assert_eq!(links[0].state(500), "revoked");
    assert_eq!(store.team_invites(other).await.unwrap(), []);
}

/// The coach's view reads the marks, cards, settings, recent reviews, latest review and
/// finished interviews of the members who joined and share, and of nobody else.
pub async fn team_progress_reads_only_members_who_share(fx: &dyn Fixture) {
    let store = fx.store();
    let mut people = Vec::new();
    for name in ["coach", "sharer", "private", "invited", "outsider"] {
        people.push(
            store
                .create_account(&new_account(name, None, 1))
                .await
                .unwrap(),
        );
    }
    let [coach, sharer, private, invited, outsider] = people[..] else {
        unreachable!()
    };
    let a = store.create_team(&team("A")).await.unwrap();
    store
        .put_team_member(&member(a, coach, TeamRole::Coach, true))
        .await
        .unwrap();
    store
        .put_team_member(&member(a, sharer, TeamRole::Member, true))
        .await
        .unwrap();
    store
        .put_team_member(&TeamMember {
            sharing: false,
            ..member(a, private, TeamRole::Member, true)
        })
        .await
        .unwrap();
    store
        .put_team_member(&member(a, invited, TeamRole::Member, false))
        .await
        .unwrap();
    let gil = key("python-django", "gil");
    for (n, who) in [coach, sharer, private, invited, outsider]
        .into_iter()
        .enumerate()
    {
        store.set_mark(who, &gil, true, 50).await.unwrap();
        store
            .record_review(who, &first(&format!("review-{n:02}-old"), &gil, 100))
            .await
            .unwrap();
        store
            .record_review(
                who,
                &first(
                    &format!("review-{n:02}-new"),
                    &key("python-django", "mro"),
                    5_000,
                ),
            )
            .await
            .unwrap();
        store
            .set_learner_setting(who, "retention", "0.9")
            .await
            .unwrap();
        let mut done = interview(&format!("interview-{n}"), 200);
        done.finished_at = Some(300);
        done.score = Some(0.5);
        store.save_interview(who, &done).await.unwrap();
        store
            .save_interview(who, &interview(&format!("open-{n}"), 400))
            .await
            .unwrap();
    }
    let progress = store.team_progress(a, 1_000).await.unwrap();
    assert_eq!(
        progress
            .members
            .iter()
            .map(|m| m.learner)
            .collect::<Vec<_>>(),
        [sharer]
    );
    assert_eq!(progress.marks, [(sharer, gil.clone())]);
    assert_eq!(progress.cards.len(), 2);
    assert!(progress.cards.iter().all(|(who, _)| *who == sharer));
    // The card as recall needs it: the fields as stored, the memory at least to the f32
    // that FSRS works in.
    let stored = store.card(sharer, &gil).await.unwrap().unwrap();
    let (_, read) = progress.cards.iter().find(|(_, c)| c.key == gil).unwrap();
    let f32s = |x: Option<f64>| x.map(|v| v as f32);
    assert_eq!(
        (
            read.phase,
            f32s(read.stability),
            f32s(read.difficulty),
            read.last_review
        ),
        (
            stored.phase,
            f32s(stored.stability),
            f32s(stored.difficulty),
            stored.last_review
        )
    );
    assert_eq!(
        progress.settings,
        [(sharer, "retention".to_owned(), "0.9".to_owned())]
    );
    assert_eq!(
        progress.recent_reviews,
        [(sharer, key("python-django", "mro"), 5_000)],
        "only since 1,000"
    );
    assert_eq!(progress.last_review, [(sharer, 5_000)]);
    assert_eq!(progress.interviews.len(), 1, "finished ones only");
    assert_eq!(progress.interviews[0].learner, sharer);
    assert_eq!(
        store.team_progress(999, 0).await.unwrap(),
        Default::default()
    );
}

/// Assignments are listed newest first and deleted with their team; the interviews started
/// for them are read back for the members who share only, and each member reads their own.
pub async fn assignments_link_the_interviews_of_members_who_share(fx: &dyn Fixture) {
    let store = fx.store();
    let sharer = store
        .create_account(&new_account("sharer", None, 1))
        .await
        .unwrap();
    let private = store
        .create_account(&new_account("private", None, 1))
        .await
        .unwrap();
    let a = store.create_team(&team("A")).await.unwrap();
    store
        .put_team_member(&member(a, sharer, TeamRole::Member, true))
        .await
        .unwrap();
    store
        .put_team_member(&TeamMember {
            sharing: false,
            ..member(a, private, TeamRole::Member, true)
        })
        .await
        .unwrap();
    let assignment = |title: &str, at| Assignment {
        id: 0,
        team: a,
        guide: "python-django".to_owned(),
        title: title.to_owned(),
        request: r#"{"kind":"preset","id":"recruiter-screen"}"#.to_owned(),
        created_by: None,
        created_at: at,
    };
    let first = store
        .create_assignment(&assignment("Week 1", 10))
        .await
        .unwrap();
    let second = store
        .create_assignment(&assignment("Week 2", 20))
        .await
        .unwrap();
    let listed = store.assignments(a).await.unwrap();
    assert_eq!(
        listed.iter().map(|x| x.id).collect::<Vec<_>>(),
        [second, first],
        "newest first"
    );
    assert_eq!(
        store.assignment(first).await.unwrap().unwrap().title,
        "Week 1"
    );
    assert!(matches!(
        store
            .create_assignment(&Assignment {
                team: 999,
                ..assignment("x", 1)
            })
            .await,
        Err(StorageError::Invalid(_))
    ));
    for (who, id) in [(sharer, "s-1"), (private, "p-1")] {
        let mut done = interview(id, 100);
        done.finished_at = Some(200);
        done.score = Some(0.75);
        store.save_interview(who, &done).await.unwrap();
        store.link_assignment(who, id, first).await.unwrap();
    }
    assert!(matches!(
        store
            .link_assignment(sharer, "no-such-interview", first)
            .await,
        Err(StorageError::Invalid(_))
    ));
    let taken = store.assignments_taken(a).await.unwrap();
    assert_eq!(taken.len(), 1, "only the member who shares: {taken:?}");
    assert_eq!(
        (
            taken[0].learner,
            taken[0].interview.as_str(),
            taken[0].score
        ),
        (sharer, "s-1", Some(0.75))
    );
    assert_eq!(store.my_assignments_taken(private).await.unwrap().len(), 1);
    assert!(
        !store.delete_assignment(999, first).await.unwrap(),
        "another team's"
    );
    assert!(store.delete_assignment(a, first).await.unwrap());
    assert!(store.assignments_taken(a).await.unwrap().is_empty());
    assert!(
        store.interview(sharer, "s-1").await.unwrap().is_some(),
        "the interview stays"
    );
    assert!(store.delete_team(a).await.unwrap());
    assert_eq!(store.assignment(second).await.unwrap(), None);
}

/// Missed key points are recorded for an interview at a revision, replaced by the next
/// record, refused for a stale revision, and the coach's view reads them (and no document)
/// while recorded; saving the interview again forgets that they were.
pub async fn missed_key_points_are_recorded_per_revision(fx: &dyn Fixture) {
    let store = fx.store();
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    let a = store.create_team(&team("A")).await.unwrap();
    store
        .put_team_member(&member(a, ann, TeamRole::Member, true))
        .await
        .unwrap();
    let mut done = interview("iv-1", 100);
    done.finished_at = Some(200);
    done.score = Some(0.5);
    store.save_interview(ann, &done).await.unwrap();
    let point = |item, text: &str| MissedKeyPoint {
        interview: "iv-1".to_owned(),
        item,
        key_point: 0,
        key: key("python-django", "gil"),
        text: text.to_owned(),
    };
    assert!(
        store
            .record_missed(ann, "iv-1", 1, &[point(0, "old"), point(1, "both")])
            .await
            .unwrap()
    );
    assert!(
        store
            .record_missed(ann, "iv-1", 1, &[point(1, "both")])
            .await
            .unwrap()
    );
    let progress = store.team_progress(a, 0).await.unwrap();
    assert_eq!(progress.missed, [(ann, point(1, "both"))], "replaced");
    assert_eq!(progress.interviews[0].value.state, "", "no document needed");
    assert!(
        !store.record_missed(ann, "iv-1", 7, &[]).await.unwrap(),
        "not at that revision"
    );
    assert!(!store.record_missed(ann, "no-such", 1, &[]).await.unwrap());
    // Saved again: the rows stay until recorded again, the document is read meanwhile.
    let mut again = done.clone();
    again.revision = 2;
    store.save_interview(ann, &again).await.unwrap();
    let progress = store.team_progress(a, 0).await.unwrap();
    assert_eq!(progress.interviews[0].value.state, again.state);
}
