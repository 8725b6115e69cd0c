//! `mastery learner export` and `mastery learner import` as a user runs them: a learner's
//! data goes to a JSON file and back into another database, SQLite and PostgreSQL; a
//! second restore changes nothing, reviews merge by id, and newer data is kept unless
//! `--overwrite`. Every time in the data is fixed, so the runs are deterministic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{mastery, text};
use mastery_storage::testkit::{first, interview, key, next};
use mastery_storage::{AccountStorage, LearnerId, Storage};
use mastery_storage_postgres::PostgresStore;
use mastery_storage_postgres::testing::TestDatabase;
use mastery_storage_sqlite::SqliteStore;

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("mastery.db").display())
}

/// The counts line of one kind in the summary table: (added, updated, unchanged, kept).
fn row(out: &str, kind: &str) -> [usize; 4] {
    let line = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} row in {out}"));
    let n: Vec<usize> = line
        .split_whitespace()
        .skip(1)
        .map(|w| w.parse().unwrap())
        .collect();
    [n[0], n[1], n[2], n[3]]
}

/// A learner with a bit of everything, at fixed times.
async fn fill(store: &dyn Storage, learner: LearnerId) {
    let gil = key("python-django", "gil");
    let orm = key("python-django", "orm-n-plus-1");
    store.set_mark(learner, &gil, true, 1_000).await.unwrap();
    store
        .save_note(
            learner,
            &gil,
            "The *GIL*: one thread runs bytecode 🐍 — ça va",
            1_100,
        )
        .await
        .unwrap();
    let g1 = first("gil-review-1", &gil, 2_000);
    let o1 = first("orm-review-1", &orm, 2_500);
    let g2 = next("gil-review-2", &g1, 90_000_000);
    for r in [&g1, &o1, &g2] {
        store.record_review(learner, r).await.unwrap();
    }
    store
        .set_learner_setting(learner, "desired_retention", "0.92")
        .await
        .unwrap();
    let mut saved = interview("iv-finished", 5_000);
    store.save_interview(learner, &saved).await.unwrap();
    saved.revision = 2;
    saved.finished_at = Some(6_000);
    saved.score = Some(0.8);
    store.save_interview(learner, &saved).await.unwrap();
}

