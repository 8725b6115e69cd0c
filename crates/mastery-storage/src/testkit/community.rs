//! The community's part of the contract suite: threads, posts, history, votes, flags,
//! moderation and the shared limits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::sync::Arc;

use super::{Fixture, new_account};
use crate::{
    DiscussionSearch, LearnerId, Moderation, ModerationEntry, NewPost, NewThread, PostState, Role,
    Storage, StorageError, ThreadOrder, ThreadQuery,
};

/// A post by `author` at `at` in `state`.
pub fn post(thread: i64, author: LearnerId, body: &str, state: PostState, at: i64) -> NewPost<'_> {
    NewPost {
        thread,
        author,
        body,
        html: body,
        state,
        at,
    }
}

/// Opens a thread on python-django/gil.
pub async fn open(
    store: &Arc<dyn Storage>,
    author: LearnerId,
    title: &str,
    state: PostState,
    at: i64,
) -> (i64, i64) {
    store
        .create_thread(&NewThread {
            guide: "python-django",
            question: "gil",
            title,
            post: post(0, author, title, state, at),
        })
        .await
        .unwrap()
}

fn query(viewer: Option<LearnerId>, moderator: bool) -> ThreadQuery<'static> {
    ThreadQuery {
        guide: "python-django",
        question: "gil",
        order: ThreadOrder::Newest,
        offset: 0,
        limit: 50,
        viewer,
        moderator,
    }
}

/// A log entry by `moderator`.
pub fn entry(moderator: LearnerId, action: &str, reason: &str, at: i64) -> ModerationEntry {
    ModerationEntry {
        id: 0,
        at,
        moderator: Some(moderator),
        moderator_name: "mod".into(),
        action: action.into(),
        thread: None,
        post: None,
        member: None,
        member_name: None,
        reason: reason.into(),
        until: None,
    }
}

async fn members(store: &Arc<dyn Storage>) -> (LearnerId, LearnerId, LearnerId) {
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    let bob = store
        .create_account(&new_account("bob", None, 2))
        .await
        .unwrap();
    let mia = store
        .create_account(&crate::NewAccount {
            role: Role::Moderator,
            ..new_account("mia", None, 3)
        })
        .await
        .unwrap();
    (ann, bob, mia)
}

