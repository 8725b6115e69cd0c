//! The contract test suite every backend runs (feature `testkit`, for dev-dependencies).
//!
//! Each check is a `pub async fn` that takes a [`Fixture`] (a fresh, empty database of the
//! backend under test) and panics when the backend breaks the contract of
//! [`Storage`]. A backend's test crate implements [`Fixture`] and calls
//! [`storage_suite!`](crate::storage_suite), which writes one `#[tokio::test]` per check:
//!
//! ```ignore
//! mastery_storage::storage_suite!(common::fixture());
//! ```
//!
//! `common::fixture()` is an `async` expression giving `Option<impl Fixture>`; `None` skips
//! the test (a server that is not there, where that is allowed). Checks of several stores
//! at once ([`exactly_once_across_instances`], [`dump_round_trips`]) are called by hand.
//!
//! What only one backend has (files, WAL, group commit, reopening, server restarts) is
//! tested in that backend's crate.

// Checks state their expectations with unwrap/expect/panic: a failure is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::HashMap;
use std::sync::Arc;

mod community;
pub mod python;
mod restore;
mod security;
mod single_sign_on;
mod suggestions;
mod teams;
pub use community::*;
pub use restore::*;
pub use security::*;
pub use single_sign_on::*;
pub use suggestions::*;
pub use teams::*;

use crate::{
    ACCOUNT_KIND, Account, Admission, CardPhase, Dump, Invite, LearnerId, MAX_ACCOUNT_TEXT_BYTES,
    MAX_NOTE_BYTES, MAX_SETTING_VALUE_BYTES, Mark, Millis, NewAccount, PostState, QuestionKey,
    Recorded, ReviewRecord, Role, Storage, StorageError, StoredCard, StoredInterview,
    StoredSession, Taken,
};

/// A fresh, empty database of the backend under test, with what the checks need beyond the
/// trait.
#[async_trait::async_trait]
pub trait Fixture: Send + Sync {
    /// The store (the same one on every call).
    fn store(&self) -> Arc<dyn Storage>;
    /// Creates a learner of `kind` (the backend's `create_learner`).
    async fn create_learner(&self, kind: &str, at: Millis) -> crate::Result<LearnerId>;
    /// Runs SQL behind the store's back (to change a row as something else would).
    async fn execute(&self, sql: &str);
}

/// Writes one `#[tokio::test]` per check of the suite, each on the fixture that the `async`
/// expression `$fixture` (giving `Option<impl Fixture>`) makes; `None` skips it.
#[macro_export]
macro_rules! storage_suite {
    (@tests $fixture:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                if let Some(fixture) = $fixture.await {
                    $crate::testkit::$check(&fixture).await;
                }
            }
        )*
    };
    ($fixture:expr) => {
        $crate::storage_suite!(@tests $fixture;
            ticking_is_idempotent_and_keeps_the_first_time,
            marks_are_listed_across_guides_in_key_order,
            notes_round_trip_unicode,
            saving_again_replaces_the_body_and_time,
            an_empty_or_blank_note_deletes_it,
            notes_longer_than_the_limit_are_refused,
            text_with_nul_is_refused_everywhere,
            forget_deletes_the_mark_and_note_of_one_question,
            learners_never_see_each_others_state,
            writes_for_an_unknown_learner_are_invalid,
            there_is_exactly_one_personal_learner,
            learner_kinds_are_checked,
            a_secret_is_stored_once_and_shared,
            sixty_four_concurrent_ticks_all_land,
            a_review_round_trips_every_field_exactly,
            a_repeated_review_id_is_recorded_once,
            a_stale_before_is_a_conflict_and_changes_nothing,
            undo_restores_the_previous_card_one_review_at_a_time,
            undo_takes_the_latest_time_then_the_latest_recorded,
            undo_refuses_to_overwrite_a_card_changed_since,
            reviews_are_chronological_and_filtered_by_since,
            review_days_sum_the_log_per_day,
            invalid_reviews_are_refused_and_write_nothing,
            settings_round_trip_within_their_limits,
            learners_never_see_each_others_study_state,
            forget_deletes_everything_of_one_question_only,
            the_data_revision_moves_with_every_change_of_marks_and_cards,
            sixty_four_concurrent_reviews_all_land,
            concurrent_reviews_are_judged_alone,
            random_records_and_undos_match_a_model,
            interviews_round_trip_and_refuse_stale_saves,
            concurrent_interview_saves_have_one_winner,
            a_restore_writes_every_kind_of_row_and_merges_reviews_by_id,
            a_restore_based_on_a_stale_read_is_a_conflict_and_writes_nothing,
            an_invalid_restore_is_refused_and_writes_nothing,
            export_reads_everything_in_canonical_order,
            import_refuses_a_database_that_is_not_empty,
            import_refuses_a_database_with_invitations_or_site_settings,
            an_import_of_many_rows_reads_back_whole,
            ping_succeeds_on_a_current_schema,
            accounts_are_created_and_found_by_either_key,
            invitations_admit_until_expired_revoked_or_used_up,
            the_first_admin_is_admitted_once,
            concurrent_sign_ups_respect_every_limit,
            taken_usernames_and_emails_write_nothing,
            the_first_admin_adopts_the_personal_learner,
            passwords_roles_and_emails_change,
            disabling_an_account_ends_its_sessions,
            deleting_an_account_removes_everything_it_owns,
            sessions_are_created_replaced_listed_and_ended,
            expired_sessions_end,
            invitations_are_listed_newest_first_and_revoked_once,
            site_settings_round_trip,
            account_text_with_nul_or_too_long_is_refused,
            threads_are_listed_as_each_reader_may_see_them,
            edits_keep_their_history_until_the_post_is_deleted,
            votes_count_once_per_member_and_all_land,
            flags_and_moderation_are_logged_together,
            pending_posts_count_once_approved,
            rate_limits_are_shared_and_refill,
            rate_limits_are_taken_all_or_none,
            second_factors_are_used_once,
            access_tokens_are_found_touched_and_revoked,
            security_events_keep_the_most_recent,
            email_links_work_once_and_until_they_expire,
            community_text_with_nul_or_too_long_is_refused,
            deleting_an_account_keeps_its_posts_without_author,
            discussions_are_searched_as_everyone_may_read_them,
            pending_sign_ins_are_taken_once_before_they_expire,
            identities_link_one_account_and_creation_is_all_or_nothing,
            teams_and_memberships_round_trip,
            team_links_join_until_revoked_or_expired,
            team_progress_reads_only_members_who_share,
            assignments_link_the_interviews_of_members_who_share,
            missed_key_points_are_recorded_per_revision,
            suggestions_round_trip_and_filter,
            suggestion_votes_keep_a_running_score,
            suggestion_decisions_apply_once_with_their_notice,
            notifications_are_each_members_own,
            contributions_are_erased_on_request
        );
    };
}

/// Runs `work` to completion on a runtime of its own, on a blocking thread: for fixture code
/// whose future the compiler cannot prove `Send` as `async_trait` requires (sqlx's executors
/// on a borrowed connection).
pub async fn on_own_runtime<F, Fut>(work: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work());
    })
    .await
    .unwrap();
}

pub fn key(guide: &str, question: &str) -> QuestionKey {
    QuestionKey::new(guide, question)
}

/// A card in review with `reps` reviews, due at `due`.
pub fn card(key: &QuestionKey, reps: u32, due: Millis) -> StoredCard {
    StoredCard {
        key: key.clone(),
        phase: CardPhase::Review,
        step: 0,
        stability: Some(2.5 + f64::from(reps)),
        difficulty: Some(4.75),
        due,
        last_review: Some(due - 86_400_000),
        reps,
        lapses: 0,
    }
}

/// A review of `key` at `at` from `before` to `after`.
pub fn review(
    id: &str,
    key: &QuestionKey,
    at: Millis,
    before: Option<StoredCard>,
    after: StoredCard,
) -> ReviewRecord {
    ReviewRecord {
        id: id.to_string(),
        key: key.clone(),
        rating: 3,
        reviewed_at: at,
        elapsed_days: 1.0,
        scheduled_days: 1.0,
        time_spent_ms: 4_200,
        before,
        after,
    }
}

/// The first review of a new card.
pub fn first(id: &str, key: &QuestionKey, at: Millis) -> ReviewRecord {
    review(id, key, at, None, card(key, 1, at + 86_400_000))
}

/// The review that follows `previous` on the same card.
pub fn next(id: &str, previous: &ReviewRecord, at: Millis) -> ReviewRecord {
    let before = previous.after.clone();
    let after = card(&previous.key, before.reps + 1, at + 3 * 86_400_000);
    review(id, &previous.key, at, Some(before), after)
}

/// A mock interview at revision 1.
pub fn interview(id: &str, started_at: i64) -> StoredInterview {
    StoredInterview {
        id: id.into(),
        guide: "python-django".into(),
        revision: 1,
        started_at,
        finished_at: None,
        score: None,
        state: format!("{{\"version\":1,\"id\":\"{id}\"}}"),
    }
}

fn is_invalid<T: std::fmt::Debug>(result: Result<T, StorageError>) -> bool {
    matches!(result, Err(StorageError::Invalid(_)))
}

// ---------------------------------------------------------------- marks, notes, learners

pub async fn ticking_is_idempotent_and_keeps_the_first_time(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    // (mastered, at, changed, marks afterwards)
    let steps: &[(bool, i64, bool, &[i64])] = &[
        (true, 100, true, &[100]),
        (true, 200, false, &[100]),
        (false, 300, true, &[]),
        (false, 400, false, &[]),
        (true, 500, true, &[500]),
    ];
    for &(mastered, at, changed, after) in steps {
        assert_eq!(
            store.set_mark(me, &gil, mastered, at).await.unwrap(),
            changed,
            "at {at}"
        );
        let times: Vec<i64> = store
            .marks(me)
            .await
            .unwrap()
            .iter()
            .map(|m| m.at)
            .collect();
        assert_eq!(times, after, "after the step at {at}");
    }
}

pub async fn marks_are_listed_across_guides_in_key_order(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    // Byte order, whatever the database's collation: '-' < '_' < 'a', 'Z' < 'a'.
    let keys = [
        ("sql", "joins"),
        ("python", "gil"),
        ("python", "async"),
        ("python", "a_b"),
        ("python", "a-b"),
        ("python", "Zed"),
        ("日本語", "質問"),
    ];
    for (i, (guide, question)) in keys.iter().enumerate() {
        store
            .set_mark(me, &key(guide, question), true, i as i64)
            .await
            .unwrap();
    }
    let listed: Vec<QuestionKey> = store
        .marks(me)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    let mut expected: Vec<QuestionKey> = keys.iter().map(|(g, q)| key(g, q)).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

pub async fn notes_round_trip_unicode(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let bodies = [
        ("python", "gil", "Plain ASCII"),
        (
            "日本語",
            "質問-1",
            "漢字とかな, emoji 🦀🔥, combining e\u{301}, RTL שלום",
        ),
        (
            "guide",
            "ctl",
            "a tab\tand\r\nCRLF, a bell \u{7} and DEL \u{7f}",
        ),
        (
            "guide",
            "lead",
            "  leading and trailing spaces are kept  \n",
        ),
        ("guide", "quote", "quotes ' \" and a backslash \\ and $1 ?1"),
    ];
    for (i, (guide, question, body)) in bodies.iter().enumerate() {
        store
            .save_note(me, &key(guide, question), body, 10 + i as i64)
            .await
            .unwrap();
    }
    for (i, (guide, question, body)) in bodies.iter().enumerate() {
        let note = store
            .note(me, &key(guide, question))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(note.key, key(guide, question));
        assert_eq!(note.body, *body);
        assert_eq!(note.updated_at, 10 + i as i64);
    }
    assert_eq!(store.notes(me).await.unwrap().len(), bodies.len());
}

pub async fn saving_again_replaces_the_body_and_time(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    store.save_note(me, &gil, "first", 1).await.unwrap();
    store.save_note(me, &gil, "second", 2).await.unwrap();
    let notes = store.notes(me).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!((notes[0].body.as_str(), notes[0].updated_at), ("second", 2));
}

pub async fn an_empty_or_blank_note_deletes_it(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    for blank in ["", " ", "\n\t \r\n", "\u{3000}\u{a0}"] {
        store.save_note(me, &gil, "something", 1).await.unwrap();
        store.save_note(me, &gil, blank, 2).await.unwrap();
        assert_eq!(store.note(me, &gil).await.unwrap(), None, "{blank:?}");
        // Deleting what is not there is fine too.
        store.save_note(me, &gil, blank, 3).await.unwrap();
    }
    assert!(store.notes(me).await.unwrap().is_empty());
}

pub async fn notes_longer_than_the_limit_are_refused(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    // The limit counts bytes, not characters: 'é' is two bytes.
    let at_limit = "é".repeat(MAX_NOTE_BYTES / 2);
    assert_eq!(at_limit.len(), MAX_NOTE_BYTES);
    store.save_note(me, &gil, &at_limit, 1).await.unwrap();
    assert_eq!(store.note(me, &gil).await.unwrap().unwrap().body, at_limit);

    let over = format!("{at_limit}!");
    let err = store.save_note(me, &gil, &over, 2).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    // A blank body over the limit is refused as well, and the saved note is unchanged.
    let blank_over = " ".repeat(MAX_NOTE_BYTES + 1);
    let err = store.save_note(me, &gil, &blank_over, 3).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let note = store.note(me, &gil).await.unwrap().unwrap();
    assert_eq!((note.body.len(), note.updated_at), (MAX_NOTE_BYTES, 1));
}

/// NUL cannot be stored by every backend, so none stores it: writes are refused, reads find
/// nothing, and nothing else changes.
pub async fn text_with_nul_is_refused_everywhere(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let good = key("python", "gil");
    let bad = key("python", "g\0il");
    store.save_note(me, &good, "kept", 1).await.unwrap();
    assert!(is_invalid(store.save_note(me, &good, "a\0b", 2).await));
    assert!(is_invalid(store.save_note(me, &bad, "text", 2).await));
    assert!(is_invalid(store.set_mark(me, &bad, true, 2).await));
    assert!(is_invalid(store.set_mark(me, &bad, false, 2).await));
    assert!(is_invalid(store.forget(me, &bad).await));
    assert!(is_invalid(
        store.record_review(me, &first("nul-review", &bad, 1)).await
    ));
    assert!(is_invalid(store.set_learner_setting(me, "x", "\0").await));
    let mut nul_interview = interview("nul", 1);
    nul_interview.state = "{\"a\":\"\0\"}".into();
    assert!(is_invalid(store.save_interview(me, &nul_interview).await));
    // Reads naming a NUL find nothing, as they would in any backend.
    assert_eq!(store.note(me, &bad).await.unwrap(), None);
    assert_eq!(store.card(me, &bad).await.unwrap(), None);
    assert_eq!(store.note(me, &good).await.unwrap().unwrap().body, "kept");
    assert!(store.marks(me).await.unwrap().is_empty());
    assert!(store.reviews(me, None).await.unwrap().is_empty());
}

pub async fn forget_deletes_the_mark_and_note_of_one_question(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let (gone, kept) = (key("python", "removed"), key("python", "gil"));
    for k in [&gone, &kept] {
        store.set_mark(me, k, true, 1).await.unwrap();
        store.save_note(me, k, "note", 1).await.unwrap();
    }
    store.forget(me, &gone).await.unwrap();
    store.forget(me, &key("nothing", "here")).await.unwrap();
    assert_eq!(
        store.marks(me).await.unwrap(),
        vec![Mark {
            key: kept.clone(),
            at: 1
        }]
    );
    let notes = store.notes(me).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].key, kept);
    assert_eq!(store.note(me, &gone).await.unwrap(), None);
}

