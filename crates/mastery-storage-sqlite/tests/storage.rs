//! Behaviour of the SQLite backend through the `Storage` trait, on real temporary files.

// Tests state their expectations with unwrap/expect/panic: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{execute_raw, fresh, key};

use std::path::Path;
use std::sync::Arc;

use mastery_storage::{LearnerId, MAX_NOTE_BYTES, Mark, QuestionKey, Storage, StorageError};
use mastery_storage_sqlite::SqliteStore;

/// The names of the files in a folder, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn state_persists_across_close_and_reopen() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    assert!(
        store
            .set_mark(me, &key("python", "gil"), true, 1_000)
            .await
            .unwrap()
    );
    store
        .save_note(
            me,
            &key("python", "gil"),
            "Global *interpreter* lock",
            2_000,
        )
        .await
        .unwrap();
    assert_eq!(store.secret("csrf", b"first").await.unwrap(), b"first");
    store.close().await;
    assert!(matches!(
        store.marks(me).await,
        Err(StorageError::Unavailable(_))
    ));

    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::open(&url).await.unwrap();
    assert_eq!(store.personal_learner().await.unwrap(), me);
    assert_eq!(
        store.marks(me).await.unwrap(),
        vec![Mark {
            key: key("python", "gil"),
            at: 1_000
        }]
    );
    let note = store
        .note(me, &key("python", "gil"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (note.body.as_str(), note.updated_at),
        ("Global *interpreter* lock", 2_000)
    );
    assert_eq!(store.secret("csrf", b"second").await.unwrap(), b"first");
    store.ping().await.unwrap();
}

#[tokio::test]
async fn every_spelling_of_the_location_opens_the_same_file() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    store.set_mark(me, &key("g", "q"), true, 7).await.unwrap();
    store.close().await;
    let shown = path.display();
    for location in [
        format!("sqlite://{shown}"),
        format!("sqlite:{shown}"),
        shown.to_string(),
    ] {
        let store = SqliteStore::open(&location).await.unwrap();
        assert_eq!(store.marks(me).await.unwrap().len(), 1, "{location}");
        store.close().await;
    }
}

#[tokio::test]
async fn ticking_is_idempotent_and_keeps_the_first_time() {
    let (_dir, _path, store) = fresh().await;
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

#[tokio::test]
async fn marks_are_listed_across_guides_in_key_order() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    for (i, (guide, question)) in [("sql", "joins"), ("python", "gil"), ("python", "async")]
        .iter()
        .enumerate()
    {
        store
            .set_mark(me, &key(guide, question), true, i as i64)
            .await
            .unwrap();
    }
    let keys: Vec<QuestionKey> = store
        .marks(me)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(
        keys,
        [
            key("python", "async"),
            key("python", "gil"),
            key("sql", "joins")
        ]
    );
}

#[tokio::test]
async fn notes_round_trip_unicode() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let bodies = [
        ("python", "gil", "Plain ASCII"),
        (
            "日本語",
            "質問-1",
            "漢字とかな, emoji 🦀🔥, combining e\u{301}, RTL שלום",
        ),
        ("guide", "nul", "a NUL \u{0} inside, a tab\tand\r\nCRLF"),
        (
            "guide",
            "lead",
            "  leading and trailing spaces are kept  \n",
        ),
    ];
    for (i, (guide, question, body)) in bodies.iter().enumerate() {
        store
            .save_note(me, &key(guide, question), body, 10 + i as i64)
            .await
            .unwrap();
    }
    store.close().await;
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
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

#[tokio::test]
async fn saving_again_replaces_the_body_and_time() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    store.save_note(me, &gil, "first", 1).await.unwrap();
    store.save_note(me, &gil, "second", 2).await.unwrap();
    let notes = store.notes(me).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!((notes[0].body.as_str(), notes[0].updated_at), ("second", 2));
}

