//! Suggestions' and notifications' part of the contract suite: suggestions round-trip and
//! are listed by filter; votes keep a running score that outlives the voter's account;
//! decisions and revisions apply only from the state the caller saw; a decision's
//! notification is written with it; notifications are read and marked per member.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use super::{Fixture, new_account};
use crate::{
    LearnerId, NewNotification, NewSuggestion, StorageError, SuggestionDecision, SuggestionFilter,
    SuggestionRevision, SuggestionState,
};

fn new<'a>(author: LearnerId, question: &'a str, at: i64) -> NewSuggestion<'a> {
    NewSuggestion {
        guide: "python-django",
        question,
        author,
        summary: "Say when the GIL is released",
        base_text: "## Q?\n\nid: gil\n\nOld.\n",
        proposed_text: "## Q?\n\nid: gil\n\nNew — with ünïcode.\n",
        at,
    }
}

/// New accounts with these usernames, in order.
async fn accounts<const N: usize>(store: &dyn crate::Storage, names: [&str; N]) -> [LearnerId; N] {
    let mut out = [LearnerId(0); N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = store
            .create_account(&new_account(name, None, 1))
            .await
            .unwrap();
    }
    out
}

fn all() -> SuggestionFilter {
    SuggestionFilter {
        limit: 100,
        ..SuggestionFilter::default()
    }
}

/// Suggestions are stored as written, listed newest first by guide, question, state and
/// author, counted, and refused with NUL or too long a text.
pub async fn suggestions_round_trip_and_filter(fx: &dyn Fixture) {
    let store = fx.store();
    let [ada, bob] = accounts(store.as_ref(), ["ada", "bob"]).await;
    let first = store.create_suggestion(&new(ada, "gil", 10)).await.unwrap();
    let second = store
        .create_suggestion(&new(bob, "asyncio", 20))
        .await
        .unwrap();
    let stored = store.suggestion(first).await.unwrap().unwrap();
    assert_eq!(stored.author, Some(ada));
    assert_eq!(stored.author_name.as_deref(), Some("ada"));
    assert_eq!(
        stored.proposed_text,
        "## Q?\n\nid: gil\n\nNew — with ünïcode.\n"
    );
    assert_eq!(stored.state, SuggestionState::Open);
    assert_eq!(
        (stored.score, stored.created_at, stored.updated_at),
        (0, 10, 10)
    );
    assert_eq!(stored.moderator_name, None);
    assert_eq!(stored.decision_comment, None);
    assert!(store.suggestion(9999).await.unwrap().is_none());

    let ids = |list: Vec<crate::Suggestion>| list.iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.suggestions(&all()).await.unwrap()),
        [second, first]
    );
    let gil = SuggestionFilter {
        question: Some("gil".into()),
        guide: Some("python-django".into()),
        ..all()
    };
    assert_eq!(ids(store.suggestions(&gil).await.unwrap()), [first]);
    let bobs = SuggestionFilter {
        author: Some(bob),
        ..all()
    };
    assert_eq!(ids(store.suggestions(&bobs).await.unwrap()), [second]);
    let other_guide = SuggestionFilter {
        guide: Some("rust".into()),
        ..all()
    };
    assert!(store.suggestions(&other_guide).await.unwrap().is_empty());
    let paged = SuggestionFilter {
        limit: 1,
        offset: 1,
        ..all()
    };
    assert_eq!(ids(store.suggestions(&paged).await.unwrap()), [first]);
    let open = SuggestionFilter {
        states: vec![SuggestionState::Open],
        ..SuggestionFilter::default()
    };
    assert_eq!(store.count_suggestions(&open).await.unwrap(), 2);
    assert_eq!(store.count_suggestions(&gil).await.unwrap(), 1);

    let mut bad = new(ada, "gil", 30);
    bad.proposed_text = "nul \0 here";
    assert!(matches!(
        store.create_suggestion(&bad).await,
        Err(StorageError::Invalid(_))
    ));
    let long = "x".repeat(crate::MAX_SUGGESTION_TEXT_BYTES + 1);
    bad.proposed_text = &long;
    assert!(matches!(
        store.create_suggestion(&bad).await,
        Err(StorageError::Invalid(_))
    ));
    assert!(matches!(
        store
            .create_suggestion(&new(LearnerId(424_242), "gil", 30))
            .await,
        Err(StorageError::Invalid(_))
    ));
}