pub async fn learners_never_see_each_others_state(fx: &dyn Fixture) {
    let store = fx.store();
    let a = store.personal_learner().await.unwrap();
    let b = fx.create_learner("user", 5).await.unwrap();
    assert_ne!(a, b);
    let gil = key("python", "gil");
    store.set_mark(a, &gil, true, 1).await.unwrap();
    store.save_note(a, &gil, "A's note", 1).await.unwrap();

    assert!(store.marks(b).await.unwrap().is_empty());
    assert!(store.notes(b).await.unwrap().is_empty());
    assert_eq!(store.note(b, &gil).await.unwrap(), None);

    // B's writes on the same question leave A's state alone.
    assert!(store.set_mark(b, &gil, true, 9).await.unwrap());
    store.save_note(b, &gil, "B's note", 9).await.unwrap();
    store.forget(b, &gil).await.unwrap();
    assert!(!store.set_mark(b, &gil, false, 10).await.unwrap());
    assert_eq!(
        store.marks(a).await.unwrap(),
        vec![Mark {
            key: gil.clone(),
            at: 1
        }]
    );
    assert_eq!(store.note(a, &gil).await.unwrap().unwrap().body, "A's note");
}

pub async fn writes_for_an_unknown_learner_are_invalid(fx: &dyn Fixture) {
    let store = fx.store();
    let nobody = LearnerId(4242);
    let gil = key("python", "gil");
    let err = store.set_mark(nobody, &gil, true, 1).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let err = store.save_note(nobody, &gil, "text", 1).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(store.marks(nobody).await.unwrap().is_empty());
    // Forgetting what an unknown learner never had is no error.
    store.forget(nobody, &gil).await.unwrap();
    assert_eq!(store.undo_last_review(nobody).await.unwrap(), None);
}

pub async fn there_is_exactly_one_personal_learner(fx: &dyn Fixture) {
    let store = fx.store();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.personal_learner().await.unwrap() })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let err = fx.create_learner("personal", 1).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert_eq!(store.personal_learner().await.unwrap(), ids[0]);
}

pub async fn learner_kinds_are_checked(fx: &dyn Fixture) {
    for bad in ["", "User", "a b", "ü", &"k".repeat(33)] {
        let err = fx.create_learner(bad, 1).await.unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{bad:?}: {err:?}");
    }
    let first = fx.create_learner("team-member_2", 1).await.unwrap();
    let second = fx.create_learner("team-member_2", 2).await.unwrap();
    assert_ne!(first, second);
}

pub async fn a_secret_is_stored_once_and_shared(fx: &dyn Fixture) {
    let store = fx.store();
    assert_eq!(store.secret("csrf", &[1, 2, 3]).await.unwrap(), [1, 2, 3]);
    assert_eq!(store.secret("csrf", &[9, 9]).await.unwrap(), [1, 2, 3]);
    assert_eq!(store.secret("other", &[0, 255]).await.unwrap(), [0, 255]);

    let tasks: Vec<_> = (0u8..16)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.secret("raced", &[i; 32]).await.unwrap() })
        })
        .collect();
    let mut values = Vec::new();
    for task in tasks {
        values.push(task.await.unwrap());
    }
    assert!(
        values.iter().all(|v| *v == values[0] && v.len() == 32),
        "{values:?}"
    );
}

pub async fn sixty_four_concurrent_ticks_all_land(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let changed = store
                    .set_mark(me, &key("g", &format!("q{i:02}")), true, i)
                    .await?;
                // Reads run beside the writes.
                store.marks(me).await?;
                Ok::<bool, StorageError>(changed)
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap());
    }
    let marks = store.marks(me).await.unwrap();
    assert_eq!(marks.len(), 64);
    for (i, mark) in marks.iter().enumerate() {
        assert_eq!(
            (mark.key.question.as_str(), mark.at),
            (format!("q{i:02}").as_str(), i as i64)
        );
    }
}

// ---------------------------------------------------------------------- reviews, cards

pub async fn a_review_round_trips_every_field_exactly(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    // Awkward doubles: not representable in decimal, tiny, subnormal, huge, integral.
    let before = StoredCard {
        key: gil.clone(),
        phase: CardPhase::Relearning,
        step: 2,
        stability: Some(0.1 + 0.2),
        difficulty: Some(1.0 / 3.0),
        due: 1_700_000_000_123,
        last_review: Some(1_699_999_999_999),
        reps: 7,
        lapses: 2,
    };
    let after = StoredCard {
        key: gil.clone(),
        phase: CardPhase::Review,
        step: u32::MAX,
        stability: Some(5e-324),
        difficulty: Some(f64::MAX),
        due: i64::MAX,
        last_review: Some(i64::MIN),
        reps: u32::MAX,
        lapses: u32::MAX,
    };
    let learning = StoredCard {
        key: key("python", "async"),
        phase: CardPhase::Learning,
        step: 0,
        stability: None,
        difficulty: Some(-0.0),
        due: -5,
        last_review: None,
        reps: 0,
        lapses: 0,
    };
    let first_review = ReviewRecord {
        id: "first-review_0001".into(),
        key: gil.clone(),
        rating: 1,
        reviewed_at: 1_600_000_000_000,
        elapsed_days: 0.0,
        scheduled_days: 0.0,
        time_spent_ms: 0,
        before: None,
        after: before.clone(),
    };
    let second_review = ReviewRecord {
        id: "Z".repeat(64),
        key: gil.clone(),
        rating: 4,
        reviewed_at: 1_700_000_000_456,
        elapsed_days: f64::MIN_POSITIVE,
        scheduled_days: 123_456.789_012_345_67,
        time_spent_ms: i64::MAX,
        before: Some(before.clone()),
        after: after.clone(),
    };
    let other = ReviewRecord {
        id: "abcdefgh".into(),
        key: learning.key.clone(),
        rating: 2,
        reviewed_at: 1_700_000_000_456,
        elapsed_days: 1e300,
        scheduled_days: -0.5,
        time_spent_ms: 1,
        before: None,
        after: learning.clone(),
    };
    for r in [&first_review, &second_review, &other] {
        assert_eq!(store.record_review(me, r).await.unwrap(), Recorded::New);
    }
    assert_eq!(store.card(me, &gil).await.unwrap(), Some(after.clone()));
    assert_eq!(store.card(me, &key("python", "nope")).await.unwrap(), None);
    assert_eq!(store.cards(me).await.unwrap(), vec![learning, after]);
    let stored = store.reviews(me, None).await.unwrap();
    assert_eq!(stored, vec![first_review, second_review, other]);
    // Bit for bit, not just ==.
    assert_eq!(
        stored[0].after.stability.unwrap().to_bits(),
        (0.1f64 + 0.2).to_bits()
    );
    assert_eq!(stored[1].after.stability.unwrap().to_bits(), 1);
    // -0.0 may come back as 0.0 (SQLite stores an integral REAL as an integer); both are
    // equal under ==, which is what the conflict check uses.
    assert_eq!(stored[2].after.difficulty.unwrap(), 0.0);
}

pub async fn a_repeated_review_id_is_recorded_once(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let original = first("retry-me-1", &gil, 1_000);
    assert_eq!(
        store.record_review(me, &original).await.unwrap(),
        Recorded::New
    );
    let card_after = store.card(me, &gil).await.unwrap();

    // The same request again: its `before` (None) no longer matches, yet it is a
    // duplicate, not a conflict.
    assert_eq!(
        store.record_review(me, &original).await.unwrap(),
        Recorded::Duplicate(original.clone())
    );
    // The same id with other content, even another question: the first one stands.
    let mut different = next("retry-me-1", &original, 9_000);
    different.rating = 4;
    assert_eq!(
        store.record_review(me, &different).await.unwrap(),
        Recorded::Duplicate(original.clone())
    );
    let elsewhere = first("retry-me-1", &key("sql", "joins"), 9_000);
    assert_eq!(
        store.record_review(me, &elsewhere).await.unwrap(),
        Recorded::Duplicate(original.clone())
    );
    assert_eq!(store.card(me, &gil).await.unwrap(), card_after);
    assert_eq!(store.cards(me).await.unwrap().len(), 1);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![original]);
}

pub async fn a_stale_before_is_a_conflict_and_changes_nothing(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let r1 = first("review-0001", &gil, 1_000);
    store.record_review(me, &r1).await.unwrap();
    let r2 = next("review-0002", &r1, 2_000);

    // Another tab showed the card while it was new.
    let stale_new = first("review-0003", &gil, 2_000);
    // A card is expected where none is stored.
    let phantom = next(
        "review-0004",
        &first("x-unused", &key("sql", "joins"), 1),
        2_000,
    );
    // Fewer reps, another due date, another stability.
    let mut fewer_reps = r2.clone();
    fewer_reps.id = "review-0005".into();
    fewer_reps.before.as_mut().unwrap().reps -= 1;
    let mut other_due = r2.clone();
    other_due.id = "review-0006".into();
    other_due.before.as_mut().unwrap().due += 1;
    let mut other_stability = r2.clone();
    other_stability.id = "review-0007".into();
    other_stability.before.as_mut().unwrap().stability = Some(99.0);

    for stale in [
        &stale_new,
        &phantom,
        &fewer_reps,
        &other_due,
        &other_stability,
    ] {
        let err = store.record_review(me, stale).await.unwrap_err();
        assert!(
            matches!(err, StorageError::Conflict),
            "{}: {err:?}",
            stale.id
        );
        assert_eq!(
            err.to_string(),
            "the card changed since it was shown; reload"
        );
    }
    assert_eq!(store.cards(me).await.unwrap(), vec![r1.after.clone()]);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![r1.clone()]);

    // The review based on what is stored goes through; a conflicting id was not taken.
    assert_eq!(store.record_review(me, &r2).await.unwrap(), Recorded::New);
    let mut retry_of_stale = next("review-0003", &r2, 3_000);
    retry_of_stale.rating = 1;
    assert_eq!(
        store.record_review(me, &retry_of_stale).await.unwrap(),
        Recorded::New
    );
}

pub async fn undo_restores_the_previous_card_one_review_at_a_time(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    assert_eq!(store.undo_last_review(me).await.unwrap(), None);

    let (gil, joins) = (key("python", "gil"), key("sql", "joins"));
    let g1 = first("g1-review", &gil, 1_000);
    let j1 = first("j1-review", &joins, 2_000);
    let g2 = next("g2-review", &g1, 3_000);
    for r in [&g1, &j1, &g2] {
        store.record_review(me, r).await.unwrap();
    }

    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(g2.clone()));
    assert_eq!(store.card(me, &gil).await.unwrap(), Some(g1.after.clone()));
    assert_eq!(
        store.card(me, &joins).await.unwrap(),
        Some(j1.after.clone())
    );
    // Twice in a row: the one before goes too, and the new card is gone again.
    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(j1.clone()));
    assert_eq!(store.card(me, &joins).await.unwrap(), None);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![g1.clone()]);

    // The undone review can be rated again (same id: it is no longer recorded).
    assert_eq!(store.record_review(me, &j1).await.unwrap(), Recorded::New);
    for expected in [j1, g1] {
        assert_eq!(store.undo_last_review(me).await.unwrap(), Some(expected));
    }
    assert_eq!(store.undo_last_review(me).await.unwrap(), None);
    assert!(store.cards(me).await.unwrap().is_empty());
    assert!(store.reviews(me, None).await.unwrap().is_empty());
}

pub async fn undo_takes_the_latest_time_then_the_latest_recorded(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let late = first("late-review", &key("g", "late"), 5_000);
    let early = first("early-review", &key("g", "early"), 1_000);
    let tie_a = first("tie-review-a", &key("g", "tie-a"), 3_000);
    let tie_b = first("tie-review-b", &key("g", "tie-b"), 3_000);
    for r in [&late, &early, &tie_a, &tie_b] {
        store.record_review(me, r).await.unwrap();
    }
    for expected in [late, tie_b, tie_a, early] {
        assert_eq!(store.undo_last_review(me).await.unwrap(), Some(expected));
    }
}

