//! `mastery suggestions export` as a guide's maintainer runs it: accepted suggestions become
//! one patch that `git apply` accepts on a copy of `guides/` in a git repository; the guide
//! still passes `mastery check` afterwards; exported suggestions are not exported twice; a
//! stale one is left out and named; bad input gets a clear error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use mastery_content::suggest::question_source;
use mastery_content::{GuideFiles, load_guide};
use mastery_storage::{
    AccountStorage as _, NewSuggestion, Storage, SuggestionDecision, SuggestionState,
};
use mastery_storage_sqlite::SqliteStore;

fn mastery(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(args)
        .current_dir(dir)
        .env_remove("MASTERY_DATABASE_URL")
        .env_remove("MASTERY_DATA_DIR")
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

/// `mastery suggestions export ARGS --database DB` in `repo`.
fn export(repo: &Path, db: &str, args: &[&str]) -> Output {
    let mut all = vec!["suggestions", "export"];
    all.extend_from_slice(args);
    all.extend(["--database", db]);
    mastery(repo, &all)
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Accepts a suggestion replacing `old` with `new` in `question`, written by `author`
/// against `base` (the question's text, or an older one); its number.
async fn accepted(
    store: &dyn Storage,
    author: mastery_storage::LearnerId,
    question: &str,
    base: &str,
    proposed: &str,
    at: i64,
) -> i64 {
    let id = store
        .create_suggestion(&NewSuggestion {
            guide: "python-django",
            question,
            author,
            summary: "Clearer",
            base_text: base,
            proposed_text: proposed,
            at,
        })
        .await
        .unwrap();
    assert!(
        store
            .decide_suggestion(&SuggestionDecision {
                id,
                from: SuggestionState::Open,
                seen: None,
                to: SuggestionState::Accepted,
                moderator: Some((author, "ada")),
                comment: None,
                at: at + 1,
                notice: None,
            })
            .await
            .unwrap()
    );
    id
}

/// A prose line of a question's text to change.
fn prose(text: &str) -> String {
    text.lines()
        .skip(1)
        .find(|l| l.len() > 40 && !l.contains(':') && !l.starts_with(['#', '-', '`', '|', ' ']))
        .unwrap()
        .to_owned()
}

#[test]
fn accepted_suggestions_become_a_patch_git_applies() {
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    let guide = repo.join("guides/python-django");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
    copy_dir(&source, &guide);
    assert!(git(&repo, &["init", "-q"]).status.success());
    assert!(git(&repo, &["add", "."]).status.success());
    assert!(
        git(&repo, &["commit", "-q", "-m", "guide"])
            .status
            .success()
    );
    let db = work.path().join("mastery.db");
    let db_url = db.to_str().unwrap().to_owned();

    let out = mastery(
        &repo,
        &["user", "add", "ada", "--admin", "--database", &db_url],
    );
    assert!(out.status.success(), "{}", text(&out));

    let files = GuideFiles::from_dir(&guide).unwrap();
    let loaded = load_guide(&files).guide.unwrap();
    let gil = question_source(&files, &loaded, "gil").unwrap();
    let tasks = question_source(&files, &loaded, "asyncio-event-loop").unwrap();
    let gil_line = prose(&gil.text);
    let tasks_line = prose(&tasks.text);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (first, second, stale) = runtime.block_on(async {
        let store = SqliteStore::open(&db_url).await.unwrap();
        let ada = store.account_by_key("ada").await.unwrap().unwrap().learner;
        let first = accepted(
            &store,
            ada,
            "gil",
            &gil.text,
            &gil.text
                .replacen(&gil_line, &format!("{gil_line} (First change.)"), 1),
            10,
        )
        .await;
        let second = accepted(
            &store,
            ada,
            "asyncio-event-loop",
            &tasks.text,
            &tasks
                .text
                .replacen(&tasks_line, &format!("{tasks_line} (Second change.)"), 1),
            20,
        )
        .await;
        // Written against an older text of gil: stale, left out.
        let older = gil.text.replacen(&gil_line, "An older sentence.", 1);
        let stale = accepted(
            &store,
            ada,
            "gil",
            &older,
            &older.replacen("An older", "A newer", 1),
            30,
        )
        .await;
        store.close().await;
        (first, second, stale)
    });

    // A dry run writes the patch and marks nothing.
    let out = export(
        &repo,
        &db_url,
        &[
            "--guide",
            "guides/python-django",
            "-o",
            "look.patch",
            "--dry-run",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("--dry-run: not marked exported"),
        "{}",
        text(&out)
    );
    let out = export(
        &repo,
        &db_url,
        &["--guide", "guides/python-django", "-o", "look.patch"],
    );
    assert!(!out.status.success(), "an existing file is not replaced");
    assert!(text(&out).contains("--force"), "{}", text(&out));

    let out = export(
        &repo,
        &db_url,
        &[
            "--guide",
            "guides/python-django",
            "-o",
            "../suggestions.patch",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!("Wrote 2 suggestions ({first}, {second})")),
        "{said}"
    );
    assert!(
        said.contains(&format!("suggestion {stale} on `gil` is stale")),
        "{said}"
    );
    let patch = std::fs::read_to_string(work.path().join("suggestions.patch")).unwrap();
    assert!(patch.contains("--- a/guides/python-django/"), "{patch}");

    // git applies it; the guide changed exactly there and still passes the checks.
    let check = git(&repo, &["apply", "--check", "../suggestions.patch"]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(
        git(&repo, &["apply", "../suggestions.patch"])
            .status
            .success()
    );
    let diff = String::from_utf8(git(&repo, &["diff", "--numstat"]).stdout).unwrap();
    assert_eq!(diff.lines().count(), 2, "two files changed: {diff}");
    assert!(
        diff.lines().all(|l| l.starts_with("1\t1\t")),
        "one line each: {diff}"
    );
    let changed = std::fs::read_to_string(guide.join(&gil.file)).unwrap();
    assert!(changed.contains("(First change.)"));
    let out = mastery(&repo, &["check", "--deny-warnings", "guides/python-django"]);
    assert!(out.status.success(), "{}", text(&out));

    // Exported once: nothing is left but the stale one.
    let out = export(
        &repo,
        &db_url,
        &["--guide", "guides/python-django", "-o", "again.patch"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("No accepted suggestion to export"),
        "{}",
        text(&out)
    );
    assert!(!repo.join("again.patch").exists());

    // Bad input: not a guide folder.
    let out = export(&repo, &db_url, &["--guide", "nowhere", "-o", "x.patch"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("nowhere"), "{}", text(&out));
}