/// Everyone sees visible threads; a pending one only its author and moderators; a
/// deleted opening post hides its thread unless replies are visible; counts, order and
/// last activity follow.
pub async fn threads_are_listed_as_each_reader_may_see_them(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, bob, mia) = members(&store).await;
    let (open_thread, _) = open(&store, ann, "Visible", PostState::Visible, 100).await;
    let (waiting, _) = open(&store, bob, "Waiting", PostState::Pending, 200).await;
    let (gone, gone_post) = open(&store, ann, "Gone", PostState::Visible, 300).await;
    assert!(store.delete_post(gone_post, 301).await.unwrap());
    assert!(
        !store.delete_post(gone_post, 302).await.unwrap(),
        "deleted twice"
    );

    let ids = |threads: Vec<crate::Thread>| threads.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let (anonymous, total) = store.threads(&query(None, false)).await.unwrap();
    assert_eq!((ids(anonymous), total), (vec![open_thread], 1));
    let (as_bob, total) = store.threads(&query(Some(bob), false)).await.unwrap();
    assert_eq!((ids(as_bob), total), (vec![waiting, open_thread], 2));
    let (as_mia, total) = store.threads(&query(Some(mia), true)).await.unwrap();
    assert_eq!((ids(as_mia), total), (vec![gone, waiting, open_thread], 3));

    // A visible reply brings the deleted opening post's thread back, and moves its
    // last activity; a pending reply does neither.
    store
        .add_post(&post(gone, bob, "still useful", PostState::Pending, 400))
        .await
        .unwrap();
    assert_eq!(store.thread(gone).await.unwrap().unwrap().last_post_at, 300);
    store
        .add_post(&post(gone, mia, "reply", PostState::Visible, 500))
        .await
        .unwrap();
    let thread = store.thread(gone).await.unwrap().unwrap();
    assert_eq!((thread.last_post_at, thread.visible_posts), (500, 1));
    assert_eq!(thread.state, PostState::Deleted);
    let (anonymous, _) = store.threads(&query(None, false)).await.unwrap();
    assert_eq!(ids(anonymous), vec![gone, open_thread]);
    assert_eq!(
        store.thread_counts("python-django").await.unwrap(),
        vec![("gil".to_string(), 2)]
    );
    assert_eq!(
        store.discussed_questions().await.unwrap(),
        vec![("python-django".into(), "gil".into(), 3)]
    );

    // Posts come oldest first, paginated, every state.
    let posts = store.posts(gone, 0, 10).await.unwrap();
    let states: Vec<_> = posts.iter().map(|p| p.state).collect();
    assert_eq!(
        states,
        [PostState::Deleted, PostState::Pending, PostState::Visible]
    );
    assert_eq!(posts[0].body, "", "a deleted post keeps no text");
    assert_eq!(posts[2].author_name.as_deref(), Some("mia"));
    assert_eq!(
        store.posts(gone, 1, 1).await.unwrap()[0].body,
        "still useful"
    );

    // Votes order threads by their opening post.
    store
        .vote(
            store.thread(waiting).await.unwrap().unwrap().opening_post,
            ann,
            1,
            600,
        )
        .await
        .unwrap();
    let mut by_votes = query(Some(mia), true);
    by_votes.order = ThreadOrder::Votes;
    let (threads, _) = store.threads(&by_votes).await.unwrap();
    assert_eq!(threads[0].id, waiting);
    by_votes.limit = 1;
    by_votes.offset = 1;
    let (page, total) = store.threads(&by_votes).await.unwrap();
    assert_eq!((page.len(), total), (1, 3));

    let err = store
        .add_post(&post(9_999, ann, "x", PostState::Visible, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let err = store
        .add_post(&post(
            open_thread,
            LearnerId(9_999),
            "x",
            PostState::Visible,
            1,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
}

/// An edit keeps the text it replaces; deleting a post deletes its history too.
pub async fn edits_keep_their_history_until_the_post_is_deleted(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, _, _) = members(&store).await;
    let (_, first) = open(&store, ann, "v1", PostState::Visible, 100).await;
    assert!(
        store
            .edit_post(first, "v2 🦀", "<p>v2 🦀</p>", 200)
            .await
            .unwrap()
    );
    assert!(
        store
            .edit_post(first, "v3", "<p>v3</p>", 300)
            .await
            .unwrap()
    );
    let post = store.post(first).await.unwrap().unwrap();
    assert_eq!(
        (post.body.as_str(), post.html.as_str()),
        ("v3", "<p>v3</p>")
    );
    assert_eq!(post.edited_at, Some(300));
    let history: Vec<_> = store
        .revisions(first)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.number, r.body, r.written_at))
        .collect();
    assert_eq!(
        history,
        [(1, "v1".to_string(), 100), (2, "v2 🦀".to_string(), 200)]
    );
    assert!(store.delete_post(first, 400).await.unwrap());
    assert!(store.revisions(first).await.unwrap().is_empty());
    assert!(
        !store.edit_post(first, "back", "", 500).await.unwrap(),
        "edited once deleted"
    );
    assert!(!store.edit_post(9_999, "x", "", 500).await.unwrap());
    assert!(store.post(9_999).await.unwrap().is_none());
}