/// A vote counts once per member and can be changed or taken back; the score stays when
/// the voter's account is deleted; votes on no suggestion are refused.
pub async fn suggestion_votes_keep_a_running_score(fx: &dyn Fixture) {
    let store = fx.store();
    let [ada, bob, cy] = accounts(store.as_ref(), ["ada", "bob", "cy"]).await;
    let id = store.create_suggestion(&new(ada, "gil", 10)).await.unwrap();
    assert_eq!(store.vote_suggestion(id, bob, 1, 11).await.unwrap(), 1);
    assert_eq!(store.vote_suggestion(id, bob, 1, 12).await.unwrap(), 1);
    assert_eq!(store.vote_suggestion(id, cy, -1, 13).await.unwrap(), 0);
    assert_eq!(store.vote_suggestion(id, cy, 1, 14).await.unwrap(), 2);
    assert_eq!(store.suggestion_vote(id, cy).await.unwrap(), 1);
    assert_eq!(store.vote_suggestion(id, cy, 0, 15).await.unwrap(), 1);
    assert_eq!(store.suggestion_vote(id, cy).await.unwrap(), 0);
    assert_eq!(
        store.vote_suggestion(id, cy, 5, 16).await.unwrap(),
        2,
        "signum"
    );
    store.delete_account(cy).await.unwrap();
    let kept = store.suggestion(id).await.unwrap().unwrap();
    assert_eq!(kept.score, 2, "a deleted voter's vote stays counted");
    assert!(matches!(
        store.vote_suggestion(9999, bob, 1, 17).await,
        Err(StorageError::Invalid(_))
    ));
    // Deleting the author keeps the suggestion without a name.
    store.delete_account(ada).await.unwrap();
    let orphan = store.suggestion(id).await.unwrap().unwrap();
    assert_eq!((orphan.author, orphan.author_name), (None, None));
}

