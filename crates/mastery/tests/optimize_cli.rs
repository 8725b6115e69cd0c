//! `mastery optimize`: refuses with too few reviews, fits and reports the log loss with
//! enough of them.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use mastery_app::study::{self, Answer};
use mastery_storage::{QuestionKey, Storage};
use mastery_storage_sqlite::SqliteStore;
use mastery_study::scheduler::{DAY_MS, Rating};

fn optimize(data: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(["optimize", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fits_parameters_from_enough_reviews() {
    let data = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = optimize(data.path());
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("need at least 64 reviews"), "{stderr}");

    let guide = common::python_django();
    let guides = vec![Arc::clone(&guide)];
    let ids: Vec<String> = guide
        .questions()
        .take(24)
        .map(|e| e.id.to_string())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&format!(
            "sqlite://{}",
            data.path().join("mastery.db").display()
        ))
        .await
        .unwrap();
        let me = store.personal_learner().await.unwrap();
        let start = 1_700_000_000_000_i64;
        let mut n = 0;
        // Six reviews per question on growing gaps, a lapse now and then: 5 reviews per
        // question on a later day than the previous one, 120 in all.
        for (i, id) in ids.iter().enumerate() {
            for (step, day) in [0_i64, 1, 3, 7, 15, 31].into_iter().enumerate() {
                let rating = if (i + step) % 5 == 0 {
                    Rating::Again
                } else {
                    Rating::Good
                };
                let answer = Answer {
                    key: QuestionKey::new("python-django", id.as_str()),
                    rating,
                    review_id: format!("fit-review-{n:05}"),
                    time_spent_ms: 8_000,
                };
                study::answer(
                    &store,
                    me,
                    &guides,
                    &answer,
                    start + day * DAY_MS + (i as i64) * 60_000,
                )
                .await
                .unwrap();
                n += 1;
            }
        }
        store.close().await;
    });
    let (code, stdout, stderr) = optimize(data.path());
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("log loss with the current parameters:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("log loss with the fitted parameters:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Saved") || stdout.contains("Not saved"),
        "{stdout}"
    );
}