pub async fn undo_refuses_to_overwrite_a_card_changed_since(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let r1 = first("review-0001", &gil, 1_000);
    store.record_review(me, &r1).await.unwrap();
    fx.execute("UPDATE cards SET due = due + 1").await;
    let changed = store.card(me, &gil).await.unwrap();
    let err = store.undo_last_review(me).await.unwrap_err();
    assert!(matches!(err, StorageError::Conflict), "{err:?}");
    assert_eq!(store.card(me, &gil).await.unwrap(), changed);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![r1]);
}

pub async fn reviews_are_chronological_and_filtered_by_since(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    // Recorded out of time order (an import, or clocks of two instances).
    let times = [(30, "c"), (10, "a"), (20, "b1"), (40, "d"), (20, "b2")];
    for (at, q) in times {
        store
            .record_review(me, &first(&format!("review-{q}0000"), &key("g", q), at))
            .await
            .unwrap();
    }
    let questions = |reviews: Vec<ReviewRecord>| -> Vec<String> {
        reviews.into_iter().map(|r| r.key.question).collect()
    };
    assert_eq!(
        questions(store.reviews(me, None).await.unwrap()),
        ["a", "b1", "b2", "c", "d"]
    );
    assert_eq!(
        questions(store.reviews(me, Some(20)).await.unwrap()),
        ["b1", "b2", "c", "d"],
        "since is inclusive"
    );
    assert_eq!(
        questions(store.reviews(me, Some(21)).await.unwrap()),
        ["c", "d"]
    );
    assert!(store.reviews(me, Some(41)).await.unwrap().is_empty());
    assert_eq!(store.reviews(me, Some(i64::MIN)).await.unwrap().len(), 5);
}

/// What statistics read: the log summed per shifted day in the database equals the sums of
/// the reviews themselves, around day boundaries, before 1970, far from it, with every
/// shift a learner can have and for every `since`.
pub async fn review_days_sum_the_log_per_day(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let other = fx.create_learner("user", 5).await.unwrap();
    const DAY: i64 = crate::DAY_MS;
    // (question, instants of its reviews in order, the first is new, the others in review)
    let chains: [(&str, &[i64]); 5] = [
        ("a", &[0, DAY - 1, DAY, DAY + 5 * 3_600_000]),
        ("b", &[-1, -DAY, -DAY - 1]),
        ("c", &[10 * DAY + 1, 10 * DAY + 37 * 3_600_000, 11 * DAY]),
        ("d", &[4_000_000_000_000_000, 4_000_000_000_000_001]),
        ("e", &[-4_000_000_000_000_000, DAY + 1]),
    ];
    let mut n = 0;
    for (q, times) in chains {
        let mut previous: Option<ReviewRecord> = None;
        for &at in times {
            n += 1;
            let id = format!("day-review-{n:04}");
            let mut r = match &previous {
                None => first(&id, &key("g", q), at),
                Some(p) => next(&id, p, at),
            };
            r.rating = [1, 2, 3, 4][n % 4];
            r.time_spent_ms = [0, 4_200, DAY + 1, i64::MAX][n % 4];
            store.record_review(me, &r).await.unwrap();
            previous = Some(r);
        }
    }
    // Another learner's reviews never count.
    store
        .record_review(other, &first("day-review-other", &key("g", "a"), DAY))
        .await
        .unwrap();
    // A time no write path accepts, as a damaged database could hold it: counts as 0,
    // and the day's sum does not overflow.
    fx.execute("UPDATE reviews SET time_spent_ms = -9223372036854775807 WHERE review_id = 'day-review-0002'")
        .await;
    let log = store.reviews(me, None).await.unwrap();
    for shift in [0, 1, -1, 14 * 3_600_000, -37 * 3_600_000, 2 * DAY, -2 * DAY] {
        for since in [None, Some(-DAY), Some(DAY), Some(i64::MAX)] {
            let mut want: std::collections::BTreeMap<i64, crate::ReviewDay> =
                std::collections::BTreeMap::new();
            for r in log
                .iter()
                .filter(|r| r.reviewed_at >= since.unwrap_or(i64::MIN))
            {
                let exact = (i128::from(r.reviewed_at) + i128::from(shift)).div_euclid(DAY.into());
                let day = i64::try_from(exact).unwrap();
                let sum = want.entry(day).or_insert(crate::ReviewDay {
                    day,
                    reviews: 0,
                    time_ms: 0,
                    matured: 0,
                    passed: 0,
                });
                let matured = r
                    .before
                    .as_ref()
                    .is_some_and(|c| c.phase == CardPhase::Review);
                sum.reviews += 1;
                sum.time_ms += r.time_spent_ms.clamp(0, DAY);
                sum.matured += i64::from(matured);
                sum.passed += i64::from(matured && r.rating != 1);
            }
            let want: Vec<_> = want.into_values().collect();
            assert_eq!(
                store.review_days(me, shift, since).await.unwrap(),
                want,
                "shift {shift}, since {since:?}"
            );
        }
    }
    for shift in [2 * DAY + 1, -2 * DAY - 1, i64::MIN, i64::MAX] {
        let err = store.review_days(me, shift, None).await.unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{shift}: {err:?}");
    }
}

pub async fn invalid_reviews_are_refused_and_write_nothing(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let good = first("good-review", &gil, 1_000);
    type Spoil = fn(&mut ReviewRecord);
    let bad: &[(&str, Spoil)] = &[
        ("rating 0", |r| r.rating = 0),
        ("rating 5", |r| r.rating = 5),
        ("id too short", |r| r.id = "1234567".into()),
        ("id too long", |r| r.id = "x".repeat(65)),
        ("id with a space", |r| r.id = "abcd efgh".into()),
        ("id with a slash", |r| r.id = "abcd/efgh".into()),
        ("id not ASCII", |r| r.id = "abcdéfgh".into()),
        ("negative time", |r| r.time_spent_ms = -1),
        ("NaN elapsed", |r| r.elapsed_days = f64::NAN),
        ("infinite scheduled", |r| r.scheduled_days = f64::INFINITY),
        ("NaN stability", |r| r.after.stability = Some(f64::NAN)),
        ("after of another question", |r| {
            r.after.key = QuestionKey::new("python", "other");
        }),
    ];
    for (what, spoil) in bad {
        let mut r = good.clone();
        spoil(&mut r);
        assert!(is_invalid(store.record_review(me, &r).await), "{what}");
    }
    assert!(store.cards(me).await.unwrap().is_empty());
    assert!(store.reviews(me, None).await.unwrap().is_empty());

    // An unknown learner is invalid too.
    assert!(is_invalid(
        store.record_review(LearnerId(4242), &good).await
    ));
    assert!(
        store
            .reviews(LearnerId(4242), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.record_review(me, &good).await.unwrap(), Recorded::New);
}

pub async fn settings_round_trip_within_their_limits(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    assert_eq!(
        store
            .learner_setting(me, "desired_retention")
            .await
            .unwrap(),
        None
    );
    store
        .set_learner_setting(me, "desired_retention", "0.9")
        .await
        .unwrap();
    store
        .set_learner_setting(me, "desired_retention", "0.85")
        .await
        .unwrap();
    let params = r#"{"w":[0.212,1.2931,2.3065],"note":"日本語 🦀"}"#;
    store
        .set_learner_setting(me, "fsrs.params-v6", params)
        .await
        .unwrap();
    store.set_learner_setting(me, "empty", "").await.unwrap();
    let at_limit = "é".repeat(MAX_SETTING_VALUE_BYTES / 2);
    let longest_name = "n".repeat(64);
    store
        .set_learner_setting(me, &longest_name, &at_limit)
        .await
        .unwrap();
    for (name, value) in [
        ("desired_retention", "0.85"),
        ("fsrs.params-v6", params),
        ("empty", ""),
        (longest_name.as_str(), at_limit.as_str()),
    ] {
        assert_eq!(
            store.learner_setting(me, name).await.unwrap().as_deref(),
            Some(value),
            "{name}"
        );
    }

    let all = store.learner_settings(me).await.unwrap();
    let expected: std::collections::BTreeMap<String, String> = [
        ("desired_retention", "0.85"),
        ("fsrs.params-v6", params),
        ("empty", ""),
        (longest_name.as_str(), at_limit.as_str()),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(all, expected, "every setting in one read");

    let over = format!("{at_limit}x");
    assert!(is_invalid(
        store.set_learner_setting(me, "big", &over).await
    ));
    assert!(is_invalid(
        store.set_learner_setting(me, &longest_name, &over).await
    ));
    for name in ["", "Retention", "with space", "a/b", "ü", &"n".repeat(65)] {
        assert!(
            is_invalid(store.set_learner_setting(me, name, "1").await),
            "{name:?}"
        );
        assert!(
            is_invalid(store.learner_setting(me, name).await),
            "{name:?}"
        );
    }
    assert_eq!(store.learner_setting(me, "big").await.unwrap(), None);
    assert_eq!(
        store.learner_setting(me, &longest_name).await.unwrap(),
        Some(at_limit)
    );
    assert!(is_invalid(
        store.set_learner_setting(LearnerId(4242), "x", "1").await
    ));
}

pub async fn learners_never_see_each_others_study_state(fx: &dyn Fixture) {
    let store = fx.store();
    let a = store.personal_learner().await.unwrap();
    let b = fx.create_learner("user", 5).await.unwrap();
    let gil = key("python", "gil");
    let a1 = first("shared-id-1", &gil, 1_000);
    store.record_review(a, &a1).await.unwrap();
    store.set_learner_setting(a, "limit", "20").await.unwrap();

    assert!(store.learner_settings(b).await.unwrap().is_empty());
    assert!(store.cards(b).await.unwrap().is_empty());
    assert_eq!(store.card(b, &gil).await.unwrap(), None);
    assert!(store.reviews(b, None).await.unwrap().is_empty());
    assert_eq!(store.undo_last_review(b).await.unwrap(), None);
    assert_eq!(store.learner_setting(b, "limit").await.unwrap(), None);

    // B may use the same review id and question; A's state is untouched by all B does.
    let mut b1 = first("shared-id-1", &gil, 2_000);
    b1.rating = 2;
    assert_eq!(store.record_review(b, &b1).await.unwrap(), Recorded::New);
    store.set_learner_setting(b, "limit", "5").await.unwrap();
    assert_eq!(store.undo_last_review(b).await.unwrap(), Some(b1.clone()));
    store.record_review(b, &b1).await.unwrap();
    store.forget(b, &gil).await.unwrap();

    assert_eq!(store.cards(a).await.unwrap(), vec![a1.after.clone()]);
    assert_eq!(store.reviews(a, None).await.unwrap(), vec![a1]);
    assert_eq!(
        store.learner_setting(a, "limit").await.unwrap().as_deref(),
        Some("20")
    );
    assert_eq!(
        store.learner_setting(b, "limit").await.unwrap().as_deref(),
        Some("5")
    );
}

pub async fn forget_deletes_everything_of_one_question_only(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let (gone, kept) = (key("python", "removed"), key("python", "gil"));
    let kept1 = first("kept-0001", &kept, 1_000);
    let gone1 = first("gone-0001", &gone, 2_000);
    let gone2 = next("gone-0002", &gone1, 3_000);
    for r in [&kept1, &gone1, &gone2] {
        store.record_review(me, r).await.unwrap();
    }
    for k in [&gone, &kept] {
        store.set_mark(me, k, true, 1).await.unwrap();
        store.save_note(me, k, "note", 1).await.unwrap();
    }
    store.set_learner_setting(me, "limit", "20").await.unwrap();

    store.forget(me, &gone).await.unwrap();

    assert_eq!(store.card(me, &gone).await.unwrap(), None);
    assert_eq!(store.cards(me).await.unwrap(), vec![kept1.after.clone()]);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![kept1.clone()]);
    assert_eq!(
        store.marks(me).await.unwrap(),
        vec![Mark {
            key: kept.clone(),
            at: 1
        }]
    );
    assert_eq!(store.note(me, &gone).await.unwrap(), None);
    assert!(store.note(me, &kept).await.unwrap().is_some());
    assert_eq!(
        store.learner_setting(me, "limit").await.unwrap().as_deref(),
        Some("20")
    );
    // Undo goes on with the remaining reviews; the forgotten question starts afresh.
    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(kept1));
    assert_eq!(
        store.record_review(me, &gone1).await.unwrap(),
        Recorded::New
    );
}

async fn revision(store: &dyn Storage, learner: LearnerId) -> i64 {
    store
        .data_revision(learner)
        .await
        .unwrap()
        .expect("a known learner has a data revision")
}

/// The data revision (the key of the pages kept per learner) moves with every change of
/// the learner's marks or cards, by any write path and by SQL from outside the store, and
/// with nothing else: not with notes or settings, not with another learner's writes.
pub async fn the_data_revision_moves_with_every_change_of_marks_and_cards(fx: &dyn Fixture) {
    let store = &*fx.store();
    let me = store.personal_learner().await.unwrap();
    let other = fx.create_learner("user", 5).await.unwrap();
    let gil = key("python", "gil");
    let other_before = revision(store, other).await;
    let mut last = revision(store, me).await;
    let mut moved = async |what: &str, store: &dyn Storage| {
        let now = revision(store, me).await;
        assert!(
            now > last,
            "{what} moves the data revision ({last} -> {now})"
        );
        last = now;
    };
    store.set_mark(me, &gil, true, 1).await.unwrap();
    moved("a tick", store).await;
    let first_review = first("rev-0001", &gil, 1_000);
    store.record_review(me, &first_review).await.unwrap();
    moved("a review", store).await;
    store
        .record_review(me, &next("rev-0002", &first_review, 2_000))
        .await
        .unwrap();
    moved("a second review", store).await;
    store.undo_last_review(me).await.unwrap();
    moved("an undo", store).await;
    store.set_mark(me, &gil, false, 3).await.unwrap();
    moved("an untick", store).await;
    store.forget(me, &gil).await.unwrap();
    moved("forgetting a question", store).await;
    fx.execute(&format!(
        "INSERT INTO marks (learner_id, guide_id, question_id, marked_at) \
         VALUES ({}, 'python', 'outside', 7)",
        me.0
    ))
    .await;
    moved("a mark written by another process", store).await;

    let unmoved = revision(store, me).await;
    store.save_note(me, &gil, "a note", 4).await.unwrap();
    store.set_learner_setting(me, "limit", "20").await.unwrap();
    store
        .set_mark(other, &key("python", "other"), true, 5)
        .await
        .unwrap();
    assert_eq!(
        revision(store, me).await,
        unmoved,
        "notes, settings and other learners' writes leave it"
    );
    assert!(revision(store, other).await > other_before);
    assert_eq!(store.data_revision(LearnerId(9_999)).await.unwrap(), None);
}