/// One vote per member and post, changeable and removable; concurrent votes all count.
pub async fn votes_count_once_per_member_and_all_land(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, bob, mia) = members(&store).await;
    let (thread, first) = open(&store, ann, "t", PostState::Visible, 100).await;
    assert_eq!(store.vote(first, bob, 1, 1).await.unwrap(), 1);
    assert_eq!(
        store.vote(first, bob, 1, 2).await.unwrap(),
        1,
        "counted twice"
    );
    assert_eq!(store.vote(first, mia, -1, 3).await.unwrap(), 0);
    assert_eq!(store.vote(first, bob, -1, 4).await.unwrap(), -2);
    assert_eq!(store.vote(first, mia, 0, 5).await.unwrap(), -1);
    assert_eq!(
        store.votes_in_thread(bob, thread).await.unwrap(),
        [(first, -1)]
    );
    assert!(store.votes_in_thread(mia, thread).await.unwrap().is_empty());
    let err = store.vote(9_999, bob, 1, 6).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");

    let mut voters = Vec::new();
    for n in 0..16 {
        let name = format!("voter{n}");
        voters.push(
            store
                .create_account(&new_account(&name, None, 10))
                .await
                .unwrap(),
        );
    }
    let tasks: Vec<_> = voters
        .into_iter()
        .map(|voter| {
            let store = store.clone();
            tokio::spawn(async move { store.vote(first, voter, 1, 20).await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(store.post(first).await.unwrap().unwrap().score, 15);
}

/// A member flags a post once at a time; a moderator's action resolves the flags and is
/// logged with it in one step; an action on nothing logs nothing.
pub async fn flags_and_moderation_are_logged_together(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, bob, mia) = members(&store).await;
    let (thread, first) = open(&store, ann, "t", PostState::Visible, 100).await;
    assert!(
        store
            .flag(first, bob, "Be kind", "rude", 110)
            .await
            .unwrap()
    );
    assert!(
        !store.flag(first, bob, "Spam", "", 111).await.unwrap(),
        "flagged twice"
    );
    assert!(store.flag(first, mia, "Spam", "", 112).await.unwrap());
    let flags = store.open_flags().await.unwrap();
    assert_eq!(flags.len(), 2);
    assert_eq!(
        (flags[0].rule.as_str(), flags[0].flagger_name.as_deref()),
        ("Be kind", Some("bob"))
    );

    let hide = ModerationEntry {
        post: Some(first),
        thread: Some(thread),
        member: Some(ann),
        member_name: Some("ann".into()),
        ..entry(mia, "hide", "personal attack", 200)
    };
    let change = Moderation::PostState {
        post: first,
        from: PostState::Visible,
        state: PostState::Hidden,
    };
    assert!(store.moderate(&hide, change).await.unwrap().is_some());
    let post = store.post(first).await.unwrap().unwrap();
    assert_eq!(post.state, PostState::Hidden);
    assert_eq!(post.reason.as_deref(), Some("personal attack"));
    assert!(store.open_flags().await.unwrap().is_empty());
    // Bob may flag again once his flag was handled.
    assert!(
        store
            .flag(first, bob, "Be kind", "again", 210)
            .await
            .unwrap()
    );

    let restore = Moderation::PostState {
        post: first,
        from: PostState::Hidden,
        state: PostState::Visible,
    };
    store
        .moderate(&entry(mia, "restore", "context", 300), restore)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.post(first).await.unwrap().unwrap().reason, None);
    let lock = Moderation::Lock {
        thread,
        locked: true,
    };
    store
        .moderate(&entry(mia, "lock", "settled", 400), lock)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.thread(thread).await.unwrap().unwrap().locked_at,
        Some(400)
    );
    let suspend = Moderation::Suspend {
        member: bob,
        until: Some(10_000),
        by: Role::Moderator,
    };
    store
        .moderate(&entry(mia, "suspend", "spam", 500), suspend)
        .await
        .unwrap()
        .unwrap();
    let suspension = store.suspension(bob).await.unwrap().unwrap();
    assert_eq!(
        (suspension.until, suspension.reason.as_str()),
        (10_000, "spam")
    );
    let lift = Moderation::Suspend {
        member: bob,
        until: None,
        by: Role::Moderator,
    };
    store
        .moderate(&entry(mia, "unsuspend", "appeal", 600), lift)
        .await
        .unwrap()
        .unwrap();
    assert!(store.suspension(bob).await.unwrap().is_none());

    let nothing = Moderation::PostState {
        post: 9_999,
        from: PostState::Visible,
        state: PostState::Hidden,
    };
    assert_eq!(
        store
            .moderate(&entry(mia, "hide", "x", 700), nothing)
            .await
            .unwrap(),
        None
    );
    // A change from a state the post is no longer in does nothing, and logs nothing.
    let stale = Moderation::PostState {
        post: first,
        from: PostState::Hidden,
        state: PostState::Visible,
    };
    assert_eq!(
        store
            .moderate(&entry(mia, "restore", "late", 650), stale)
            .await
            .unwrap(),
        None
    );
    let log = store.moderation_log(0, 10).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unsuspend", "suspend", "lock", "restore", "hide"]);
    assert_eq!(log[4].reason, "personal attack");
    assert_eq!(log[4].member_name.as_deref(), Some("ann"));
    assert_eq!(store.moderation_log(4, 10).await.unwrap().len(), 1);
    // Deleting a post closes its flags: nothing is left in the queue for it.
    assert!(store.flag(first, bob, "Spam", "", 700).await.unwrap());
    assert!(!store.open_flags().await.unwrap().is_empty());
    assert!(store.delete_post(first, 800).await.unwrap());
    assert!(store.open_flags().await.unwrap().is_empty());
    assert!(!store.edit_post(first, "back", "", 900).await.unwrap());
}

