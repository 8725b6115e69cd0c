//! `mastery export anki|csv` and `mastery import FILE.apkg|.csv` as a user runs them, and
//! checked by Anki itself: the official `anki` package from PyPI (in a virtual environment
//! this test creates and caches, as `mastery verify` does) imports our package and text
//! file, and writes packages (FSRS on, reviews, cloze and reversed notes, an image) that we
//! import. Without Python or pip the Anki checks say so and pass, unless `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "../../mastery-web/tests/common/venv.rs"]
mod venv;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{mastery, python_django, text};
use mastery_storage::Storage;
use mastery_storage::testkit::{first, key, next};
use mastery_storage_sqlite::SqliteStore;
use serde_json::Value;
use venv::missing;

const DAY: i64 = 86_400_000;

/// A Python with the official `anki` package: `MASTERY_TEST_ANKI_PYTHON`, else a virtual
/// environment made once under the cache directory (see `venv`).
fn anki_python() -> Option<PathBuf> {
    if let Ok(python) = std::env::var("MASTERY_TEST_ANKI_PYTHON") {
        return Some(PathBuf::from(python));
    }
    venv::python_with("anki-25.9", "anki>=25.9")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/anki")
        .join(name)
}

/// Runs one of the Python scripts and reads the JSON it prints.
fn run_python(python: &Path, name: &str, args: &[&Path]) -> Value {
    let out = Command::new(python)
        .arg(script(name))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A data folder whose learner reviewed `gil` twice (ten and three days ago).
async fn learner_with_reviews(data: &Path, now: i64) -> mastery_storage::StoredCard {
    std::fs::create_dir_all(data).unwrap();
    let store = SqliteStore::open(&format!("sqlite://{}", data.join("mastery.db").display()))
        .await
        .unwrap();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python-django", "gil");
    let g1 = first("anki-test-1", &gil, now - 10 * DAY);
    let g2 = next("anki-test-2", &g1, now - 3 * DAY);
    store.record_review(me, &g1).await.unwrap();
    store.record_review(me, &g2).await.unwrap();
    g2.after
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guide_exported_for_anki_is_read_back_by_mastery() {
    let dir = tempfile::tempdir().unwrap();
    let apkg = dir.path().join("guide.apkg");
    let out = mastery(&["export", "anki", "python-django", "-o", s(&apkg)]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    let guide = python_django();
    let questions = guide.questions().count();
    assert!(
        said.contains(&format!("Exported {questions} notes")),
        "{said}"
    );
    // Again without --force: refused, the file kept.
    let again = mastery(&["export", "anki", "python-django", "-o", s(&apkg)]);
    assert!(!again.status.success());
    assert!(text(&again).contains("--force"), "{}", text(&again));

    // Back into Mastery: a guide that passes check, with the ids and references kept.
    let back = dir.path().join("back");
    let out = mastery(&["import", s(&apkg), "-o", s(&back)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("Imported {questions} questions")),
        "{}",
        text(&out)
    );
    let check = mastery(&["check", s(&back)]);
    assert!(check.status.success(), "{}", text(&check));
    let all: String = std::fs::read_dir(&back)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(all.contains("id: gil\n"), "the question ids come back");
    assert!(all.contains("### References"), "references come back");

    // The text format both ways.
    let csv = dir.path().join("guide.csv");
    let out = mastery(&["export", "csv", "python-django", "-o", s(&csv)]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(
        written.starts_with("#separator:comma\n#html:true\n#guid column:1\n"),
        "{written}"
    );
    let from_csv = dir.path().join("from-csv");
    let out = mastery(&["import", s(&csv), "-o", s(&from_csv)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("Imported {questions} questions")),
        "{}",
        text(&out)
    );
    assert!(mastery(&["check", s(&from_csv)]).status.success());
}

#[test]
fn broken_files_are_refused_with_what_to_fix_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad_zip = dir.path().join("broken.apkg");
    std::fs::write(&bad_zip, b"PK\x03\x04 not really a zip").unwrap();
    let out_dir = dir.path().join("out");
    let out = mastery(&["import", s(&bad_zip), "-o", s(&out_dir)]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("broken.apkg"), "{said}");
    assert!(said.contains("not a readable zip"), "{said}");
    assert!(!out_dir.exists());

    let csv = dir.path().join("deck.csv");
    std::fs::write(&csv, "#separator:comma\nfront,back\nq2,a2,extra\n").unwrap();
    let out = mastery(&["import", s(&csv), "-o", s(&out_dir)]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("deck.csv:3: this row has 3 columns, expected 2"),
        "{said}"
    );
    assert!(!out_dir.exists());

    let txt = dir.path().join("deck.txt");
    std::fs::write(&txt, "What is a closure?\tA function with its scope.\n").unwrap();
    let out = mastery(&["import", s(&txt), "-o", s(&out_dir), "--with-scheduling"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no scheduling"), "{}", text(&out));
    let out = mastery(&["import", s(&txt), "-o", s(&out_dir)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(mastery(&["check", s(&out_dir)]).status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anki_imports_our_package_and_text_file_with_the_scheduling() {
    let Some(python) = anki_python() else {
        missing("python3 with venv and pip able to install the `anki` package");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let now = mastery_storage::now();
    let card = learner_with_reviews(&data, now).await;
    let apkg = dir.path().join("mine.apkg");
    let out = mastery(&[
        "export",
        "anki",
        "python-django",
        "-o",
        s(&apkg),
        "--with-scheduling",
        "--data-dir",
        s(&data),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("with 1 scheduled card and 2 reviews"),
        "{}",
        text(&out)
    );
    let csv = dir.path().join("mine.csv");
    let out = mastery(&["export", "csv", "python-django", "-o", s(&csv)]);
    assert!(out.status.success(), "{}", text(&out));

    // A newer version of the guide, where one answer changed: exported a second later.
    let edited = dir.path().join("python-django");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
    std::fs::create_dir_all(&edited).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, edited.join(path.file_name().unwrap())).unwrap();
    }
    let core = edited.join("01-core-python.md");
    let text_before = std::fs::read_to_string(&core).unwrap();
    let text_after = text_before.replacen("The GIL is a lock", "The GIL is one lock", 1);
    assert_ne!(text_before, text_after);
    std::fs::write(&core, text_after).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let newer = dir.path().join("newer.apkg");
    let out = mastery(&["export", "anki", s(&edited), "-o", s(&newer)]);
    assert!(out.status.success(), "{}", text(&out));

    // Anki imports ours, the same again, the newer one, then the text file of the first.
    let collection = dir.path().join("anki");
    std::fs::create_dir_all(&collection).unwrap();
    let seen = run_python(
        &python,
        "read_with_anki.py",
        &[&collection, &apkg, &apkg, &newer, Path::new("--csv"), &csv],
    );
    let guide = python_django();
    let questions = guide.questions().count() as u64;
    assert_eq!(seen["after_package_0"], questions, "one note per question");
    assert_eq!(
        seen["after_package_1"], questions,
        "importing again updates the notes, never duplicates them"
    );
    assert_eq!(
        seen["after_package_2"], questions,
        "a newer export updates the notes, never duplicates them"
    );
    let csv_log = &seen["csv"];
    assert_eq!(csv_log["missing_notetype"], 0, "{csv_log}");
    assert_eq!(
        csv_log["new"], 0,
        "the CSV rows match the notes by GUID: {csv_log}"
    );
    assert_eq!(
        csv_log["updated"], 1,
        "only the answer the newer package changed differs from the text file: {csv_log}"
    );
    assert_eq!(
        seen["after_package_1"],
        seen["notes"].as_array().unwrap().len() as u64
    );

    let notes = seen["notes"].as_array().unwrap();
    let (section, gil) = guide.question("gil").unwrap();
    let note = notes
        .iter()
        .find(|n| n["fields"]["Id"] == "gil")
        .expect("the gil note");
    assert_eq!(note["notetype"], "Mastery Q&A");
    assert!(note["fields"]["Question"].as_str().unwrap() == gil.title_html);
    assert_eq!(note["fields"]["Answer"].as_str().unwrap(), gil.answer_html);
    assert!(
        note["fields"]["Key points"]
            .as_str()
            .unwrap()
            .starts_with("<ul><li>")
    );
    assert!(
        note["fields"]["References"]
            .as_str()
            .unwrap()
            .contains("https://")
    );
    let level = format!("level::{}", gil.level().unwrap());
    assert!(
        note["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == level.as_str()),
        "{}",
        note["tags"]
    );
    let n = guide
        .sections
        .iter()
        .position(|s| s.id == section.id)
        .unwrap()
        + 1;
    assert_eq!(
        note["deck"],
        format!("{}::{n:02} {}", guide.title, section.title)
    );
    assert!(
        seen["css"].as_str().unwrap().contains("hl-k"),
        "the note type styles the highlighting"
    );
    let decks = seen["decks"].as_array().unwrap();
    assert_eq!(
        decks
            .iter()
            .filter(|d| d
                .as_str()
                .unwrap()
                .starts_with(&format!("{}::", guide.title)))
            .count(),
        guide.sections.len()
    );

    // The scheduling: FSRS memory state, due date, review log.
    let c = &note["card"];
    assert_eq!(c["type"], 2, "in review: {c}");
    let stability = c["stability"].as_f64().unwrap();
    assert!((stability - card.stability.unwrap()).abs() < 0.01, "{c}");
    assert!(
        (c["difficulty"].as_f64().unwrap() - card.difficulty.unwrap()).abs() < 0.01,
        "{c}"
    );
    let due_in = c["due"].as_i64().unwrap() - seen["today"].as_i64().unwrap();
    let expected = (card.due - now).div_euclid(DAY);
    assert!(
        (due_in - expected).abs() <= 1,
        "due in {due_in} days, expected {expected}: {c}"
    );
    let revlog = note["revlog"].as_array().unwrap();
    assert_eq!(revlog.len(), 2, "{revlog:?}");
    assert!(revlog.iter().all(|r| r["ease"] == 3), "{revlog:?}");
    assert!(
        (revlog[1]["ivl"].as_i64().unwrap() - 3).abs() <= 1,
        "{revlog:?}"
    );
    let others: Vec<&Value> = notes
        .iter()
        .filter(|n| n["fields"]["Id"] != "gil")
        .collect();
    assert!(
        others
            .iter()
            .all(|n| n["card"]["type"] == 0 && n["revlog"].as_array().unwrap().is_empty())
    );
}

#[test]
fn packages_anki_writes_become_guides_with_their_reviews() {
    let Some(python) = anki_python() else {
        missing("python3 with venv and pip able to install the `anki` package");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let made = run_python(&python, "write_with_anki.py", &[dir.path()]);
    assert_eq!(made["notes"], 4);
    let revlog = made["revlog"].as_u64().unwrap();
    assert!(revlog >= 4, "{made}");
    // Anki's text format, as Anki writes it.
    let from_text = dir.path().join("from-text");
    let out = mastery(&[
        "import",
        s(&dir.path().join("notes.txt")),
        "-o",
        s(&from_text),
    ]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("Imported 4 questions in 2 sections"),
        "{said}"
    );
    assert!(mastery(&["check", s(&from_text)]).status.success());
    let words = std::fs::read_to_string(from_text.join("02-words.md")).unwrap();
    assert!(
        words.contains("**Madrid** is the capital of **Spain**.\n\nSince 1561."),
        "{words}"
    );

    for package in ["current.apkg", "legacy.apkg", "whole.colpkg"] {
        let data = dir.path().join(format!("data-{package}"));
        let out_dir = dir.path().join(format!("guide-{package}"));
        let out = mastery(&[
            "import",
            s(&dir.path().join(package)),
            "-o",
            s(&out_dir),
            "--with-scheduling",
            "--data-dir",
            s(&data),
        ]);
        let said = text(&out);
        assert!(out.status.success(), "{package}: {said}");
        assert!(
            said.contains("Imported 4 questions in 2 sections"),
            "{package}: {said}"
        );
        assert!(
            said.contains("reverse and further cards"),
            "{package}: {said}"
        );
        assert!(
            said.contains("4  card templates and styling of 3 note types"),
            "{package}: {said}"
        );
        // The reviews of each note's first card come along; those of the reverse card and
        // the second cloze are counted as left out.
        let other: u64 = said
            .lines()
            .find(|l| l.contains("reviews of reverse and further cards"))
            .map_or(0, |l| l.split_whitespace().next().unwrap().parse().unwrap());
        let added: u64 = said
            .split(" cards and ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{said}"));
        assert!(added > 0, "{package}: {said}");
        assert_eq!(added + other, revlog, "{package}: {said}");
        let check = mastery(&["check", s(&out_dir)]);
        assert!(check.status.success(), "{package}: {}", text(&check));
        assert!(
            out_dir.join("media/cat.png").is_file(),
            "{package}: the image is copied"
        );
        let grammar = std::fs::read_to_string(out_dir.join("01-grammar.md")).unwrap();
        assert!(grammar.contains("## What does ser mean?"), "{grammar}");
        assert!(grammar.contains("![](media/cat.png)"), "{grammar}");
        assert!(grammar.contains("```python"), "{grammar}");
        assert!(grammar.contains("level: junior"), "{grammar}");
        assert!(grammar.contains("tags: spanish, verbs"), "{grammar}");
        let words = std::fs::read_to_string(out_dir.join("02-words.md")).unwrap();
        assert!(
            words.contains("## \\[…\\] is the capital of \\[…\\]."),
            "{words}"
        );
        assert!(
            words.contains("**Madrid** is the capital of **Spain**."),
            "{words}"
        );
        assert!(words.contains("Since 1561."), "{words}");

        // The reviews are in the learner's data.
        let json = dir.path().join(format!("{package}.json"));
        let out = mastery(&["learner", "export", "-o", s(&json), "--data-dir", s(&data)]);
        assert!(out.status.success(), "{}", text(&out));
        let doc: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(doc["reviews"].as_array().unwrap().len() as u64, added);
        let cards = doc["cards"].as_array().unwrap();
        assert!(!cards.is_empty());
        assert!(cards.iter().all(|c| c["guide"] == "languages"), "{cards:?}");
        assert!(
            cards.iter().any(|c| c["stability"].as_f64().is_some()),
            "{cards:?}"
        );
        // Importing the history again adds nothing.
        let again = mastery(&[
            "import",
            s(&dir.path().join(package)),
            "-o",
            s(&out_dir),
            "--force",
            "--with-scheduling",
            "--data-dir",
            s(&data),
        ]);
        assert!(text(&again).contains("0 reviews added"), "{}", text(&again));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduling_goes_out_and_back_for_an_account_of_a_multi_user_database() {
    let dir = tempfile::tempdir().unwrap();
    let personal = dir.path().join("personal");
    let now = mastery_storage::now();
    let card = learner_with_reviews(&personal, now).await;
    let apkg = dir.path().join("mine.apkg");
    let out = mastery(&[
        "export",
        "anki",
        "python-django",
        "-o",
        s(&apkg),
        "--with-scheduling",
        "--data-dir",
        s(&personal),
    ]);
    assert!(out.status.success(), "{}", text(&out));

    let shared = dir.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let out = mastery(&["user", "add", "ada", "--data-dir", s(&shared)]);
    assert!(out.status.success(), "{}", text(&out));
    // A database with accounts needs --user.
    let guide_dir = dir.path().join("guide");
    let args = [
        "import",
        s(&apkg),
        "-o",
        s(&guide_dir),
        "--id",
        "python-django",
        "--with-scheduling",
        "--data-dir",
        s(&shared),
    ];
    let out = mastery(&args);
    assert!(!out.status.success());
    assert!(text(&out).contains("pass --user NAME"), "{}", text(&out));
    let out = mastery(&[&args[..], &["--user", "ada", "--force"]].concat());
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 card and 2 reviews added"),
        "{}",
        text(&out)
    );

    let json = dir.path().join("ada.json");
    let out = mastery(&[
        "learner",
        "export",
        "-o",
        s(&json),
        "--user",
        "ada",
        "--data-dir",
        s(&shared),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let cards = doc["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 1, "{cards:?}");
    let back = &cards[0];
    assert_eq!(back["question"], "gil");
    assert_eq!(back["phase"], "review");
    assert!((back["stability"].as_f64().unwrap() - card.stability.unwrap()).abs() < 0.001);
    assert!(
        (back["due"].as_i64().unwrap() - card.due).abs() < DAY,
        "{back}"
    );
    let reviews = doc["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    assert!(reviews.iter().all(|r| r["rating"] == 3));
}