pub async fn sixty_four_concurrent_reviews_all_land(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let r = first(
                    &format!("concurrent-{i:02}"),
                    &key("g", &format!("q{i:02}")),
                    i,
                );
                let recorded = store.record_review(me, &r).await?;
                // Reads run beside the writes.
                store.cards(me).await?;
                Ok::<_, StorageError>((recorded, r))
            })
        })
        .collect();
    let mut sent = Vec::new();
    for task in tasks {
        let (recorded, r) = task.await.unwrap().unwrap();
        assert_eq!(recorded, Recorded::New);
        sent.push(r);
    }
    let cards = store.cards(me).await.unwrap();
    assert_eq!(
        cards,
        sent.iter().map(|r| r.after.clone()).collect::<Vec<_>>()
    );
    assert_eq!(store.reviews(me, None).await.unwrap(), sent);
}

/// Many reviews at once, some on the same new card: each is judged on its own merits (one
/// first review per card wins, the others are conflicts), and a retry of each is a
/// duplicate or a conflict, never a second row.
pub async fn concurrent_reviews_are_judged_alone(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let (recorded, conflicts) = race_first_reviews(&[Arc::clone(&store)], me, 48, 40).await;
    assert_eq!((recorded, conflicts), (40, 8));
    assert_eq!(store.reviews(me, None).await.unwrap().len(), 40);
    assert_eq!(store.cards(me).await.unwrap().len(), 40);
}

/// `count` first reviews (ids `race-0000`, ...) of `questions` new cards (`q0`, ...), sent
/// at once and spread over `stores`; then each again. Returns (recorded, conflicts) of the
/// first round; panics on anything else, or when a retry is not a duplicate or conflict.
async fn race_first_reviews(
    stores: &[Arc<dyn Storage>],
    me: LearnerId,
    count: u32,
    questions: u32,
) -> (usize, usize) {
    let send = |round: u32| {
        (0..count)
            .map(|i| {
                let store = Arc::clone(&stores[i as usize % stores.len()]);
                tokio::spawn(async move {
                    let k = key("g", &format!("q{}", i % questions));
                    let r = first(&format!("race-{i:04}"), &k, 1_000 + i64::from(i));
                    (i, round, store.record_review(me, &r).await)
                })
            })
            .collect::<Vec<_>>()
    };
    let (mut recorded, mut conflicts) = (0, 0);
    for task in send(0) {
        match task.await.unwrap() {
            (_, _, Ok(Recorded::New)) => recorded += 1,
            (_, _, Err(StorageError::Conflict)) => conflicts += 1,
            (i, _, other) => panic!("review {i}: unexpected {other:?}"),
        }
    }
    for task in send(1) {
        let (i, _, result) = task.await.unwrap();
        assert!(
            matches!(
                result,
                Ok(Recorded::Duplicate(_)) | Err(StorageError::Conflict)
            ),
            "retry {i}: {result:?}"
        );
    }
    (recorded, conflicts)
}

/// Several instances (stores over the same database, each with its own connections) race
/// on the same cards: every review id is recorded at most once, exactly one first review
/// of each card wins, a chain of reviews of one card never forks, and the stored log
/// matches the stored cards. `stores` must all be fresh views of one empty database.
pub async fn exactly_once_across_instances(stores: &[Arc<dyn Storage>]) {
    assert!(stores.len() >= 2);
    let me = stores[0].personal_learner().await.unwrap();
    for store in stores {
        assert_eq!(store.personal_learner().await.unwrap(), me);
    }
    // 1. First reviews: 64 of 8 new cards, spread over the instances.
    let (recorded, conflicts) = race_first_reviews(stores, me, 64, 8).await;
    assert_eq!((recorded, conflicts), (8, 56));

    // 2. Every instance reviews card q0 on from what it last read, 16 times each: each
    // success extends the chain by one, conflicts re-read and retry.
    let q0 = key("g", "q0");
    let tasks: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(n, store)| {
            let store = Arc::clone(store);
            let q0 = q0.clone();
            tokio::spawn(async move {
                let mut wins = 0;
                let mut attempt = 0;
                while wins < 16 {
                    attempt += 1;
                    assert!(attempt < 10_000, "instance {n} starved");
                    let shown = store.card(me, &q0).await.unwrap().unwrap();
                    let at = 10_000 + i64::from(shown.reps);
                    let after = card(&q0, shown.reps + 1, at + 86_400_000);
                    let id = format!("chain-{n}-{attempt:05}");
                    let r = review(&id, &q0, at, Some(shown), after);
                    match store.record_review(me, &r).await {
                        Ok(Recorded::New) => wins += 1,
                        Err(StorageError::Conflict) => {}
                        other => panic!("instance {n}: {other:?}"),
                    }
                    // The same id again is always a duplicate.
                    assert!(matches!(
                        store.record_review(me, &r).await,
                        Ok(Recorded::Duplicate(_)) | Err(StorageError::Conflict)
                    ));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let chain_length = 16 * stores.len() as u32;
    let stored = stores[1].card(me, &q0).await.unwrap().unwrap();
    assert_eq!(
        stored.reps,
        1 + chain_length,
        "the chain forked or lost a link"
    );
    let log = stores[0].reviews(me, None).await.unwrap();
    let of_q0: Vec<&ReviewRecord> = log.iter().filter(|r| r.key == q0).collect();
    assert_eq!(of_q0.len() as u32, 1 + chain_length);
    for pair in of_q0.windows(2) {
        assert_eq!(
            pair[1].before.as_ref(),
            Some(&pair[0].after),
            "a forked chain"
        );
    }
    let mut ids: Vec<&str> = log.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let unique = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), unique, "a review id was recorded twice");

    // 3. Undo from every instance at once: each review is undone exactly once.
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = Arc::clone(&stores[i % stores.len()]);
            tokio::spawn(async move { store.undo_last_review(me).await })
        })
        .collect();
    let mut undone = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(Some(r)) => undone.push(r.id),
            Err(StorageError::Conflict) => {}
            other => panic!("undo: {other:?}"),
        }
    }
    let before = undone.len();
    undone.sort();
    undone.dedup();
    assert_eq!(undone.len(), before, "a review was undone twice");
    let left = stores[0].reviews(me, None).await.unwrap();
    assert_eq!(left.len() + undone.len(), log.len());
    for c in stores[0].cards(me).await.unwrap() {
        let last = left.iter().rev().find(|r| r.key == c.key).unwrap();
        assert_eq!(last.after, c, "a card does not match its last review");
    }

    // 4. Secrets and the personal learner agree everywhere.
    let tasks: Vec<_> = (0u8..8)
        .map(|i| {
            let store = Arc::clone(&stores[usize::from(i) % stores.len()]);
            tokio::spawn(async move { store.secret("shared", &[i; 16]).await.unwrap() })
        })
        .collect();
    let mut values = Vec::new();
    for task in tasks {
        values.push(task.await.unwrap());
    }
    assert!(values.iter().all(|v| *v == values[0]), "{values:?}");
}

/// A small deterministic generator (xorshift64*), so failures replay from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Any finite double, from raw bits (subnormals, huge and negative values included).
    fn finite(&mut self) -> f64 {
        loop {
            let value = f64::from_bits(self.next());
            if value.is_finite() {
                return value;
            }
        }
    }

    fn card(&mut self, key: &QuestionKey) -> StoredCard {
        StoredCard {
            key: key.clone(),
            phase: CardPhase::ALL[self.below(4) as usize],
            step: self.below(4) as u32,
            stability: (self.below(4) > 0).then(|| self.finite()),
            difficulty: (self.below(4) > 0).then(|| self.finite()),
            due: self.next() as i64,
            last_review: (self.below(4) > 0).then(|| self.next() as i64),
            reps: self.next() as u32,
            lapses: self.below(10) as u32,
        }
    }
}

/// The position of the review undo takes: the latest time, then the latest recorded.
fn latest(log: &[ReviewRecord]) -> Option<usize> {
    (0..log.len()).max_by_key(|&i| (log[i].reviewed_at, i))
}

/// Random records (fresh, retried, stale) and undos, checked step by step against a model
/// kept in memory, then against the whole stored state. One learner per seed.
pub async fn random_records_and_undos_match_a_model(fx: &dyn Fixture) {
    let store = fx.store();
    let keys = [key("g", "a"), key("g", "b"), key("h", "a"), key("h", "c")];
    // How often each branch ran, over all seeds: [empty undo, refused undo, undo, retry,
    // stale, fresh].
    let mut seen = [0u32; 6];
    for seed in [1u64, 7, 42, 2024, 0x5eed] {
        let me = fx.create_learner("user", 0).await.unwrap();
        let mut rng = Rng(seed);
        let mut cards: HashMap<QuestionKey, StoredCard> = HashMap::new();
        // The stored log, in recording order.
        let mut log: Vec<ReviewRecord> = Vec::new();
        let mut ids = 0u32;
        for step in 0..60 {
            let context = format!("seed {seed}, step {step}");
            match rng.below(10) {
                // Undo: takes the latest review, unless its card changed since.
                0..=2 => {
                    let result = store.undo_last_review(me).await;
                    match latest(&log) {
                        None => {
                            seen[0] += 1;
                            assert_eq!(result.unwrap(), None, "{context}");
                        }
                        Some(i) if cards.get(&log[i].key) != Some(&log[i].after) => {
                            seen[1] += 1;
                            assert!(
                                matches!(result, Err(StorageError::Conflict)),
                                "{context}: {result:?}"
                            );
                        }
                        Some(i) => {
                            seen[2] += 1;
                            let undone = log.remove(i);
                            match &undone.before {
                                Some(before) => cards.insert(undone.key.clone(), before.clone()),
                                None => cards.remove(&undone.key),
                            };
                            assert_eq!(result.unwrap(), Some(undone), "{context}");
                        }
                    }
                }
                // A retry of a recorded review, with new content: the stored one stands.
                3 if !log.is_empty() => {
                    seen[3] += 1;
                    let original = log[rng.below(log.len() as u64) as usize].clone();
                    let k = &keys[rng.below(4) as usize];
                    let mut retry = review(&original.id, k, 0, None, rng.card(k));
                    retry.before = cards.get(k).cloned();
                    assert_eq!(
                        store.record_review(me, &retry).await.unwrap(),
                        Recorded::Duplicate(original),
                        "{context}"
                    );
                }
                // A review from a stale page.
                4 => {
                    seen[4] += 1;
                    let k = &keys[rng.below(4) as usize];
                    let stale = match cards.get(k) {
                        Some(_) if rng.below(2) == 0 => None,
                        Some(current) => {
                            let mut changed = current.clone();
                            changed.reps = changed.reps.wrapping_add(1);
                            Some(changed)
                        }
                        None => Some(rng.card(k)),
                    };
                    ids += 1;
                    let r = review(&format!("stale-{ids:04}"), k, 0, stale, rng.card(k));
                    let result = store.record_review(me, &r).await;
                    assert!(
                        matches!(result, Err(StorageError::Conflict)),
                        "{context}: {result:?}"
                    );
                }
                // A fresh review of what is stored; times collide and go backwards.
                _ => {
                    seen[5] += 1;
                    let k = &keys[rng.below(4) as usize];
                    ids += 1;
                    let mut r = review(
                        &format!("fresh-{ids:04}"),
                        k,
                        rng.below(20) as i64,
                        cards.get(k).cloned(),
                        rng.card(k),
                    );
                    r.rating = 1 + rng.below(4) as u8;
                    r.elapsed_days = rng.finite();
                    r.scheduled_days = rng.finite();
                    r.time_spent_ms = (rng.next() >> 1) as i64;
                    assert_eq!(
                        store.record_review(me, &r).await.unwrap(),
                        Recorded::New,
                        "{context}"
                    );
                    cards.insert(k.clone(), r.after.clone());
                    log.push(r);
                }
            }
            for k in &keys {
                assert_eq!(
                    store.card(me, k).await.unwrap().as_ref(),
                    cards.get(k),
                    "{context}"
                );
            }
        }
        let mut expected_cards: Vec<StoredCard> = cards.into_values().collect();
        expected_cards.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(
            store.cards(me).await.unwrap(),
            expected_cards,
            "seed {seed}"
        );
        let mut chronological: Vec<(usize, ReviewRecord)> = log.into_iter().enumerate().collect();
        chronological.sort_by_key(|(i, r)| (r.reviewed_at, *i));
        let expected_log: Vec<ReviewRecord> = chronological.into_iter().map(|(_, r)| r).collect();
        assert_eq!(
            store.reviews(me, None).await.unwrap(),
            expected_log,
            "seed {seed}"
        );
    }
    assert!(seen.iter().all(|&n| n > 0), "a branch never ran: {seen:?}");
}

// --------------------------------------------------------------------------- interviews

