//! `mastery db copy` as a user runs it: a SQLite database filled through the real store is
//! copied to a fresh PostgreSQL database, then back to a new SQLite file, and each copy is
//! compared with the original through the storage interface. PostgreSQL comes from
//! `MASTERY_TEST_POSTGRES_URL` (see `mastery_storage_postgres::testing`: skipped with a
//! message when unreachable, a failure with `CI=true`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use mastery_storage::testkit::{first, interview, key, next};
use mastery_storage::{Dump, LearnerId, Storage};
use mastery_storage_postgres::PostgresStore;
use mastery_storage_postgres::testing::TestDatabase;
use mastery_storage_sqlite::SqliteStore;

fn mastery(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(args)
        .env_remove("MASTERY_DATABASE_URL")
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Fills a new SQLite database through the store, as the app would: two learners, marks,
/// notes, reviews with an undo, settings, an interview in two revisions, the CSRF secret.
async fn fill(path: &Path) -> Vec<LearnerId> {
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    let me = store.personal_learner().await.unwrap();
    let other = store
        .create_learner("user", 1_700_000_000_000)
        .await
        .unwrap();
    for learner in [me, other] {
        let gil = key("python-django", "gil");
        let orm = key("python-django", "orm-n-plus-1");
        store.set_mark(learner, &gil, true, 1_000).await.unwrap();
        store
            .save_note(
                learner,
                &gil,
                "The *GIL*: one thread runs bytecode 🐍",
                1_100,
            )
            .await
            .unwrap();
        let tag = learner.0;
        let g1 = first(&format!("l{tag}-gil-1"), &gil, 2_000);
        let o1 = first(&format!("l{tag}-orm-1"), &orm, 2_000);
        let g2 = next(&format!("l{tag}-gil-2"), &g1, 3_000);
        let undone = next(&format!("l{tag}-orm-undone"), &o1, 4_000);
        for r in [&g1, &o1, &g2, &undone] {
            store.record_review(learner, r).await.unwrap();
        }
        assert_eq!(store.undo_last_review(learner).await.unwrap(), Some(undone));
        store
            .set_learner_setting(learner, "desired_retention", "0.92")
            .await
            .unwrap();
        let mut saved = interview(&format!("saved-{tag}"), 5_000);
        store.save_interview(learner, &saved).await.unwrap();
        saved.revision = 2;
        saved.finished_at = Some(6_000);
        saved.score = Some(0.8);
        store.save_interview(learner, &saved).await.unwrap();
    }
    store.secret("csrf", &[42; 32]).await.unwrap();
    store.close().await;
    vec![me, other]
}

/// Everything a learner can read through the trait, for comparing two stores.
async fn same_through_the_api(a: &dyn Storage, b: &dyn Storage, learners: &[LearnerId]) {
    assert_eq!(
        a.personal_learner().await.unwrap(),
        b.personal_learner().await.unwrap()
    );
    for &l in learners {
        assert_eq!(a.marks(l).await.unwrap(), b.marks(l).await.unwrap());
        assert_eq!(a.notes(l).await.unwrap(), b.notes(l).await.unwrap());
        assert_eq!(a.cards(l).await.unwrap(), b.cards(l).await.unwrap());
        assert_eq!(
            a.reviews(l, None).await.unwrap(),
            b.reviews(l, None).await.unwrap()
        );
        assert_eq!(
            a.interviews(l, 100).await.unwrap(),
            b.interviews(l, 100).await.unwrap()
        );
        assert_eq!(
            a.learner_setting(l, "desired_retention").await.unwrap(),
            b.learner_setting(l, "desired_retention").await.unwrap()
        );
        assert!(!a.reviews(l, None).await.unwrap().is_empty());
    }
    assert_eq!(
        a.secret("csrf", &[0]).await.unwrap(),
        b.secret("csrf", &[1]).await.unwrap()
    );
    let (da, db): (Dump, Dump) = (a.export_all().await.unwrap(), b.export_all().await.unwrap());
    assert_eq!(da.differences(&db), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_sqlite_to_postgres_and_back() {
    let Some(pg) = TestDatabase::create().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original.db");
    let learners = fill(&original).await;
    let from = format!("sqlite://{}", original.display());

    let out = mastery(&["db", "copy", "--from", &from, "--to", &pg.url]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    // 2 learners, 2 marks, 2 notes, 4 cards, 6 reviews, 2 settings, 2 interviews, 1 secret.
    assert!(shown.contains("Copied 21 rows."), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.split_whitespace().eq(["reviews", "6"])),
        "{shown}"
    );
    assert!(shown.contains("Verified:"), "{shown}");

    let sqlite = SqliteStore::open(&from).await.unwrap();
    let postgres = PostgresStore::connect(&pg.url).await.unwrap();
    same_through_the_api(&sqlite, &postgres, &learners).await;
    // The copy works on: undo takes the same review on both, new ids follow the old ones.
    assert_eq!(
        sqlite.undo_last_review(learners[0]).await.unwrap(),
        postgres.undo_last_review(learners[0]).await.unwrap()
    );
    assert!(postgres.create_learner("user", 1).await.unwrap() > learners[1]);

    // A second copy into the same, no longer empty, database is refused and changes nothing.
    let before = postgres.export_all().await.unwrap();
    let out = mastery(&["db", "copy", "--from", &from, "--to", &pg.url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not empty"), "{}", text(&out));
    assert_eq!(postgres.export_all().await.unwrap(), before);

    // Back: PostgreSQL to a new SQLite file.
    let back = dir.path().join("back.db");
    let back_url = format!("sqlite://{}", back.display());
    let out = mastery(&["db", "copy", "--from", &pg.url, "--to", &back_url]);
    assert!(out.status.success(), "{}", text(&out));
    let back_store = SqliteStore::open(&back_url).await.unwrap();
    same_through_the_api(&postgres, &back_store, &learners).await;
    postgres.close().await;
}

#[test]
fn refuses_what_it_cannot_copy() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("m.db").display());
    let out = mastery(&["db", "copy", "--from", &db, "--to", &db]);
    assert!(!out.status.success());
    assert!(text(&out).contains("same database"), "{}", text(&out));
    let out = mastery(&["db", "copy", "--from", &db, "--to", "sqlite::memory:"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no database at"), "{}", text(&out));
    assert!(
        !dir.path().join("m.db").exists(),
        "a missing source is not created"
    );
    std::fs::write(dir.path().join("m.db"), b"").unwrap();
    let out = mastery(&["db", "copy", "--from", &db, "--to", "mysql://u@h/x"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("mysql:// databases are not supported"),
        "{}",
        text(&out)
    );
    let out = mastery(&["db", "copy", "--help"]);
    let help = text(&out);
    for words in ["--from", "--to", "must be empty", "verif", "secrets"] {
        assert!(help.contains(words), "{words}: {help}");
    }
}