/// Approval: a pending post counts for its author once approved; the queue lists
/// pending posts oldest first.
pub async fn pending_posts_count_once_approved(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, bob, mia) = members(&store).await;
    let (thread, _) = open(&store, ann, "t", PostState::Visible, 100).await;
    let first = store
        .add_post(&post(thread, bob, "one", PostState::Pending, 200))
        .await
        .unwrap();
    let second = store
        .add_post(&post(thread, bob, "two", PostState::Pending, 300))
        .await
        .unwrap();
    assert_eq!(store.approved_posts(bob).await.unwrap(), 0);
    assert_eq!(store.approved_posts(ann).await.unwrap(), 1);
    let queue: Vec<_> = store
        .pending_posts()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(queue, [first, second]);
    let approve = Moderation::PostState {
        post: first,
        from: PostState::Pending,
        state: PostState::Visible,
    };
    store
        .moderate(&entry(mia, "approve", "fine", 400), approve)
        .await
        .unwrap()
        .unwrap();
    let reject = Moderation::PostState {
        post: second,
        from: PostState::Pending,
        state: PostState::Rejected,
    };
    store
        .moderate(&entry(mia, "reject", "off topic", 500), reject)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.approved_posts(bob).await.unwrap(), 1);
    assert!(store.pending_posts().await.unwrap().is_empty());
    let approved = store.post(first).await.unwrap().unwrap();
    assert_eq!(approved.approved_at, Some(400));
    assert_eq!(
        store.thread(thread).await.unwrap().unwrap().last_post_at,
        400
    );
}

/// A limit allows its burst, then one request per interval, the same for every caller
/// at once: of 24 concurrent requests with a burst of 5, exactly 5 pass.
pub async fn rate_limits_are_shared_and_refill(fx: &dyn Fixture) {
    let store = fx.store();
    for _ in 0..3 {
        assert_eq!(
            store.take_rate("post:1", 1_000, 1_000, 3).await.unwrap(),
            None
        );
    }
    assert_eq!(
        store.take_rate("post:1", 1_000, 1_000, 3).await.unwrap(),
        Some(1_000)
    );
    assert_eq!(
        store.take_rate("post:1", 1_500, 1_000, 3).await.unwrap(),
        Some(500)
    );
    assert_eq!(
        store.take_rate("post:1", 2_000, 1_000, 3).await.unwrap(),
        None
    );
    assert_eq!(
        store.take_rate("post:2", 2_000, 1_000, 3).await.unwrap(),
        None,
        "keys share"
    );
    assert_eq!(store.sweep_rates(2_000).await.unwrap(), 0);
    assert_eq!(store.sweep_rates(100_000).await.unwrap(), 2);

    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.take_rate("vote:7", 50_000, 60_000, 5).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        if task.await.unwrap().is_none() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5);
}

/// Text with NUL, or longer than the limits, is refused and writes nothing.
pub async fn community_text_with_nul_or_too_long_is_refused(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, bob, mia) = members(&store).await;
    let (thread, first) = open(&store, ann, "t", PostState::Visible, 100).await;
    let long = "x".repeat(crate::MAX_POST_BYTES + 1);
    for body in ["a\0b", long.as_str()] {
        let err = store
            .add_post(&post(thread, bob, body, PostState::Visible, 1))
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
        let err = store.edit_post(first, body, "", 2).await.unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    }
    let title = "t".repeat(crate::MAX_COMMUNITY_TEXT_BYTES + 1);
    let err = store
        .create_thread(&NewThread {
            guide: "python-django",
            question: "gil",
            title: &title,
            post: post(0, ann, "x", PostState::Visible, 1),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let err = store.flag(first, bob, "rule\0", "", 3).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let change = Moderation::Lock {
        thread,
        locked: true,
    };
    let err = store
        .moderate(&entry(mia, "lock", "why\0", 4), change)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert_eq!(store.posts(thread, 0, 10).await.unwrap().len(), 1);
    assert_eq!(store.post(first).await.unwrap().unwrap().body, "t");
    assert!(store.moderation_log(0, 10).await.unwrap().is_empty());
    assert_eq!(store.thread(thread).await.unwrap().unwrap().locked_at, None);
}

/// Deleting an account keeps its posts without an author and takes its votes.
pub async fn deleting_an_account_keeps_its_posts_without_author(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, bob, _) = members(&store).await;
    let (thread, first) = open(&store, ann, "t", PostState::Visible, 100).await;
    let reply = store
        .add_post(&post(thread, bob, "reply", PostState::Visible, 200))
        .await
        .unwrap();
    store.vote(first, bob, 1, 300).await.unwrap();
    store.flag(first, bob, "Spam", "", 310).await.unwrap();
    assert!(store.delete_account(bob).await.unwrap());
    let kept = store.post(reply).await.unwrap().unwrap();
    assert_eq!((kept.author, kept.author_name), (None, None));
    assert_eq!(kept.body, "reply");
    assert!(store.votes_in_thread(bob, thread).await.unwrap().is_empty());
    assert_eq!(store.open_flags().await.unwrap()[0].flagger, None);
}