/// A decision applies only from the state the decider saw, and its notification is
/// written with it (and only then); a revision only while `updated_at` is as seen; export
/// marks only accepted, unexported suggestions, once.
pub async fn suggestion_decisions_apply_once_with_their_notice(fx: &dyn Fixture) {
    let store = fx.store();
    let [ada, mo] = accounts(store.as_ref(), ["ada", "mo"]).await;
    let id = store.create_suggestion(&new(ada, "gil", 10)).await.unwrap();
    let other = store.create_suggestion(&new(ada, "gil", 11)).await.unwrap();
    let notice = NewNotification {
        learner: ada,
        kind: "suggestion",
        text: "mo accepted your suggestion",
        link: "/suggestions/1",
        at: 20,
    };
    // A decision on a text the moderator did not read (changed since `seen`) does nothing.
    let unread = SuggestionDecision {
        id,
        from: SuggestionState::Open,
        seen: Some(9),
        to: SuggestionState::Accepted,
        moderator: Some((mo, "mo")),
        comment: None,
        at: 19,
        notice: Some(notice),
    };
    assert!(!store.decide_suggestion(&unread).await.unwrap());
    assert!(store.notifications(ada, None, 10).await.unwrap().is_empty());
    let accept = SuggestionDecision {
        id,
        from: SuggestionState::Open,
        seen: Some(10),
        to: SuggestionState::Accepted,
        moderator: Some((mo, "mo")),
        comment: Some("Thanks"),
        at: 20,
        notice: Some(notice),
    };
    assert!(store.decide_suggestion(&accept).await.unwrap());
    assert!(
        !store.decide_suggestion(&accept).await.unwrap(),
        "no longer open"
    );
    let decided = store.suggestion(id).await.unwrap().unwrap();
    assert_eq!(decided.state, SuggestionState::Accepted);
    assert_eq!(decided.moderator_name.as_deref(), Some("mo"));
    assert_eq!(decided.decision_comment.as_deref(), Some("Thanks"));
    assert_eq!(decided.decided_at, Some(20));
    let told = store.notifications(ada, None, 10).await.unwrap();
    assert_eq!(told.len(), 1, "one notice, from the decision that applied");
    assert_eq!(told[0].text, "mo accepted your suggestion");
    assert_eq!(store.unread_notifications(ada).await.unwrap(), 1);

    // Revisions: only from the `updated_at` seen, and only in the states allowed.
    let revise = SuggestionRevision {
        id: other,
        by: ada,
        seen: 11,
        states: &[SuggestionState::Open],
        base_text: "## Q?\n\nid: gil\n\nNewer.\n",
        proposed_text: "## Q?\n\nid: gil\n\nNewest.\n",
        summary: "Rebased",
        at: 11,
    };
    assert!(store.revise_suggestion(&revise).await.unwrap());
    assert!(
        !store.revise_suggestion(&revise).await.unwrap(),
        "updated_at moved on, even within the same millisecond"
    );
    let revised = store.suggestion(other).await.unwrap().unwrap();
    assert_eq!(revised.base_text, "## Q?\n\nid: gil\n\nNewer.\n");
    assert_eq!(revised.summary, "Rebased");
    assert!(revised.updated_at > 11);
    let closed = SuggestionRevision {
        id,
        seen: decided.updated_at,
        states: &[SuggestionState::Open],
        ..revise
    };
    assert!(!store.revise_suggestion(&closed).await.unwrap(), "accepted");
    assert_eq!(revised.reviser, None, "its author changed it");

    // A moderator's rebase of an accepted suggestion makes it a new proposal: open,
    // undecided, without votes, with the moderator as its reviser.
    let third = store.create_suggestion(&new(ada, "gil", 12)).await.unwrap();
    store.vote_suggestion(third, mo, 1, 13).await.unwrap();
    let accept_third = SuggestionDecision {
        id: third,
        seen: Some(12),
        notice: None,
        ..accept
    };
    assert!(store.decide_suggestion(&accept_third).await.unwrap());
    let rebase = SuggestionRevision {
        id: third,
        by: mo,
        seen: 12,
        states: &[SuggestionState::Open, SuggestionState::Accepted],
        ..revise
    };
    assert!(store.revise_suggestion(&rebase).await.unwrap());
    let rebased = store.suggestion(third).await.unwrap().unwrap();
    assert_eq!(rebased.state, SuggestionState::Open);
    assert_eq!(
        (rebased.score, rebased.decided_at, rebased.moderator_name),
        (0, None, None)
    );
    assert_eq!(rebased.reviser, Some(mo));
    assert_eq!(store.suggestion_vote(third, mo).await.unwrap(), 0);

    // Export: accepted and not exported, oldest decision first; marked once.
    let unexported = SuggestionFilter {
        unexported: true,
        limit: 100,
        ..SuggestionFilter::default()
    };
    let listed: Vec<i64> = store
        .suggestions(&unexported)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, [id]);
    assert_eq!(
        store
            .mark_suggestions_exported(&[(id, decided.updated_at), (other, 0)], 30)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .mark_suggestions_exported(&[(id, decided.updated_at)], 31)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.suggestion(id).await.unwrap().unwrap().exported_at,
        Some(30)
    );
    assert!(store.suggestions(&unexported).await.unwrap().is_empty());

    // Withdrawn by the author: no moderator, no notice.
    let withdraw = SuggestionDecision {
        id: other,
        from: SuggestionState::Open,
        seen: None,
        to: SuggestionState::Withdrawn,
        moderator: None,
        comment: None,
        at: 40,
        notice: None,
    };
    assert!(store.decide_suggestion(&withdraw).await.unwrap());
    let gone = store.suggestion(other).await.unwrap().unwrap();
    assert_eq!(
        (gone.state, gone.moderator_name),
        (SuggestionState::Withdrawn, None)
    );
    assert_eq!(store.notifications(ada, None, 10).await.unwrap().len(), 1);
}