pub async fn interviews_round_trip_and_refuse_stale_saves(fx: &dyn Fixture) {
    let store = fx.store();
    let learner = store.personal_learner().await.unwrap();
    assert_eq!(store.interview(learner, "a").await.unwrap(), None);

    let first = interview("a", 1_000);
    store.save_interview(learner, &first).await.unwrap();
    assert_eq!(
        store.interview(learner, "a").await.unwrap(),
        Some(first.clone())
    );

    // Saving revision 1 again is a conflict: it exists already.
    assert!(matches!(
        store.save_interview(learner, &first).await,
        Err(StorageError::Conflict)
    ));

    let mut second = first.clone();
    second.revision = 2;
    second.finished_at = Some(5_000);
    second.score = Some(0.75);
    second.state = "{\"version\":1,\"done\":true}".into();
    store.save_interview(learner, &second).await.unwrap();
    assert_eq!(
        store.interview(learner, "a").await.unwrap(),
        Some(second.clone())
    );

    // A save based on revision 1 again (another tab) is refused and changes nothing.
    assert!(matches!(
        store.save_interview(learner, &second).await,
        Err(StorageError::Conflict)
    ));
    let mut skipping = second.clone();
    skipping.revision = 5;
    assert!(matches!(
        store.save_interview(learner, &skipping).await,
        Err(StorageError::Conflict)
    ));
    assert_eq!(
        store.interview(learner, "a").await.unwrap(),
        Some(second.clone())
    );

    // Invalid values are refused before anything is written.
    let mut bad = interview("b", 2_000);
    bad.score = Some(2.0);
    assert!(matches!(
        store.save_interview(learner, &bad).await,
        Err(StorageError::Invalid(_))
    ));
    assert!(matches!(
        store.interview(learner, "not valid").await,
        Err(StorageError::Invalid(_))
    ));
    assert_eq!(store.interview(learner, "b").await.unwrap(), None);

    store
        .save_interview(learner, &interview("b", 3_000))
        .await
        .unwrap();
    store
        .save_interview(learner, &interview("c", 2_000))
        .await
        .unwrap();
    let ids: Vec<String> = store
        .interviews(learner, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, ["b", "c", "a"]);
    assert_eq!(store.interviews(learner, 1).await.unwrap().len(), 1);

    // An unknown learner cannot own an interview.
    assert!(matches!(
        store
            .save_interview(LearnerId(learner.0 + 1000), &interview("z", 1))
            .await,
        Err(StorageError::Invalid(_))
    ));
}

/// Saves of the same revision at once (two tabs, two instances): exactly one wins.
pub async fn concurrent_interview_saves_have_one_winner(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    for revision in 1..=3 {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let mut saved = interview("raced", 1_000);
                    saved.revision = revision;
                    saved.state = format!("{{\"writer\":{i}}}");
                    store.save_interview(me, &saved).await.map(|()| saved)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(saved) => winners.push(saved),
                Err(StorageError::Conflict) => {}
                Err(other) => panic!("revision {revision}: {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "revision {revision}");
        assert_eq!(
            store.interview(me, "raced").await.unwrap().as_ref(),
            Some(&winners[0])
        );
    }
}

// ------------------------------------------------------------------------------ accounts

/// The password hash of the accounts of these checks (a PHC string; never verified here).
pub const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

/// A learner account admitted directly, its keys as typed (the checks override what they
/// need: `NewAccount { role: Role::Admin, ..new_account("root", None, 1) }`).
pub fn new_account<'a>(username: &'a str, email: Option<&'a str>, at: Millis) -> NewAccount<'a> {
    NewAccount {
        username,
        username_key: username,
        email,
        email_key: email,
        password_hash: HASH,
        role: Role::Learner,
        admission: Admission::Direct,
        at,
    }
}

/// A learner account admitted with the invitation whose token digest is `token`.
pub fn invited<'a>(username: &'a str, token: &'a str, at: Millis) -> NewAccount<'a> {
    NewAccount {
        admission: Admission::Invite { token_hash: token },
        ..new_account(username, None, at)
    }
}

/// A session of `learner` that began and was last seen at `at`.
pub fn session(id_hash: &str, learner: LearnerId, at: Millis) -> StoredSession {
    StoredSession {
        id_hash: id_hash.into(),
        learner,
        created_at: at,
        last_seen_at: at,
        device: "Firefox on Linux".into(),
    }
}

/// An invitation from the command line, created at 0.
pub fn invitation(token_hash: &str, expires_at: Millis, max_uses: i64) -> Invite {
    Invite {
        id: 0,
        token_hash: token_hash.into(),
        label: String::new(),
        created_by: None,
        created_at: 0,
        expires_at,
        max_uses,
        uses: 0,
        revoked_at: None,
    }
}

fn is_taken<T: std::fmt::Debug>(result: Result<T, StorageError>, which: Taken) -> bool {
    matches!(result, Err(StorageError::Taken(t)) if t == which)
}

pub async fn accounts_are_created_and_found_by_either_key(fx: &dyn Fixture) {
    let store = fx.store();
    assert_eq!(store.account_counts().await.unwrap(), (0, 0));
    assert_eq!(store.admin_count().await.unwrap(), 0);
    let bob = store
        .create_account(&NewAccount {
            username: "Bob",
            email: Some("Bob@Example.org"),
            ..new_account("bob", Some("bob@example.org"), 100)
        })
        .await
        .unwrap();
    let alice = store
        .create_account(&new_account("alice", None, 200))
        .await
        .unwrap();
    let alvaro = store
        .create_account(&new_account("álvaro", None, 300))
        .await
        .unwrap();
    assert!(bob != alice && alice != alvaro && bob != alvaro);

    let account = store.account(bob).await.unwrap().unwrap();
    assert_eq!(
        account,
        Account {
            learner: bob,
            username: "Bob".into(),
            username_key: "bob".into(),
            email: Some("Bob@Example.org".into()),
            email_key: Some("bob@example.org".into()),
            password_hash: HASH.into(),
            role: Role::Learner,
            created_at: 100,
            password_changed_at: 100,
            disabled_at: None,
        }
    );
    let shown = format!("{account:?}");
    assert!(
        !shown.contains("argon2") && !shown.contains("xample"),
        "{shown}"
    );
    // Either key finds it; keys are compared exactly (folding is the caller's).
    for key in ["bob", "bob@example.org"] {
        assert_eq!(
            store.account_by_key(key).await.unwrap().as_ref(),
            Some(&account),
            "{key}"
        );
    }
    for key in ["Bob", "Bob@Example.org", "nobody", ""] {
        assert_eq!(store.account_by_key(key).await.unwrap(), None, "{key}");
    }
    assert_eq!(store.account(LearnerId(4242)).await.unwrap(), None);

    // By username key, byte by byte whatever the database's locale.
    let listed: Vec<LearnerId> = store
        .accounts()
        .await
        .unwrap()
        .iter()
        .map(|a| a.learner)
        .collect();
    assert_eq!(listed, [alice, bob, alvaro]);
    assert_eq!(store.account_counts().await.unwrap(), (3, 0));
    assert_eq!(store.admin_count().await.unwrap(), 0);

    // Each account is a learner of its own kind, created with it; no personal learner.
    let dump = store.export_all().await.unwrap();
    let learners: Vec<(LearnerId, &str, Millis)> = dump
        .learners
        .iter()
        .map(|l| (l.id, l.kind.as_str(), l.created_at))
        .collect();
    assert_eq!(
        learners,
        [
            (bob, ACCOUNT_KIND, 100),
            (alice, ACCOUNT_KIND, 200),
            (alvaro, ACCOUNT_KIND, 300)
        ]
    );

    // An account's learner owns state like any learner, alone.
    store
        .set_mark(bob, &key("python", "gil"), true, 5)
        .await
        .unwrap();
    assert_eq!(store.marks(bob).await.unwrap().len(), 1);
    assert!(store.marks(alice).await.unwrap().is_empty());
}

pub async fn invitations_admit_until_expired_revoked_or_used_up(fx: &dyn Fixture) {
    let store = fx.store();
    let root = store
        .create_account(&NewAccount {
            role: Role::Admin,
            ..new_account("root", None, 1)
        })
        .await
        .unwrap();
    let twice = Invite {
        created_by: Some(root),
        label: "cohort 12".into(),
        ..invitation("twice", 1_000, 2)
    };
    store.create_invite(&twice).await.unwrap();
    store
        .create_invite(&invitation("expires", 100, 5))
        .await
        .unwrap();
    let revoked = store
        .create_invite(&invitation("revoked", 1_000, 5))
        .await
        .unwrap();
    assert!(store.revoke_invite(revoked, 50).await.unwrap());

    store
        .create_account(&invited("ann", "twice", 10))
        .await
        .unwrap();
    store
        .create_account(&invited("ben", "twice", 999))
        .await
        .unwrap();
    store
        .create_account(&invited("dan", "expires", 99))
        .await
        .unwrap();
    let learners = store.export_all().await.unwrap().learners.len();
    for (name, token, at) in [
        ("cid", "twice", 20),    // used up
        ("eve", "expires", 100), // expired (it admits strictly before expires_at)
        ("fay", "revoked", 20),  // revoked
        ("gus", "unknown", 20),  // no such invitation
        ("hal", "revoked", 1),   // revoked, even before it was
    ] {
        let err = store
            .create_account(&invited(name, token, at))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StorageError::Invalid(m)
                if m == "this invitation link has expired, was revoked or has been used up"),
            "{name}: {err:?}"
        );
        assert_eq!(store.account_by_key(name).await.unwrap(), None, "{name}");
    }
    // Nothing was written by the refusals: no learner, no use taken.
    assert_eq!(store.export_all().await.unwrap().learners.len(), learners);
    assert_eq!(store.account_counts().await.unwrap(), (4, 1));
    assert_eq!(store.admin_count().await.unwrap(), 1);
    for (token, uses) in [("twice", 2), ("expires", 1), ("revoked", 0)] {
        let stored = store.invite_by_token(token).await.unwrap().unwrap();
        assert_eq!(stored.uses, uses, "{token}");
    }
    let stored = store.invite_by_token("twice").await.unwrap().unwrap();
    assert_eq!(
        (stored.label.as_str(), stored.created_by),
        ("cohort 12", Some(root))
    );
    assert!(!stored.usable(10));
}

pub async fn the_first_admin_is_admitted_once(fx: &dyn Fixture) {
    let store = fx.store();
    let first_admin = |username: &'static str| NewAccount {
        role: Role::Admin,
        admission: Admission::FirstAdmin,
        ..new_account(username, None, 10)
    };
    // A moderator is not an admin.
    let moderator = store
        .create_account(&NewAccount {
            role: Role::Moderator,
            ..new_account("mod", None, 1)
        })
        .await
        .unwrap();
    let root = store.create_account(&first_admin("root")).await.unwrap();
    assert_eq!(
        store.account(root).await.unwrap().unwrap().role,
        Role::Admin
    );
    assert_eq!(store.account_counts().await.unwrap(), (2, 1));
    assert_eq!(store.admin_count().await.unwrap(), 1);
    let err = store
        .create_account(&first_admin("again"))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert_eq!(store.account_by_key("again").await.unwrap(), None);
    assert_eq!(store.account_counts().await.unwrap(), (2, 1));
    assert_eq!(store.admin_count().await.unwrap(), 1);
    // An operator still adds admins directly.
    let ops = store
        .create_account(&NewAccount {
            role: Role::Admin,
            ..new_account("ops", None, 20)
        })
        .await
        .unwrap();
    assert_eq!(store.account_counts().await.unwrap(), (3, 2));
    assert_eq!(store.admin_count().await.unwrap(), 2);
    // "An admin exists" is judged when the link is used: with none left, it works again.
    for admin in [root, ops] {
        assert!(store.set_role(admin, Role::Learner).await.unwrap());
    }
    assert!(store.set_role(moderator, Role::Learner).await.unwrap());
    store.create_account(&first_admin("late")).await.unwrap();
    assert_eq!(store.account_counts().await.unwrap(), (4, 1));
    assert_eq!(store.admin_count().await.unwrap(), 1);
}

/// Sign-ups at once (several instances): the unique keys, the uses of an invitation and
/// the single first admin hold, and every refusal is the error a lone sign-up would get.
pub async fn concurrent_sign_ups_respect_every_limit(fx: &dyn Fixture) {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Race {
        Username,
        Email,
        Invitation,
        FirstAdmin,
    }
    let store = fx.store();
    store
        .create_invite(&invitation("three", 1_000, 3))
        .await
        .unwrap();
    for race in [
        Race::Username,
        Race::Email,
        Race::Invitation,
        Race::FirstAdmin,
    ] {
        let tasks: Vec<_> = (0..8i64)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let username = match race {
                        Race::Username => "same".to_owned(),
                        _ => format!("{race:?}-{i}").to_lowercase(),
                    };
                    let base = new_account(&username, None, i);
                    let new = match race {
                        Race::Username => base,
                        Race::Email => NewAccount {
                            email: Some("same@example.org"),
                            email_key: Some("same@example.org"),
                            ..base
                        },
                        Race::Invitation => NewAccount {
                            admission: Admission::Invite {
                                token_hash: "three",
                            },
                            ..base
                        },
                        Race::FirstAdmin => NewAccount {
                            role: Role::Admin,
                            admission: Admission::FirstAdmin,
                            ..base
                        },
                    };
                    store.create_account(&new).await
                })
            })
            .collect();
        let mut admitted = 0;
        for task in tasks {
            match (race, task.await.unwrap()) {
                (_, Ok(_)) => admitted += 1,
                (Race::Username, Err(StorageError::Taken(Taken::Username)))
                | (Race::Email, Err(StorageError::Taken(Taken::Email)))
                | (Race::Invitation | Race::FirstAdmin, Err(StorageError::Invalid(_))) => {}
                (_, Err(e)) => panic!("{race:?}: {e:?}"),
            }
        }
        let expected = if race == Race::Invitation { 3 } else { 1 };
        assert_eq!(admitted, expected, "{race:?}");
    }
    assert_eq!(store.account_counts().await.unwrap(), (6, 1));
    assert_eq!(store.admin_count().await.unwrap(), 1);
    assert_eq!(
        store.invite_by_token("three").await.unwrap().unwrap().uses,
        3
    );
}