#[tokio::test]
async fn an_empty_or_blank_note_deletes_it() {
    let (_dir, _path, store) = fresh().await;
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

#[tokio::test]
async fn notes_longer_than_the_limit_are_refused() {
    let (_dir, _path, store) = fresh().await;
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

#[tokio::test]
async fn forget_deletes_the_mark_and_note_of_one_question() {
    let (_dir, _path, store) = fresh().await;
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

#[tokio::test]
async fn learners_never_see_each_others_state() {
    let (_dir, _path, store) = fresh().await;
    let a = store.personal_learner().await.unwrap();
    let b = store.create_learner("user", 5).await.unwrap();
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

#[tokio::test]
async fn writes_for_an_unknown_learner_are_invalid() {
    let (_dir, _path, store) = fresh().await;
    let nobody = LearnerId(4242);
    let gil = key("python", "gil");
    let err = store.set_mark(nobody, &gil, true, 1).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let err = store.save_note(nobody, &gil, "text", 1).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(store.marks(nobody).await.unwrap().is_empty());
}

#[tokio::test]
async fn there_is_exactly_one_personal_learner() {
    let (_dir, path, store) = fresh().await;
    let store = Arc::new(store);
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
    let err = store.create_learner("personal", 1).await.unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    store.close().await;

    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(store.personal_learner().await.unwrap(), ids[0]);
}

#[tokio::test]
async fn learner_kinds_are_checked() {
    let (_dir, _path, store) = fresh().await;
    for bad in ["", "User", "a b", "ü", &"k".repeat(33)] {
        let err = store.create_learner(bad, 1).await.unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{bad:?}: {err:?}");
    }
    let first = store.create_learner("team-member_2", 1).await.unwrap();
    let second = store.create_learner("team-member_2", 2).await.unwrap();
    assert_ne!(first, second);
}

#[tokio::test]
async fn a_secret_is_stored_once_and_shared() {
    let (_dir, _path, store) = fresh().await;
    assert_eq!(store.secret("csrf", &[1, 2, 3]).await.unwrap(), [1, 2, 3]);
    assert_eq!(store.secret("csrf", &[9, 9]).await.unwrap(), [1, 2, 3]);
    assert_eq!(store.secret("other", &[0, 255]).await.unwrap(), [0, 255]);

    let store = Arc::new(store);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_ticks_all_land() {
    let (_dir, _path, store) = fresh().await;
    let store = Arc::new(store);
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

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let content = b"These are my notes, not a database.\n".repeat(100);
    for content in [&content[..], b"SQLite"] {
        std::fs::write(&path, content).unwrap();
        let err = SqliteStore::open(path.to_str().unwrap()).await.unwrap_err();
        let StorageError::Corrupt(message) = &err else {
            panic!("{err:?}")
        };
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("untouched"), "{message}");
        assert!(message.contains("--database"), "{message}");
        assert_eq!(std::fs::read(&path).unwrap(), content);
        assert_eq!(
            files_in(dir.path()),
            ["notes.txt"],
            "no -wal, -shm or -journal file"
        );
    }
}

#[tokio::test]
async fn an_empty_file_becomes_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("touched.db");
    std::fs::write(&path, b"").unwrap();
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    store.ping().await.unwrap();
}

#[tokio::test]
async fn a_damaged_database_is_corrupt() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    for i in 0..200 {
        store
            .save_note(me, &key("g", &format!("q{i}")), &"x".repeat(500), i)
            .await
            .unwrap();
    }
    store.close().await;
    // Keep the header but scribble over every page after the first.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8192);
    for b in &mut bytes[4096..] {
        *b = 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = SqliteStore::open(path.to_str().unwrap()).await.unwrap_err();
    let StorageError::Corrupt(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains(&path.display().to_string()), "{message}");
}

#[tokio::test]
async fn a_database_from_a_newer_mastery_is_refused_before_migrating() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    store.set_mark(me, &key("g", "q"), true, 1).await.unwrap();
    // A newer Mastery added migration 9999 while this one is running: ping notices.
    execute_raw(
        &path,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, x'00', 0)",
    )
    .await;
    let err = store.ping().await.unwrap_err();
    assert!(
        matches!(err, StorageError::NewerSchema { found: 9999, .. }),
        "{err:?}"
    );
    store.close().await;

    let err = SqliteStore::open(path.to_str().unwrap()).await.unwrap_err();
    let StorageError::NewerSchema { found, known } = err else {
        panic!("{err:?}")
    };
    assert_eq!(found, 9999);
    assert!((1..9999).contains(&known));
    let message = StorageError::NewerSchema { found, known }.to_string();
    assert!(message.contains("newer version of Mastery"), "{message}");
    // Nothing was changed: the future migration is still recorded, the data still there.
    execute_raw(&path, "DELETE FROM _sqlx_migrations WHERE version = 9999").await;
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(store.marks(me).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_missing_folder_is_unavailable_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("no-such-folder");
    let path = folder.join("mastery.db");
    let err = SqliteStore::open(path.to_str().unwrap()).await.unwrap_err();
    let StorageError::Unavailable(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains(&folder.display().to_string()), "{message}");
    assert!(message.contains("does not exist"), "{message}");
    assert!(!folder.exists());
}

#[tokio::test]
async fn a_folder_that_cannot_hold_files_is_unavailable() {
    // Tests run as root, where permission bits do not stop writes; a "folder" that is really
    // a regular file can hold nothing for anyone.
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("plain-file");
    std::fs::write(&not_a_folder, b"data").unwrap();
    let path = not_a_folder.join("mastery.db");
    let err = SqliteStore::open(path.to_str().unwrap()).await.unwrap_err();
    let StorageError::Unavailable(message) = &err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains(&not_a_folder.display().to_string()),
        "{message}"
    );
    assert_eq!(std::fs::read(&not_a_folder).unwrap(), b"data");

    // A path one level deeper below the file, and the database path being a folder.
    let deeper = not_a_folder.join("sub").join("mastery.db");
    let err = SqliteStore::open(deeper.to_str().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    let err = SqliteStore::open(dir.path().to_str().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn url_parameters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=ro", dir.path().join("m.db").display());
    let err = SqliteStore::open(&url).await.unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn in_memory_databases_work_and_are_private() {
    let one = SqliteStore::open("sqlite::memory:").await.unwrap();
    let two = SqliteStore::open("sqlite::memory:").await.unwrap();
    assert_eq!(one.backend(), "sqlite");
    let me = one.personal_learner().await.unwrap();
    assert!(one.set_mark(me, &key("g", "q"), true, 1).await.unwrap());
    one.save_note(me, &key("g", "q"), "in memory", 2)
        .await
        .unwrap();
    one.ping().await.unwrap();
    assert_eq!(one.marks(me).await.unwrap().len(), 1);
    let them = two.personal_learner().await.unwrap();
    assert!(two.marks(them).await.unwrap().is_empty());
    assert!(two.notes(them).await.unwrap().is_empty());
}

/// An online backup is a consistent copy that opens as a Mastery database, and never
/// overwrites a file.
#[tokio::test]
async fn backup_copies_everything_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("live.db").to_str().unwrap())
        .await
        .unwrap();
    let me = store.personal_learner().await.unwrap();
    store
        .set_mark(me, &QuestionKey::new("g", "q"), true, 5)
        .await
        .unwrap();
    store
        .save_note(me, &QuestionKey::new("g", "q"), "kept", 6)
        .await
        .unwrap();
    let copy = dir.path().join("backup.db");
    store.backup_to(&copy).await.unwrap();
    assert!(matches!(
        store.backup_to(&copy).await,
        Err(StorageError::Invalid(_))
    ));
    let restored = SqliteStore::open(copy.to_str().unwrap()).await.unwrap();
    let me2 = restored.personal_learner().await.unwrap();
    assert_eq!(me2, me);
    assert_eq!(restored.marks(me).await.unwrap().len(), 1);
    assert_eq!(
        restored
            .note(me, &QuestionKey::new("g", "q"))
            .await
            .unwrap()
            .unwrap()
            .body,
        "kept"
    );
}
