//! What the tests of the terminal UIs (`mastery study`, `mastery interview`) share: a guide
//! made from one section's text, a fresh database, and drawn screens read as text.

use std::path::Path;
use std::sync::Arc;

use mastery_content::{Guide, GuideFiles, load_guide};
use mastery_storage::{LearnerId, Millis, Storage as _};
use mastery_storage_sqlite::SqliteStore;
use ratatui::buffer::Buffer;
use tokio::runtime::Runtime;

/// The test guide's `guide.toml`: the guide `t`, "Test guide".
const TOML: &str = "id = \"t\"\ntitle = \"Test guide\"\ndescription = \"d\"\nversion = \"1\"\n";

/// The tests' "now": 2025-06-15T15:06:40Z.
pub const NOW: Millis = 1_750_000_000_000;

/// The section of the interview tests: a junior question with a senior follow-up and two key
/// points, and another junior question.
pub const INTERVIEW: &str = "---\nid: basics\ntitle: Basics\n---\n\n\
## What does the GIL protect?\n\nid: gil\nlevel: junior\nfollow-ups: gil-release\n\n\
The global interpreter lock protects the interpreter's internal state.\n\n\
### Key points\n\n\
- Only one thread runs bytecode at a time.\n  Words: one thread | single thread, bytecode\n\
- It protects reference counting.\n  Words: reference count | refcount\n\n\
### References\n\n- [Glossary](https://docs.python.org/3/glossary.html)\n\n\
## When is the GIL released?\n\nid: gil-release\nlevel: senior\n\n\
Around blocking I/O.\n\n\
### Key points\n\n\
- Blocking I/O releases it.\n  Words: blocking, i/o\n\n\
### References\n\n- [Glossary](https://docs.python.org/3/glossary.html)\n\n\
## Is list.append atomic?\n\nid: append\nlevel: junior\n\nYes, in CPython.\n\n\
### Key points\n\n\
- Yes in CPython, thanks to the GIL.\n  Words: atomic, gil\n\n\
### References\n\n- [Glossary](https://docs.python.org/3/glossary.html)\n";

/// The test guide with `section` as its one section file; fails on any error in it.
pub fn guides(section: &str) -> Vec<Arc<Guide>> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("guide.toml"), TOML).unwrap();
    std::fs::write(dir.path().join("01-basics.md"), section).unwrap();
    let report = load_guide(&GuideFiles::from_dir(dir.path()).unwrap());
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    vec![Arc::new(report.guide.unwrap())]
}

/// A drawn screen as text: its rows without their trailing spaces.
pub fn text(buffer: &Buffer) -> String {
    let width = usize::from(buffer.area.width);
    buffer
        .content
        .chunks(width)
        .map(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that `screen` shows each of `texts`, printing the screen when one is missing.
#[track_caller]
pub fn assert_shows(screen: &str, texts: &[&str]) {
    for text in texts {
        assert!(screen.contains(text), "{text:?} is not shown:\n{screen}");
    }
}

/// A fresh SQLite database in a temporary folder, its learner and the test guide.
pub struct Env {
    pub runtime: Runtime,
    pub store: SqliteStore,
    pub learner: LearnerId,
    pub guides: Vec<Arc<Guide>>,
    _dir: tempfile::TempDir,
}

/// A fresh [`Env`] whose guide has `section` as its one section file.
pub fn env(section: &str) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let runtime = crate::runtime::current_thread().unwrap();
    let url = format!("sqlite://{}", Path::new(dir.path()).join("m.db").display());
    let store = runtime.block_on(SqliteStore::open(&url)).unwrap();
    let learner = runtime.block_on(store.personal_learner()).unwrap();
    Env {
        runtime,
        store,
        learner,
        guides: guides(section),
        _dir: dir,
    }
}