/// What a learner has, through the storage interface.
async fn same_learner_data(a: &dyn Storage, la: LearnerId, b: &dyn Storage, lb: LearnerId) {
    assert_eq!(a.marks(la).await.unwrap(), b.marks(lb).await.unwrap());
    assert_eq!(a.notes(la).await.unwrap(), b.notes(lb).await.unwrap());
    assert_eq!(a.cards(la).await.unwrap(), b.cards(lb).await.unwrap());
    assert_eq!(
        a.reviews(la, None).await.unwrap(),
        b.reviews(lb, None).await.unwrap()
    );
    assert_eq!(
        a.learner_settings(la).await.unwrap(),
        b.learner_settings(lb).await.unwrap()
    );
    let (ia, ib) = (
        a.interviews(la, 100).await.unwrap(),
        b.interviews(lb, 100).await.unwrap(),
    );
    assert_eq!(ia.len(), ib.len());
    for (x, y) in ia.iter().zip(&ib) {
        assert_eq!(
            (&x.id, x.revision, x.started_at, x.finished_at, x.score),
            (&y.id, y.revision, y.started_at, y.finished_at, y.score)
        );
        let (sx, sy): (serde_json::Value, serde_json::Value) = (
            serde_json::from_str(&x.state).unwrap(),
            serde_json::from_str(&y.state).unwrap(),
        );
        assert_eq!(sx, sy);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_into_another_sqlite_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let (from_dir, to_dir) = (dir.path().join("from"), dir.path().join("to"));
    std::fs::create_dir_all(&from_dir).unwrap();
    let source = SqliteStore::open(&sqlite_url(&from_dir)).await.unwrap();
    let me = source.personal_learner().await.unwrap();
    fill(&source, me).await;

    let file = dir.path().join("backup.json");
    let file_arg = file.to_str().unwrap();
    let from_arg = from_dir.to_str().unwrap();
    let out = mastery(&["learner", "export", "-o", file_arg, "--data-dir", from_arg]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 marks, 1 notes, 2 cards, 3 reviews, 1 interviews, 1 settings"),
        "{}",
        text(&out)
    );
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(document["schema"], "mastery.learner-data");
    assert_eq!(document["version"], 1);
    assert_eq!(document["interviews"][0]["revision"], 2);
    // Never over an existing file without --force.
    let out = mastery(&["learner", "export", "-o", file_arg, "--data-dir", from_arg]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--force"), "{}", text(&out));

    let to_arg = to_dir.to_str().unwrap();
    let out = mastery(&[
        "learner",
        "import",
        file_arg,
        "--dry-run",
        "--data-dir",
        to_arg,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Would restore"), "{}", text(&out));
    let out = mastery(&["learner", "import", file_arg, "--data-dir", to_arg]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert_eq!(row(&shown, "reviews"), [3, 0, 0, 0], "{shown}");
    assert_eq!(row(&shown, "cards"), [2, 0, 0, 0], "{shown}");

    let target = SqliteStore::open(&sqlite_url(&to_dir)).await.unwrap();
    let them = target.personal_learner().await.unwrap();
    same_learner_data(&source, me, &target, them).await;
    // The restored log works on: undo takes the latest review.
    let before_second = target.export_all().await.unwrap();

    // Idempotent: the same file again writes nothing.
    let out = mastery(&["learner", "import", file_arg, "--data-dir", to_arg]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("Nothing to change"), "{shown}");
    assert_eq!(row(&shown, "reviews"), [0, 0, 3, 0], "{shown}");
    assert_eq!(target.export_all().await.unwrap(), before_second);
    assert_eq!(
        target.undo_last_review(them).await.unwrap().map(|r| r.id),
        Some("gil-review-2".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_merge_by_id_and_newer_data_is_kept_unless_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (from_dir, to_dir) = (dir.path().join("from"), dir.path().join("to"));
    std::fs::create_dir_all(&from_dir).unwrap();
    std::fs::create_dir_all(&to_dir).unwrap();
    let source = SqliteStore::open(&sqlite_url(&from_dir)).await.unwrap();
    let me = source.personal_learner().await.unwrap();
    fill(&source, me).await;
    let file = dir.path().join("backup.json");
    let file_arg = file.to_str().unwrap();
    let out = mastery(&[
        "learner",
        "export",
        "-o",
        file_arg,
        "--data-dir",
        from_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));

    // The other device has the first GIL review (same id), a review of its own, a newer
    // note and another retention.
    let target = SqliteStore::open(&sqlite_url(&to_dir)).await.unwrap();
    let them = target.personal_learner().await.unwrap();
    let gil = key("python-django", "gil");
    let g1 = first("gil-review-1", &gil, 2_000);
    target.record_review(them, &g1).await.unwrap();
    let own = first("sql-review-1", &key("sql", "joins"), 3_000);
    target.record_review(them, &own).await.unwrap();
    target
        .save_note(them, &gil, "written later on the other device", 50_000)
        .await
        .unwrap();
    target
        .set_learner_setting(them, "desired_retention", "0.85")
        .await
        .unwrap();

    let to_arg = to_dir.to_str().unwrap();
    let out = mastery(&["learner", "import", file_arg, "--data-dir", to_arg]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert_eq!(row(&shown, "reviews"), [2, 0, 1, 0], "{shown}");
    // The GIL card: the file's is newer (two reviews), so it is taken.
    assert_eq!(row(&shown, "cards"), [1, 1, 0, 0], "{shown}");
    assert_eq!(row(&shown, "notes"), [0, 0, 0, 1], "{shown}");
    assert_eq!(row(&shown, "settings"), [0, 0, 0, 1], "{shown}");
    assert!(shown.contains("--overwrite"), "{shown}");
    let ids: Vec<String> = target
        .reviews(them, None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        ids,
        [
            "gil-review-1",
            "orm-review-1",
            "sql-review-1",
            "gil-review-2"
        ],
        "merged by id, in time order, none twice"
    );
    assert_eq!(
        target.note(them, &gil).await.unwrap().unwrap().body,
        "written later on the other device"
    );
    assert_eq!(
        target
            .learner_setting(them, "desired_retention")
            .await
            .unwrap()
            .as_deref(),
        Some("0.85")
    );

    // --overwrite: the file wins every difference; the extra review stays.
    let out = mastery(&[
        "learner",
        "import",
        file_arg,
        "--overwrite",
        "--data-dir",
        to_arg,
    ]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert_eq!(row(&shown, "notes"), [0, 1, 0, 0], "{shown}");
    assert_eq!(row(&shown, "settings"), [0, 1, 0, 0], "{shown}");
    assert_eq!(
        target.note(them, &gil).await.unwrap().unwrap().body,
        source.note(me, &gil).await.unwrap().unwrap().body
    );
    assert_eq!(target.reviews(them, None).await.unwrap().len(), 4);
}

#[test]
fn a_bad_file_is_refused_with_its_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(
        &file,
        "{\n  \"schema\": \"mastery.learner-data\",\n  \"version\": 1,\n  \"marks\": [\n    { \"guide\": \"g\", \"question\": \"q\", \"marked_at\": \"yesterday\" }\n  ]\n}\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = mastery(&[
        "learner",
        "import",
        file.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    let shown = text(&out);
    assert!(!out.status.success());
    assert!(shown.contains("broken.json:5:"), "{shown}");
    assert!(shown.contains("expected i64"), "{shown}");
    assert!(
        !data.join("mastery.db").exists(),
        "nothing was opened or written"
    );

    std::fs::write(
        &file,
        "{\"schema\": \"mastery.learner-data\", \"version\": 9}",
    )
    .unwrap();
    let out = mastery(&["learner", "import", file.to_str().unwrap()]);
    assert!(text(&out).contains("newer Mastery"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_into_postgres_for_one_account_once() {
    let Some(pg) = TestDatabase::create().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = SqliteStore::open(&sqlite_url(dir.path())).await.unwrap();
    let me = source.personal_learner().await.unwrap();
    fill(&source, me).await;
    let file = dir.path().join("backup.json");
    let file_arg = file.to_str().unwrap();
    let out = mastery(&[
        "learner",
        "export",
        "-o",
        file_arg,
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));

    // A multi-user database: the account must be named.
    let out = mastery(&["user", "add", "ada", "--admin", "--database", &pg.url]);
    assert!(out.status.success(), "{}", text(&out));
    let out = mastery(&["learner", "import", file_arg, "--database", &pg.url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--user"), "{}", text(&out));
    for round in 0..2 {
        let out = mastery(&[
            "learner",
            "import",
            file_arg,
            "--user",
            "ada",
            "--database",
            &pg.url,
        ]);
        let shown = text(&out);
        assert!(out.status.success(), "{shown}");
        let expected = if round == 0 {
            [3, 0, 0, 0]
        } else {
            [0, 0, 3, 0]
        };
        assert_eq!(row(&shown, "reviews"), expected, "{shown}");
    }
    let postgres = PostgresStore::connect(&pg.url).await.unwrap();
    let ada = postgres
        .account_by_key("ada")
        .await
        .unwrap()
        .unwrap()
        .learner;
    same_learner_data(&source, me, &postgres, ada).await;

    // And back out of PostgreSQL: the same document but for the account.
    let again = dir.path().join("again.json");
    let out = mastery(&[
        "learner",
        "export",
        "-o",
        again.to_str().unwrap(),
        "--user",
        "ada",
        "--database",
        &pg.url,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let a: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    for kind in [
        "marks",
        "notes",
        "cards",
        "reviews",
        "settings",
        "interviews",
    ] {
        assert_eq!(a[kind], b[kind], "{kind}");
    }
    assert_eq!(b["account"]["username"], "ada");
    postgres.close().await;
}