/// Search finds what everyone may read, as it is now: visible posts and titles of visible
/// threads, edited text by its new words, identifiers whole and by prefix; never pending,
/// deleted or hidden text.
pub async fn discussions_are_searched_as_everyone_may_read_them(fx: &dyn Fixture) {
    let store = fx.store();
    let (ann, bob, _mia) = members(&store).await;
    let search = |words: &[&str], prefix: bool| {
        let store = Arc::clone(&store);
        let words: Vec<String> = words.iter().map(ToString::to_string).collect();
        async move {
            store
                .search_discussions(&DiscussionSearch {
                    words: &words,
                    last_is_prefix: prefix,
                    phrases: &[],
                    limit: 10,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|h| (h.thread, h.post, h.matches))
                .collect::<Vec<_>>()
        }
    };
    let (gil, gil_post) = open(&store, ann, "Why the GIL matters", PostState::Visible, 100).await;
    let reply = store
        .add_post(&post(
            gil,
            bob,
            "Use select_related to avoid the N+1 queries",
            PostState::Visible,
            110,
        ))
        .await
        .unwrap();
    let (orm, orm_post) = open(
        &store,
        bob,
        "ORM pitfalls with the gil",
        PostState::Visible,
        120,
    )
    .await;
    store
        .add_post(&post(
            orm,
            ann,
            "the gil again, and again: gil gil",
            PostState::Visible,
            130,
        ))
        .await
        .unwrap();
    let (_secret, _) = open(
        &store,
        bob,
        "Pending thread about prefetch",
        PostState::Pending,
        140,
    )
    .await;
    store
        .add_post(&post(
            gil,
            bob,
            "a pending reply on prefetch",
            PostState::Pending,
            150,
        ))
        .await
        .unwrap();

    // Titles and visible posts, every word required, one line per thread (`open` writes
    // the title as the opening post too: two matches, three with a reply).
    let found = search(&["gil"], false).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.contains(&(gil, gil_post, 2)), "{found:?}");
    assert_eq!(
        found.iter().find(|h| h.0 == orm).map(|h| h.2),
        Some(3),
        "{found:?}"
    );
    assert_eq!(
        search(&["select_related"], false).await,
        vec![(gil, reply, 1)]
    );
    assert_eq!(search(&["SELECT_REL"], true).await, vec![(gil, reply, 1)]);
    assert_eq!(
        search(&["related", "queries"], false).await,
        vec![(gil, reply, 1)]
    );
    assert!(search(&["related", "threading"], false).await.is_empty());
    assert!(
        search(&["sele"], false).await.is_empty(),
        "a prefix only when asked"
    );
    assert!(
        search(&["prefetch"], true).await.is_empty(),
        "pending text is not searched"
    );

    // An edit is found by its new words only; a deleted post not at all.
    assert!(
        store
            .edit_post(reply, "Use prefetch_related for many-to-many", "x", 200)
            .await
            .unwrap()
    );
    assert!(search(&["select_related"], false).await.is_empty());
    assert_eq!(
        search(&["prefetch_related"], false).await,
        vec![(gil, reply, 1)]
    );
    assert!(store.delete_post(reply, 210).await.unwrap());
    assert!(search(&["prefetch_related"], false).await.is_empty());

    // A thread whose opening post is hidden is not searched, even by its replies.
    store
        .moderate(
            &entry(ann, "hide", "spam", 300),
            Moderation::PostState {
                post: orm_post,
                from: PostState::Visible,
                state: PostState::Hidden,
            },
        )
        .await
        .unwrap();
    assert_eq!(search(&["again"], false).await, vec![]);
    assert_eq!(search(&["gil"], false).await, vec![(gil, gil_post, 2)]);
}