pub async fn taken_usernames_and_emails_write_nothing(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    store
        .set_mark(me, &key("python", "gil"), true, 1)
        .await
        .unwrap();
    let bob = store
        .create_account(&new_account("bob", Some("bob@example.org"), 1))
        .await
        .unwrap();
    let ann = store
        .create_account(&new_account("ann", None, 2))
        .await
        .unwrap();
    store
        .create_invite(&invitation("token", 1_000, 1))
        .await
        .unwrap();
    let before = store.export_all().await.unwrap();
    let cases = [
        (
            NewAccount {
                username: "BOB",
                ..new_account("bob", Some("new@example.org"), 3)
            },
            Taken::Username,
        ),
        (
            new_account("robert", Some("bob@example.org"), 3),
            Taken::Email,
        ),
        // Both: the username is named.
        (
            new_account("bob", Some("bob@example.org"), 3),
            Taken::Username,
        ),
        // An admin would take over the personal learner: it does not.
        (
            NewAccount {
                role: Role::Admin,
                ..new_account("bob", None, 3)
            },
            Taken::Username,
        ),
        // With an invitation: its use is not taken.
        (
            NewAccount {
                email: Some("bob@example.org"),
                email_key: Some("bob@example.org"),
                ..invited("carl", "token", 3)
            },
            Taken::Email,
        ),
    ];
    for (new, which) in cases {
        let result = store.create_account(&new).await;
        assert!(is_taken(result, which), "{new:?}");
        assert_eq!(store.export_all().await.unwrap(), before, "{new:?}");
    }
    assert_eq!(
        StorageError::Taken(Taken::Username).to_string(),
        "this username is taken"
    );

    // Changing an e-mail address to another account's.
    let theirs = Some(("Bob@Example.org", "bob@example.org"));
    assert!(is_taken(store.set_email(ann, theirs).await, Taken::Email));
    assert_eq!(store.export_all().await.unwrap(), before);
    // Once removed, the address can be someone else's.
    assert!(store.set_email(bob, None).await.unwrap());
    assert!(store.set_email(ann, theirs).await.unwrap());
    let found = store.account_by_key("bob@example.org").await.unwrap();
    assert_eq!(found.map(|a| a.learner), Some(ann));
    assert_eq!(store.personal_learner().await.unwrap(), me);
}

/// The admin of a site that was used in personal mode keeps everything they studied.
pub async fn the_first_admin_adopts_the_personal_learner(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    store.set_mark(me, &gil, true, 1).await.unwrap();
    store.save_note(me, &gil, "my note", 2).await.unwrap();
    store
        .set_learner_setting(me, "desired_retention", "0.9")
        .await
        .unwrap();
    let review = first("personal-review", &gil, 3);
    store.record_review(me, &review).await.unwrap();
    store
        .save_interview(me, &interview("personal-interview", 4))
        .await
        .unwrap();

    // A learner account takes nothing over.
    let ann = store
        .create_account(&new_account("ann", None, 5))
        .await
        .unwrap();
    assert_ne!(ann, me);
    assert!(store.marks(ann).await.unwrap().is_empty());
    assert_eq!(store.personal_learner().await.unwrap(), me);

    let root = store
        .create_account(&NewAccount {
            role: Role::Admin,
            admission: Admission::FirstAdmin,
            ..new_account("root", None, 50)
        })
        .await
        .unwrap();
    assert_eq!(root, me, "the admin is the personal learner");
    let account = store.account(root).await.unwrap().unwrap();
    assert_eq!((account.created_at, account.role), (50, Role::Admin));
    assert_eq!(
        store.marks(root).await.unwrap(),
        vec![Mark {
            key: gil.clone(),
            at: 1
        }]
    );
    assert_eq!(
        store.note(root, &gil).await.unwrap().unwrap().body,
        "my note"
    );
    assert_eq!(store.reviews(root, None).await.unwrap(), vec![review]);
    assert_eq!(
        store
            .learner_setting(root, "desired_retention")
            .await
            .unwrap()
            .as_deref(),
        Some("0.9")
    );
    assert_eq!(store.interviews(root, 10).await.unwrap().len(), 1);
    let dump = store.export_all().await.unwrap();
    let kind = |id: LearnerId| {
        dump.learners
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.kind.clone())
    };
    assert_eq!(kind(root).as_deref(), Some(ACCOUNT_KIND));
    assert_eq!(dump.learners.len(), 2, "no learner was added for the admin");

    // A second admin starts empty: there is no personal learner left to take over.
    let ops = store
        .create_account(&NewAccount {
            role: Role::Admin,
            ..new_account("ops", None, 60)
        })
        .await
        .unwrap();
    assert!(ops != me && ops != ann);
    assert!(store.marks(ops).await.unwrap().is_empty());
    // Personal mode, used again, starts a new personal learner; the admin keeps theirs.
    let fresh = store.personal_learner().await.unwrap();
    assert!(fresh != me && fresh != ops && fresh != ann);
    assert!(store.marks(fresh).await.unwrap().is_empty());
    assert_eq!(store.marks(root).await.unwrap().len(), 1);
}

pub async fn passwords_roles_and_emails_change(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let bob = store
        .create_account(&new_account("bob", Some("bob@example.org"), 1))
        .await
        .unwrap();
    let new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";
    assert!(store.set_password(bob, new_hash, 70).await.unwrap());
    let account = store.account(bob).await.unwrap().unwrap();
    assert_eq!(
        (
            account.password_hash.as_str(),
            account.password_changed_at,
            account.created_at
        ),
        (new_hash, 70, 1)
    );
    for role in [Role::Moderator, Role::Admin, Role::Learner] {
        assert!(store.set_role(bob, role).await.unwrap());
        assert_eq!(store.account(bob).await.unwrap().unwrap().role, role);
        let admins = u64::from(role == Role::Admin);
        assert_eq!(store.account_counts().await.unwrap(), (1, admins));
    }
    let new = Some(("New@Example.org", "new@example.org"));
    assert!(store.set_email(bob, new).await.unwrap());
    let account = store
        .account_by_key("new@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (account.learner, account.email.as_deref()),
        (bob, Some("New@Example.org"))
    );
    assert_eq!(store.account_by_key("bob@example.org").await.unwrap(), None);
    assert!(store.set_email(bob, None).await.unwrap());
    let account = store.account(bob).await.unwrap().unwrap();
    assert_eq!((account.email, account.email_key), (None, None));
    // No account, no change: an unknown learner, and the personal learner.
    for nobody in [LearnerId(4242), me] {
        assert!(!store.set_password(nobody, new_hash, 1).await.unwrap());
        assert!(!store.set_role(nobody, Role::Admin).await.unwrap());
        assert!(!store.set_email(nobody, new).await.unwrap());
        assert!(!store.set_disabled(nobody, Some(1)).await.unwrap());
        assert!(!store.delete_account(nobody).await.unwrap());
    }
    assert_eq!(store.account_counts().await.unwrap(), (1, 0));
    assert_eq!(store.admin_count().await.unwrap(), 0);
    assert_eq!(store.personal_learner().await.unwrap(), me);
}

pub async fn disabling_an_account_ends_its_sessions(fx: &dyn Fixture) {
    let store = fx.store();
    let bob = store
        .create_account(&new_account("bob", None, 1))
        .await
        .unwrap();
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    for (id, learner) in [("b1", bob), ("b2", bob), ("a1", ann)] {
        store
            .create_session(&session(id, learner, 10), None)
            .await
            .unwrap();
    }
    assert!(store.set_disabled(bob, Some(500)).await.unwrap());
    assert_eq!(
        store.account(bob).await.unwrap().unwrap().disabled_at,
        Some(500)
    );
    assert!(store.sessions(bob).await.unwrap().is_empty());
    assert_eq!(store.session("b1").await.unwrap(), None);
    assert_eq!(store.sessions(ann).await.unwrap().len(), 1);
    assert!(store.session("a1").await.unwrap().is_some());
    // Enabling it again brings no session back.
    assert!(store.set_disabled(bob, None).await.unwrap());
    assert_eq!(store.account(bob).await.unwrap().unwrap().disabled_at, None);
    assert!(store.sessions(bob).await.unwrap().is_empty());
}

/// Deleting an account deletes its learner and every row the learner owns, in every table;
/// other learners' rows and the invitations it created stay (the latter without creator).
pub async fn deleting_an_account_removes_everything_it_owns(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let bob = store
        .create_account(&NewAccount {
            role: Role::Moderator,
            ..new_account("bob", Some("bob@example.org"), 1)
        })
        .await
        .unwrap();
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    let gil = key("python", "gil");
    for (learner, tag) in [(me, "me"), (bob, "bob"), (ann, "ann")] {
        store.set_mark(learner, &gil, true, 1).await.unwrap();
        store.save_note(learner, &gil, tag, 1).await.unwrap();
        store
            .record_review(learner, &first(&format!("{tag}-review"), &gil, 2))
            .await
            .unwrap();
        store
            .set_learner_setting(learner, "limit", "20")
            .await
            .unwrap();
        store
            .save_interview(learner, &interview(&format!("{tag}-interview"), 3))
            .await
            .unwrap();
        store
            .create_session(&session(&format!("{tag}-session"), learner, 4), None)
            .await
            .unwrap();
        store.begin_totp(learner, "GEZDGNBV", 5).await.unwrap();
        store
            .enable_totp(learner, 1, &[format!("{tag}-code")], 5)
            .await
            .unwrap();
        store
            .create_api_token(&crate::ApiToken {
                id: 0,
                learner,
                token_hash: format!("{tag}-token"),
                label: String::new(),
                scope: crate::TokenScope::Read,
                created_at: 6,
                expires_at: None,
                last_used_at: None,
                revoked_at: None,
            })
            .await
            .unwrap();
        let event = crate::SecurityEvent {
            id: 0,
            learner,
            at: 7,
            kind: "sign-in".into(),
            client: String::new(),
            device: String::new(),
        };
        store.record_security_event(&event, 10).await.unwrap();
    }
    let by_bob = store
        .create_invite(&Invite {
            created_by: Some(bob),
            ..invitation("bob-invite", 1_000, 1)
        })
        .await
        .unwrap();
    store
        .set_site_setting("registration", "invite")
        .await
        .unwrap();
    let before = store.export_all().await.unwrap();

    assert!(store.delete_account(bob).await.unwrap());
    assert_eq!(store.account(bob).await.unwrap(), None);
    assert_eq!(store.account_by_key("bob@example.org").await.unwrap(), None);
    assert!(store.marks(bob).await.unwrap().is_empty());
    assert!(store.notes(bob).await.unwrap().is_empty());
    assert!(store.cards(bob).await.unwrap().is_empty());
    assert!(store.reviews(bob, None).await.unwrap().is_empty());
    assert!(store.learner_settings(bob).await.unwrap().is_empty());
    assert!(store.interviews(bob, 10).await.unwrap().is_empty());
    assert!(store.sessions(bob).await.unwrap().is_empty());
    assert_eq!(store.session("bob-session").await.unwrap(), None);
    assert_eq!(store.totp(bob).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(bob).await.unwrap(), 0);
    assert!(store.api_tokens(bob).await.unwrap().is_empty());
    assert!(store.api_token("bob-token").await.unwrap().is_none());
    assert!(store.security_events(bob, 10).await.unwrap().is_empty());
    assert!(
        store.totp(ann).await.unwrap().is_some(),
        "others keep theirs"
    );

    // Row for row: exactly bob's rows are gone, in every table, and his invitation lost
    // its creator.
    let mut expected = before.clone();
    expected.learners.retain(|l| l.id != bob);
    expected.marks.retain(|o| o.learner != bob);
    expected.notes.retain(|o| o.learner != bob);
    expected.cards.retain(|o| o.learner != bob);
    expected.reviews.retain(|r| r.learner != bob);
    expected.settings.retain(|s| s.learner != bob);
    expected.interviews.retain(|o| o.learner != bob);
    expected.accounts.retain(|a| a.learner != bob);
    expected.sessions.retain(|s| s.learner != bob);
    for table in &mut expected.account_security {
        let (_, columns) = crate::dump::ACCOUNT_SECURITY_TABLES
            .iter()
            .find(|(name, _)| *name == table.table)
            .unwrap();
        let Some(owner) = columns
            .iter()
            .position(|(column, _)| *column == "learner_id")
        else {
            continue;
        };
        table
            .rows
            .retain(|row| row[owner] != crate::dump::Cell::Int(Some(bob.0)));
    }
    let mut expected = expected.canonical();
    for invite in &mut expected.invites {
        if invite.created_by == Some(bob) {
            invite.created_by = None;
        }
    }
    let after = store.export_all().await.unwrap();
    assert_eq!(after.differences(&expected), Vec::<String>::new());
    assert_eq!(after, expected);
    assert_eq!(
        store.invites().await.unwrap()[0].id,
        by_bob,
        "the invitation stays"
    );

    assert!(!store.delete_account(bob).await.unwrap());
    // The personal learner has no account: it is not deleted this way.
    assert!(!store.delete_account(me).await.unwrap());
    assert_eq!(store.marks(me).await.unwrap().len(), 1);
    assert_eq!(store.export_all().await.unwrap(), expected);
}

