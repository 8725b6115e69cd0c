//! `mastery stats` and `mastery study` as a user runs them. Reviews are recorded through
//! `mastery_app` (the service the web app and the terminal share) on the same database file,
//! then counted by the binary. The study screen itself is tested without a terminal, on
//! ratatui's `TestBackend` (unit tests in `src/study/`).

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use mastery_app::study::{self, Answer, Answered};
use mastery_content::Guide;
use mastery_storage::{QuestionKey, Storage};
use mastery_storage_sqlite::SqliteStore;
use mastery_study::scheduler::Rating;

fn mastery(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(args)
        .env_remove("MASTERY_DATA_DIR")
        .env_remove("MASTERY_DATABASE_URL")
        .env_remove("MASTERY_GUIDES")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The cells of the table row that starts with `name`.
fn row(stdout: &str, name: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in {stdout}"));
    // "90% of 10" is one cell: join it back.
    line.replace("% of ", "%of")
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn stats(data: &Path) -> String {
    let out = mastery(&["stats", "--data-dir", data.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    stdout
}

fn embedded_guide() -> Arc<Guide> {
    common::python_django()
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[test]
fn stats_on_a_fresh_data_dir_prints_zeros() {
    let data = tempfile::tempdir().unwrap();
    let stdout = stats(data.path());
    let cells = row(&stdout, "python-django");
    assert!(
        cells[1].parse::<usize>().unwrap() > 50,
        "questions: {stdout}"
    );
    assert_eq!(cells[2..8], ["0"; 6], "{stdout}");
    assert_eq!(cells[8..], ["-", "0s"], "{stdout}");
    assert_eq!(row(&stdout, "total")[1], cells[1]);
    assert!(
        !stdout.contains('\x1b'),
        "no colour when not a terminal: {stdout:?}"
    );
    assert!(data.path().join("mastery.db").is_file());
}

#[test]
fn stats_counts_reviews_recorded_through_the_app() {
    let data = tempfile::tempdir().unwrap();
    let guide = embedded_guide();
    let guides = vec![Arc::clone(&guide)];
    let ids: Vec<String> = guide
        .questions()
        .take(3)
        .map(|e| e.id.to_string())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", data.path().join("mastery.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let learner = store.personal_learner().await.unwrap();
        // "Today" must hold the last minute and the next learning steps, whatever the
        // time: start the study day twelve hours away from now (UTC, offset 0).
        let settings = mastery_study::scheduler::Settings {
            day_start_hour: u8::try_from((now() / 3_600_000 + 12) % 24).unwrap(),
            ..Default::default()
        };
        mastery_app::settings::save_settings(&store, learner, &settings, 0)
            .await
            .unwrap();
        let start = now() - 60_000;
        let answer = |id: &str, rating, n: i64| {
            let key = QuestionKey::new(guide.id.as_str(), id);
            let answer = Answer {
                key,
                rating,
                review_id: format!("test-review-{n:04}"),
                time_spent_ms: 10_000,
            };
            let store = &store;
            let guides = &guides;
            async move {
                let done = study::answer(store, learner, guides, &answer, start + n * 1_000)
                    .await
                    .unwrap();
                assert!(matches!(done, Answered::Recorded { .. }));
            }
        };
        // Three new questions; the first graduates with Easy and is then reviewed (early)
        // and forgotten: one review of a Review-phase card, rated Again.
        answer(&ids[0], Rating::Easy, 1).await;
        answer(&ids[1], Rating::Good, 2).await;
        answer(&ids[2], Rating::Again, 3).await;
        answer(&ids[0], Rating::Again, 4).await;
        store
            .set_mark(
                learner,
                &QuestionKey::new(guide.id.as_str(), &ids[1]),
                true,
                start,
            )
            .await
            .unwrap();
        store.close().await;
    });

    let stdout = stats(data.path());
    let cells = row(&stdout, "python-django");
    // guide, questions, mastered, studied, due, today, 7 days, all time, retention, time
    assert_eq!(cells[2], "1", "mastered: {stdout}");
    assert_eq!(cells[3], "3", "studied: {stdout}");
    assert_eq!(
        cells[4], "3",
        "all three are in learning steps, due today: {stdout}"
    );
    assert_eq!(cells[5..8], ["4", "4", "4"], "reviews: {stdout}");
    assert_eq!(cells[8], "0%of1", "retention: {stdout}");
    assert_eq!(cells[9], "40s", "time studied: {stdout}");
    assert_eq!(row(&stdout, "total")[5..8], ["4", "4", "4"]);
}

#[test]
fn help_shows_examples() {
    for sub in ["study", "stats"] {
        let (stdout, _) = text(&mastery(&[sub, "--help"]));
        assert!(stdout.contains("Examples:"), "{sub} --help: {stdout}");
        assert!(stdout.contains("--data-dir"), "{sub} --help: {stdout}");
    }
    let (stdout, _) = text(&mastery(&["--help"]));
    assert!(
        stdout.contains("study") && stdout.contains("stats"),
        "{stdout}"
    );
}

#[test]
fn study_needs_a_terminal_and_existing_filters() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let out = mastery(&["study", "--data-dir", dir]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("run it in a terminal"), "{stderr}");

    let out = mastery(&["study", "--guide", "nope", "--data-dir", dir]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("there is no guide `nope`; the guides are: python-django"),
        "{stderr}"
    );

    let out = mastery(&["study", "--level", "medior", "--data-dir", dir]);
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown level");
}