/// Notifications are each member's own: listed newest first with paging, counted while
/// unread, marked read up to a number; a link off the site or NUL is refused.
pub async fn notifications_are_each_members_own(fx: &dyn Fixture) {
    let store = fx.store();
    let [ada, bob] = accounts(store.as_ref(), ["ada", "bob"]).await;
    for (n, who) in [(1, ada), (2, bob), (3, ada), (4, ada)] {
        let text = format!("event {n}");
        store
            .notify(&NewNotification {
                learner: who,
                kind: "reply",
                text: &text,
                link: "/threads/1#post-2",
                at: n,
            })
            .await
            .unwrap();
    }
    let mine = store.notifications(ada, None, 10).await.unwrap();
    let texts: Vec<&str> = mine.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, ["event 4", "event 3", "event 1"]);
    assert!(mine.iter().all(|n| n.learner == ada && n.read_at.is_none()));
    let older = store.notifications(ada, Some(mine[0].id), 1).await.unwrap();
    assert_eq!(older[0].text, "event 3");
    assert_eq!(store.unread_notifications(ada).await.unwrap(), 3);
    // Marking up to "event 3" leaves "event 4" unread, and touches nothing of bob's.
    assert_eq!(
        store.read_notifications(ada, mine[1].id, 50).await.unwrap(),
        2
    );
    assert_eq!(store.unread_notifications(ada).await.unwrap(), 1);
    assert_eq!(store.unread_notifications(bob).await.unwrap(), 1);
    assert_eq!(
        store.read_notifications(bob, mine[0].id, 51).await.unwrap(),
        1
    );
    let after = store.notifications(ada, None, 10).await.unwrap();
    assert_eq!(after[1].read_at, Some(50));
    for (text, link) in [
        ("nul \0", "/x"),
        ("ok", "https://evil.example/"),
        ("ok", "//evil"),
    ] {
        let refused = store
            .notify(&NewNotification {
                learner: ada,
                kind: "reply",
                text,
                link,
                at: 60,
            })
            .await;
        assert!(matches!(refused, Err(StorageError::Invalid(_))), "{link}");
    }
    // A member keeps the newest MAX_NOTIFICATIONS_KEPT: the oldest go.
    let kept = usize::try_from(crate::MAX_NOTIFICATIONS_KEPT).unwrap();
    for n in 0..=kept {
        let text = format!("many {n}");
        store
            .notify(&NewNotification {
                learner: bob,
                kind: "reply",
                text: &text,
                link: "/",
                at: 100 + i64::try_from(n).unwrap(),
            })
            .await
            .unwrap();
    }
    let all = store.notifications(bob, None, 10_000).await.unwrap();
    assert_eq!(all.len(), kept);
    assert_eq!(all[0].text, format!("many {kept}"));
    assert_eq!(all[kept - 1].text, "many 1", "the oldest went");
    assert_eq!(
        store.notifications(ada, None, 10).await.unwrap().len(),
        3,
        "ada's stay"
    );
    assert!(matches!(
        store
            .notify(&NewNotification {
                learner: LearnerId(424_242),
                kind: "reply",
                text: "nobody",
                link: "/",
                at: 61,
            })
            .await,
        Err(StorageError::Invalid(_))
    ));
}

/// Erasing a member's contributions deletes their posts (text and history; replies keep
/// their place) and their suggestions, and nobody else's.
pub async fn contributions_are_erased_on_request(fx: &dyn Fixture) {
    let store = fx.store();
    let [ada, bob] = accounts(store.as_ref(), ["ada", "bob"]).await;
    let (thread, opening) = store
        .create_thread(&crate::NewThread {
            guide: "python-django",
            question: "gil",
            title: "Ada's thread",
            post: crate::NewPost {
                thread: 0,
                author: ada,
                body: "ADA-TEXT",
                html: "<p>ADA-TEXT</p>",
                state: crate::PostState::Visible,
                at: 5,
            },
        })
        .await
        .unwrap();
    let reply = store
        .add_post(&crate::NewPost {
            thread,
            author: bob,
            body: "bob's reply",
            html: "<p>bob's reply</p>",
            state: crate::PostState::Visible,
            at: 6,
        })
        .await
        .unwrap();
    store.vote(reply, ada, 1, 7).await.unwrap();
    let mine = store.create_suggestion(&new(ada, "gil", 8)).await.unwrap();
    let his = store.create_suggestion(&new(bob, "gil", 9)).await.unwrap();
    assert_eq!(store.erase_contributions(ada, 10).await.unwrap(), (1, 1));
    let gone = store.post(opening).await.unwrap().unwrap();
    assert_eq!(
        (gone.state, gone.body.as_str()),
        (crate::PostState::Deleted, "")
    );
    let kept = store.post(reply).await.unwrap().unwrap();
    assert_eq!((kept.body.as_str(), kept.score), ("bob's reply", 1));
    assert!(store.suggestion(mine).await.unwrap().is_none());
    assert!(store.suggestion(his).await.unwrap().is_some());
    assert!(store.delete_account(ada).await.unwrap());
    assert_eq!(
        store.post(reply).await.unwrap().unwrap().score,
        1,
        "ada's vote stays counted"
    );
    assert_eq!(store.erase_contributions(ada, 11).await.unwrap(), (0, 0));
}