pub async fn sessions_are_created_replaced_listed_and_ended(fx: &dyn Fixture) {
    let store = fx.store();
    let bob = store
        .create_account(&new_account("bob", None, 1))
        .await
        .unwrap();
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    for (id, at) in [("b1", 10), ("b2", 20), ("b3", 30)] {
        store
            .create_session(&session(id, bob, at), None)
            .await
            .unwrap();
    }
    let ids = |sessions: Vec<StoredSession>| -> Vec<String> {
        sessions.into_iter().map(|s| s.id_hash).collect()
    };
    assert_eq!(ids(store.sessions(bob).await.unwrap()), ["b3", "b2", "b1"]);

    // Touching moves the last request forward, never back.
    store.touch_session("b1", 40).await.unwrap();
    store.touch_session("b1", 35).await.unwrap();
    store.touch_session("unknown", 35).await.unwrap();
    assert_eq!(ids(store.sessions(bob).await.unwrap()), ["b1", "b3", "b2"]);
    let crate::FoundSession {
        session: found,
        account,
        data_revision,
    } = store.session("b1").await.unwrap().unwrap();
    assert_eq!(Some(data_revision), store.data_revision(bob).await.unwrap());
    assert_eq!(
        found,
        StoredSession {
            last_seen_at: 40,
            ..session("b1", bob, 10)
        }
    );
    assert_eq!(Some(account), store.account(bob).await.unwrap());
    assert_eq!(store.session("nope").await.unwrap(), None);

    // Signing in again replaces the old session in the same transaction.
    store
        .create_session(&session("b4", bob, 50), Some("b2"))
        .await
        .unwrap();
    assert_eq!(store.session("b2").await.unwrap(), None);
    store
        .create_session(&session("a1", ann, 55), Some("never-was"))
        .await
        .unwrap();
    assert_eq!(ids(store.sessions(bob).await.unwrap()), ["b4", "b1", "b3"]);

    // A learner ends only their own sessions.
    assert!(!store.end_session(bob, "a1").await.unwrap());
    assert!(store.session("a1").await.unwrap().is_some());
    assert!(store.end_session(bob, "b3").await.unwrap());
    assert!(!store.end_session(bob, "b3").await.unwrap());
    assert_eq!(store.end_sessions(bob, Some("b4")).await.unwrap(), 1);
    assert_eq!(ids(store.sessions(bob).await.unwrap()), ["b4"]);
    assert_eq!(store.end_sessions(bob, None).await.unwrap(), 1);
    assert!(store.sessions(bob).await.unwrap().is_empty());
    assert_eq!(ids(store.sessions(ann).await.unwrap()), ["a1"]);

    // A session of a learner that does not exist is refused; one without an account is
    // stored but has no account to sign in as.
    let err = store
        .create_session(&session("x", LearnerId(4242), 1), None)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let plain = fx.create_learner("user", 1).await.unwrap();
    store
        .create_session(&session("plain", plain, 1), None)
        .await
        .unwrap();
    assert_eq!(store.session("plain").await.unwrap(), None);
}

pub async fn expired_sessions_end(fx: &dyn Fixture) {
    let store = fx.store();
    let bob = store
        .create_account(&new_account("bob", None, 1))
        .await
        .unwrap();
    let make = |id: &str, created_at, last_seen_at| StoredSession {
        created_at,
        last_seen_at,
        ..session(id, bob, 0)
    };
    for s in [
        make("too-old", 99, 900), // created before the absolute lifetime
        make("idle", 500, 699),   // idle since before the timeout
        make("fresh", 100, 700),  // both limits are strict
        make("newest", 800, 950),
    ] {
        store.create_session(&s, None).await.unwrap();
    }
    assert_eq!(store.end_expired_sessions(700, 100).await.unwrap(), 2);
    let left: Vec<String> = store
        .sessions(bob)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id_hash)
        .collect();
    assert_eq!(left, ["newest", "fresh"]);
    assert_eq!(store.end_expired_sessions(700, 100).await.unwrap(), 0);
}

pub async fn invitations_are_listed_newest_first_and_revoked_once(fx: &dyn Fixture) {
    let store = fx.store();
    let root = store
        .create_account(&NewAccount {
            role: Role::Admin,
            ..new_account("root", None, 1)
        })
        .await
        .unwrap();
    assert!(store.invites().await.unwrap().is_empty());
    let make = |token: &str, created_at| Invite {
        created_at,
        ..invitation(token, 1_000, 5)
    };
    let first_id = store.create_invite(&make("t1", 10)).await.unwrap();
    let second_id = store.create_invite(&make("t2", 30)).await.unwrap();
    let labelled = Invite {
        id: 9_999,
        label: "cohort 12 🦀".into(),
        created_by: Some(root),
        uses: 1,
        ..make("t3", 20)
    };
    let third_id = store.create_invite(&labelled).await.unwrap();
    assert!(first_id < second_id && second_id < third_id);
    assert_ne!(third_id, 9_999, "the id given is ignored");
    let listed: Vec<i64> = store
        .invites()
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(listed, [second_id, third_id, first_id]);
    assert_eq!(
        store.invite_by_token("t3").await.unwrap(),
        Some(Invite {
            id: third_id,
            ..labelled
        })
    );
    assert_eq!(store.invite_by_token("t4").await.unwrap(), None);

    assert!(store.revoke_invite(first_id, 40).await.unwrap());
    assert!(!store.revoke_invite(first_id, 50).await.unwrap());
    assert!(!store.revoke_invite(4_242, 50).await.unwrap());
    let revoked = store.invite_by_token("t1").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(40));
    assert!(!revoked.usable(41));

    // A token is stored once; a creator must exist.
    assert!(store.create_invite(&make("t1", 60)).await.is_err());
    let orphan = Invite {
        created_by: Some(LearnerId(4_242)),
        ..make("t5", 60)
    };
    assert!(is_invalid(store.create_invite(&orphan).await));
    assert_eq!(store.invites().await.unwrap().len(), 3);
}

pub async fn site_settings_round_trip(fx: &dyn Fixture) {
    let store = fx.store();
    assert_eq!(store.site_setting("registration").await.unwrap(), None);
    store
        .set_site_setting("registration", "invite")
        .await
        .unwrap();
    store.set_site_setting("private", "true").await.unwrap();
    store
        .set_site_setting("registration", "open")
        .await
        .unwrap();
    assert_eq!(
        store.site_setting("registration").await.unwrap().as_deref(),
        Some("open")
    );
    assert_eq!(
        store.site_setting("private").await.unwrap().as_deref(),
        Some("true")
    );
    store
        .set_site_setting("community.rules", "Be kind")
        .await
        .unwrap();
    store
        .set_site_setting("community.approve_first", "0")
        .await
        .unwrap();
    store
        .set_site_setting("communityx", "not under")
        .await
        .unwrap();
    assert_eq!(
        store.site_settings_under("community.").await.unwrap(),
        [
            ("community.approve_first".to_owned(), "0".to_owned()),
            ("community.rules".to_owned(), "Be kind".to_owned()),
        ]
    );
    assert_eq!(store.site_settings_under("").await.unwrap().len(), 5);
    for name in ["", "Registration", "with space", "a\0b", &"n".repeat(65)] {
        assert!(
            is_invalid(store.set_site_setting(name, "1").await),
            "{name:?}"
        );
        assert!(is_invalid(store.site_setting(name).await), "{name:?}");
    }
    let over = "x".repeat(MAX_SETTING_VALUE_BYTES + 1);
    assert!(is_invalid(store.set_site_setting("big", &over).await));
    assert!(is_invalid(store.set_site_setting("nul", "a\0").await));
    assert_eq!(store.site_setting("big").await.unwrap(), None);
    assert_eq!(store.export_all().await.unwrap().site_settings.len(), 5);
}

