//! What only the SQLite backend has, on real temporary files: reopening, the spellings of a
//! location, refusing damaged or foreign files, newer schemas, in-memory databases and
//! backups. (The contract every backend meets is in `suite.rs`.)

// Tests state their expectations with unwrap/expect/panic: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{execute_raw, fresh, key};

use std::path::Path;

use mastery_storage::{Mark, QuestionKey, Storage, StorageError};
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