/// Account texts follow the rule of every text (no NUL) and a length bound; reads naming a
/// NUL find nothing.
pub async fn account_text_with_nul_or_too_long_is_refused(fx: &dyn Fixture) {
    let store = fx.store();
    let bob = store
        .create_account(&new_account("bob", None, 1))
        .await
        .unwrap();
    store
        .create_session(&session("b1", bob, 1), None)
        .await
        .unwrap();
    let before = store.export_all().await.unwrap();
    let long = "x".repeat(MAX_ACCOUNT_TEXT_BYTES + 1);
    let at_limit = "é".repeat(MAX_ACCOUNT_TEXT_BYTES / 2);
    let base = new_account("ann", Some("ann@example.org"), 2);
    let bad = [
        NewAccount {
            username: "a\0",
            ..base.clone()
        },
        NewAccount {
            username_key: "a\0",
            ..base.clone()
        },
        NewAccount {
            email: Some("a\0@example.org"),
            ..base.clone()
        },
        NewAccount {
            email_key: Some("a\0@example.org"),
            ..base.clone()
        },
        NewAccount {
            password_hash: "\0",
            ..base.clone()
        },
        NewAccount {
            admission: Admission::Invite { token_hash: "t\0" },
            ..base.clone()
        },
        NewAccount {
            username: &long,
            ..base.clone()
        },
        NewAccount {
            password_hash: &long,
            ..base.clone()
        },
    ];
    for new in &bad {
        assert!(is_invalid(store.create_account(new).await), "{new:?}");
    }
    assert!(is_invalid(store.set_password(bob, "\0", 5).await));
    assert!(is_invalid(store.set_password(bob, &long, 5).await));
    assert!(is_invalid(store.set_email(bob, Some(("a\0", "a"))).await));
    assert!(is_invalid(store.set_email(bob, Some(("a", "a\0"))).await));
    let with_device = StoredSession {
        device: "a\0".into(),
        ..session("b2", bob, 2)
    };
    assert!(is_invalid(store.create_session(&with_device, None).await));
    let too_long = StoredSession {
        device: long.clone(),
        ..session("b2", bob, 2)
    };
    assert!(is_invalid(store.create_session(&too_long, None).await));
    assert!(is_invalid(
        store.create_session(&session("b\0", bob, 2), None).await
    ));
    assert!(is_invalid(
        store
            .create_session(&session("b2", bob, 2), Some("b1\0"))
            .await
    ));
    assert!(is_invalid(store.touch_session("b1\0", 9).await));
    assert!(is_invalid(store.end_session(bob, "b1\0").await));
    assert!(is_invalid(store.end_sessions(bob, Some("b1\0")).await));
    let label = Invite {
        label: "a\0".into(),
        ..invitation("t", 1_000, 1)
    };
    assert!(is_invalid(store.create_invite(&label).await));
    assert!(is_invalid(
        store.create_invite(&invitation("t\0", 1_000, 1)).await
    ));
    // Nothing was written.
    assert_eq!(store.export_all().await.unwrap(), before);

    // Reads naming a NUL find nothing.
    assert_eq!(store.account_by_key("bob\0").await.unwrap(), None);
    assert_eq!(store.session("b1\0").await.unwrap(), None);
    assert_eq!(store.invite_by_token("t\0").await.unwrap(), None);

    // At the limit is fine.
    let longest = store
        .create_account(&NewAccount {
            username: &at_limit,
            username_key: &at_limit,
            ..base.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        store.account(longest).await.unwrap().unwrap().username,
        at_limit
    );
}

// ------------------------------------------------------------------------ export, import

/// Fills `store` with some of everything, through the trait only (an undone review and a
/// forgotten question included, so the log has gaps; accounts with sessions, a used and a
/// revoked invitation, site settings). Returns the learners it used: the personal learner,
/// a plain learner, and two accounts (`ann`, a moderator with sessions and an e-mail
/// address, and `cid`, disabled, admitted with an invitation).
pub async fn fill(fx: &dyn Fixture) -> Vec<LearnerId> {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let other = fx.create_learner("user", 42).await.unwrap();
    for (learner, tag) in [(me, "me"), (other, "other")] {
        let gil = key("python-django", "gil");
        let joins = key("sql", "joins-101");
        store.set_mark(learner, &gil, true, 10).await.unwrap();
        store
            .set_mark(learner, &key("日本語", "質問"), true, 11)
            .await
            .unwrap();
        store
            .save_note(learner, &gil, &format!("*{tag}* note 🦀"), 12)
            .await
            .unwrap();
        let g1 = first(&format!("{tag}-g1-review"), &gil, 1_000);
        let g2 = next(&format!("{tag}-g2-review"), &g1, 2_000);
        let j1 = first(&format!("{tag}-j1-review"), &joins, 2_000);
        let undone = next(&format!("{tag}-undone-1"), &j1, 3_000);
        let gone = first(&format!("{tag}-gone-001"), &key("g", "gone"), 1_500);
        for r in [&g1, &gone, &j1, &g2, &undone] {
            store.record_review(learner, r).await.unwrap();
        }
        assert_eq!(store.undo_last_review(learner).await.unwrap(), Some(undone));
        store.forget(learner, &key("g", "gone")).await.unwrap();
        let j2 = next(&format!("{tag}-j2-review"), &j1, 2_000);
        store.record_review(learner, &j2).await.unwrap();
        store
            .set_learner_setting(learner, "desired_retention", "0.9")
            .await
            .unwrap();
        store
            .set_learner_setting(learner, "fsrs.params", "{\"w\":[0.1,0.2]}")
            .await
            .unwrap();
        let mut saved = interview(&format!("{tag}-saved"), 5_000);
        store.save_interview(learner, &saved).await.unwrap();
        saved.revision = 2;
        saved.finished_at = Some(6_000);
        saved.score = Some(0.5);
        store.save_interview(learner, &saved).await.unwrap();
    }
    store.secret("csrf", &[7; 32]).await.unwrap();
    store.secret("other", &[0, 255, 1]).await.unwrap();

    let ann = store
        .create_account(&NewAccount {
            username: "Ann",
            email: Some("Ann@Example.org"),
            role: Role::Moderator,
            ..new_account("ann", Some("ann@example.org"), 50)
        })
        .await
        .unwrap();
    store
        .set_mark(ann, &key("python-django", "gil"), true, 51)
        .await
        .unwrap();
    let revoked = store
        .create_invite(&Invite {
            label: "revoked".into(),
            created_by: Some(ann),
            created_at: 52,
            ..invitation("revoked-token", 10_000, 5)
        })
        .await
        .unwrap();
    store.revoke_invite(revoked, 53).await.unwrap();
    store
        .create_invite(&Invite {
            label: "cohort 12 🦀".into(),
            created_at: 54,
            ..invitation("used-token", 10_000, 2)
        })
        .await
        .unwrap();
    let cid = store
        .create_account(&invited("cid", "used-token", 55))
        .await
        .unwrap();
    store.set_disabled(cid, Some(56)).await.unwrap();
    for (id, at) in [("ann-session-1", 57), ("ann-session-2", 58)] {
        store
            .create_session(&session(id, ann, at), None)
            .await
            .unwrap();
    }
    store.touch_session("ann-session-1", 59).await.unwrap();
    store
        .set_site_setting("registration", "invite")
        .await
        .unwrap();
    store.set_site_setting("private", "true").await.unwrap();

    let (thread, opening) = open(&store, ann, "Why the GIL? 🦀", PostState::Visible, 60).await;
    let reply = store
        .add_post(&post(
            thread,
            cid,
            "a pending reply",
            PostState::Pending,
            61,
        ))
        .await
        .unwrap();
    store
        .edit_post(opening, "edited", "<p>edited</p>", 62)
        .await
        .unwrap();
    store.vote(opening, cid, 1, 63).await.unwrap();
    store.flag(opening, cid, "Spam", "ads", 64).await.unwrap();
    let reject = crate::ModerationEntry {
        post: Some(reply),
        thread: Some(thread),
        ..entry(ann, "reject", "off topic", 65)
    };
    let change = crate::Moderation::PostState {
        post: reply,
        from: PostState::Pending,
        state: PostState::Rejected,
    };
    store.moderate(&reject, change).await.unwrap().unwrap();
    let suspend = crate::ModerationEntry {
        member: Some(cid),
        member_name: Some("cid".into()),
        until: Some(10_000),
        ..entry(ann, "suspend", "spam", 66)
    };
    let change = crate::Moderation::Suspend {
        member: cid,
        until: Some(10_000),
        by: Role::Moderator,
    };
    store.moderate(&suspend, change).await.unwrap().unwrap();
    // Limits are not carried by a copy.
    store.take_rate("post:1", 67, 1_000, 3).await.unwrap();
    // Second factors, tokens, events and e-mail links are (7 rows).
    store
        .begin_totp(ann, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 70)
        .await
        .unwrap();
    assert!(
        store
            .enable_totp(ann, 3, &["code-1".into(), "code-2".into()], 71)
            .await
            .unwrap()
    );
    store
        .create_api_token(&crate::ApiToken {
            id: 0,
            learner: cid,
            token_hash: "token-digest".into(),
            label: "backup script".into(),
            scope: crate::TokenScope::Write,
            created_at: 72,
            expires_at: None,
            last_used_at: Some(73),
            revoked_at: None,
        })
        .await
        .unwrap();
    store
        .record_security_event(
            &crate::SecurityEvent {
                id: 0,
                learner: ann,
                at: 74,
                kind: "sign-in".into(),
                client: "192.0.2.1".into(),
                device: "Firefox on Linux".into(),
            },
            10,
        )
        .await
        .unwrap();
    store
        .set_email_verified(ann, "ann@example.org", 75)
        .await
        .unwrap();
    store
        .create_email_link(&crate::EmailLink {
            token_hash: "link-digest".into(),
            learner: ann,
            purpose: crate::LinkPurpose::Reset,
            email_key: "ann@example.org".into(),
            created_at: 76,
            expires_at: 77,
        })
        .await
        .unwrap();
    vec![me, other, ann, cid]
}

/// The export holds what the trait reads, row for row, in canonical order.
pub async fn export_reads_everything_in_canonical_order(fx: &dyn Fixture) {
    let store = fx.store();
    assert!(store.export_all().await.unwrap().is_empty());
    let learners = fill(fx).await;
    let dump = store.export_all().await.unwrap();
    assert_eq!(dump.clone().canonical(), dump, "not in canonical order");
    dump.check().unwrap();
    let counts: Vec<usize> = dump.counts().iter().map(|(_, n)| *n).collect();
    // learners, marks, notes, cards, reviews, settings, interviews, secrets, accounts,
    // sessions, invites, site settings, threads, posts, post revisions, votes, flags,
    // moderation log, suspensions, account security rows
    assert_eq!(
        counts,
        [4, 5, 2, 4, 8, 4, 2, 2, 2, 2, 2, 2, 1, 2, 1, 1, 1, 2, 1, 7]
    );
    assert_eq!(
        dump.account_security
            .iter()
            .map(|t| (t.table.as_str(), t.rows.len()))
            .collect::<Vec<_>>(),
        [
            ("totp", 1),
            ("recovery_codes", 2),
            ("api_tokens", 1),
            ("security_events", 1),
            ("email_verifications", 1),
            ("email_links", 1)
        ]
    );
    assert_eq!(
        dump.community.posts,
        store
            .posts(dump.community.threads[0].id, 0, 10)
            .await
            .unwrap()
    );
    assert_eq!(
        dump.learners
            .iter()
            .map(|l| l.kind.as_str())
            .collect::<Vec<_>>(),
        ["personal", "user", ACCOUNT_KIND, ACCOUNT_KIND]
    );
    assert_eq!(dump.accounts, store.accounts().await.unwrap());
    assert_eq!(dump.invites.len(), store.invites().await.unwrap().len());
    for invite in &dump.invites {
        assert_eq!(
            store.invite_by_token(&invite.token_hash).await.unwrap(),
            Some(invite.clone())
        );
    }
    assert_eq!(dump.invites[1].uses, 1);
    for setting in &dump.site_settings {
        assert_eq!(
            store.site_setting(&setting.name).await.unwrap(),
            Some(setting.value.clone())
        );
    }
    assert_eq!(dump.learners[1].created_at, 42);
    for learner in learners {
        let own = |l: LearnerId| l == learner;
        let marks: Vec<Mark> = dump
            .marks
            .iter()
            .filter(|m| own(m.learner))
            .map(|m| m.value.clone())
            .collect();
        assert_eq!(marks, store.marks(learner).await.unwrap());
        let notes: Vec<_> = dump
            .notes
            .iter()
            .filter(|n| own(n.learner))
            .map(|n| n.value.clone())
            .collect();
        assert_eq!(notes, store.notes(learner).await.unwrap());
        let cards: Vec<_> = dump
            .cards
            .iter()
            .filter(|c| own(c.learner))
            .map(|c| c.value.clone())
            .collect();
        assert_eq!(cards, store.cards(learner).await.unwrap());
        // The trait lists reviews by time, then recording order (the sequence number).
        let mut logged: Vec<_> = dump.reviews.iter().filter(|r| own(r.learner)).collect();
        logged.sort_by_key(|r| (r.review.reviewed_at, r.seq));
        let reviews: Vec<_> = logged.into_iter().map(|r| r.review.clone()).collect();
        assert_eq!(reviews, store.reviews(learner, None).await.unwrap());
        let interviews: Vec<_> = dump
            .interviews
            .iter()
            .filter(|i| own(i.learner))
            .map(|i| i.value.clone())
            .collect();
        assert_eq!(interviews, store.interviews(learner, 10).await.unwrap());
        for setting in dump.settings.iter().filter(|s| own(s.learner)) {
            assert_eq!(
                store.learner_setting(learner, &setting.name).await.unwrap(),
                Some(setting.value.clone())
            );
        }
        // The trait lists sessions most recently seen first.
        let mut sessions: Vec<_> = dump
            .sessions
            .iter()
            .filter(|s| own(s.learner))
            .cloned()
            .collect();
        sessions.sort_by_key(|s| std::cmp::Reverse(s.last_seen_at));
        assert_eq!(sessions, store.sessions(learner).await.unwrap());
    }
    assert_eq!(dump.secrets[0].name, "csrf");
    assert_eq!(dump.secrets[0].value, [7; 32]);
}

/// An import never mixes two databases: a target holding a learner or a secret is refused
/// and left as it was.
pub async fn import_refuses_a_database_that_is_not_empty(fx: &dyn Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let dump = Dump {
        learners: vec![crate::DumpLearner {
            id: LearnerId(me.0 + 10),
            kind: "user".into(),
            created_at: 1,
        }],
        ..Dump::default()
    };
    let err = store.import_all(&dump).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(store.export_all().await.unwrap().learners.len(), 1);
}

/// Invitations and site settings belong to no learner, and make a database non-empty too.
pub async fn import_refuses_a_database_with_invitations_or_site_settings(fx: &dyn Fixture) {
    let store = fx.store();
    let dump = Dump {
        learners: vec![crate::DumpLearner {
            id: LearnerId(1),
            kind: "user".into(),
            created_at: 1,
        }],
        ..Dump::default()
    };
    store
        .create_invite(&invitation("token", 1_000, 1))
        .await
        .unwrap();
    let err = store.import_all(&dump).await.unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    fx.execute("DELETE FROM invites").await;
    store.set_site_setting("private", "true").await.unwrap();
    let err = store.import_all(&dump).await.unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    let after = store.export_all().await.unwrap();
    assert!(after.learners.is_empty() && after.invites.is_empty());
    assert_eq!(after.site_settings.len(), 1);
}

/// An import writes marks, cards and reviews several hundred rows a statement: 1,201 of
/// each (two full statements and a short one) read back whole and in order; a dump with
/// two cards for one question is refused and writes nothing.
pub async fn an_import_of_many_rows_reads_back_whole(fx: &dyn Fixture) {
    let store = fx.store();
    let me = LearnerId(3);
    let keys: Vec<QuestionKey> = (0..1_201).map(|i| key("g", &format!("q-{i}"))).collect();
    let reviews: Vec<ReviewRecord> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| first(&format!("review-{i:04}"), k, 1_000 + i as Millis))
        .collect();
    let mut dump = Dump {
        learners: vec![crate::DumpLearner {
            id: me,
            kind: "user".into(),
            created_at: 1,
        }],
        marks: keys
            .iter()
            .enumerate()
            .map(|(i, k)| crate::Owned {
                learner: me,
                value: Mark {
                    key: k.clone(),
                    at: 5 + i as Millis,
                },
            })
            .collect(),
        cards: reviews
            .iter()
            .map(|r| crate::Owned {
                learner: me,
                value: r.after.clone(),
            })
            .collect(),
        reviews: reviews
            .iter()
            .enumerate()
            .map(|(i, r)| crate::DumpReview {
                seq: 10 + i as i64,
                learner: me,
                review: r.clone(),
            })
            .collect(),
        ..Dump::default()
    };
    let twice = Dump {
        cards: [dump.cards.clone(), vec![dump.cards[600].clone()]].concat(),
        ..dump.clone()
    };
    let err = store.import_all(&twice).await.unwrap_err();
    assert!(err.to_string().contains("two cards for g/q-600"), "{err}");
    assert!(store.export_all().await.unwrap().learners.is_empty());
    store.import_all(&dump).await.unwrap();
    assert_eq!(store.reviews(me, None).await.unwrap(), reviews);
    let mut cards = store.cards(me).await.unwrap();
    cards.sort_by(|a, b| a.key.cmp(&b.key));
    dump.cards.sort_by(|a, b| a.value.key.cmp(&b.value.key));
    assert_eq!(
        cards,
        dump.cards
            .iter()
            .map(|c| c.value.clone())
            .collect::<Vec<_>>()
    );
    let back = store.export_all().await.unwrap();
    assert_eq!(back.reviews, dump.reviews);
    assert_eq!(back.marks.len(), 1_201);
    assert_eq!(
        back.marks.iter().map(|m| m.value.at).sum::<Millis>(),
        dump.marks.iter().map(|m| m.value.at).sum::<Millis>()
    );
}

pub async fn ping_succeeds_on_a_current_schema(fx: &dyn Fixture) {
    fx.store().ping().await.unwrap();
}

/// What `from` holds is imported into the empty `to` and reads back equal, through the
/// export and through the trait; ids go on after the imported ones; a second import is
/// refused.
pub async fn dump_round_trips(from: &dyn Fixture, to: &dyn Fixture) {
    let learners = fill(from).await;
    let (source, target) = (from.store(), to.store());
    let dump = source.export_all().await.unwrap();
    target.import_all(&dump).await.unwrap();
    let copied = target.export_all().await.unwrap();
    assert_eq!(dump.differences(&copied), Vec::<String>::new());
    assert_eq!(copied, dump);
    for learner in learners {
        assert_eq!(
            source.reviews(learner, None).await.unwrap(),
            target.reviews(learner, None).await.unwrap()
        );
        assert_eq!(
            source.undo_last_review(learner).await.unwrap(),
            target.undo_last_review(learner).await.unwrap()
        );
    }
    assert_eq!(
        source.personal_learner().await.unwrap(),
        target.personal_learner().await.unwrap()
    );
    assert_eq!(
        target.secret("csrf", &[0]).await.unwrap(),
        source.secret("csrf", &[1]).await.unwrap()
    );
    // Accounts sign in on the copy as on the source: by either key, with their sessions.
    for key in ["ann", "ann@example.org", "cid"] {
        assert_eq!(
            source.account_by_key(key).await.unwrap(),
            target.account_by_key(key).await.unwrap(),
            "{key}"
        );
    }
    assert!(target.account_by_key("ann").await.unwrap().is_some());
    assert_eq!(
        source.session("ann-session-1").await.unwrap(),
        target.session("ann-session-1").await.unwrap()
    );
    assert!(target.session("ann-session-1").await.unwrap().is_some());
    assert_eq!(
        source.invites().await.unwrap(),
        target.invites().await.unwrap()
    );
    assert_eq!(
        target
            .site_setting("registration")
            .await
            .unwrap()
            .as_deref(),
        Some("invite")
    );
    // The unique keys hold on the copy, and invitations are numbered after the imported.
    assert!(is_taken(
        target.create_account(&new_account("ann", None, 70)).await,
        Taken::Username
    ));
    let invite = target
        .create_invite(&invitation("after-import", 1_000, 1))
        .await
        .unwrap();
    assert!(dump.invites.iter().all(|i| i.id < invite), "{invite}");
    // New rows are numbered after the imported ones: a new learner and new reviews.
    let newest = to.create_learner("user", 99).await.unwrap();
    assert!(dump.learners.iter().all(|l| l.id < newest), "{newest}");
    let me = target.personal_learner().await.unwrap();
    let r = first("after-import", &key("new", "q"), 1);
    // (Undo above removed the latest reviews: SQLite may give their numbers again.)
    let remaining = target.export_all().await.unwrap().reviews;
    let max_seq = remaining.iter().map(|r| r.seq).max().unwrap();
    target.record_review(me, &r).await.unwrap();
    let after = target.export_all().await.unwrap();
    let added = after.reviews.iter().find(|l| l.review.id == r.id).unwrap();
    assert!(added.seq > max_seq, "{} <= {max_seq}", added.seq);
    // The target is not empty any more.
    assert!(matches!(
        target.import_all(&dump).await,
        Err(StorageError::Invalid(_))
    ));
}
